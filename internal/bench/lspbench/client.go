// Package lspbench drives language servers over stdio, the way an editor does, and
// measures what a user waits for: didOpen → diagnostics, didChange → diagnostics, hover
// and completion, and the server's peak memory. It is the engine of `make bench-lsp`
// (hack/bench-lsp.sh), which compares kubectl-lsp with yaml-language-server on the same
// generated manifests.
//
// The client is minimal and self-contained: JSON-RPC 2.0 with Content-Length framing
// over the child's stdin and stdout, requests with per-call timeouts, answers to the
// server's own requests (workspace/configuration, vscode/content, ...), and a log of
// every textDocument/publishDiagnostics with the time it was read.
package lspbench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// maxFrame bounds one incoming message (a 5,000-document file's diagnostics fit easily).
const maxFrame = 512 << 20

// message is any JSON-RPC message.
type message struct {
	JSONRPC string           `json:"jsonrpc"`
	ID      *json.RawMessage `json:"id,omitempty"`
	Method  string           `json:"method,omitempty"`
	Params  json.RawMessage  `json:"params,omitempty"`
	Result  json.RawMessage  `json:"result,omitempty"`
	Error   *rpcError        `json:"error,omitempty"`
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *rpcError) Error() string { return fmt.Sprintf("jsonrpc error %d: %s", e.Code, e.Message) }

// Diagnostic is the part of an LSP diagnostic the benchmark looks at.
type Diagnostic struct {
	Range struct {
		Start struct{ Line, Character int } `json:"start"`
		End   struct{ Line, Character int } `json:"end"`
	} `json:"range"`
	Severity int    `json:"severity"`
	Message  string `json:"message"`
	Source   string `json:"source"`
}

// Publish is one textDocument/publishDiagnostics, stamped with when it was read.
type Publish struct {
	Seq         int // order of arrival, from 1
	At          time.Time
	URI         string
	Version     *int // nil when the server does not send one (yaml-language-server)
	Diagnostics []Diagnostic
}

// Handler answers a request the server sends to the client. It returns the result, or an
// error to send back.
type Handler func(method string, params json.RawMessage) (any, error)

// Client is one language server process and the connection to it.
type Client struct {
	Name string
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Reader
	done chan struct{} // closed when the reader stops
	err  error         // why the reader stopped

	wmu sync.Mutex // serialises writes

	mu      sync.Mutex
	nextID  int
	pending map[string]chan *message
	pubs    []Publish
	wake    chan struct{} // signalled (non-blocking) on each publish
	handler Handler
	logs    []string // window/logMessage and showMessage, for the report of odd things

	trace   io.Writer // when set, every message in and out, truncated
	traceMu sync.Mutex
	t0      time.Time
}

// Trace logs every message in and out to w (each cut to 2,000 bytes).
func (c *Client) Trace(w io.Writer) { c.trace = w }

func (c *Client) tracef(dir string, body []byte) {
	if c.trace == nil {
		return
	}
	if len(body) > 2000 {
		body = append(body[:2000:2000], "…"...)
	}
	c.traceMu.Lock()
	fmt.Fprintf(c.trace, "%9.3f %s %s\n", time.Since(c.t0).Seconds(), dir, body)
	c.traceMu.Unlock()
}

// Start runs argv with stdin and stdout as the LSP connection; the server's stderr goes
// to stderrPath (appended). handler answers the server's requests (nil: null to all).
func Start(name string, argv []string, env []string, stderrPath string, handler Handler) (*Client, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	// Its own process group, so that a timeout can stop it and anything it started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if stderrPath != "" {
		f, err := os.OpenFile(stderrPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, err
		}
		defer f.Close() // the child has its own descriptor
		cmd.Stderr = f
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &Client{
		Name: name, cmd: cmd, in: stdin, out: bufio.NewReaderSize(stdout, 1<<20),
		done: make(chan struct{}), pending: map[string]chan *message{},
		wake: make(chan struct{}, 1), handler: handler, t0: time.Now(),
	}
	go c.read()
	return c, nil
}

// PID is the server's process id.
func (c *Client) PID() int { return c.cmd.Process.Pid }

func (c *Client) read() {
	defer close(c.done)
	for {
		body, err := c.readFrame()
		if err != nil {
			c.mu.Lock()
			c.err = err
			for id, ch := range c.pending {
				close(ch)
				delete(c.pending, id)
			}
			c.mu.Unlock()
			return
		}
		at := time.Now()
		c.tracef("<-", body)
		var m message
		if err := json.Unmarshal(body, &m); err != nil {
			continue
		}
		switch {
		case m.Method != "" && m.ID != nil: // a request from the server
			go c.answer(m)
		case m.Method != "": // a notification
			c.notification(m, at)
		case m.ID != nil: // a response
			c.mu.Lock()
			ch := c.pending[string(*m.ID)]
			delete(c.pending, string(*m.ID))
			c.mu.Unlock()
			if ch != nil {
				ch <- &m
			}
		}
	}
}

