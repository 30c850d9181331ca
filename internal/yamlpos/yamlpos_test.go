package yamlpos

import (
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// marked strips the markers ⟦ and ⟧ from s and returns the text and the byte range
// they enclosed.
func marked(t *testing.T, s string) (string, Range) {
	t.Helper()
	i := strings.Index(s, "⟦")
	s = strings.Replace(s, "⟦", "", 1)
	j := strings.Index(s, "⟧")
	s = strings.Replace(s, "⟧", "", 1)
	if i < 0 || j < 0 {
		t.Fatalf("fixture lacks ⟦…⟧ markers: %q", s)
	}
	return s, Range{i, j}
}

func TestMapperRoundTrip(t *testing.T) {
	src := "a: 1\r\nb: \"😀x\"\rc: é\n\nlast"
	m := NewMapper([]byte(src))
	if got := m.LineCount(); got != 5 {
		t.Fatalf("LineCount = %d, want 5", got)
	}
	tests := []struct {
		offset int
		want   Position
	}{
		{0, Position{0, 0}},
		{4, Position{0, 4}},                                  // the \r of \r\n
		{6, Position{1, 0}},                                  // after \r\n
		{strings.Index(src, "x"), Position{1, 6}},            // after a surrogate pair
		{strings.Index(src, "c"), Position{2, 0}},            // after a lone \r
		{strings.Index(src, "é") + len("é"), Position{2, 4}}, // after a 2-byte rune
		{strings.Index(src, "last"), Position{4, 0}},         // after an empty line
		{len(src), Position{4, 4}},                           // end of text
		{len(src) + 10, Position{4, 4}},                      // clamped
	}
	for _, tt := range tests {
		got := m.OffsetPosition(tt.offset)
		if got != tt.want {
			t.Errorf("OffsetPosition(%d) = %v, want %v", tt.offset, got, tt.want)
			continue
		}
		if tt.offset > len(src) {
			continue
		}
		back, err := m.PositionOffset(got)
		if err != nil || back != tt.offset {
			t.Errorf("PositionOffset(%v) = %d, %v; want %d", got, back, err, tt.offset)
		}
	}
	// A column past the end of a line maps to its end; a line past the end is an error.
	if off, err := m.PositionOffset(Position{0, 99}); err != nil || off != 4 {
		t.Errorf("PositionOffset past line end = %d, %v; want 4", off, err)
	}
	if _, err := m.PositionOffset(Position{9, 0}); err == nil {
		t.Errorf("PositionOffset past the last line: want an error")
	}
	if l, c := m.OffsetLineChar(strings.Index(src, "x")); l != 2 || c != 6 {
		t.Errorf("OffsetLineChar = %d:%d, want 2:6", l, c)
	}
}

func TestSplitLikeKubectl(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		texts []string
	}{
		{"single", "a: 1\n", []string{"a: 1\n"}},
		{"leading separator", "---\na: 1\n", []string{"a: 1\n"}},
		{"two", "a: 1\n---\nb: 2\n", []string{"a: 1\n", "b: 2\n"}},
		{"doubled separators make no empty document", "a: 1\n---\n---\nb: 2", []string{"a: 1\n", "b: 2"}},
		{"comment-only document counts", "a: 1\n--- # next\n# only a comment\n---\nb: 2\n", []string{"a: 1\n", "# only a comment\n", "b: 2\n"}},
		{"crlf", "a: 1\r\n---\r\nb: 2\r\n", []string{"a: 1\r\n", "b: 2\r\n"}},
		{"dashes inside a value are not a separator", "a: |\n  ---\nb: 1\n", []string{"a: |\n  ---\nb: 1\n"}},
		{"four dashes are content", "----\n", []string{"----\n"}},
		{"json stream", "{\"a\": 1}\n{\"b\": \"}\"}\n", []string{"{\"a\": 1}", "{\"b\": \"}\"}"}},
		{"bom", "\ufeffa: 1\n", []string{"a: 1\n"}},
		{"empty file", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := parseAll("x.yaml", []byte(tt.src))
			var got []string
			for i, d := range f.Docs {
				if d.Index != i {
					t.Errorf("doc %d has Index %d", i, d.Index)
				}
				got = append(got, string(d.Text()))
			}
			if strings.Join(got, "|") != strings.Join(tt.texts, "|") || len(got) != len(tt.texts) {
				t.Errorf("documents = %q, want %q", got, tt.texts)
			}
		})
	}
}

