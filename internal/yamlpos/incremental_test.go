package yamlpos

import (
	"bytes"
	"fmt"
	"math/rand"
	"slices"
	"testing"
)

// checkSplitFrom asserts that SplitFrom(prev, src) equals a fresh Split of src, and that
// its head and tail documents have the texts it claims.
func checkSplitFrom(t *testing.T, prev *File, src []byte) *File {
	t.Helper()
	got, head, tail := SplitFrom(prev, "f.yaml", src)
	want := Split("f.yaml", src)
	if got.JSON != want.JSON || len(got.Docs) != len(want.Docs) {
		t.Fatalf("edit %q → %q: JSON %v, %d docs; want JSON %v, %d docs", prev.Src, src, got.JSON, len(got.Docs), want.JSON, len(want.Docs))
	}
	for i, d := range got.Docs {
		w := want.Docs[i]
		if d.File != got || d.Index != w.Index || d.Start != w.Start || d.End != w.End {
			t.Fatalf("edit %q → %q: doc %d is %d [%d,%d), want %d [%d,%d)", prev.Src, src, i, d.Index, d.Start, d.End, w.Index, w.Start, w.End)
		}
	}
	if !slices.Equal(got.Mapper.starts(), want.Mapper.starts()) || !bytes.Equal(got.Mapper.src, src) {
		t.Fatalf("edit %q → %q: line starts %v, want %v", prev.Src, src, got.Mapper.starts(), want.Mapper.starts())
	}
	if head+tail > len(got.Docs) || head > len(prev.Docs) || tail > len(prev.Docs) {
		t.Fatalf("edit %q → %q: head %d tail %d of %d docs (prev %d)", prev.Src, src, head, tail, len(got.Docs), len(prev.Docs))
	}
	for i := 0; i < head; i++ {
		if got.Docs[i].Start != prev.Docs[i].Start || !bytes.Equal(got.Docs[i].Text(), prev.Docs[i].Text()) {
			t.Fatalf("edit %q → %q: head doc %d differs", prev.Src, src, i)
		}
	}
	for i := 0; i < tail; i++ {
		g, p := got.Docs[len(got.Docs)-1-i], prev.Docs[len(prev.Docs)-1-i]
		if !bytes.Equal(g.Text(), p.Text()) {
			t.Fatalf("edit %q → %q: tail doc %d differs", prev.Src, src, i)
		}
	}
	return got
}

func TestSplitFromRandomEdits(t *testing.T) {
	pieces := []string{
		"---", "---\n", "--- |\n", "--- # c\n", "\n", "\r\n", "\r", "-", "--", "a: 1\n", "kind: Pod\n",
		"# note\n", " ", "x", "\xEF\xBB\xBF", "{", "}", "{\"a\": 1}\n", "---\r\n", "----\n", "---x\n", "é", "😀",
	}
	rnd := rand.New(rand.NewSource(1))
	randText := func(n int) []byte {
		var b []byte
		for i := 0; i < n; i++ {
			b = append(b, pieces[rnd.Intn(len(pieces))]...)
		}
		return b
	}
	iters := 20000
	if testing.Short() {
		iters = 4000
	}
	for it := 0; it < iters; it++ {
		src := randText(rnd.Intn(30))
		if rnd.Intn(4) == 0 {
			src = append(append([]byte(nil), bom...), src...)
		}
		prev := Split("f.yaml", src)
		for e := 0; e < 8; e++ {
			old := prev.Src
			s := rnd.Intn(len(old) + 1)
			end := s + rnd.Intn(len(old)-s+1)
			if rnd.Intn(2) == 0 {
				end = s + min(len(old)-s, rnd.Intn(4))
			}
			ins := randText(rnd.Intn(3))
			if rnd.Intn(3) == 0 && len(ins) > 0 {
				ins = ins[:rnd.Intn(len(ins))] // possibly half a CRLF or a rune
			}
			next := make([]byte, 0, len(old)-(end-s)+len(ins))
			next = append(append(append(next, old[:s]...), ins...), old[end:]...)
			prev = checkSplitFrom(t, prev, next)
			// The mapper alone, edited at the given (not necessarily minimal) range.
			if m := Split("f.yaml", old).Mapper.Edit(next, s, end, s+len(ins)); !slices.Equal(m.starts(), NewMapper(next).starts()) {
				t.Fatalf("Mapper.Edit %q [%d,%d) → %q: %v, want %v", old, s, end, next, m.starts(), NewMapper(next).starts())
			}
		}
	}
}

func TestSplitFromLargeFile(t *testing.T) {
	var b bytes.Buffer
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\ndata:\n  k: v\n", i)
	}
	prev := Split("f.yaml", b.Bytes())
	rnd := rand.New(rand.NewSource(2))
	edits := []string{"x", "\n---\n", "", "\r\n", "--- # c\n", "a: b\n"}
	for it := 0; it < 300; it++ {
		old := prev.Src
		s := rnd.Intn(len(old) + 1)
		end := min(len(old), s+rnd.Intn(40))
		next := append(append(append([]byte(nil), old[:s]...), edits[rnd.Intn(len(edits))]...), old[end:]...)
		got := checkSplitFrom(t, prev, next)
		_, head, tail := SplitFrom(prev, "f.yaml", next)
		if len(got.Docs) > 10 && head+tail < len(got.Docs)-4 {
			t.Errorf("edit at %d reused only %d+%d of %d documents", s, head, tail, len(got.Docs))
		}
		prev = got
	}
}
