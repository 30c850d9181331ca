package plugins

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"k8s.io/apimachinery/pkg/api/validate/content"
)

const (
	// DefaultTimeout bounds a plugin run when Request.Timeout is zero.
	DefaultTimeout = 30 * time.Second
	// DefaultMaxOutput is how much of each of stdout and stderr is kept when
	// Request.MaxOutput is zero; the rest is read and dropped.
	DefaultMaxOutput = 1 << 20

	// readGrace is how long Run waits for the output pipes to close once the plugin and
	// its process group are gone (something that left the group may still hold them).
	readGrace = 2 * time.Second
)

// Placeholders are the words an argv template may use; each is replaced inside the one
// argv element it appears in, never splitting or joining elements.
var Placeholders = []string{"{kind}", "{name}", "{namespace}", "{context}", "{file}"}

// Request says how to run a plugin on one resource.
type Request struct {
	// APIVersion, Kind, Name and Namespace come from the document. Each one that is set is
	// checked before anything runs: Kind as an identifier, Namespace as a DNS label, Name
	// as a DNS subdomain (RBAC kinds, whose names follow the path-segment rules, may also
	// use characters such as ":", but none that a shell would interpret). APIVersion only
	// picks the name rule.
	APIVersion, Kind, Name, Namespace string
	// Context is the kubeconfig context to pass on ("" for none). It is refused when it
	// starts with '-' or holds control characters.
	Context string
	// File is the manifest's absolute path, for {file} ("" when the manifest is not a
	// file); anything else is refused.
	File string
	// Stdin, when not nil, is written to the plugin's standard input (the document's
	// text); otherwise the plugin reads /dev/null.
	Stdin []byte
	// Args is the argv template after the plugin's path, with Placeholders. Nil means the
	// default: "KIND/NAME [-n NAMESPACE] [--context=CONTEXT]", or nothing in stdin mode.
	Args []string
	// ExtraArgs are appended to the argv as they are.
	ExtraArgs []string
	// Timeout bounds the run (DefaultTimeout when zero). When it expires, or ctx is done,
	// the plugin's whole process group is killed.
	Timeout time.Duration
	// MaxOutput is the number of bytes of each of stdout and stderr kept
	// (DefaultMaxOutput when zero).
	MaxOutput int
	// Env is the plugin's environment (this process's when nil).
	Env []string
}

// Result is what a run produced.
type Result struct {
	// Argv is the command run: the plugin's path, then its arguments.
	Argv []string
	// Stdout and Stderr are the plugin's output, each cut at MaxOutput bytes.
	Stdout, Stderr []byte
	// Truncated is true when either stream was cut.
	Truncated bool
	// ExitCode is the plugin's exit status; -1 when a signal ended it.
	ExitCode int
	// Duration is the time from start to exit.
	Duration time.Duration
}

// ErrTimeout is returned (wrapped) when a plugin ran past its timeout and was killed.
var ErrTimeout = errors.New("plugin timed out")

// RefusedError is returned, before anything runs, when a value taken from the document
// is not a valid Kubernetes name of its kind, the kubeconfig context's name could pass for
// a flag, or the manifest's path is not an absolute path.
type RefusedError struct {
	// Field is where the value comes from: "kind", "metadata.name", "metadata.namespace",
	// "context" or "file".
	Field string
	Value string
	// Reasons are the validation messages.
	Reasons []string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("refusing to run the plugin: %s %q is not a valid %s: %s",
		e.Field, e.Value, fieldNoun[e.Field], strings.Join(e.Reasons, "; "))
}

var fieldNoun = map[string]string{"kind": "Kubernetes kind", "metadata.name": "Kubernetes object name",
	"metadata.namespace": "Kubernetes namespace", "context": "kubeconfig context name to pass on", "file": "manifest path"}

// shellSafe is what an RBAC name may hold beyond the DNS subdomain alphabet: the
// path-segment rules would accept "$(...)", ";" and spaces, which are valid names for
// the apiserver but hazards for a plugin that hands its arguments to a shell.
func shellSafe(s string) (bad rune, ok bool) {
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("-._:@+=,", r):
		default:
			return r, false
		}
	}
	return 0, true
}