func TestNodeRanges(t *testing.T) {
	tests := []struct {
		name string
		src  string // ⟦…⟧ marks the expected range
		path string
		key  bool // want the key's range instead of the value's
	}{
		{"plain value", "a:\n  b: ⟦hello⟧ # c\n", "a.b", false},
		{"key", "a:\n  ⟦b⟧: hello\n", "a.b", true},
		{"double quoted", "a: ⟦\"x\\\"y\"⟧\n", "a", false},
		{"single quoted", "a: ⟦'it''s'⟧\n", "a", false},
		{"unicode before value", "é: ü\nb: ⟦😀😀⟧\n", "b", false},
		{"second document", "a: 1\n---\nkind: Pod\nspec:\n  x: ⟦3⟧\n", "spec.x", false},
		{"list item", "l:\n- a\n- ⟦b⟧\n", "l[1]", false},
		{"flow map", "a: ⟦{x: 1, y: [2, 3]}⟧\n", "a", false},
		{"flow item", "a: {x: 1, z: [2, ⟦3⟧]}\n", "a.z[1]", false},
		{"key y is boolean true in YAML 1.1", "a: {⟦y⟧: 1}\n", "a.true", true},
		{"block map", "a:\n  ⟦b: 1\n  c: [x, y]⟧\nd: 2\n", "a", false},
		{"anchor skipped", "a: &anc ⟦value⟧\nb: *anc\n", "a", false},
		{"alias", "a: &anc value\nb: ⟦*anc⟧\n", "b", false},
		{"tag skipped", "a: !!str ⟦123⟧\n", "a", false},
		{"block scalar indicator", "a: ⟦|-⟧\n  text\n  more\n", "a", false},
		{"crlf", "a: 1\r\nb:\r\n  c: ⟦x⟧\r\n", "b.c", false},
		{"json", "{\"a\": {\"b\": ⟦true⟧}}", "a.b", false},
		{"json key", "{\"a\": {⟦\"b\"⟧: true}}", "a.b", true},
		{"bom", "\ufeffa: ⟦1⟧\n", "a", false},
		{"merged key", "base: &b\n  ⟦x⟧: 1\nm:\n  <<: *b\n  y: 2\n", "m.x", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, want := marked(t, tt.src)
			f := parseAll("x.yaml", []byte(src))
			var doc *Document
			for _, d := range f.Docs {
				if want.Start >= d.Start && want.Start < d.End {
					doc = d
				}
			}
			if doc == nil || doc.Root == nil {
				t.Fatalf("no document at the marker (err %v)", doc.Err)
			}
			node, key, matched := Lookup(doc.Root, ParsePath(tt.path))
			if matched != len(ParsePath(tt.path)) {
				t.Fatalf("Lookup(%s) matched %d elements", tt.path, matched)
			}
			n := node
			if tt.key {
				n = key
			}
			if got := doc.Range(n); got != want {
				t.Errorf("Range = %q %v, want %q %v", src[got.Start:got.End], got, src[want.Start:want.End], want)
			}
		})
	}
}

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		name, src, wantMsg string
		wantLine           int // 1-based
	}{
		{"tab indentation", "a:\n\tb: 1\n", "tabs are not allowed", 2},
		{"bad mapping", "a: 1\n---\nkind: Pod\nb: [1, 2\n", "", 4},
		{"invalid utf-8", "a: \xff\n", "invalid UTF-8", 1},
		{"mapping in scalar", "a: b: c\n", "mapping values are not allowed", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := parseAll("x.yaml", []byte(tt.src))
			var err *SyntaxError
			for _, d := range f.Docs {
				if d.Err != nil {
					err = d.Err
				}
			}
			if err == nil {
				t.Fatalf("no syntax error")
			}
			if !strings.Contains(err.Msg, tt.wantMsg) {
				t.Errorf("message %q does not contain %q", err.Msg, tt.wantMsg)
			}
			if l, _ := f.Mapper.OffsetLineChar(err.Range.Start); l < tt.wantLine-1 || l > tt.wantLine {
				t.Errorf("error on line %d, want %d", l, tt.wantLine)
			}
		})
	}
}

func TestResolveScalarYAML11(t *testing.T) {
	tests := []struct {
		src  string
		kind Kind
	}{
		{"yes", Bool}, {"on", Bool}, {"y", Bool}, {"No", Bool}, {"true", Bool},
		{"'yes'", String}, {"!!str yes", String},
		{"1", Int}, {"0777", Int}, {"0x1F", Int}, {"1_000", Int}, {"-0b101", Int},
		{"1.5", Float}, {"1e3", Float}, {".5", Float}, {".inf", Float},
		{"~", Null}, {"null", Null}, {"", Null},
		{"2024-01-02", String}, {"2024-01-02T10:00:00Z", String},
		{"1.2.3", String}, {"v1", String}, {"\"1\"", String},
	}
	for _, tt := range tests {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte("v: "+tt.src), &doc); err != nil {
			t.Fatal(err)
		}
		n := doc.Content[0].Content[1]
		if got := ResolveScalar(n).Kind; got != tt.kind {
			t.Errorf("%q resolves to %v, want %v", tt.src, got, tt.kind)
		}
	}
	var doc yaml.Node
	_ = yaml.Unmarshal([]byte("0777: a\nyes: b\n"), &doc)
	if k := KeyString(doc.Content[0].Content[0]); k != "511" {
		t.Errorf("key 0777 = %q, want 511", k)
	}
	if k := KeyString(doc.Content[0].Content[2]); k != "true" {
		t.Errorf("key yes = %q, want true", k)
	}
}

