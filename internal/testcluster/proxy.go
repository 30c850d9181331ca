package testcluster

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// FaultMode says what a Proxy does with connections.
type FaultMode int

const (
	// Pass forwards connections to the API server.
	Pass FaultMode = iota
	// Stall accepts connections and never answers: nothing is read or forwarded until
	// the mode changes or the proxy closes.
	Stall
	// Reset accepts connections and resets them at once (TCP RST).
	Reset
	// Refuse stops listening: connections are refused (the port stays reserved for
	// the proxy and is listened on again when the mode changes).
	Refuse
	// Slow forwards connections, delaying every chunk of data by the proxy's delay.
	Slow
)

func (m FaultMode) String() string {
	switch m {
	case Pass:
		return "pass"
	case Stall:
		return "stall"
	case Reset:
		return "reset"
	case Refuse:
		return "refuse"
	case Slow:
		return "slow"
	}
	return fmt.Sprintf("FaultMode(%d)", int(m))
}

// Proxy is a fault-injecting TCP proxy on loopback in front of a cluster's API server:
// tests switch it between passing, stalling, resetting, refusing and slowing
// connections, and point a kubeconfig at it (Kubeconfig). Changing the mode closes the
// connections open until then, so that kept-alive connections take the new mode too.
type Proxy struct {
	target string // host:port of the API server
	addr   string // the proxy's host:port

	mu       sync.Mutex
	mode     FaultMode
	delay    time.Duration
	ln       net.Listener
	conns    map[net.Conn]struct{}
	accepted int
	closed   bool
	wg       sync.WaitGroup
}

// NewProxy starts a proxy in front of c's API server, in mode Pass, closed by
// tb.Cleanup.
func NewProxy(tb testing.TB, c *Cluster) *Proxy {
	tb.Helper()
	target := c.Host()
	if u, err := hostPort(target); err == nil {
		target = u
	} else {
		tb.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("testcluster: proxy: %v", err)
	}
	p := &Proxy{target: target, addr: ln.Addr().String(), ln: ln, conns: map[net.Conn]struct{}{}, delay: 200 * time.Millisecond}
	p.serve(ln)
	tb.Cleanup(p.Close)
	return p
}

func hostPort(url string) (string, error) {
	for _, prefix := range []string{"https://", "http://"} {
		if len(url) > len(prefix) && url[:len(prefix)] == prefix {
			return url[len(prefix):], nil
		}
	}
	return "", fmt.Errorf("testcluster: proxy: cannot read host:port from %q", url)
}

// URL is the proxy's address as an API server URL (https://127.0.0.1:PORT). The API
// server's certificate is valid for it.
func (p *Proxy) URL() string { return "https://" + p.addr }

// Accepted is how many connections the proxy accepted so far.
func (p *Proxy) Accepted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepted
}

// SetDelay sets the delay of mode Slow (default 200 ms).
func (p *Proxy) SetDelay(d time.Duration) {
	p.mu.Lock()
	p.delay = d
	p.mu.Unlock()
}

// SetMode switches the proxy to mode m, closing the connections open until then.
func (p *Proxy) SetMode(m FaultMode) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("testcluster: proxy closed")
	}
	if m == p.mode {
		return nil
	}
	for c := range p.conns {
		_ = c.Close()
	}
	switch {
	case m == Refuse && p.ln != nil:
		_ = p.ln.Close()
		p.ln = nil
	case m != Refuse && p.ln == nil:
		ln, err := net.Listen("tcp", p.addr)
		if err != nil {
			return fmt.Errorf("testcluster: proxy: listening again on %s: %w", p.addr, err)
		}
		p.ln = ln
		p.serve(ln)
	}
	p.mode = m
	return nil
}

// Close stops the proxy and closes its connections.
func (p *Proxy) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// Kubeconfig writes a kubeconfig for user (AdminUser or LimitedUser) of c whose cluster
// is the proxy, into dir, and returns its path. exec, when not nil, replaces the user's
// token with an exec credential plugin.
func (p *Proxy) Kubeconfig(tb testing.TB, c *Cluster, dir, user string, exec *clientcmdapi.ExecConfig) string {
	tb.Helper()
	return WriteKubeconfig(tb, c, dir, p.URL(), user, exec)
}

// WriteKubeconfig writes a kubeconfig for user of c with server as the API server URL
// (c.Host() or a proxy's) and, when exec is not nil, an exec credential plugin instead
// of the user's token. Its one context is named after the user.
func WriteKubeconfig(tb testing.TB, c *Cluster, dir, server, user string, exec *clientcmdapi.ExecConfig) string {
	tb.Helper()
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["test"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: c.f.caPEM}
	auth := &clientcmdapi.AuthInfo{}
	switch {
	case exec != nil:
		auth.Exec = exec
	case user == LimitedUser:
		auth.Token = c.f.limitedToken
	default:
		auth.Token = c.f.adminToken
	}
	cfg.AuthInfos[user] = auth
	cfg.Contexts[user] = &clientcmdapi.Context{Cluster: "test", AuthInfo: user}
	cfg.CurrentContext = user
	if err := os.MkdirAll(dir, 0o700); err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(dir, "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		tb.Fatal(err)
	}
	return path
}

// Token is user's bearer token (for an exec credential plugin to print).
func (c *Cluster) Token(user string) string {
	if user == LimitedUser {
		return c.f.limitedToken
	}
	return c.f.adminToken
}

func (p *Proxy) serve(ln net.Listener) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			if p.closed || p.ln != ln {
				p.mu.Unlock()
				_ = conn.Close()
				return
			}
			p.accepted++
			mode, delay := p.mode, p.delay
			p.conns[conn] = struct{}{}
			p.wg.Add(1)
			p.mu.Unlock()
			go func() {
				defer p.wg.Done()
				defer p.forget(conn)
				p.handle(conn, mode, delay)
			}()
		}
	}()
}

func (p *Proxy) forget(conn net.Conn) {
	_ = conn.Close()
	p.mu.Lock()
	delete(p.conns, conn)
	p.mu.Unlock()
}

func (p *Proxy) handle(conn net.Conn, mode FaultMode, delay time.Duration) {
	switch mode {
	case Stall:
		// Hold the connection until it is closed (mode change, Close), answering
		// nothing. What the client sends is read and dropped, so that its writes do
		// not block, which would be a different fault.
		_, _ = io.Copy(io.Discard, conn)
		return
	case Reset:
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // close sends RST
		}
		return
	}
	up, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		return
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		_ = up.Close()
		return
	}
	p.conns[up] = struct{}{}
	p.mu.Unlock()
	defer p.forget(up)
	if mode != Slow {
		delay = 0
	}
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				if delay > 0 {
					time.Sleep(delay)
				}
				if _, werr := dst.Write(buf[:n]); werr != nil {
					break
				}
			}
			if err != nil {
				break
			}
		}
		_ = dst.Close()
		_ = src.Close()
		done <- struct{}{}
	}
	go pipe(up, conn)
	pipe(conn, up)
	<-done
}
