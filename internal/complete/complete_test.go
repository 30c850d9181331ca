package complete

import (
	"slices"
	"strings"
	"testing"
)

// cursor marks the cursor in fixtures; it is removed before analysis.
const cursor = "‸"

func mark(t *testing.T, s string) ([]byte, int) {
	t.Helper()
	i := strings.Index(s, cursor)
	if i < 0 || strings.Count(s, cursor) != 1 {
		t.Fatalf("fixture needs exactly one %s: %q", cursor, s)
	}
	return []byte(s[:i] + s[i+len(cursor):]), i
}

func TestAnalyze(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		json    bool
		ok      bool
		path    string
		value   bool
		prefix  string
		present []string
		word    string // the text of [Start, End)
		colon   bool
		empty   bool
	}{
		{name: "empty document", src: "‸", ok: true, empty: true},
		{name: "root key prefix", src: "ap‸", ok: true, prefix: "ap", word: "ap", empty: true},
		{name: "root key among others", src: "apiVersion: v1\nki‸\nmetadata:\n  name: x\n", ok: true, prefix: "ki", word: "ki", present: []string{"apiVersion", "metadata"}},
		{name: "nested key prefix", src: "kind: Deployment\nspec:\n  rep‸\n", ok: true, path: "spec", prefix: "rep", word: "rep"},
		{name: "nested key, siblings around", src: "spec:\n  replicas: 1\n  ‸\n  selector: {}\nstatus: {}\n", ok: true, path: "spec", present: []string{"replicas", "selector"}},
		{name: "new child mapping", src: "spec:\n  template:\n    ‸\n", ok: true, path: "spec.template"},
		{name: "after list item key", src: "spec:\n  containers:\n  - name: x\n    ‸\n", ok: true, path: "spec.containers[]", present: []string{"name"}},
		{name: "after indented list item key", src: "spec:\n  containers:\n    - name: x\n      im‸\n      ports: []\n    - name: y\n", ok: true, path: "spec.containers[]", prefix: "im", word: "im", present: []string{"name", "ports"}},
		{name: "new list item", src: "spec:\n  containers:\n    - name: x\n    - ‸\n", ok: true, path: "spec.containers[]"},
		{name: "new list item, keys below", src: "containers:\n- ‸\n  image: x\n- name: y\n", ok: true, path: "containers[]", present: []string{"image"}},
		{name: "dash without space", src: "containers:\n  -‸\n", ok: true, path: "containers[]"},
		{name: "key at sequence column ends it", src: "spec:\n  containers:\n  - name: x\n  ‸\n", ok: true, path: "spec", present: []string{"containers"}},
		{name: "back to root", src: "spec:\n  containers:\n  - name: x\n‸", ok: true, present: []string{"spec"}},
		{name: "value", src: "spec:\n  containers:\n  - name: x\n    imagePullPolicy: ‸\n", ok: true, path: "spec.containers[].imagePullPolicy", value: true},
		{name: "value prefix", src: "spec:\n  containers:\n  - imagePullPolicy: If‸Present\n", ok: true, path: "spec.containers[].imagePullPolicy", value: true, prefix: "If", word: "IfPresent"},
		{name: "value right after colon", src: "kind:‸", ok: true, path: "kind", value: true},
		{name: "quoted value", src: "apiVersion: \"ap‸\"\n", ok: true, path: "apiVersion", value: true, prefix: "ap", word: "\"ap\""},
		{name: "value in list item key", src: "ports:\n  - protocol: ‸", ok: true, path: "ports[].protocol", value: true},
		{name: "comment", src: "spec: # a ‸\n", ok: false},
		{name: "comment line", src: "spec:\n  # rep‸\n", ok: false},
		{name: "block scalar text", src: "data:\n  script: |\n    echo ‸\n", ok: false},
		{name: "after block scalar", src: "data:\n  script: |\n    echo\n  ‸\n", ok: true, path: "data", present: []string{"script"}},
		{name: "key renamed", src: "spec:\n  rep‸licas: 3\n", ok: true, path: "spec", prefix: "rep", word: "replicas", colon: true},
		{name: "flow mapping key", src: "spec:\n  selector: {matchLabels: {app: x}, ‸}\n", ok: true, path: "spec.selector", present: []string{"matchLabels"}},
		{name: "flow mapping value", src: "spec:\n  ports: [{protocol: T‸}]\n", ok: true, path: "spec.ports[].protocol", value: true, prefix: "T", word: "T"},
		{name: "flow across lines", src: "spec:\n  selector: {\n    matchLabels: {},\n    ‸\n  }\n", ok: true, path: "spec.selector", present: []string{"matchLabels"}},
		{name: "flow closed", src: "spec: {a: b} ‸\n", ok: false},
		{name: "json key", src: "{\n  \"apiVersion\": \"v1\",\n  \"spec\": {\"rep‸\"}\n}", json: true, ok: true, path: "spec", prefix: "rep", word: "\"rep\""},
		{name: "json value", src: "{\"kind\": \"Dep‸", json: true, ok: true, path: "kind", value: true, prefix: "Dep", word: "\"Dep"},
		{name: "json keys present", src: "{\"a\": 1, ‸, \"b\": {\"c\": 2}, \"d\": 3}", json: true, ok: true, present: []string{"a", "b", "d"}},
		{name: "json after value", src: "{\"a\": 1 ‸}", json: true, ok: false},
		{name: "json array item", src: "{\"spec\": {\"containers\": [{\"name\": \"x\", \"ports\": [{\"protocol\": ‸}]}]}}", json: true, ok: true, path: "spec.containers[].ports[].protocol", value: true},
		{name: "word with spaces is not a key", src: "spec:\n  a b‸\n", ok: false},
		{name: "second document region", src: "a: 1\n---\nspec:\n  ‸", ok: true, path: "spec"},
		{name: "compact nested sequences", src: "a:\n- - ‸", ok: true, path: "a[][]"},
		{name: "CRLF line ends", src: "spec:\r\n  replicas: 1\r\n  se‸\r\n  paused: true\r\n", ok: true, path: "spec", prefix: "se", word: "se", present: []string{"replicas", "paused"}},
		{name: "flow left unclosed while typing", src: "spec:\n  selector: {matchLabels:\n  replicas: 1\n  ‸", ok: true, path: "spec", present: []string{"selector", "replicas"}},
		{name: "flow closed on a later line", src: "spec:\n  selector: {\n    a: b\n  }\n  ‸", ok: true, path: "spec", present: []string{"selector"}},
		{name: "scalar list item", src: "args:\n  - a\n  - ‸", ok: true, path: "args[]"},
		{name: "value after a list item's dash", src: "args:\n  - ab‸", ok: true, path: "args[]", prefix: "ab", word: "ab"},
		{name: "quoted keys", src: "\"spec\":\n  'replicas': 1\n  ‸", ok: true, path: "spec", present: []string{"replicas"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, off := mark(t, tt.src)
			start := 0
			if i := strings.LastIndex(string(src[:off]), "---\n"); i >= 0 {
				start = i + 4
			}
			c := Analyze(src, start, len(src), off, tt.json)
			if c.OK != tt.ok {
				t.Fatalf("OK = %v, want %v (%+v)", c.OK, tt.ok, c)
			}
			if !c.OK {
				return
			}
			if got := PathString(c.Path); got != tt.path {
				t.Errorf("path = %q, want %q", got, tt.path)
			}
			if c.Value != tt.value {
				t.Errorf("value = %v, want %v", c.Value, tt.value)
			}
			if c.Prefix != tt.prefix {
				t.Errorf("prefix = %q, want %q", c.Prefix, tt.prefix)
			}
			if !slices.Equal(c.Present, tt.present) {
				t.Errorf("present = %q, want %q", c.Present, tt.present)
			}
			if got := string(src[c.Start:c.End]); got != tt.word {
				t.Errorf("word = %q, want %q", got, tt.word)
			}
			if c.ColonFollows != tt.colon {
				t.Errorf("colon follows = %v, want %v", c.ColonFollows, tt.colon)
			}
			if c.Empty != tt.empty {
				t.Errorf("empty = %v, want %v", c.Empty, tt.empty)
			}
		})
	}
}