func (c *Client) readFrame() ([]byte, error) {
	length := -1
	for {
		line, err := c.out.ReadString('\n')
		if err != nil {
			return nil, err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			if length < 0 {
				continue // stray blank line before a header
			}
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			n, err := strconv.Atoi(strings.TrimSpace(value))
			if err != nil || n < 0 || n > maxFrame {
				return nil, fmt.Errorf("bad Content-Length %q", value)
			}
			length = n
		}
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(c.out, body); err != nil {
		return nil, err
	}
	return body, nil
}

func (c *Client) notification(m message, at time.Time) {
	switch m.Method {
	case "textDocument/publishDiagnostics":
		var p struct {
			URI         string       `json:"uri"`
			Version     *int         `json:"version"`
			Diagnostics []Diagnostic `json:"diagnostics"`
		}
		if json.Unmarshal(m.Params, &p) != nil {
			return
		}
		c.mu.Lock()
		c.pubs = append(c.pubs, Publish{Seq: len(c.pubs) + 1, At: at, URI: p.URI, Version: p.Version, Diagnostics: p.Diagnostics})
		c.mu.Unlock()
		select {
		case c.wake <- struct{}{}:
		default:
		}
	case "window/logMessage", "window/showMessage":
		var p struct {
			Type    int    `json:"type"`
			Message string `json:"message"`
		}
		if json.Unmarshal(m.Params, &p) == nil && p.Type <= 2 { // errors and warnings
			c.mu.Lock()
			if len(c.logs) < 200 {
				c.logs = append(c.logs, p.Message)
			}
			c.mu.Unlock()
		}
	}
}

func (c *Client) answer(m message) {
	var result any
	var err error
	if c.handler != nil {
		result, err = c.handler(m.Method, m.Params)
	}
	resp := map[string]any{"jsonrpc": "2.0", "id": m.ID}
	if err != nil {
		resp["error"] = rpcError{Code: -32603, Message: err.Error()}
	} else {
		resp["result"] = result // nil is JSON null, a valid result
	}
	_ = c.write(resp)
}

func (c *Client) write(v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var hdr bytes.Buffer
	fmt.Fprintf(&hdr, "Content-Length: %d\r\n\r\n", len(body))
	c.tracef("->", body)
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if _, err := c.in.Write(hdr.Bytes()); err != nil {
		return err
	}
	_, err = c.in.Write(body)
	return err
}

// Notify sends a notification.
func (c *Client) Notify(method string, params any) error {
	return c.write(map[string]any{"jsonrpc": "2.0", "method": method, "params": params})
}

// ErrTimeout is returned when a server does not answer in time.
var ErrTimeout = errors.New("timed out")

// Call sends a request and waits up to timeout for its response, decoded into result
// (which may be nil). On timeout it sends $/cancelRequest.
func (c *Client) Call(method string, params, result any, timeout time.Duration) error {
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	ch := make(chan *message, 1)
	c.pending[strconv.Itoa(id)] = ch
	c.mu.Unlock()
	if err := c.write(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params}); err != nil {
		return err
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case m, ok := <-ch:
		if !ok {
			return fmt.Errorf("%s: connection closed: %v", method, c.readErr())
		}
		if m.Error != nil {
			return m.Error
		}
		if result != nil && len(m.Result) > 0 {
			return json.Unmarshal(m.Result, result)
		}
		return nil
	case <-t.C:
		c.mu.Lock()
		delete(c.pending, strconv.Itoa(id))
		c.mu.Unlock()
		_ = c.Notify("$/cancelRequest", map[string]any{"id": id})
		return fmt.Errorf("%s: %w after %v", method, ErrTimeout, timeout)
	}
}

func (c *Client) readErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// LastSeq is the sequence number of the latest publishDiagnostics (0 before any).
func (c *Client) LastSeq() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pubs)
}

// Logs returns the warnings and errors the server logged.
func (c *Client) Logs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.logs...)
}

// AwaitDiagnostics waits for the publishes of uri after sequence number after (and, when
// the server sends versions, of version >= minVersion) until accept returns true for one,
// then until no further publish for uri arrives for quiet. It returns the accepted
// publish and the last one (the same when no other followed). accept nil accepts the
// first; n counts the publishes from the accepted one to the last. The wait is bounded
// by timeout.
func (c *Client) AwaitDiagnostics(ctx context.Context, uri string, after, minVersion int, accept func(Publish) bool, quiet, timeout time.Duration) (first, last Publish, n int, err error) {
	deadline := time.Now().Add(timeout)
	seen := after
	found := false
	var quietUntil time.Time
	for {
		c.mu.Lock()
		pubs := c.pubs[seen:]
		seen = len(c.pubs)
		c.mu.Unlock()
		for _, p := range pubs {
			if p.URI != uri || (p.Version != nil && *p.Version < minVersion) {
				continue
			}
			if !found {
				if accept != nil && !accept(p) {
					continue
				}
				found, first = true, p
			}
			last = p
			n++
			quietUntil = p.At.Add(quiet)
		}
		now := time.Now()
		if found && !now.Before(quietUntil) {
			return first, last, n, nil
		}
		wait := time.Until(deadline)
		if found {
			wait = min(wait, time.Until(quietUntil))
		}
		if wait <= 0 {
			if found {
				return first, last, n, nil
			}
			return first, last, n, fmt.Errorf("no diagnostics for %s: %w after %v", uri, ErrTimeout, timeout)
		}
		t := time.NewTimer(wait)
		select {
		case <-c.wake:
		case <-t.C:
		case <-c.done:
			t.Stop()
			if found {
				return first, last, n, nil
			}
			return first, last, n, fmt.Errorf("%s exited: %v", c.Name, c.readErr())
		case <-ctx.Done():
			t.Stop()
			return first, last, n, ctx.Err()
		}
		t.Stop()
	}
}

// Stop asks the server to shut down and exit, waits up to grace, then kills its process
// group.
func (c *Client) Stop(grace time.Duration) {
	_ = c.Call("shutdown", nil, nil, grace)
	_ = c.Notify("exit", nil)
	_ = c.in.Close()
	exited := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(grace):
		_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}
}

// Alive reports whether the connection is still open.
func (c *Client) Alive() bool {
	select {
	case <-c.done:
		return false
	default:
		return true
	}
}
