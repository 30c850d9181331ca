package lsp

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.lsp.dev/protocol"
)

// progressReporter turns the cluster's busy/idle events into $/progress, for clients
// that support server-initiated progress.
type progressReporter struct {
	s      *Server
	events chan progressEvent
	once   sync.Once
}

type progressEvent struct {
	busy    bool
	message string
}

func (p *progressReporter) busy(msg string) { p.send(progressEvent{busy: true, message: msg}) }

func (p *progressReporter) idle() { p.send(progressEvent{}) }

func (p *progressReporter) send(e progressEvent) {
	p.s.mu.Lock()
	ok := p.s.caps.workDoneProgress && !p.s.closing
	p.s.mu.Unlock()
	if !ok {
		return
	}
	p.once.Do(func() {
		p.events = make(chan progressEvent, 64)
		p.s.mu.Lock()
		p.s.wg.Add(1)
		p.s.mu.Unlock()
		go p.loop()
	})
	select {
	case p.events <- e:
	default: // a burst: the loop catches up with the next event
	}
}

func (p *progressReporter) loop() {
	defer p.s.wg.Done()
	s := p.s
	n := 0
	active := ""
	for {
		var e progressEvent
		select {
		case e = <-p.events:
		case <-s.baseCtx.Done():
			return
		}
		switch {
		case e.busy && active == "":
			n++
			token := fmt.Sprintf("kubectl-lsp/cluster/%d", n)
			ctx, cancel := context.WithTimeout(s.baseCtx, 5*time.Second)
			_, err := s.conn.Call(ctx, protocol.MethodWorkDoneProgressCreate, map[string]any{"token": token}, nil)
			cancel()
			if err != nil {
				s.log.Debug("workDoneProgress/create", "err", err)
				continue
			}
			active = token
			s.notify(protocol.MethodProgress, map[string]any{"token": token, "value": map[string]any{
				"kind": "begin", "title": "Kubernetes schemas", "message": e.message, "cancellable": false}})
		case e.busy:
			s.notify(protocol.MethodProgress, map[string]any{"token": active, "value": map[string]any{"kind": "report", "message": e.message}})
		case active != "":
			s.notify(protocol.MethodProgress, map[string]any{"token": active, "value": map[string]any{"kind": "end"}})
			active = ""
		}
	}
}
