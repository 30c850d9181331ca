package lspbench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Server describes a language server to start and how to talk to it.
type Server struct {
	Name    string
	Version string
	Argv    []string
	Env     []string
	// InitOptions are the initialize request's initializationOptions.
	InitOptions any
	// AfterInitialize are notifications sent between the initialize response and
	// initialized (yaml/registerContentRequest, ...).
	AfterInitialize []string
	// Handler answers the server's requests (workspace/configuration, vscode/content).
	Handler Handler
	// Delay is the server's own wait before it validates a change (its debounce), as
	// configured or built in; reported, included in the measured times.
	Delay time.Duration
	// Setup describes the configuration, for the report.
	Setup string
	// Stats returns counters of the handler (content requests served, refused), for
	// the report; may be nil.
	Stats func() string
}

// Options bound and shape a run.
type Options struct {
	Opens       int           // didOpen measurements per file (each a new URI; the last stays open)
	Edits       int           // didChange measurements
	Hovers      int           // hover requests
	Completions int           // completion requests
	Quiet       time.Duration // after a publish, wait this long for more before taking the last
	OpenTimeout time.Duration // per didOpen
	StepTimeout time.Duration // per edit, hover or completion
	PhaseBudget time.Duration // a phase stops early (and says so) once it has taken this long
	LogDir      string        // servers' stderr
	Trace       bool          // also write every message to LogDir/SERVER-DOCS.trace
}

// Result is what one server did on one file.
type Result struct {
	Server string
	File   string
	Docs   int
	Bytes  int
	Err    error // fatal: the server failed; measurements may be partial

	Init time.Duration // initialize round trip

	// The broken document checked before anything is timed: which mistakes were reported.
	VerifyTook    time.Duration
	VerifyCaught  []string
	VerifyMissed  []string
	VerifySamples []string

	Open          []time.Duration // didOpen → first publishDiagnostics
	OpenLast      []time.Duration // didOpen → last publish before quiet
	OpenDiags     int             // diagnostics on the (valid) file
	OpenSamples   []string        // a few of them
	OpenPublishes int             // publishes per open (max)

	Change         []time.Duration // didChange → diagnostics (last publish before quiet)
	ChangeRight    int             // edits whose diagnostics were right (error iff invalid)
	ChangeExtra    int             // edits answered with more than one publish
	ChangeTimeouts int

	Hover         []time.Duration
	HoverNonEmpty int
	HoverErrors   int

	Completion         []time.Duration
	CompletionNonEmpty int
	CompletionItems    int // total items, to compare
	CompletionErrors   int

	PeakRSS  int64 // KiB, VmHWM of the server process
	RSS      int64 // KiB, VmRSS at the end
	ChildRSS int64 // KiB, VmHWM summed over the server's descendants (0: none)
	Children int

	Notes []string
}

func (r *Result) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

// FileURI is the file: URI of an absolute path.
func FileURI(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}

// The broken document: three mistakes every validator of the Kubernetes schema finds.
const verifyDoc = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: verify
spec:
  replicas: "two"
  selector:
    matchLabels:
      app: verify
  template:
    metadata:
      labels:
        app: verify
    spec:
      containers:
        - name: web
          image: nginx
          imagePullPolicy: Sometimes
          livenessprobe: {}
