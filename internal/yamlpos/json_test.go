package yamlpos

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestAppendJSON: the JSON text AppendJSON writes decodes to the value ToValue builds,
// for every document of the validator's fixtures and for scalars YAML reads in
// surprising ways.
func TestAppendJSON(t *testing.T) {
	srcs := map[string]string{
		"scalars": "a: yes\nb: 0o17\nc: 012\nd: 1.0\ne: 1e3\nf: 18446744073709551615\ng: ~\nh: .5\ni: 0x1F\nj: 9007199254740993\nk: -0.0\n",
		"strings": "a: \"tab\\there \\\"quoted\\\" back\\\\slash \\u0001 é 🙂\"\nb: '<html>&'\nc: |\n  line\n  two\n",
		"nested":  "a: [1, [2, {b: null}], {}]\nb: {c: {d: []}}\n\"k e y\": v\n",
		"aliases": "a: &x {b: 1}\nc: *x\nd: [*x, *x]\n",
	}
	files, _ := filepath.Glob("../validate/testdata/*.yaml")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		srcs[filepath.Base(name)] = string(data)
	}
	var compared, refused int
	for name, src := range srcs {
		f := Split(name, []byte(src))
		for _, d := range f.Docs {
			d.ParseDoc()
			if d.Root == nil || d.Err != nil {
				continue
			}
			want, err := ToValue(d.Root, 1_000_000)
			if err != nil {
				continue
			}
			out, ok := AppendJSON(nil, d.Root, 1_000_000)
			if !ok {
				refused++
				continue
			}
			var got any
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("%s#%d: not JSON: %v\n%s", name, d.Index, err, out)
			}
			wantJSON, err := json.Marshal(want)
			if err != nil {
				continue // a value JSON cannot hold (NaN): AppendJSON must have refused it
			}
			var norm any
			_ = json.Unmarshal(wantJSON, &norm)
			if !reflect.DeepEqual(got, norm) {
				t.Errorf("%s#%d:\n got %s\nwant %s", name, d.Index, out, wantJSON)
			}
			compared++
		}
	}
	if compared < 150 {
		t.Errorf("only %d documents compared (%d refused)", compared, refused)
	}
}

func TestAppendJSONRefuses(t *testing.T) {
	for name, src := range map[string]string{
		"merge key": "a: &x {b: 1}\nc:\n  <<: *x\n  d: 2\n",
		"key twice": "a: 1\na: 2\n",
		"key twice, many keys": func() string {
			var b strings.Builder
			for i := range 100 {
				fmt.Fprintf(&b, "k%d: %d\n", i, i)
			}
			return b.String() + "k7: again\n"
		}(),
		"not finite": "a: .inf\n",
		"alias bomb": "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n",
	} {
		f := Split(name, []byte(src))
		d := f.Docs[0]
		d.ParseDoc()
		if _, ok := AppendJSON(nil, d.Root, 500); ok {
			t.Errorf("%s: not refused", name)
		}
	}
}

// The JSON text of strings, byte for byte: quotes, backslashes and control characters
// escaped, invalid UTF-8 as U+FFFD, everything else as it is; after what dst held.
func TestAppendJSONStrings(t *testing.T) {
	for _, c := range []struct{ value, want string }{
		{"plain", `"plain"`},
		{"", `""`},
		{"q\"b\\s", `"q\"b\\s"`},
		{"\x00\x01\x1f\x7f", `"\u0000\u0001\u001f` + "\x7f\""},
		{"tab\there\r\n", `"tab\there\r\n"`},
		{"é🙂 <html>&", `"é🙂 <html>&"`},
		{"\u2028", "\"\u2028\""},
		{"\xffa\xc3", `"\ufffda\ufffd"`},
		{"end\\", `"end\\"`},
		{"abcdefgh\"ij", `"abcdefgh\"ij"`},
		{"é1234567\n", "\"é1234567\\n\""},
	} {
		n := &yaml.Node{Kind: yaml.ScalarNode, Value: c.value, Style: yaml.DoubleQuotedStyle}
		got, ok := AppendJSON([]byte("x="), n, 10)
		if !ok || string(got) != "x="+c.want {
			t.Errorf("%q: %s (%v), want x=%s", c.value, got, ok, c.want)
		}
	}
}
