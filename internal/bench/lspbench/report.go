package lspbench

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Targets are kubectl-lsp's goals against yaml-language-server; the report says whether
// each was met and asserts nothing.
type Targets struct {
	Speedup     float64                // didOpen and didChange: at least this many times faster
	ChangeP95   func(docs int) float64 // ms
	RequestP95  float64                // hover and completion, ms
	MemoryShare float64                // peak RSS at most this share of the other's
}

// DefaultTargets: ≥10× faster, didChange p95 < 30 ms at 500 documents and < 50 ms at
// 5,000, hover and completion p95 < 5 ms, under a fifth of the memory.
var DefaultTargets = Targets{
	Speedup: 10,
	ChangeP95: func(docs int) float64 {
		if docs >= 5000 {
			return 50
		}
		return 30
	},
	RequestP95:  5,
	MemoryShare: 0.2,
}

// Report writes, per file, a side-by-side table of a (kubectl-lsp) and b (the other
// server), with ratios b/a and kubectl-lsp's targets. b may be nil (not run); then
// why says why.
func Report(w io.Writer, pairs []Pair, t Targets, why string) {
	for _, p := range pairs {
		a, b := p.A, p.B
		fmt.Fprintf(w, "\n%d documents, %.2f MB (%s)\n", a.Docs, float64(a.Bytes)/1e6, a.File)
		bname := "yaml-language-server"
		if b != nil {
			bname = b.Server
		}
		fmt.Fprintf(w, "  %-32s %16s %22s %9s   %s\n", "", a.Server, bname, "ratio", "target for "+a.Server)
		row := func(label, av, bv, ratio, target string) {
			fmt.Fprintf(w, "  %-32s %16s %22s %9s   %s\n", label, av, bv, ratio, target)
		}
		na := func(ds []time.Duration) bool { return len(ds) == 0 }
		bv := func(f func(r *Result) string) string {
			if b == nil {
				return "n/a"
			}
			return f(b)
		}
		ratio := func(fa, fb func(r *Result) float64) (string, float64) {
			if b == nil {
				return "", 0
			}
			x, y := fa(&a), fb(b)
			if x <= 0 || y <= 0 {
				return "", 0
			}
			return fmt.Sprintf("%.1f×", y/x), y / x
		}
		verdict := func(ok bool, known bool) string {
			if !known {
				return "n/a"
			}
			if ok {
				return "met"
			}
			return "NOT met"
		}

		// didOpen
		med := func(r *Result) float64 { return ms(Percentile(r.Open, 0.5)) }
		rs, rv := ratio(med, med)
		row(fmt.Sprintf("didOpen → first diagnostics (n=%d)", len(a.Open)), dur(Percentile(a.Open, 0.5), na(a.Open)),
			bv(func(r *Result) string { return dur(Percentile(r.Open, 0.5), na(r.Open)) }), rs,
			fmt.Sprintf("≥%g× faster: %s", t.Speedup, verdict(rv >= t.Speedup, rv > 0)))

		// didChange
		p50 := func(r *Result) float64 { return ms(Percentile(r.Change, 0.5)) }
		p95 := func(r *Result) float64 { return ms(Percentile(r.Change, 0.95)) }
		rs, _ = ratio(p50, p50)
		row(fmt.Sprintf("didChange → diagnostics p50 (n=%d)", len(a.Change)), dur(Percentile(a.Change, 0.5), na(a.Change)),
			bv(func(r *Result) string { return dur(Percentile(r.Change, 0.5), na(r.Change)) }), rs, "")
		rs, rv = ratio(p95, p95)
		limit := t.ChangeP95(a.Docs)
		row("didChange → diagnostics p95", dur(Percentile(a.Change, 0.95), na(a.Change)),
			bv(func(r *Result) string { return dur(Percentile(r.Change, 0.95), na(r.Change)) }), rs,
			fmt.Sprintf("< %g ms: %s; ≥%g×: %s", limit, verdict(p95(&a) < limit, !na(a.Change)), t.Speedup, verdict(rv >= t.Speedup, rv > 0)))

		// hover, completion
		for _, k := range []struct {
			label string
			get   func(r *Result) []time.Duration
		}{
			{"hover", func(r *Result) []time.Duration { return r.Hover }},
			{"completion", func(r *Result) []time.Duration { return r.Completion }},
		} {
			pp := func(r *Result) string {
				ds := k.get(r)
				if len(ds) == 0 {
					return "n/a"
				}
				return dur(Percentile(ds, 0.5), false) + " / " + dur(Percentile(ds, 0.95), false)
			}
			q95 := func(r *Result) float64 { return ms(Percentile(k.get(r), 0.95)) }
			rs, _ = ratio(q95, q95)
			ds := k.get(&a)
			row(fmt.Sprintf("%s p50 / p95 (n=%d)", k.label, len(ds)), pp(&a), bv(pp), rs,
				fmt.Sprintf("p95 < %g ms: %s", t.RequestP95, verdict(q95(&a) < t.RequestP95, len(ds) > 0)))
		}

		// memory
		mem := func(r *Result) float64 { return float64(r.PeakRSS + r.ChildRSS) }
		rs, rv = ratio(mem, mem)
		row("peak RSS (VmHWM)", mib(a.PeakRSS+a.ChildRSS), bv(func(r *Result) string { return mib(r.PeakRSS + r.ChildRSS) }), rs,
			fmt.Sprintf("< 1/%g of it: %s", 1/t.MemoryShare, verdict(rv >= 1/t.MemoryShare, rv > 0)))

		// checks
		row("checks: broken document caught", caught(&a), bv(caught), "", "")
		row("        diagnostics on valid file", fmt.Sprint(a.OpenDiags), bv(func(r *Result) string { return fmt.Sprint(r.OpenDiags) }), "", "")
		right := func(r *Result) string { return fmt.Sprintf("%d/%d", r.ChangeRight, len(r.Change)+r.ChangeTimeouts) }
		row("        edits judged right", right(&a), bv(right), "", "")
		he := func(r *Result) string { return fmt.Sprintf("%d/%d", r.HoverNonEmpty, len(r.Hover)+r.HoverErrors) }
		row("        hovers with content", he(&a), bv(he), "", "")
		ce := func(r *Result) string {
			avg := 0
			if r.CompletionNonEmpty > 0 {
				avg = r.CompletionItems / r.CompletionNonEmpty
			}
			return fmt.Sprintf("%d/%d (~%d items)", r.CompletionNonEmpty, len(r.Completion)+r.CompletionErrors, avg)
		}
		row("        completions with items", ce(&a), bv(ce), "", "")
		mm := func(r *Result) string {
			if len(r.Open) == 0 {
				return "n/a"
			}
			return dur(Percentile(r.Open, 0), false) + " / " + dur(Percentile(r.Open, 1), false)
		}
		row("        didOpen min / max", mm(&a), bv(mm), "", "")
		vt := func(r *Result) string { return dur(r.VerifyTook, false) }
		row("        broken document (cold start)", vt(&a), bv(vt), "", "")

		if b != nil && len(b.Change) > 0 && len(a.Change) > 0 {
			// The other server's fixed delay before validating is part of what a user
			// waits; show the work without it too.
			x50 := Percentile(b.Change, 0.5) - p.BDelay
			x95 := Percentile(b.Change, 0.95) - p.BDelay
			if p.BDelay > 0 && x50 > 0 {
				fmt.Fprintf(w, "  %s didChange without its fixed %v wait: p50 %s, p95 %s (%.1f× / %.1f× kubectl-lsp's)\n",
					b.Server, p.BDelay, dur(x50, false), dur(x95, false),
					ms(x50)/ms(Percentile(a.Change, 0.5)), ms(x95)/ms(Percentile(a.Change, 0.95)))
			}
		}
		for _, r := range []*Result{&a, b} {
			if r == nil {
				continue
			}
			if r.Err != nil {
				fmt.Fprintf(w, "  %s FAILED: %v\n", r.Server, r.Err)
			}
			if len(r.VerifyMissed) > 0 {
				fmt.Fprintf(w, "  WARNING: %s did not report in the broken document: %s (it reported: %s)\n",
					r.Server, strings.Join(r.VerifyMissed, ", "), strings.Join(r.VerifySamples, " | "))
			}
			if r.OpenDiags > 0 {
				fmt.Fprintf(w, "  note: %s reported %d diagnostics on the valid file, e.g. %s\n", r.Server, r.OpenDiags, strings.Join(r.OpenSamples, " | "))
			}
			if r.OpenPublishes > 1 {
				fmt.Fprintf(w, "  note: %s published diagnostics for one didOpen %d times (the first is timed)\n", r.Server, r.OpenPublishes)
			}
			for _, n := range r.Notes {
				fmt.Fprintf(w, "  note: %s: %s\n", r.Server, n)
			}
		}
	}
	if why != "" {
		fmt.Fprintf(w, "\nyaml-language-server not run: %s\n", why)
	}
}

// Pair is one file's results: A is kubectl-lsp, B the other server (nil: not run),
// BDelay B's built-in wait before validating.
type Pair struct {
	A      Result
	B      *Result
	BDelay time.Duration
}

func caught(r *Result) string {
	n := len(r.VerifyCaught) + len(r.VerifyMissed)
	if n == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%d/%d", len(r.VerifyCaught), n)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func dur(d time.Duration, missing bool) string {
	switch {
	case missing:
		return "n/a"
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 100*time.Millisecond:
		return fmt.Sprintf("%.0f ms", ms(d))
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", ms(d))
	default:
		return fmt.Sprintf("%.2f ms", ms(d))
	}
}

func mib(kib int64) string {
	if kib <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f MiB", float64(kib)/1024)
}