`

// verifyExpect maps a mistake to its 0-based line in verifyDoc.
var verifyExpect = []struct {
	name string
	line int
}{
	{"wrong type (replicas: \"two\")", 5},
	{"unknown field (livenessprobe)", 18},
	{"enum (imagePullPolicy: Sometimes)", 17},
}

func hasLine(p Publish, line int) bool {
	for _, d := range p.Diagnostics {
		if d.Range.Start.Line <= line && line <= d.Range.End.Line {
			return true
		}
	}
	return false
}

// Run starts the server, checks it on the broken document, then measures it on path
// (a valid multi-document manifest of docs documents), and stops it.
func Run(ctx context.Context, s Server, path string, docs int, o Options) (res Result) {
	res = Result{Server: s.Name, File: path, Docs: docs}
	text, err := os.ReadFile(path)
	if err != nil {
		res.Err = err
		return res
	}
	res.Bytes = len(text)
	dir := filepath.Dir(path)
	logPath := ""
	if o.LogDir != "" {
		logPath = filepath.Join(o.LogDir, fmt.Sprintf("%s-%d.stderr", s.Name, docs))
		_ = os.Remove(logPath)
	}
	c, err := Start(s.Name, s.Argv, s.Env, logPath, s.Handler)
	if err != nil {
		res.Err = fmt.Errorf("starting %s: %w", s.Name, err)
		return res
	}
	if o.Trace && o.LogDir != "" {
		f, err := os.Create(filepath.Join(o.LogDir, fmt.Sprintf("%s-%d.trace", s.Name, docs)))
		if err == nil {
			defer f.Close()
			c.Trace(f)
		}
	}
	defer func() {
		res.PeakRSS, res.RSS = procMem(c.PID())
		res.ChildRSS, res.Children = descendantsPeak(c.PID())
		for _, l := range c.Logs() {
			if len(res.Notes) < 8 {
				res.note("server log: %s", truncate(l, 160))
			}
		}
		if s.Stats != nil {
			if st := s.Stats(); st != "" {
				res.note("%s", st)
			}
		}
		c.Stop(5 * time.Second)
	}()

	// initialize
	root := FileURI(dir)
	init := map[string]any{
		"processId": os.Getpid(),
		"rootUri":   root,
		"clientInfo": map[string]any{
			"name": "kubectl-lsp lspbench",
		},
		"workspaceFolders": []any{map[string]any{"uri": root, "name": filepath.Base(dir)}},
		"capabilities": map[string]any{
			"workspace": map[string]any{"configuration": true, "workspaceFolders": true},
			"textDocument": map[string]any{
				"synchronization":    map[string]any{"didSave": true},
				"publishDiagnostics": map[string]any{"versionSupport": true, "relatedInformation": true},
				"hover":              map[string]any{"contentFormat": []string{"markdown", "plaintext"}},
				"completion": map[string]any{
					"completionItem": map[string]any{"snippetSupport": true, "documentationFormat": []string{"markdown", "plaintext"}},
				},
			},
		},
	}
	if s.InitOptions != nil {
		init["initializationOptions"] = s.InitOptions
	}
	start := time.Now()
	if err := c.Call("initialize", init, nil, o.OpenTimeout); err != nil {
		res.Err = fmt.Errorf("initialize: %w", err)
		return res
	}
	res.Init = time.Since(start)
	for _, n := range s.AfterInitialize {
		_ = c.Notify(n, map[string]any{})
	}
	_ = c.Notify("initialized", map[string]any{})

	// The broken document: is it validating at all?
	vuri := FileURI(filepath.Join(dir, "lspbench-verify.yaml"))
	after := c.LastSeq()
	start = time.Now()
	open(c, vuri, 1, verifyDoc)
	caughtAll := func(p Publish) bool {
		for _, e := range verifyExpect[:2] {
			if !hasLine(p, e.line) {
				return false
			}
		}
		return true
	}
	first, _, _, err := c.AwaitDiagnostics(ctx, vuri, after, 1, nil, 0, o.OpenTimeout)
	if err != nil {
		res.Err = fmt.Errorf("broken document: %w", err)
		return res
	}
	p := first
	if !caughtAll(first) {
		// Perhaps published before the settings arrived: wait a little for another.
		if q, _, _, err := c.AwaitDiagnostics(ctx, vuri, first.Seq, 1, caughtAll, 0, 15*time.Second); err == nil {
			p = q
		} else {
			c.mu.Lock()
			for _, q := range c.pubs[first.Seq:] {
				if q.URI == vuri {
					p = q
				}
			}
			c.mu.Unlock()
		}
	}
	res.VerifyTook = p.At.Sub(start)
	for _, e := range verifyExpect {
		if hasLine(p, e.line) {
			res.VerifyCaught = append(res.VerifyCaught, e.name)
		} else {
			res.VerifyMissed = append(res.VerifyMissed, e.name)
		}
	}
	for _, d := range p.Diagnostics {
		if len(res.VerifySamples) < 4 {
			res.VerifySamples = append(res.VerifySamples, fmt.Sprintf("%d:%d %s", d.Range.Start.Line+1, d.Range.Start.Character+1, truncate(d.Message, 90)))
		}
	}
	closeDoc(c, vuri)

	// didOpen → diagnostics, on fresh URIs; the last is the file itself and stays open.
	uri := FileURI(path)
	ext := filepath.Ext(path)
	for i := 0; i < o.Opens; i++ {
		u := uri
		if i < o.Opens-1 {
			u = FileURI(strings.TrimSuffix(path, ext) + fmt.Sprintf(".open%d", i+1) + ext)
		}
		after := c.LastSeq()
		start := time.Now()
		open(c, u, 1, string(text))
		first, last, n, err := c.AwaitDiagnostics(ctx, u, after, 1, nil, o.Quiet, o.OpenTimeout)
		if err != nil {
			res.Err = fmt.Errorf("didOpen %d: %w", i+1, err)
			return res
		}
		res.Open = append(res.Open, first.At.Sub(start))
		res.OpenLast = append(res.OpenLast, last.At.Sub(start))
		res.OpenDiags = len(last.Diagnostics)
		res.OpenSamples = res.OpenSamples[:0]
		for _, d := range last.Diagnostics {
			if len(res.OpenSamples) < 3 {
				res.OpenSamples = append(res.OpenSamples, fmt.Sprintf("%d:%d %s", d.Range.Start.Line+1, d.Range.Start.Character+1, truncate(d.Message, 90)))
			}
		}
		res.OpenPublishes = max(res.OpenPublishes, n)
		if u != uri {
			closeDoc(c, u)
		}
	}

	// didChange → diagnostics: one value of the middle document, alternately valid (a
	// label value) and invalid (an integer where a string is required).
	cur := string(text)
	line, col, oldLen, err := editSite(cur, docs/2)
	if err != nil {
		res.Err = err
		return res
	}
	version := 1
	phase := time.Now()
	for i := 0; i < o.Edits; i++ {
		if time.Since(phase) > o.PhaseBudget {
			res.note("didChange: stopped after %d edits (phase budget %v)", i, o.PhaseBudget)
			break
		}
		invalid := i%2 == 1
		val := fmt.Sprintf("edited-%d", i)
		if invalid {
			val = fmt.Sprint(1000 + i)
		}
		version++
		after := c.LastSeq()
		start := time.Now()
		_ = c.Notify("textDocument/didChange", map[string]any{
			"textDocument": map[string]any{"uri": uri, "version": version},
			"contentChanges": []any{map[string]any{
				"range": map[string]any{
					"start": map[string]any{"line": line, "character": col},
					"end":   map[string]any{"line": line, "character": col + oldLen},
				},
				"text": val,
			}},
		})
		oldLen = len(val)
		_, last, n, err := c.AwaitDiagnostics(ctx, uri, after, version, nil, o.Quiet, o.StepTimeout)
		if err != nil {
			res.ChangeTimeouts++
			res.note("didChange %d: %v", i+1, err)
			if !c.Alive() || ctx.Err() != nil {
				res.Err = err
				return res
			}
			continue
		}
		res.Change = append(res.Change, last.At.Sub(start))
		if n > 1 {
			res.ChangeExtra++
		}
		if hasLine(last, line) == invalid {
			res.ChangeRight++
		}
	}
	if res.ChangeExtra > 0 {
		res.note("didChange: %d of %d edits were answered with more than one publish (the last counted)", res.ChangeExtra, len(res.Change))
	}
	// hover and completion at keys throughout the file (the edits changed no line's
	// key or number).
	sites := keySites(cur)
	if len(sites) == 0 {
		res.Err = errors.New("no hover positions found")
		return res
	}
	phase = time.Now()
	for i := 0; i < o.Hovers; i++ {
		if time.Since(phase) > o.PhaseBudget {
			res.note("hover: stopped after %d requests (phase budget %v)", i, o.PhaseBudget)
			break
		}
		st := sites[(i*len(sites))/o.Hovers]
		var out json.RawMessage
		start := time.Now()
		err := c.Call("textDocument/hover", position(uri, st.line, st.indent+1), &out, o.StepTimeout)
		d := time.Since(start)
		if err != nil {
			res.HoverErrors++
			if !c.Alive() {
				res.Err = err
				return res
			}
			continue
		}
		res.Hover = append(res.Hover, d)
		if nonEmptyHover(out) {
			res.HoverNonEmpty++
		}
	}
	phase = time.Now()
	for i := 0; i < o.Completions; i++ {
		if time.Since(phase) > o.PhaseBudget {
			res.note("completion: stopped after %d requests (phase budget %v)", i, o.PhaseBudget)
			break
		}
		// Other keys than the hovers': offset by half a stride.
		st := sites[((2*i+1)*len(sites))/(2*o.Completions)]
		var out json.RawMessage
		start := time.Now()
		err := c.Call("textDocument/completion", position(uri, st.line, st.indent), &out, o.StepTimeout)
		d := time.Since(start)
		if err != nil {
			res.CompletionErrors++
			if !c.Alive() {
				res.Err = err
				return res
			}
			continue
		}
		res.Completion = append(res.Completion, d)
		if n := completionItems(out); n > 0 {
			res.CompletionNonEmpty++
			res.CompletionItems += n
		}
	}
	if res.HoverErrors > 0 {
		res.note("hover: %d requests failed", res.HoverErrors)
	}
	if res.CompletionErrors > 0 {
		res.note("completion: %d requests failed", res.CompletionErrors)
	}
	return res
}

func open(c *Client, uri string, version int, text string) {
	_ = c.Notify("textDocument/didOpen", map[string]any{
		"textDocument": map[string]any{"uri": uri, "languageId": "yaml", "version": version, "text": text},
	})
}

func closeDoc(c *Client, uri string) {
	_ = c.Notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": uri}})
}

func position(uri string, line, char int) map[string]any {
	return map[string]any{
		"textDocument": map[string]any{"uri": uri},
		"position":     map[string]any{"line": line, "character": char},
	}
}

const editKey = "    app.kubernetes.io/name: "

// editSite finds, in document index doc of text, the line of its app.kubernetes.io/name
// label: the 0-based line, the value's column and length.
func editSite(text string, doc int) (line, col, n int, err error) {
	lines := strings.Split(text, "\n")
	d := 0
	for i, l := range lines {
		if l == "---" {
			d++
			continue
		}
		if d == doc && strings.HasPrefix(l, editKey) {
			return i, len(editKey), len(l) - len(editKey), nil
		}
		if d > doc {
			break
		}
	}
	return 0, 0, 0, fmt.Errorf("document %d has no %q line", doc, strings.TrimSpace(editKey))
}

type site struct{ line, indent int }

// Schema properties found in most kinds of the corpus, at every depth.
var keyRe = regexp.MustCompile(`^( +)(?:- )?(image|replicas|containerPort|serviceAccountName|schedule|storageClassName|host|pathType|apiGroups|verbs|minReplicas|maxReplicas|port|targetPort|mountPath|namespace|imagePullPolicy|protocol|accessModes|policyTypes|restartPolicy):`)

// blockRe is a line that starts a block scalar (key: | or >, with indicators).
var blockRe = regexp.MustCompile(`^( *)(?:- )?[^ #][^:]*:\s+[|>][-+0-9]*\s*$`)

// keySites lists the lines of text with one of keyRe's keys (not inside block scalars,
// such as a ConfigMap's embedded files), and the column where the key starts.
func keySites(text string) []site {
	var out []site
	block := -1 // indentation of the key whose block scalar we are in
	for i, l := range strings.Split(text, "\n") {
		indent := len(l) - len(strings.TrimLeft(l, " "))
		if block >= 0 {
			if strings.TrimSpace(l) == "" || indent > block {
				continue
			}
			block = -1
		}
		if m := blockRe.FindStringSubmatch(l); m != nil {
			block = len(m[1])
			continue
		}
		m := keyRe.FindStringSubmatchIndex(l)
		if m == nil {
			continue
		}
		// the key starts after the indentation and an optional "- "
		out = append(out, site{line: i, indent: m[4]})
	}
	return out
}

func nonEmptyHover(raw json.RawMessage) bool {
	if len(raw) == 0 || string(raw) == "null" {
		return false
	}
	var h struct {
		Contents json.RawMessage `json:"contents"`
	}
	if json.Unmarshal(raw, &h) != nil {
		return false
	}
	s := strings.TrimSpace(string(h.Contents))
	return s != "" && s != "null" && s != `""` && s != "[]" && !strings.Contains(s, `"value":""`)
}

func completionItems(raw json.RawMessage) int {
	if len(raw) == 0 || string(raw) == "null" {
		return 0
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		return len(list)
	}
	var cl struct {
		Items []json.RawMessage `json:"items"`
	}
	if json.Unmarshal(raw, &cl) == nil {
		return len(cl.Items)
	}
	return 0
}

func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// Percentile of ds (nearest rank); 0 when empty.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	k := int(p*float64(len(s))+0.999999) - 1
	return s[min(max(k, 0), len(s)-1)]
}