// CheckValues validates the document's values in r (those that are set), as Run does
// before anything executes.
func CheckValues(r Request) error {
	if r.Kind != "" {
		if errs := content.IsCIdentifier(r.Kind); len(errs) > 0 {
			return &RefusedError{Field: "kind", Value: r.Kind, Reasons: errs}
		}
	}
	if r.Name != "" {
		var errs []string
		if group, _, grouped := strings.Cut(r.APIVersion, "/"); grouped && group == "rbac.authorization.k8s.io" {
			errs = content.IsPathSegmentName(r.Name)
			if len(errs) == 0 {
				if bad, ok := shellSafe(r.Name); !ok {
					errs = append(errs, fmt.Sprintf("%q is a character a shell would interpret; kubectl-lsp passes RBAC names to plugins only when they use letters, digits and -._:@+=,", bad))
				}
			}
			if len(errs) == 0 && strings.HasPrefix(r.Name, "-") {
				errs = append(errs, "must not start with '-', which a plugin would read as a flag")
			}
		} else {
			errs = content.IsDNS1123Subdomain(r.Name)
		}
		if len(errs) > 0 {
			return &RefusedError{Field: "metadata.name", Value: r.Name, Reasons: errs}
		}
	}
	if r.Namespace != "" {
		if errs := content.IsDNS1123Label(r.Namespace); len(errs) > 0 {
			return &RefusedError{Field: "metadata.namespace", Value: r.Namespace, Reasons: errs}
		}
	}
	for what, v := range map[string]string{"context": r.Context, "file": r.File} {
		if strings.ContainsRune(v, 0) {
			return fmt.Errorf("refusing to run the plugin: the %s %q holds a NUL byte", what, v)
		}
	}
	// A kubeconfig's context names are free text; one that a plugin would read as a flag
	// (--kubeconfig=...) or that holds control characters is not passed on.
	if r.Context != "" {
		var errs []string
		if strings.HasPrefix(r.Context, "-") {
			errs = append(errs, "must not start with '-', which a plugin would read as a flag")
		}
		if strings.IndexFunc(r.Context, unicode.IsControl) >= 0 {
			errs = append(errs, "must not hold control characters")
		}
		if len(errs) > 0 {
			return &RefusedError{Field: "context", Value: r.Context, Reasons: errs}
		}
	}
	// {file} is a path on disk: never a URI or a relative name that could pass for a flag.
	if r.File != "" && !filepath.IsAbs(r.File) {
		return &RefusedError{Field: "file", Value: r.File, Reasons: []string{"must be an absolute path"}}
	}
	return nil
}

// Argv builds the command line Run would execute for p, after checking the values.
func Argv(p Plugin, r Request) ([]string, error) {
	if err := CheckValues(r); err != nil {
		return nil, err
	}
	argv := []string{p.Path}
	switch {
	case r.Args != nil:
		values := map[string]string{
			"{kind}": r.Kind, "{name}": r.Name, "{namespace}": r.Namespace,
			"{context}": r.Context, "{file}": r.File,
		}
		pairs := make([]string, 0, 2*len(Placeholders))
		for _, ph := range Placeholders {
			pairs = append(pairs, ph, values[ph])
		}
		// One pass over each element: a substituted value is never scanned again.
		rep := strings.NewReplacer(pairs...)
		for _, el := range r.Args {
			for _, ph := range Placeholders {
				if strings.Contains(el, ph) && values[ph] == "" {
					return nil, fmt.Errorf("argv template element %q uses %s, but %s", el, ph, emptyReason[ph])
				}
			}
			argv = append(argv, rep.Replace(el))
		}
	case r.Stdin != nil:
		// The resource comes on standard input: no arguments by default.
	default:
		if r.Kind == "" || r.Name == "" {
			return nil, fmt.Errorf("the resource has no kind or no metadata.name (generateName objects are named by the apiserver), so there is no KIND/NAME to pass: give an argv template or use stdin mode")
		}
		argv = append(argv, r.Kind+"/"+r.Name)
		if r.Namespace != "" {
			argv = append(argv, "-n", r.Namespace)
		}
		if r.Context != "" {
			// One element: the value can never be read as an argument of its own.
			argv = append(argv, "--context="+r.Context)
		}
	}
	return append(argv, r.ExtraArgs...), nil
}

var emptyReason = map[string]string{
	"{kind}":      "the resource has no kind",
	"{name}":      "the resource has no metadata.name",
	"{namespace}": "the resource has no namespace (cluster-scoped, or none in the document and no -n)",
	"{context}":   "no context was given (--context)",
	"{file}":      "the manifest is not a file",
}

