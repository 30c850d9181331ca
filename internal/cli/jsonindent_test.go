package cli

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestWriteIndentedJSONMatchesEncoder: the report's JSON is byte for byte what
// json.Encoder with SetIndent writes, on values with the punctuation of JSON inside
// strings, escapes, empty objects and arrays, and on random values.
func TestWriteIndentedJSONMatchesEncoder(t *testing.T) {
	values := []any{
		map[string]any{},
		[]any{},
		"plain",
		42,
		map[string]any{"a": `x"y\`, "b": []any{}, "c": map[string]any{}, "d": []any{map[string]any{}, []any{}},
			"e": "{[,:]}", "f": -1.5e3, "g": true, "h": nil, "i": "<&>", "j": "\u2028\x00\xff", "k": `\"`, "l": `\\`},
		[]any{[]any{[]any{1, 2}, []any{}}, map[string]any{"x": map[string]any{"y": "z"}}},
		report{Documents: []jsonDocument{{File: "a.yaml", Findings: []jsonFinding{{Message: `bad "value", {x}: [y]`}}}}},
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		values = append(values, randomJSONValue(r, 4))
	}
	for i, v := range values {
		var want, got bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		if err := writeIndentedJSON(&got, v, "  "); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Fatalf("value %d: got\n%s\nwant\n%s", i, got.String(), want.String())
		}
	}
}

// randomJSONValue is a random value of JSON's kinds, strings drawn from JSON's
// punctuation, escapes and multi-byte characters.
func randomJSONValue(r *rand.Rand, depth int) any {
	kind := r.IntN(6)
	if depth == 0 {
		kind = r.IntN(3)
	}
	switch kind {
	case 0:
		return randomJSONString(r)
	case 1:
		return r.NormFloat64() * 1e3
	case 2:
		return r.IntN(2) == 0
	case 3:
		m := map[string]any{}
		for range r.IntN(4) {
			m[randomJSONString(r)] = randomJSONValue(r, depth-1)
		}
		return m
	default:
		var l []any
		for range r.IntN(4) {
			l = append(l, randomJSONValue(r, depth-1))
		}
		return l
	}
}

func randomJSONString(r *rand.Rand) string {
	pieces := []string{"a", "{", "}", "[", "]", ",", ":", `"`, `\`, " ", "\n", "\t", "<", "é", "\u2028", "\x01"}
	var b strings.Builder
	for range r.IntN(8) {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

func BenchmarkWriteIndentedJSON(b *testing.B) {
	var docs []jsonDocument
	for range 5000 {
		docs = append(docs, jsonDocument{File: "corpus.yaml", APIVersion: "apps/v1", Kind: "Deployment", Name: "web", Status: "valid", Findings: []jsonFinding{}})
	}
	rep := report{Documents: docs}
	b.Run("encoder", func(b *testing.B) {
		for b.Loop() {
			enc := json.NewEncoder(&bytes.Buffer{})
			enc.SetIndent("", "  ")
			enc.Encode(rep)
		}
	})
	b.Run("ours", func(b *testing.B) {
		for b.Loop() {
			writeIndentedJSON(&bytes.Buffer{}, rep, "  ")
		}
	})
}
