package cli

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/version"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/kube"
)

// The JSON report is a contract scripts rely on: fields keep their meaning; new ones may be
// added. Lines and columns are 1-based; columns count characters.
type jsonPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

type jsonRange struct {
	Start jsonPos `json:"start"`
	End   jsonPos `json:"end"`
}

type jsonRelated struct {
	Message string    `json:"message"`
	Range   jsonRange `json:"range"`
	// File, when set, is the file the range is in, when it is not the document's (a
	// finding of a rendered kustomization that comes from the kustomization file).
	File string `json:"file,omitempty"`
}

type jsonFinding struct {
	Severity string        `json:"severity"`
	Code     string        `json:"code"`
	Field    string        `json:"field"`
	Message  string        `json:"message"`
	Range    jsonRange     `json:"range"`
	Related  []jsonRelated `json:"related,omitempty"`
	// File, when set, is the file the range is in, when it is not the document's (a
	// finding of a rendered kustomization that comes from the kustomization file).
	File string `json:"file,omitempty"`
}

// file is the file the finding is in.
func (f jsonFinding) file(d jsonDocument) string {
	if f.File != "" {
		return f.File
	}
	return d.File
}

type jsonDocument struct {
	File         string        `json:"file"`
	Index        int           `json:"index"`
	APIVersion   string        `json:"apiVersion"`
	Kind         string        `json:"kind"`
	Name         string        `json:"name"`
	Namespace    string        `json:"namespace"`
	Status       string        `json:"status"`
	Reason       string        `json:"reason"`
	SchemaSource string        `json:"schemaSource"`
	Findings     []jsonFinding `json:"findings"`
	Defines      []string      `json:"defines,omitempty"`
}

type jsonSummary struct {
	Documents int `json:"documents"`
	Valid     int `json:"valid"`
	Invalid   int `json:"invalid"`
	Skipped   int `json:"skipped"`
	// ByKind and ByCode, with --summary: the documents per kind ("" for documents
	// without one) and the findings per code.
	ByKind map[string]*kindCount `json:"byKind,omitempty"`
	ByCode map[string]int        `json:"byCode,omitempty"`
}

// kindCount is how the documents of one kind fared.
type kindCount struct {
	Documents int `json:"documents"`
	Valid     int `json:"valid"`
	Invalid   int `json:"invalid"`
	Skipped   int `json:"skipped"`
}

type report struct {
	Documents []jsonDocument `json:"documents"`
	Summary   jsonSummary    `json:"summary"`
}

func toRange(m *yamlpos.Mapper, r yamlpos.Range) jsonRange {
	sl, sc := m.OffsetLineChar(r.Start)
	el, ec := m.OffsetLineChar(r.End)
	return jsonRange{Start: jsonPos{sl, sc}, End: jsonPos{el, ec}}
}

func newReport(files []*yamlpos.File, results [][]validate.Result) *report {
	n := 0
	for _, rs := range results {
		n += len(rs)
	}
	rep := &report{Documents: make([]jsonDocument, 0, n)}
	for fi, f := range files {
		for _, r := range results[fi] {
			rep.add(r, f.Name, r.Doc.Index, func(rg yamlpos.Range) (string, jsonRange) { return "", toRange(f.Mapper, rg) })
		}
	}
	return rep
}

// newKustomizeReport reports the results of a rendered kustomization's objects at their
// sources: each object in the resource file it came from, each finding where its value
// comes from (engine.Kustomization.Locate).
func newKustomizeReport(k *engine.Kustomization, results []validate.Result) *report {
	rep := &report{Documents: make([]jsonDocument, 0, len(results))}
	for i, r := range results {
		src := k.Source(i)
		index := 0
		if d := k.SourceDocument(i); d != nil {
			index = d.Index
		}
		rep.add(r, src.File.Name, index, func(rg yamlpos.Range) (string, jsonRange) {
			loc := k.Locate(i, rg)
			name := loc.File.Name
			if name == src.File.Name {
				name = ""
			}
			return name, toRange(loc.File.Mapper, loc.Range)
		})
	}
	return rep
}

// add reports r as document index of file; locate converts a range of r's document
// into the file it is in ("" for file) and its lines and columns.
func (rep *report) add(r validate.Result, file string, index int, locate func(yamlpos.Range) (string, jsonRange)) {
	d := jsonDocument{
		File: file, Index: index, APIVersion: r.APIVersion, Kind: r.Kind, Name: r.Name,
		Namespace: r.Namespace, Status: string(r.Status), Reason: r.Reason, SchemaSource: r.SchemaSource,
		Findings: []jsonFinding{}, Defines: r.Defines,
	}
	for _, fd := range r.Findings {
		jf := jsonFinding{Severity: fd.Severity.String(), Code: fd.Code, Field: fd.Field, Message: fd.Message}
		jf.File, jf.Range = locate(fd.Range)
		for _, rel := range fd.Related {
			jr := jsonRelated{Message: rel.Message}
			jr.File, jr.Range = locate(rel.Range)
			jf.Related = append(jf.Related, jr)
		}
		d.Findings = append(d.Findings, jf)
	}
	rep.Documents = append(rep.Documents, d)
	rep.Summary.Documents++
	switch r.Status {
	case validate.Valid:
		rep.Summary.Valid++
	case validate.Invalid:
		rep.Summary.Invalid++
	default:
		rep.Summary.Skipped++
	}
}

