package testcluster

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
)

// Counter counts the requests a client sends to the network: put its Wrap under any
// cache (kube.Options.WrapTransport does) to count what the cache did not answer.
type Counter struct {
	n     atomic.Int64
	mu    sync.Mutex
	paths []string
}

// Wrap returns rt counting each request.
func (c *Counter) Wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		c.n.Add(1)
		c.mu.Lock()
		c.paths = append(c.paths, req.URL.Path)
		c.mu.Unlock()
		return rt.RoundTrip(req)
	})
}

// N is the number of requests so far.
func (c *Counter) N() int64 { return c.n.Load() }

// String lists the requests' paths, for failure messages.
func (c *Counter) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return fmt.Sprintf("%d requests: %s", len(c.paths), strings.Join(c.paths, " "))
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
