// Command lspbench drives kubectl-lsp and yaml-language-server over stdio on the same
// manifest files and prints a side-by-side table (see package lspbench and
// hack/bench-lsp.sh, which prepares everything and runs it for `make bench-lsp`):
//
//	lspbench -kubectl-lsp bin/kubectl-lsp -node NODE -yls DIR -yls-schemas DIR \
//	    -file 500=corpus-500.yaml -file 5000=corpus-5000.yaml
//
// Without -node and -yls (or with -yls-skip REASON) only kubectl-lsp runs. Every step
// has a timeout and the whole run a deadline (-timeout): it always ends by itself.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/kubectl-lsp/kubectl-lsp/internal/bench/lspbench"
)

type files []string

func (f *files) String() string     { return strings.Join(*f, ",") }
func (f *files) Set(v string) error { *f = append(*f, v); return nil }

func main() {
	log.SetFlags(0)
	log.SetPrefix("lspbench: ")
	var fs files
	flag.Var(&fs, "file", "DOCS=PATH: a valid manifest file of DOCS documents (repeatable)")
	kbin := flag.String("kubectl-lsp", "bin/kubectl-lsp", "kubectl-lsp binary")
	kver := flag.String("kubectl-lsp-version", "", "kubectl-lsp version, for the header")
	debounce := flag.Int("debounce-ms", 0, "kubectl-lsp's debounceMs setting")
	k8s := flag.String("kubernetes-version", "1.37", "Kubernetes minor both servers validate against")
	node := flag.String("node", "", "node binary for yaml-language-server (Node 24)")
	yls := flag.String("yls", "", "yaml-language-server package directory (node_modules/yaml-language-server)")
	ylsSchemas := flag.String("yls-schemas", "", "directory written by internal/gen/jsonschema -layout yaml-language-server")
	ylsMode := flag.String("yls-mode", lspbench.YLSKubernetes, "yaml-language-server schema association: kubernetes (its Kubernetes mode) or file (a local kubernetes.json)")
	ylsSkip := flag.String("yls-skip", "", "do not run yaml-language-server, for this reason")
	opens := flag.Int("opens", 3, "didOpen measurements per file (median reported)")
	edits := flag.Int("edits", 20, "didChange measurements per file")
	hovers := flag.Int("hovers", 60, "hover requests per file")
	completions := flag.Int("completions", 60, "completion requests per file")
	quiet := flag.Duration("quiet", 250*time.Millisecond, "after diagnostics, wait this long for more (the last is taken)")
	openTimeout := flag.Duration("open-timeout", 120*time.Second, "timeout of one didOpen (and of initialize)")
	stepTimeout := flag.Duration("step-timeout", 30*time.Second, "timeout of one edit, hover or completion")
	budget := flag.Duration("phase-budget", 180*time.Second, "a phase (edits, hovers, completions) stops once it has taken this long")
	timeout := flag.Duration("timeout", 30*time.Minute, "deadline of the whole run")
	logDir := flag.String("logs", "", "directory for the servers' stderr")
	trace := flag.Bool("trace", false, "with -logs: also log every message (cut to 2,000 bytes)")
	flag.Parse()
	if len(fs) == 0 || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	opts := lspbench.Options{
		Opens: max(*opens, 1), Edits: *edits, Hovers: *hovers, Completions: *completions,
		Quiet: *quiet, OpenTimeout: *openTimeout, StepTimeout: *stepTimeout, PhaseBudget: *budget,
		LogDir: *logDir, Trace: *trace,
	}
	if *logDir != "" {
		if err := os.MkdirAll(*logDir, 0o755); err != nil {
			log.Fatal(err)
		}
	}
	abs, err := filepath.Abs(*kbin)
	if err != nil {
		log.Fatal(err)
	}
	a := lspbench.KubectlLSP(abs, *kver, *k8s, *debounce)

	var b *lspbench.Server
	why := *ylsSkip
	if why == "" && (*node == "" || *yls == "" || *ylsSchemas == "") {
		why = "-node, -yls and -yls-schemas are required for it"
	}
	ylsVersion := ""
	if why == "" {
		ylsVersion = packageVersion(filepath.Join(*yls, "package.json"))
		s, err := lspbench.YAMLLanguageServer(*node, filepath.Join(*yls, "bin", "yaml-language-server"),
			ylsVersion, *ylsSchemas, *k8s+".0", *ylsMode)
		if err != nil {
			why = err.Error()
		} else {
			b = &s
		}
	}

	fmt.Printf("kubectl-lsp %s", orDash(a.Version))
	if b != nil {
		fmt.Printf(" vs yaml-language-server %s on Node %s", orDash(ylsVersion), nodeVersion(*node))
	}
	fmt.Printf(", Kubernetes %s schemas, %d CPUs, language servers over stdio, one at a time\n", *k8s, runtime.NumCPU())
	fmt.Printf("  kubectl-lsp: %s\n", a.Setup)
	if b != nil {
		fmt.Printf("  yaml-language-server: %s; validates %v after each change (built in)\n", b.Setup, b.Delay)
	}
	fmt.Printf("  per file: %d didOpen (new URIs), %d didChange of one value in the middle document (alternately valid and invalid, each awaited, %v quiet), %d hovers, %d completions at keys throughout\n",
		opts.Opens, opts.Edits, opts.Quiet, opts.Hovers, opts.Completions)

	var pairs []lspbench.Pair
	for _, f := range fs {
		n, path, ok := strings.Cut(f, "=")
		docs, err := strconv.Atoi(n)
		if !ok || err != nil {
			log.Fatalf("-file %q: want DOCS=PATH", f)
		}
		path, err = filepath.Abs(path)
		if err != nil {
			log.Fatal(err)
		}
		p := lspbench.Pair{}
		for _, s := range []*lspbench.Server{&a, b} {
			if s == nil || ctx.Err() != nil {
				continue
			}
			fmt.Fprintf(os.Stderr, "==> %s on %d documents\n", s.Name, docs)
			start := time.Now()
			r := lspbench.Run(ctx, *s, path, docs, opts)
			fmt.Fprintf(os.Stderr, "    %.1f s%s\n", time.Since(start).Seconds(), errSuffix(r.Err))
			if s == &a {
				p.A = r
			} else {
				p.B, p.BDelay = &r, s.Delay
			}
		}
		pairs = append(pairs, p)
	}
	lspbench.Report(os.Stdout, pairs, lspbench.DefaultTargets, why)
	if ctx.Err() != nil {
		fmt.Printf("\nstopped at the %v deadline: results are partial\n", *timeout)
	}
}

func errSuffix(err error) string {
	if err == nil {
		return ""
	}
	return ": " + err.Error()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func packageVersion(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	_, rest, ok := strings.Cut(string(b), `"version":`)
	if !ok {
		return ""
	}
	rest = strings.TrimSpace(rest)
	if !strings.HasPrefix(rest, `"`) {
		return ""
	}
	v, _, _ := strings.Cut(rest[1:], `"`)
	return v
}

func nodeVersion(node string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(out))
}
