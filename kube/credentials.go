package kube

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/pkg/apis/clientauthentication"
	"k8s.io/client-go/pkg/apis/clientauthentication/install"
	clientauthv1 "k8s.io/client-go/pkg/apis/clientauthentication/v1"
	clientauthv1beta1 "k8s.io/client-go/pkg/apis/clientauthentication/v1beta1"
	clientexec "k8s.io/client-go/plugin/pkg/client/auth/exec"
	"k8s.io/client-go/rest"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Exec credential plugins (a kubeconfig user's `exec:`), run under a deadline.
//
// client-go runs them with no deadline, under a lock every request waits on, with the
// process's standard input when it asks to be interactive: a plugin that never returns
// hangs every call to the cluster for good, and a language server's standard input is
// its connection to the editor. kubectl-lsp runs them itself, with client-go's protocol
// (client.authentication.k8s.io ExecCredential in KUBERNETES_EXEC_INFO, a token or a
// client certificate on standard output) and these differences:
//   - one run at a time per client; callers wait for it as long as their own request's
//     deadline allows, and a run is killed (its whole process group) when the client's
//     timeout ends;
//   - without a terminal (Options.Terminal: the language server, scripts) no standard
//     input and never interactive: a plugin that needs a terminal gets an error telling
//     to log in from a shell first. With one, a plugin that may be interactive gets it,
//     its prompts are shown, and its run may last LoginTimeout (Client.Login waits for
//     it before the first request);
//   - Client.Close kills the runs in flight.

// execInfoEnv is the variable that carries the ExecCredential to the plugin.
const execInfoEnv = "KUBERNETES_EXEC_INFO"

// maxPluginOutput bounds what is read from a plugin's standard output and error.
const maxPluginOutput = 1 << 20

// credCodecs encode and decode the client.authentication.k8s.io kinds, built on first use:
// most runs never start a credential plugin.
var credCodecs = sync.OnceValue(func() serializer.CodecFactory {
	s := runtime.NewScheme()
	install.Install(s)
	return serializer.NewCodecFactory(s)
})

var credVersions = map[string]schema.GroupVersion{
	clientauthv1beta1.SchemeGroupVersion.String(): clientauthv1beta1.SchemeGroupVersion,
	clientauthv1.SchemeGroupVersion.String():      clientauthv1.SchemeGroupVersion,
}

// credential is what a plugin run returned.
type credential struct {
	token  string
	cert   *tls.Certificate
	expiry time.Time // zero: no expiry
}

// credentialRun is one run of the plugin; done is closed when it ends.
type credentialRun struct {
	start time.Time
	done  chan struct{}
	creds *credential
	err   error
}

// execCredentials runs one kubeconfig user's exec credential plugin for a client.
type execCredentials struct {
	cfg     clientcmdapi.ExecConfig
	group   schema.GroupVersion
	cluster *clientauthentication.Cluster
	timeout time.Duration
	term    *Terminal

	ctx context.Context // the client's life: its end kills the runs
	wg  sync.WaitGroup

	mu      sync.Mutex
	creds   *credential
	run     *credentialRun
	lastErr error // of the last run, when it failed
}

// newExecCredentials prepares cfg's exec plugin; it runs nothing yet.
func newExecCredentials(life context.Context, cfg *rest.Config, timeout time.Duration, term *Terminal) (*execCredentials, error) {
	ec := cfg.ExecProvider
	gv, ok := credVersions[ec.APIVersion]
	if !ok {
		return nil, fmt.Errorf("exec credential plugin %q: invalid apiVersion %q (want %s or %s)", ec.Command, ec.APIVersion,
			clientauthv1.SchemeGroupVersion, clientauthv1beta1.SchemeGroupVersion)
	}
	if err := clientexec.ValidatePluginPolicy(ec.PluginPolicy); err != nil {
		return nil, fmt.Errorf("exec credential plugin %q: %w", ec.Command, err)
	}
	e := &execCredentials{cfg: *ec, group: gv, timeout: timeout, term: term}
	e.cfg.Command = filepath.Clean(ec.Command)
	if ec.ProvideClusterInfo {
		c, err := rest.ConfigToExecCluster(cfg)
		if err != nil {
			return nil, err
		}
		e.cluster = c
	}
	e.ctx = life
	return e, nil
}

// get returns valid credentials: the cached ones, or those of a run of the plugin
// (started now, or already running), waiting no longer than ctx allows.
func (e *execCredentials) get(ctx context.Context) (*credential, error) {
	e.mu.Lock()
	if c := e.creds; c != nil && (c.expiry.IsZero() || time.Now().Before(c.expiry)) {
		e.mu.Unlock()
		return c, nil
	}
	run := e.run
	if run == nil {
		if err := e.ctx.Err(); err != nil {
			e.mu.Unlock()
			return nil, errors.New("the cluster client is closed")
		}
		run = &credentialRun{start: time.Now(), done: make(chan struct{})}
		e.run = run
		e.wg.Add(1)
		go e.execute(run)
	}
	e.mu.Unlock()
	select {
	case <-run.done:
		if run.err != nil {
			return nil, &CredentialError{Err: run.err}
		}
		return run.creds, nil
	case <-ctx.Done():
		return nil, &CredentialError{Err: fmt.Errorf("exec credential plugin %q did not return credentials in time: %w", e.cfg.Command, ctx.Err())}
	}
}

// CredentialError is a failure to get credentials from an exec credential plugin: the
// cluster was not asked.
type CredentialError struct{ Err error }

func (e *CredentialError) Error() string { return e.Err.Error() }
func (e *CredentialError) Unwrap() error { return e.Err }

// forget drops c from the cache (the cluster refused it), so that the next call runs
// the plugin again.
func (e *execCredentials) forget(c *credential) {
	e.mu.Lock()
	if e.creds == c {
		e.creds = nil
	}
	e.mu.Unlock()
}

// problem is why calls may be failing for want of credentials: a run of the plugin that
// has not returned yet, or the last run's failure; nil when neither.
func (e *execCredentials) problem() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.run != nil {
		return fmt.Errorf("exec credential plugin %q did not return credentials yet (running for %s)", e.cfg.Command, time.Since(e.run.start).Round(100*time.Millisecond))
	}
	return e.lastErr
}

