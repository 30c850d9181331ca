// Command compare sets the findings of kubectl-lsp and kubeconform on a corpus with
// injected errors (see package bench) against the injected list, and prints a table:
// documents each tool reports invalid, how many of the injected ones it caught, missed,
// and how many it reports that were not injected, with examples of disagreements.
//
//	go run ./internal/bench/cmd/compare -injected errors.tsv -lsp lsp.json -kubeconform kc.json
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"sort"
	"strings"
)

type doc struct {
	key, kind, name string
	msgs            []string
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("compare: ")
	injectedFile := flag.String("injected", "", "injected errors, as written by cmd/corpus -injected")
	lspFile := flag.String("lsp", "", "output of kubectl-lsp validate -o json")
	kcFile := flag.String("kubeconform", "", "output of kubeconform -output json")
	total := flag.Int("n", 0, "documents in the corpus (for the header)")
	examples := flag.Int("examples", 2, "disagreements to show per tool")
	flag.Parse()
	if *injectedFile == "" || *lspFile == "" || *kcFile == "" {
		flag.Usage()
		os.Exit(2)
	}
	injected, kinds := readInjected(*injectedFile)
	tools := []struct {
		name string
		bad  map[string]doc
	}{
		{"kubectl-lsp", readLSP(*lspFile)},
		{"kubeconform", readKubeconform(*kcFile)},
	}
	fmt.Printf("Findings on %d documents, %d with an injected error:\n", *total, len(injected))
	fmt.Printf("  %-12s %8s %7s %7s %6s", "tool", "invalid", "caught", "missed", "extra")
	kindNames := sortedKeys(kinds)
	for _, k := range kindNames {
		fmt.Printf("  %16s", k)
	}
	fmt.Println()
	var notes []string
	for _, t := range tools {
		caught, missed, extra := 0, 0, 0
		byKind := map[string]int{}
		var missedEx, extraEx []string
		for key, x := range injected {
			if _, ok := t.bad[key]; ok {
				caught++
				byKind[x.errKind]++
			} else {
				missed++
				missedEx = append(missedEx, fmt.Sprintf("%s %s (%s at %s)", x.kind, x.name, x.errKind, x.field))
			}
		}
		for key, d := range t.bad {
			if _, ok := injected[key]; !ok {
				extra++
				extraEx = append(extraEx, fmt.Sprintf("%s %s: %s", d.kind, d.name, strings.Join(d.msgs, "; ")))
			}
		}
		fmt.Printf("  %-12s %8d %7d %7d %6d", t.name, len(t.bad), caught, missed, extra)
		for _, k := range kindNames {
			fmt.Printf("  %16s", fmt.Sprintf("%d/%d", byKind[k], kinds[k]))
		}
		fmt.Println()
		sort.Strings(missedEx)
		sort.Strings(extraEx)
		for i := 0; i < len(missedEx) && i < *examples; i++ {
			notes = append(notes, fmt.Sprintf("  %s missed: %s", t.name, missedEx[i]))
		}
		for i := 0; i < len(extraEx) && i < *examples; i++ {
			notes = append(notes, fmt.Sprintf("  %s extra:  %s", t.name, extraEx[i]))
		}
	}
	// One message of each tool for the first injected document of each error kind.
	fmt.Println("Messages, first injected document of each kind:")
	seen := map[string]bool{}
	for _, key := range sortedInjected(injected) {
		x := injected[key]
		if seen[x.errKind] {
			continue
		}
		seen[x.errKind] = true
		fmt.Printf("  %s %s %s (%s):\n", x.errKind, x.kind, x.name, x.field)
		for _, t := range tools {
			msg := "(valid)"
			if d, ok := t.bad[key]; ok {
				msg = strings.Join(d.msgs, "; ")
			}
			fmt.Printf("    %-12s %s\n", t.name, msg)
		}
	}
	if len(notes) > 0 {
		fmt.Println("Disagreements with the injected list:")
		for _, n := range notes {
			fmt.Println(n)
		}
	}
}

type injectedDoc struct {
	index                      int
	kind, name, errKind, field string
}

func readInjected(name string) (map[string]injectedDoc, map[string]int) {
	f, err := os.Open(name)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	out := map[string]injectedDoc{}
	kinds := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.Split(sc.Text(), "\t")
		if len(parts) != 5 {
			continue
		}
		var x injectedDoc
		fmt.Sscan(parts[0], &x.index)
		x.kind, x.name, x.errKind, x.field = parts[1], parts[2], parts[3], parts[4]
		out[x.kind+"/"+x.name] = x
		kinds[x.errKind]++
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
	return out, kinds
}

func sortedInjected(m map[string]injectedDoc) []string {
	keys := sortedKeys(m)
	sort.Slice(keys, func(i, j int) bool { return m[keys[i]].index < m[keys[j]].index })
	return keys
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func readJSON(name string, v any) {
	b, err := os.ReadFile(name)
	if err != nil {
		log.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		log.Fatalf("%s: %v", name, err)
	}
}

// readLSP returns the documents kubectl-lsp reports invalid.
func readLSP(name string) map[string]doc {
	var rep struct {
		Documents []struct {
			Kind, Name, Status string
			Findings           []struct{ Severity, Message string }
		}
	}
	readJSON(name, &rep)
	out := map[string]doc{}
	for _, d := range rep.Documents {
		if d.Status != "invalid" {
			continue
		}
		x := doc{key: d.Kind + "/" + d.Name, kind: d.Kind, name: d.Name}
		for _, f := range d.Findings {
			if f.Severity == "error" {
				x.msgs = append(x.msgs, f.Message)
			}
		}
		out[x.key] = x
	}
	return out
}

// readKubeconform returns the documents kubeconform reports invalid (or could not
// validate).
func readKubeconform(name string) map[string]doc {
	var rep struct {
		Resources []struct {
			Kind, Name, Status, Msg string
			ValidationErrors        []struct{ Path, Msg string }
		}
	}
	readJSON(name, &rep)
	out := map[string]doc{}
	for _, r := range rep.Resources {
		if r.Status != "statusInvalid" && r.Status != "statusError" {
			continue
		}
		x := doc{key: r.Kind + "/" + r.Name, kind: r.Kind, name: r.Name}
		for _, e := range r.ValidationErrors {
			x.msgs = append(x.msgs, e.Path+": "+e.Msg)
		}
		if len(x.msgs) == 0 {
			x.msgs = append(x.msgs, r.Msg)
		}
		out[x.key] = x
	}
	return out
}
