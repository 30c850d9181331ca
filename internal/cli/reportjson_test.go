package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// encodingJSON is the report as json.Encoder with SetIndent("", "  ") writes it: what
// report.writeJSON must match byte for byte.
func encodingJSON(t testing.TB, rep *report) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// hostileStrings need escaping in JSON or are not valid UTF-8.
var hostileStrings = []string{
	"", "plain", `quote " and backslash \`, "<script>&amp;</script>", "\x00\x01\x1f\x7f",
	"\b\f\n\r\t", "line\u2028para\u2029", "é😀\u00a0", "\xff", "a\xffb", "\xe2\x80", "\xe2\x80\xa8",
	"\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf", `{"a":[1,2]}`, "\\u003c", "ends with \xe2",
}

func TestReportJSONMatchesEncoder(t *testing.T) {
	tricky := strings.Join(hostileStrings, "|")
	tests := []struct {
		name string
		rep  report
	}{
		{"nil documents", report{}},
		{"no documents", report{Documents: []jsonDocument{}}},
		{"nil and empty findings", report{Documents: []jsonDocument{{File: "a.yaml"}, {File: "b.yaml", Findings: []jsonFinding{}, Defines: []string{}}}}},
		{"every field", report{Documents: []jsonDocument{{
			File: tricky, Index: 7, APIVersion: "v1", Kind: "Pod", Name: tricky, Namespace: "<ns>", Status: "invalid",
			Reason: tricky, SchemaSource: "builtin 1.37", Defines: []string{tricky, "example.com/v1, Kind=Widget"},
			Findings: []jsonFinding{
				{Severity: "error", Code: "type", Field: tricky, Message: tricky, Range: jsonRange{jsonPos{1, 2}, jsonPos{-3, 400000}}},
				{Severity: "warning", Code: "x", File: tricky, Related: []jsonRelated{
					{Message: tricky, Range: jsonRange{End: jsonPos{9, 9}}},
					{Message: "m", File: "other.yaml"},
				}},
				{Related: []jsonRelated{}},
			},
		}}}},
		{"summary with counts", report{Documents: []jsonDocument{}, Summary: jsonSummary{
			Documents: 3, Valid: 1, Invalid: 1, Skipped: 1,
			ByKind: map[string]*kindCount{"": {Documents: 1, Skipped: 1}, "Pod": {Documents: 2, Valid: 1, Invalid: 1}, tricky: nil, "\xff": {}, "<": {}},
			ByCode: map[string]int{"type": 2, tricky: 1, "\u2028": 3, "a": 0},
		}}},
		{"empty summary maps", report{Summary: jsonSummary{ByKind: map[string]*kindCount{}, ByCode: map[string]int{}}}},
		{"random", randomReport(rand.New(rand.NewPCG(1, 2)), 200)},
		{"many documents", randomReport(rand.New(rand.NewPCG(3, 4)), 5000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got bytes.Buffer
			if err := tt.rep.writeJSON(&got); err != nil {
				t.Fatal(err)
			}
			if want := encodingJSON(t, &tt.rep); got.String() != want {
				t.Errorf("differs from encoding/json at byte %d:\ngot  %q\nwant %q", firstDifference(got.String(), want),
					excerpt(got.String(), want), excerpt(want, got.String()))
			}
		})
	}
}

// randomReport has n documents with random findings, strings drawn from hostileStrings.
func randomReport(r *rand.Rand, n int) report {
	str := func() string {
		var b strings.Builder
		for range r.IntN(4) {
			b.WriteString(hostileStrings[r.IntN(len(hostileStrings))])
		}
		return b.String()
	}
	pos := func() jsonPos { return jsonPos{r.IntN(100000), r.IntN(300)} }
	rep := report{Documents: []jsonDocument{}}
	for i := range n {
		d := jsonDocument{File: str(), Index: i, APIVersion: str(), Kind: str(), Name: str(), Namespace: str(),
			Status: str(), Reason: str(), SchemaSource: str(), Findings: []jsonFinding{}}
		for range r.IntN(3) {
			f := jsonFinding{Severity: str(), Code: str(), Field: str(), Message: str(), Range: jsonRange{pos(), pos()}}
			if r.IntN(3) == 0 {
				f.File = str()
			}
			for range r.IntN(3) {
				f.Related = append(f.Related, jsonRelated{Message: str(), Range: jsonRange{pos(), pos()}, File: str()})
			}
			d.Findings = append(d.Findings, f)
		}
		for range r.IntN(3) {
			d.Defines = append(d.Defines, str())
		}
		rep.Documents = append(rep.Documents, d)
	}
	rep.countKindsAndCodes()
	return rep
}

func firstDifference(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

// excerpt is a's text around the first byte where it differs from b.
func excerpt(a, b string) string {
	i := firstDifference(a, b)
	return a[max(i-60, 0):min(i+60, len(a))]
}

// FuzzAppendJSONString: a string is quoted as encoding/json quotes it.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range hostileStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	})
}

// TestAppendJSONStringRandomBytes: random byte strings, most not UTF-8, are quoted as
// encoding/json quotes them.
func TestAppendJSONStringRandomBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	special := []byte("\x00\x1f\"\\<>&\x7f\x80\xbf\xc2\xe2\xed\xf0\xf4\xff\u2028")
	for range 20000 {
		b := make([]byte, r.IntN(12))
		for i := range b {
			if r.IntN(2) == 0 {
				b[i] = special[r.IntN(len(special))]
			} else {
				b[i] = byte(r.IntN(256))
			}
		}
		want, _ := json.Marshal(string(b))
		if got := appendJSONString(nil, string(b)); !bytes.Equal(got, want) {
			t.Fatalf("appendJSONString(%q) = %s, want %s", b, got, want)
		}
	}
}

// failingWriter accepts limit bytes, then fails.
type failingWriter struct{ limit int }

var errFull = errors.New("disk full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.limit {
		n := w.limit
		w.limit = 0
		return n, errFull
	}
	w.limit -= len(p)
	return len(p), nil
}

// TestReportJSONWriteError: a failed write is the report's error, in the first piece
// or a later one.
func TestReportJSONWriteError(t *testing.T) {
	rep := randomReport(rand.New(rand.NewPCG(5, 6)), 3000)
	for _, limit := range []int{0, jsonChunk + 10} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			if err := rep.writeJSON(&failingWriter{limit: limit}); !errors.Is(err, errFull) {
				t.Errorf("writeJSON = %v, want %v", err, errFull)
			}
		})
	}
}

// benchReport is a report like the one of the 5,000-document corpus, with a finding in
// every tenth document.
func benchReport() *report {
	rep := &report{Documents: []jsonDocument{}}
	for i := range 5000 {
		d := jsonDocument{File: "/tmp/corpus.yaml", Index: i, APIVersion: "apps/v1", Kind: "Deployment",
			Name: fmt.Sprintf("web-%05d", i), Namespace: "shop", Status: "valid", SchemaSource: "builtin 1.37", Findings: []jsonFinding{}}
		if i%10 == 0 {
			d.Status = "invalid"
			d.Findings = append(d.Findings, jsonFinding{Severity: "error", Code: "unknown-field", Field: "spec.replica",
				Message: `unknown field "spec.replica"`, Range: jsonRange{jsonPos{i * 30, 3}, jsonPos{i * 30, 10}}})
		}
		rep.Documents = append(rep.Documents, d)
	}
	return rep
}

func BenchmarkWriteReport(b *testing.B) {
	rep := benchReport()
	b.Run("encoding-json", func(b *testing.B) {
		for b.Loop() {
			enc := json.NewEncoder(discard{})
			enc.SetIndent("", "  ")
			if err := enc.Encode(rep); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stream", func(b *testing.B) {
		for b.Loop() {
			if err := rep.writeJSON(discard{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// discard is io.Discard without its io.ReaderFrom, as a file or pipe would be.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