func TestLocate(t *testing.T) {
	// The document does not parse (a tab, an unclosed quote); Locate reads it by lines.
	src := "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: x\n        image: \"nginx\n\tbad: [\n"
	tests := []struct {
		at    string // text the cursor is put inside (its second byte)
		path  string
		value bool
		text  string
	}{
		{"kind:", "kind", false, "kind"},
		{"Deployment", "kind", true, "Deployment"},
		{"name: x", "spec.template.spec.containers[].name", false, "name"},
		{"image", "spec.template.spec.containers[].image", false, "image"},
	}
	for _, tt := range tests {
		off := strings.Index(src, tt.at) + 1
		path, s, e, value, ok := Locate([]byte(src), 0, len(src), off)
		if !ok {
			t.Errorf("%s: nothing located", tt.at)
			continue
		}
		if got := PathString(path); got != tt.path || value != tt.value || src[s:e] != tt.text {
			t.Errorf("%s: got %s value=%v %q, want %s value=%v %q", tt.at, got, value, src[s:e], tt.path, tt.value, tt.text)
		}
	}
	if _, _, _, _, ok := Locate([]byte(src), 0, len(src), strings.Index(src, "spec:")+7); ok {
		t.Errorf("located something after a key without value")
	}
}

func TestRootScalar(t *testing.T) {
	tests := []struct {
		src  string
		json bool
		key  string
		want string
	}{
		{"apiVersion: apps/v1 # c\nkind: 'Deployment'\nspec:\n  kind: x\n", false, "kind", "Deployment"},
		{"spec:\n  kind: x\n", false, "kind", ""},
		{"{\"spec\": {\"kind\": \"x\"}, \"kind\": \"Pod\", \"apiVersion\": \"v1\"}", true, "kind", "Pod"},
		{"{apiVersion: v1, kind: Service}", false, "kind", "Service"},
		{"{\"kind\": \"Po", true, "kind", ""},
	}
	for _, tt := range tests {
		if got := RootScalar([]byte(tt.src), 0, len(tt.src), tt.json, tt.key); got != tt.want {
			t.Errorf("RootScalar(%q, %s) = %q, want %q", tt.src, tt.key, got, tt.want)
		}
	}
}

// TestAnalyzeNeverPanics runs Analyze at every offset of assorted, often broken, texts.
func TestAnalyzeNeverPanics(t *testing.T) {
	texts := []string{
		"apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: x\n        args: [\"a\", 'b''c', {d: e}]\n        env:\n          - {name: A, value: \"\\\"\"}\n",
		"a: |\n  text\n  more\nb: >-\n  x\n- c\n  - : d\n\t\"e: [\n{",
		"{\"a\": [1, 2, {\"b\": \"c\\\"\"}], \"d\": {\"e\": ",
		"---\n--- |\n\r\n- - - a\r\n  b: c\r\n",
		"'unterminated\n\"also\n[{]}:,#",
	}
	for _, s := range texts {
		for _, json := range []bool{false, true} {
			for off := 0; off <= len(s); off++ {
				Analyze([]byte(s), 0, len(s), off, json)
				Locate([]byte(s), 0, len(s), off)
			}
			RootScalar([]byte(s), 0, len(s), json, "a")
		}
	}
}

// PathString prints a path as "spec.containers[].name".
func PathString(p []Step) string {
	var b strings.Builder
	for i, s := range p {
		if s.Item {
			b.WriteString("[]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.Key)
	}
	return b.String()
}