// Run runs plugin p on the resource described by r: it checks the document's values and
// builds the argv (Argv), then executes the plugin directly (no shell) in a process group
// of its own, with r.Stdin on its standard input, and waits for it to exit. When the
// plugin exits, whatever it left running in its group is killed; when the timeout
// expires or ctx is done, the whole group is killed and the error wraps ErrTimeout or
// ctx's error. On Linux, the processes the run started that left the group (setsid, a
// daemon's double fork) are killed too: each run puts a unique MarkVariable entry in the
// plugin's environment, and the user's processes whose environment still holds it are
// found through /proc (one that clears its environment escapes). A non-zero exit status is not an error: see Result.ExitCode.
func Run(ctx context.Context, p Plugin, r Request) (Result, error) {
	argv, err := Argv(p, r)
	res := Result{Argv: argv, ExitCode: -1}
	if err != nil {
		return res, err
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	maxOut := r.MaxOutput
	if maxOut <= 0 {
		maxOut = DefaultMaxOutput
	}
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("plugin %s not started: %w", p.FileName(), err)
	}
	runCtx, cancel := context.WithTimeoutCause(ctx, timeout, ErrTimeout)
	defer cancel()

	// The child gets the write ends of real pipes (and the read end of one for stdin), so
	// that Wait returns when the plugin exits, even if a process it started still holds
	// them; this side reads them itself.
	var files []*os.File // closed on return
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	pipe := func() (*os.File, *os.File, error) {
		rd, wr, err := os.Pipe()
		if err == nil {
			files = append(files, rd, wr)
		}
		return rd, wr, err
	}
	outR, outW, err := pipe()
	if err != nil {
		return res, err
	}
	errR, errW, err := pipe()
	if err != nil {
		return res, err
	}
	// Every process the run starts inherits the mark, so that those that leave the
	// process group can be found and killed too.
	mark, err := runMark()
	if err != nil {
		return res, err
	}
	env := r.Env
	if env == nil {
		env = os.Environ()
	}
	env = append(slices.Clip(env), mark)
	cmd := &exec.Cmd{Path: p.Path, Args: argv, Env: env, Stdout: outW, Stderr: errW, SysProcAttr: sysProcAttr()}
	var inW *os.File
	if r.Stdin != nil {
		var inR *os.File
		if inR, inW, err = pipe(); err != nil {
			return res, err
		}
		cmd.Stdin = inR
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return res, fmt.Errorf("starting plugin %s: %w", p.Path, err)
	}
	// Only the child keeps its ends.
	outW.Close()
	errW.Close()
	if f, ok := cmd.Stdin.(*os.File); ok {
		f.Close()
	}

	stdout, stderr := &capped{max: maxOut}, &capped{max: maxOut}
	var readers sync.WaitGroup
	for _, c := range []struct {
		dst *capped
		src *os.File
	}{{stdout, outR}, {stderr, errR}} {
		readers.Add(1)
		go func() {
			defer readers.Done()
			_, _ = io.Copy(c.dst, c.src)
		}()
	}
	if inW != nil {
		go func() {
			// A plugin may exit without reading it all: the broken pipe is not an error.
			_, _ = inW.Write(r.Stdin)
			inW.Close()
		}()
	}

	var killed atomic.Bool
	exited := make(chan struct{})
	go func() {
		select {
		case <-runCtx.Done():
			killed.Store(true)
			killGroup(cmd.Process)
			killEscaped(mark)
		case <-exited:
		}
	}()
	waitErr := cmd.Wait()
	close(exited)
	res.Duration = time.Since(start)
	// Whatever the plugin left behind in its group goes too. (While any member lives, the
	// group's id cannot be reused, so this reaches no other process.) So does what left
	// the group but carries the run's mark.
	killGroup(cmd.Process)
	killEscaped(mark)

	done := make(chan struct{})
	go func() { readers.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(readGrace):
		// Something outside the group holds the pipes: stop reading.
		outR.Close()
		errR.Close()
		<-done
	}
	res.Stdout, res.Stderr = stdout.buf.Bytes(), stderr.buf.Bytes()
	res.Truncated = stdout.truncated || stderr.truncated
	if cmd.ProcessState != nil {
		res.ExitCode = cmd.ProcessState.ExitCode()
	}
	if killed.Load() {
		if errors.Is(context.Cause(runCtx), ErrTimeout) && ctx.Err() == nil {
			return res, fmt.Errorf("%w: %s ran longer than %s; it and the processes it started were killed", ErrTimeout, p.FileName(), timeout)
		}
		return res, fmt.Errorf("plugin %s interrupted, it and the processes it started were killed: %w", p.FileName(), context.Cause(ctx))
	}
	var exitErr *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &exitErr) {
		return res, fmt.Errorf("running plugin %s: %w", p.Path, waitErr)
	}
	return res, nil
}

// MarkVariable is the environment variable that marks the processes of one plugin run.
const MarkVariable = "KUBECTL_LSP_PLUGIN_RUN"

// runMark is a fresh MarkVariable entry, unique to one run.
func runMark() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return MarkVariable + "=" + hex.EncodeToString(b[:]), nil
}

// capped keeps the first max bytes written to it and counts the rest as dropped.
type capped struct {
	max       int
	buf       bytes.Buffer
	truncated bool
}

func (c *capped) Write(b []byte) (int, error) {
	if room := c.max - c.buf.Len(); room < len(b) {
		c.truncated = true
		if room > 0 {
			c.buf.Write(b[:room])
		}
		return len(b), nil
	}
	return c.buf.Write(b)
}