// countKindsAndCodes fills the summary's counts per kind and per finding code.
func (rep *report) countKindsAndCodes() {
	rep.Summary.ByKind = map[string]*kindCount{}
	rep.Summary.ByCode = map[string]int{}
	for _, d := range rep.Documents {
		c := rep.Summary.ByKind[d.Kind]
		if c == nil {
			c = &kindCount{}
			rep.Summary.ByKind[d.Kind] = c
		}
		c.Documents++
		switch d.Status {
		case string(validate.Valid):
			c.Valid++
		case string(validate.Invalid):
			c.Invalid++
		default:
			c.Skipped++
		}
		for _, f := range d.Findings {
			rep.Summary.ByCode[f.Code]++
		}
	}
}

// writeSummaryTable prints the counts per kind and per code as two aligned tables,
// sorted by name; documents without a kind show as "(no kind)".
func (rep *report) writeSummaryTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tDOCUMENTS\tVALID\tINVALID\tSKIPPED")
	for _, k := range sortedKeys(rep.Summary.ByKind) {
		c, name := rep.Summary.ByKind[k], k
		if name == "" {
			name = "(no kind)"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\n", name, c.Documents, c.Valid, c.Invalid, c.Skipped)
	}
	if err := tw.Flush(); err != nil || len(rep.Summary.ByCode) == 0 {
		return err
	}
	fmt.Fprintln(tw, "\nCODE\tFINDINGS")
	for _, code := range sortedKeys(rep.Summary.ByCode) {
		fmt.Fprintf(tw, "%s\t%d\n", code, rep.Summary.ByCode[code])
	}
	return tw.Flush()
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

func (rep *report) summaryLine() string {
	s := rep.Summary
	noun := "documents"
	if s.Documents == 1 {
		noun = "document"
	}
	return fmt.Sprintf("%d %s: %d valid, %d invalid, %d skipped", s.Documents, noun, s.Valid, s.Invalid, s.Skipped)
}

func (rep *report) write(w io.Writer, format string, verbose bool) error {
	switch format {
	case "json":
		return rep.writeJSON(w)
	case "junit":
		return rep.writeJUnit(w)
	case "sarif":
		return rep.writeSARIF(w)
	case "github":
		return rep.writeGitHub(w)
	}
	return rep.writeText(w, verbose)
}

func (rep *report) writeText(w io.Writer, verbose bool) error {
	var b strings.Builder
	for _, d := range rep.Documents {
		if verbose {
			what := strings.TrimSpace(d.Kind + " " + d.Name)
			switch d.Status {
			case "skipped":
				fmt.Fprintf(&b, "%s: document %d: skipped: %s\n", d.File, d.Index, d.Reason)
			default:
				fmt.Fprintf(&b, "%s: document %d: %s %s (schema: %s)\n", d.File, d.Index, what, d.Status, d.SchemaSource)
			}
		}
		for _, f := range d.Findings {
			fmt.Fprintf(&b, "%s:%d:%d: %s: %s [%s]\n", f.file(d), f.Range.Start.Line, f.Range.Start.Column, f.Severity, f.Message, f.Code)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// GitHub Actions workflow commands annotate the changed lines of a pull request.
func (rep *report) writeGitHub(w io.Writer) error {
	var b strings.Builder
	for _, d := range rep.Documents {
		for _, f := range d.Findings {
			fmt.Fprintf(&b, "::%s file=%s,line=%d,col=%d,endLine=%d,endColumn=%d,title=%s::%s\n",
				f.Severity, ghProperty(f.file(d)), f.Range.Start.Line, f.Range.Start.Column, f.Range.End.Line, f.Range.End.Column,
				ghProperty("kubectl-lsp "+f.Code), ghData(f.Message))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

func (rep *report) writeJUnit(w io.Writer) error {
	out := junitSuites{Name: "kubectl-lsp validate"}
	byFile := map[string]*junitSuite{}
	var order []string
	for _, d := range rep.Documents {
		s := byFile[d.File]
		if s == nil {
			s = &junitSuite{Name: d.File}
			byFile[d.File] = s
			order = append(order, d.File)
		}
		name := fmt.Sprintf("document %d", d.Index)
		if d.Kind != "" {
			name += ": " + strings.TrimSpace(d.Kind+" "+d.Name)
		}
		c := junitCase{Name: name, Classname: d.File}
		switch d.Status {
		case "invalid":
			var lines []string
			first := ""
			for _, f := range d.Findings {
				if f.Severity != "error" {
					continue
				}
				if first == "" {
					first = f.Message
				}
				lines = append(lines, fmt.Sprintf("%s:%d:%d: %s [%s]", f.file(d), f.Range.Start.Line, f.Range.Start.Column, f.Message, f.Code))
			}
			c.Failure = &junitFailure{Message: first, Type: "invalid", Text: strings.Join(lines, "\n")}
			s.Failures++
			out.Failures++
		case "skipped":
			c.Skipped = &junitSkipped{Message: d.Reason}
			s.Skipped++
			out.Skipped++
		}
		s.Tests++
		out.Tests++
		s.Cases = append(s.Cases, c)
	}
	for _, f := range order {
		out.Suites = append(out.Suites, *byFile[f])
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// SARIF 2.1.0, for code scanning dashboards.
func (rep *report) writeSARIF(w io.Writer) error {
	type region struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn"`
		EndLine     int `json:"endLine"`
		EndColumn   int `json:"endColumn"`
	}
	type location struct {
		PhysicalLocation struct {
			ArtifactLocation struct {
				URI string `json:"uri"`
			} `json:"artifactLocation"`
			Region region `json:"region"`
		} `json:"physicalLocation"`
	}
	type message struct {
		Text string `json:"text"`
	}
	type result struct {
		RuleID    string     `json:"ruleId"`
		Level     string     `json:"level"`
		Message   message    `json:"message"`
		Locations []location `json:"locations"`
	}
	type rule struct {
		ID               string  `json:"id"`
		ShortDescription message `json:"shortDescription"`
	}
	results := []result{}
	codes := map[string]bool{}
	for _, d := range rep.Documents {
		for _, f := range d.Findings {
			var loc location
			loc.PhysicalLocation.ArtifactLocation.URI = sarifURI(f.file(d))
			loc.PhysicalLocation.Region = region{f.Range.Start.Line, f.Range.Start.Column, f.Range.End.Line, f.Range.End.Column}
			results = append(results, result{RuleID: f.Code, Level: f.Severity, Message: message{f.Message}, Locations: []location{loc}})
			codes[f.Code] = true
		}
	}
	rules := []rule{}
	for c := range codes {
		rules = append(rules, rule{ID: c, ShortDescription: message{codeDescriptions[c]}})
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	doc := map[string]any{
		"version": "2.1.0",
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"runs": []any{map[string]any{
			"tool": map[string]any{"driver": map[string]any{
				"name": "kubectl-lsp", "version": version.Version, "informationUri": "https://github.com/kubectl-lsp/kubectl-lsp", "rules": rules,
			}},
			"results": results,
			// Columns count Unicode code points, as in every other output.
			"columnKind": "unicodeCodePoints",
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// sarifURI is a file name as SARIF's artifactLocation.uri: a URI reference, so a
// relative name stays relative, with forward slashes and each segment percent-encoded
// (a space is %20), and an absolute one is a file URI.
func sarifURI(name string) string {
	segments := strings.Split(filepath.ToSlash(name), "/")
	for i, seg := range segments {
		segments[i] = url.PathEscape(seg)
	}
	ref := strings.Join(segments, "/")
	switch {
	case filepath.IsAbs(name):
		return "file://" + ref
	case strings.Contains(segments[0], ":"):
		return "./" + ref // "a:b.yaml" would read as a URI scheme
	}
	return ref
}

var codeDescriptions = map[string]string{
	validate.CodeSyntax:         "YAML or JSON syntax error",
	validate.CodeDuplicateKey:   "a key appears twice in one mapping",
	validate.CodeAliasLimit:     "aliases expand beyond the allowed size",
	validate.CodeUnknownKind:    "apiVersion/kind not served",
	validate.CodeNoSchema:       "no schema for the kind",
	validate.CodeUnknownField:   "field not declared in the schema",
	validate.CodeType:           "value of the wrong type",
	validate.CodeRequired:       "required field missing",
	validate.CodeEnum:           "value not among the supported values",
	validate.CodeFormat:         "value does not match the field's format",
	validate.CodeQuantity:       "malformed resource quantity",
	validate.CodeRange:          "number out of range",
	validate.CodeLength:         "string too long or too short",
	validate.CodePattern:        "string does not match the pattern",
	validate.CodeItems:          "too many or too few items",
	validate.CodeProperties:     "too many or too few properties",
	validate.CodeDuplicateItem:  "duplicate list item or list-map key",
	validate.CodeCEL:            "a CEL validation rule failed",
	validate.CodeSchemaCombiner: "value does not match allOf/anyOf/oneOf",
	validate.CodeName:           "invalid or missing object name",
	validate.CodeNamespace:      "invalid namespace",
	validate.CodeLabel:          "invalid label key or value",
	validate.CodeAnnotation:     "invalid annotation",
	validate.CodeCRD:            "invalid CustomResourceDefinition",
	validate.CodeOffByDefault:   "API version not served unless enabled",
	validate.CodeRejected:       "kind refused by --reject",
	validate.CodeNamespaceScope: "namespace set on a cluster-scoped kind (ignored)",
	kube.CodeServer:             "the apiserver rejected the object in a server-side dry-run",
}
