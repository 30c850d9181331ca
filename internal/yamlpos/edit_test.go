package yamlpos

import "testing"

// One quoting rule for every string the editor features write: the quotes already there,
// JSON's, or plain unless YAML would read the text as something else.
func TestQuote(t *testing.T) {
	tests := []struct {
		v     string
		quote byte
		json  bool
		want  string
	}{
		{"web", 0, false, "web"},
		{"web", 0, true, `"web"`},
		{"web", '"', false, `"web"`},
		{"it's", '\'', false, `'it''s'`},
		{"it's", '\'', true, `'it''s'`},
		{`a"b`, '"', false, `"a\"b"`},
		{"1.10", 0, false, `"1.10"`},
		{"true", 0, false, `"true"`},
		{"null", 0, false, `"null"`},
		{"", 0, false, `""`},
		{"-x", 0, false, `"-x"`},
		{"a: b", 0, false, `"a: b"`},
		{"a #b", 0, false, `"a #b"`},
		{" a", 0, false, `" a"`},
		{"a:b", 0, false, "a:b"},
	}
	for _, tt := range tests {
		if got := Quote(tt.v, tt.quote, tt.json); got != tt.want {
			t.Errorf("Quote(%q, %q, %v) = %s, want %s", tt.v, tt.quote, tt.json, got, tt.want)
		}
	}
}

// The renderer writes nested values in block style under a key, and in flow style.
func TestRenderer(t *testing.T) {
	v := StringValue("").Ensure(Path{{Key: "spec"}, {Key: "containers"}}, Value{Kind: ArrayValue, Items: []Value{
		{Kind: ObjectValue, Fields: []Field{{"name", StringValue("")}, {"image", StringValue("nginx")}}},
	}})
	v = v.Ensure(Path{{Key: "spec"}, {Key: "replicas"}}, LiteralValue("1"))
	tests := []struct {
		rd         Renderer
		block, flw string
	}{
		{Renderer{EOL: "\n"}, "\n  spec:\n    containers:\n      - name: \"\"\n        image: nginx\n    replicas: 1",
			`{spec: {containers: [{name: "", image: nginx}], replicas: 1}}`},
		{Renderer{EOL: "\r\n", JSON: true}, "\r\n  \"spec\":\r\n    \"containers\":\r\n      - \"name\": \"\"\r\n        \"image\": \"nginx\"\r\n    \"replicas\": 1",
			`{"spec": {"containers": [{"name": "", "image": "nginx"}], "replicas": 1}}`},
	}
	for _, tt := range tests {
		if got := tt.rd.Block(v, 0); got != tt.block {
			t.Errorf("Block = %q, want %q", got, tt.block)
		}
		if got := tt.rd.Flow(v); got != tt.flw {
			t.Errorf("Flow = %q, want %q", got, tt.flw)
		}
	}
}