// Integers of every form, at the edges of the int64 range and of the short decimal path.
func TestResolveScalarIntegers(t *testing.T) {
	tests := []struct {
		src  string
		want Scalar
	}{
		{"0", Scalar{Kind: Int}},
		{"-0", Scalar{Kind: Int}},
		{"+7", Scalar{Kind: Int, Int: 7}},
		{"-12", Scalar{Kind: Int, Int: -12}},
		{"007", Scalar{Kind: Int, Int: 7}},
		{"010", Scalar{Kind: Int, Int: 8}},
		{"09", Scalar{Kind: Float, Float: 9}},
		{"1_000", Scalar{Kind: Int, Int: 1000}},
		{"0x1F", Scalar{Kind: Int, Int: 31}},
		{"999999999999999999", Scalar{Kind: Int, Int: 999999999999999999}},
		{"-999999999999999999", Scalar{Kind: Int, Int: -999999999999999999}},
		{"9223372036854775807", Scalar{Kind: Int, Int: 9223372036854775807}},
		{"-9223372036854775808", Scalar{Kind: Int, Int: -9223372036854775808}},
		{"9223372036854775808", Scalar{Kind: Int, Int: -9223372036854775808, Uint: true, Float: 9223372036854775808}},
		{"-9223372036854775809", Scalar{Kind: Float, Float: -9223372036854775809}},
		{"12a", Scalar{Kind: String}},
		{"+", Scalar{Kind: String}},
		{"-", Scalar{Kind: String}},
		{"1-2", Scalar{Kind: String}},
	}
	for _, tt := range tests {
		tt.want.Text = tt.src
		if got := ResolveScalar(&yaml.Node{Kind: yaml.ScalarNode, Value: tt.src}); got != tt.want {
			t.Errorf("%q resolves to %+v, want %+v", tt.src, got, tt.want)
		}
	}
}

func TestExpandedSizeBoundsAliasBombs(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 12; i++ {
		b.WriteString(strings.Replace("aN: &aN [", "N", itoa(i), 2))
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + itoa(i-1))
		}
		b.WriteString("]\n")
	}
	f := parseAll("bomb.yaml", []byte(b.String()))
	if f.Docs[0].Err != nil {
		t.Fatal(f.Docs[0].Err)
	}
	if _, exceeded := ExpandedSize(f.Docs[0].Root, 1_000_000); !exceeded {
		t.Errorf("a 10^12-node expansion was not flagged")
	}
	small := parseAll("ok.yaml", []byte("a: &x [1, 2]\nb: *x\n"))
	if n, exceeded := ExpandedSize(small.Docs[0].Root, 1000); exceeded || n != 9 {
		t.Errorf("ExpandedSize = %d, %v; want 9, false", n, exceeded)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestPathRoundTrip(t *testing.T) {
	for _, s := range []string{"spec.containers[0].image", "metadata.labels[app.kubernetes.io/name]", "a", "items[3]"} {
		if got := ParsePath(s).String(); got != s {
			t.Errorf("ParsePath(%q).String() = %q", s, got)
		}
	}
}

// parseAll splits src and parses every document.
func parseAll(name string, src []byte) *File {
	f := Split(name, src)
	for _, d := range f.Docs {
		d.ParseDoc()
	}
	return f
}

func TestDocumentAt(t *testing.T) {
	src := "a: 1\n---\nb: 2\n---\n"
	f := Split("x.yaml", []byte(src))
	tests := []struct {
		offset int
		want   int // document index, -1 for none
	}{
		{0, 0},
		{4, 0},                       // the end of the first document
		{strings.Index(src, "b"), 1}, // inside the second
		{len(src) + 5, -1},           // past the end
	}
	for _, tt := range tests {
		d := f.DocumentAt(tt.offset)
		got := -1
		if d != nil {
			got = d.Index
		}
		if got != tt.want {
			t.Errorf("DocumentAt(%d) = %d, want %d", tt.offset, got, tt.want)
		}
	}
}
