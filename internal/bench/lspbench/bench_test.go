package lspbench

import (
	"strings"
	"testing"
	"time"

	"github.com/kubectl-lsp/kubectl-lsp/internal/bench"
)

func TestKeySitesSkipBlockScalars(t *testing.T) {
	text := strings.Join([]string{
		"apiVersion: v1",
		"kind: ConfigMap",
		"metadata:",
		"  namespace: shop",
		"data:",
		"  app.yaml: |",
		"    server:",
		"      port: 8000",
		"  other: x",
		"---",
		"spec:",
		"  ports:",
		"    - port: 80",
		"      targetPort: 8080",
	}, "\n")
	got := keySites(text)
	want := []site{{3, 2}, {12, 6}, {13, 6}}
	if len(got) != len(want) {
		t.Fatalf("keySites = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("site %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestEditSiteAndKeysOnCorpus(t *testing.T) {
	text := string(bench.Corpus(500, 1))
	line, col, n, err := editSite(text, 250)
	if err != nil {
		t.Fatal(err)
	}
	l := strings.Split(text, "\n")[line]
	if !strings.HasPrefix(l, editKey) || col != len(editKey) || n != len(l)-len(editKey) || n == 0 {
		t.Errorf("editSite: line %d %q, col %d, len %d", line, l, col, n)
	}
	if before := strings.Count(strings.Join(strings.Split(text, "\n")[:line], "\n"), "\n---\n"); before != 250 {
		t.Errorf("edit line is in document %d, want 250", before)
	}
	if sites := keySites(text); len(sites) < 200 {
		t.Errorf("only %d key sites in 500 documents", len(sites))
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 20; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{0: time.Millisecond, 0.5: 10 * time.Millisecond, 0.95: 19 * time.Millisecond, 1: 20 * time.Millisecond} {
		if got := Percentile(ds, p); got != want {
			t.Errorf("Percentile(%v) = %v, want %v", p, got, want)
		}
	}
	if Percentile(nil, 0.5) != 0 {
		t.Error("Percentile of nothing is not 0")
	}
}
