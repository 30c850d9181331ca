package explain

import (
	"encoding/json"
	"os"
	"slices"
	"sort"
	"testing"

	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

func TestZZEnums(t *testing.T) {
	if os.Getenv("DUMP_DIR") == "" {
		t.Skip()
	}
	for _, f := range []string{"get_--raw__openapi_v3_api_v1.txt", "get_--raw__openapi_v3_apis_apps_v1.txt", "get_--raw__openapi_v3_apis_batch_v1.txt", "get_--raw__openapi_v3_apis_networking.k8s.io_v1.txt"} {
		data, _ := os.ReadFile("/tmp/kx/" + f)
		var raw struct {
			Components struct {
				Schemas map[string]struct {
					Properties map[string]struct {
						Enum  []any `json:"enum"`
						Items *struct {
							Enum []any `json:"enum"`
						} `json:"items"`
					} `json:"properties"`
				} `json:"schemas"`
			} `json:"components"`
		}
		json.Unmarshal(data, &raw)
		doc, err := schema.CompileDocument(data)
		if err != nil {
			t.Fatal(err)
		}
		n, bad := 0, 0
		for dn, d := range raw.Components.Schemas {
			for pn, p := range d.Properties {
				var want []string
				for _, e := range p.Enum {
					want = append(want, e.(string))
				}
				cs := doc.Definitions[dn].T().Properties[pn]
				var got []string
				for n := cs; n != nil && (n == cs || n.Name == ""); n = n.Ref {
					if len(n.Enum) > 0 {
						got = n.Enum
						break
					}
				}
				sorted := slices.Clone(got)
				sort.Strings(sorted)
				if len(want) > 0 || len(got) > 0 {
					n++
				}
				if !slices.Equal(want, sorted) {
					bad++
					t.Logf("%s.%s served=%q table=%q", dn, pn, want, got)
				}
			}
		}
		t.Logf("%s: %d enum props, %d differ", f, n, bad)
	}
}
