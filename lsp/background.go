package lsp

import (
	"sync"
)

// latestJob runs a background job at most once at a time. Asked while it runs, it runs
// once more when it is done, however many times it was asked meanwhile: the newest
// request replaces the queued one.
type latestJob struct {
	mu      sync.Mutex
	running bool
	again   bool
}

// start reports whether the caller starts the job (false: it runs, and runs again).
func (j *latestJob) start() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.running {
		j.again = true
		return false
	}
	j.running = true
	return true
}

// next reports whether the job runs again; when not, it is no longer running.
func (j *latestJob) next(stop bool) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.again && !stop {
		j.again = false
		return true
	}
	j.running, j.again = false, false
	return false
}

// goLatest runs fn in the background through job.
func (s *Server) goLatest(job *latestJob, fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing || !job.start() {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			fn()
			if !job.next(s.baseCtx.Err() != nil) {
				return
			}
		}
	}()
}

// goRebuild rebuilds the engine in the background (then every open file is re-validated).
func (s *Server) goRebuild() { s.goBackground(func() { s.rebuild(nil) }) }

// goBackground runs fn on a goroutine the server waits for when it ends, unless it is
// ending already.
func (s *Server) goBackground(fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		fn()
	}()
}