// wait waits for the runs in flight (killed when the client's life ends).
func (e *execCredentials) wait() { e.wg.Wait() }

func (e *execCredentials) execute(run *credentialRun) {
	defer e.wg.Done()
	ctx, cancel := context.WithTimeout(e.ctx, e.runTimeout())
	defer cancel()
	creds, err := e.runPlugin(ctx)
	e.mu.Lock()
	if err == nil {
		e.creds = creds
	}
	e.lastErr = err
	e.run = nil
	run.creds, run.err = creds, err
	e.mu.Unlock()
	close(run.done)
}

// limitedBuffer keeps the first max bytes written to it.
type limitedBuffer struct {
	buf       bytes.Buffer
	max       int
	truncated bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.buf.Len(); room < len(p) {
		b.truncated = true
		b.buf.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (e *execCredentials) runPlugin(ctx context.Context) (*credential, error) {
	name := e.cfg.Command
	interactive := e.interactive()
	if e.cfg.InteractiveMode == clientcmdapi.AlwaysExecInteractiveMode && !interactive {
		return nil, fmt.Errorf("exec credential plugin %q needs an interactive terminal (interactiveMode: Always), which kubectl-lsp cannot give it: run a kubectl command with this context in a shell to log in, then try again", name)
	}
	cred := &clientauthentication.ExecCredential{Spec: clientauthentication.ExecCredentialSpec{Interactive: interactive, Cluster: e.cluster}}
	info, err := runtime.Encode(credCodecs().LegacyCodec(e.group), cred)
	if err != nil {
		return nil, fmt.Errorf("exec credential plugin %q: encoding ExecCredential: %w", name, err)
	}
	cmd := exec.CommandContext(ctx, name, e.cfg.Args...)
	cmd.Env = os.Environ()
	for _, v := range e.cfg.Env {
		cmd.Env = append(cmd.Env, v.Name+"="+v.Value)
	}
	cmd.Env = append(cmd.Env, execInfoEnv+"="+string(info))
	stdout, stderr := &limitedBuffer{max: maxPluginOutput}, &limitedBuffer{max: 4 << 10}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, stdout, stderr
	if interactive {
		cmd.Stdin, cmd.Stderr = e.term.In, io.MultiWriter(e.term.ErrOut, stderr)
	}
	cmd.SysProcAttr = pluginProcAttr()
	// The deadline (or Close) kills the plugin's whole process group; the wait for its
	// output ends shortly after, even if a grandchild keeps the pipes open.
	cmd.Cancel = func() error { return killProcessGroup(cmd) }
	cmd.WaitDelay = time.Second
	if err := e.checkPolicy(cmd); err != nil {
		return nil, err
	}
	if err := cmd.Run(); err != nil {
		switch {
		case e.ctx.Err() != nil:
			return nil, fmt.Errorf("exec credential plugin %q stopped: the cluster client was closed", name)
		case ctx.Err() != nil:
			return nil, fmt.Errorf("exec credential plugin %q did not return credentials within %s: it was stopped; check that it works from a shell (it may wait for a login)", name, e.runTimeout())
		}
		var notFound *exec.Error
		if errors.As(err, &notFound) {
			msg := fmt.Sprintf("exec credential plugin %q: %v", name, err)
			if e.cfg.InstallHint != "" {
				msg += "\n\n" + e.cfg.InstallHint
			}
			return nil, errors.New(msg)
		}
		if tail := strings.TrimSpace(stderr.buf.String()); tail != "" {
			return nil, fmt.Errorf("exec credential plugin %q failed: %v: %s", name, err, tail)
		}
		return nil, fmt.Errorf("exec credential plugin %q failed: %w", name, err)
	}
	if stdout.truncated {
		return nil, fmt.Errorf("exec credential plugin %q wrote more than %d bytes", name, maxPluginOutput)
	}
	return e.decode(stdout.buf.Bytes())
}

// checkPolicy applies the credential plugin policy, as client-go does.
func (e *execCredentials) checkPolicy(cmd *exec.Cmd) error {
	p := e.cfg.PluginPolicy
	switch p.PolicyType {
	case "", clientcmdapi.PluginPolicyAllowAll:
		return nil
	case clientcmdapi.PluginPolicyDenyAll:
		return fmt.Errorf("exec credential plugin %q not allowed: policy set to %q", e.cfg.Command, p.PolicyType)
	case clientcmdapi.PluginPolicyAllowlist:
		for _, entry := range p.Allowlist {
			if entry.Command == e.cfg.Command || entry.Command == cmd.Path {
				return nil
			}
			if resolved, err := exec.LookPath(entry.Command); err == nil && resolved == cmd.Path {
				return nil
			}
		}
		return fmt.Errorf("exec credential plugin %q is not permitted by the credential plugin allowlist", cmd.Path)
	}
	return fmt.Errorf("unknown credential plugin policy %q", p.PolicyType)
}

func (e *execCredentials) decode(out []byte) (*credential, error) {
	name := e.cfg.Command
	cred := &clientauthentication.ExecCredential{}
	_, gvk, err := credCodecs().UniversalDecoder(e.group).Decode(out, nil, cred)
	if err != nil {
		return nil, fmt.Errorf("exec credential plugin %q: decoding its output: %w", name, err)
	}
	if gvk.Group != e.group.Group || gvk.Version != e.group.Version {
		return nil, fmt.Errorf("exec credential plugin %q is configured to use API version %s, and returned version %s", name, e.group, gvk.GroupVersion())
	}
	st := cred.Status
	switch {
	case st == nil:
		return nil, fmt.Errorf("exec credential plugin %q returned no status", name)
	case st.Token == "" && st.ClientCertificateData == "" && st.ClientKeyData == "":
		return nil, fmt.Errorf("exec credential plugin %q returned neither a token nor a client certificate and key", name)
	case (st.ClientCertificateData == "") != (st.ClientKeyData == ""):
		return nil, fmt.Errorf("exec credential plugin %q returned only one of the client certificate and key", name)
	}
	c := &credential{token: st.Token}
	if st.ExpirationTimestamp != nil {
		c.expiry = st.ExpirationTimestamp.Time
	}
	if st.ClientCertificateData != "" {
		cert, err := tls.X509KeyPair([]byte(st.ClientCertificateData), []byte(st.ClientKeyData))
		if err != nil {
			return nil, fmt.Errorf("exec credential plugin %q: reading its client certificate: %w", name, err)
		}
		if cert.Leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return nil, fmt.Errorf("exec credential plugin %q: reading its client certificate: %w", name, err)
		}
		c.cert = &cert
	}
	return c, nil
}

// wrap is the transport wrapper that puts the plugin's credentials on each request: a
// token in the Authorization header, a certificate in the TLS handshake.
func (e *execCredentials) wrap(rt http.RoundTripper) http.RoundTripper {
	if t, ok := rt.(*http.Transport); ok {
		t = t.Clone()
		if t.TLSClientConfig == nil {
			t.TLSClientConfig = &tls.Config{}
		}
		t.TLSClientConfig.GetClientCertificate = func(info *tls.CertificateRequestInfo) (*tls.Certificate, error) {
			c, err := e.get(info.Context())
			if err != nil || c.cert == nil {
				return &tls.Certificate{}, err
			}
			return c.cert, nil
		}
		rt = t
	}
	return &credentialRoundTripper{e: e, next: rt}
}

type credentialRoundTripper struct {
	e    *execCredentials
	next http.RoundTripper
}

func (r *credentialRoundTripper) WrappedRoundTripper() http.RoundTripper { return r.next }

// CancelRequest: see lifeRoundTripper's.
func (r *credentialRoundTripper) CancelRequest(*http.Request) {}

func (r *credentialRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get("Authorization") != "" {
		return r.next.RoundTrip(req)
	}
	c, err := r.e.get(req.Context())
	if err != nil {
		return nil, err
	}
	if c.token != "" {
		req = req.Clone(req.Context())
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := r.next.RoundTrip(req)
	if err == nil && res.StatusCode == http.StatusUnauthorized {
		r.e.forget(c) // run the plugin again next time
	}
	return res, err
}

// LoginTimeout bounds a run of a credential plugin that has the user's terminal: time to
// log in.
const LoginTimeout = 5 * time.Minute

// interactive reports whether the plugin gets the terminal: there is one, and the plugin
// does not refuse it.
func (e *execCredentials) interactive() bool {
	return e.term != nil && e.cfg.InteractiveMode != clientcmdapi.NeverExecInteractiveMode
}

// runTimeout bounds one run of the plugin.
func (e *execCredentials) runTimeout() time.Duration {
	if e.interactive() {
		return max(e.timeout, LoginTimeout)
	}
	return e.timeout
}

// Login gets credentials from the exec credential plugin, if the context has one and
// none are cached, waiting for it as long as ctx allows: with a terminal, the user may
// have to log in, which takes longer than a request may. Without a plugin it does nothing.
func (c *Client) Login(ctx context.Context) error {
	if c.creds == nil {
		return nil
	}
	_, err := c.creds.get(ctx)
	return err
}
