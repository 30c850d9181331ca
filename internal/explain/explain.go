// Package explain renders the documentation of a kind or of one of its fields, as
// `kubectl explain` (v2, OpenAPI v3) prints it, from compiled schemas: the CLI's
// `kubectl-lsp explain` prints the plaintext form, the language server's hover the
// markdown form.
//
// The plaintext form follows kubectl 1.37's template line for line: the GROUP/KIND/VERSION
// header, the FIELD line of a field, DESCRIPTION (every description along the field's
// references, word-wrapped at 76 columns and indented by 4), FIELDS with `name\t<Type>`,
// -required- and enum lines, or with --recursive the nested field tree. Two deliberate
// differences: no line ends in white space (kubectl indents empty lines), and an unknown
// field is an error before anything is printed, naming the first field that does not
// exist (kubectl prints the header first and names the last element of the path).
//
// Enums: the OpenAPI a kube-apiserver serves lists the values of enum-typed fields
// (`enum: A, B`) and appends a "Possible enum values" paragraph to their descriptions;
// the documents embedded in kubectl-lsp have neither, and both come from the built-in
// enum table instead (values sorted, as the apiserver publishes them). With
// Options.ShowEnums the enum lines are printed; the markdown form then lists each value
// with its meaning from that paragraph, which it takes out of the description.
//
// The markdown form replaces the descriptions of Quantity, IntOrString, Time, MicroTime
// and Duration, written for Go programmers, by a short summary with a link.
package explain

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// Format is an output format.
type Format string

// Output formats.
const (
	// Plaintext is kubectl explain's layout, for terminals.
	Plaintext Format = "plaintext"
	// Markdown is for editor hovers: headings and code spans, no fixed wrapping.
	Markdown Format = "markdown"
)

// Options control rendering. The zero value renders plaintext without recursion and
// without enum lines.
type Options struct {
	// Recursive prints the tree of nested fields (names and types only) instead of the
	// fields with their descriptions.
	Recursive bool
	// MaxDepth caps the levels of nested fields Recursive prints; 0 means no limit.
	MaxDepth int
	// Format is Plaintext (also when empty) or Markdown.
	Format Format
	// ShowEnums prints the allowed values of enum fields (kubectl's `enum:` and `ENUM:`
	// lines). The CLI and hovers turn it on.
	ShowEnums bool
}

// ResourceNotFoundError reports a resource name that no source serves.
type ResourceNotFoundError struct {
	Name string
}

func (e *ResourceNotFoundError) Error() string {
	return fmt.Sprintf("the server doesn't have a resource type %q", e.Name)
}

// FieldNotFoundError reports a field path element that the schema does not have.
type FieldNotFoundError struct {
	// Field is the first element of the path that does not exist.
	Field string
	// Path is the whole field path asked for.
	Path []string
}

func (e *FieldNotFoundError) Error() string {
	return fmt.Sprintf("field %q does not exist", e.Field)
}

// Render writes the explanation of t, or of the field at path below it (field names;
// lists and maps are stepped through, as kubectl does), to w.
func Render(w io.Writer, t *schema.Type, path []string, opts Options) error {
	if t == nil || t.Schema == nil {
		return fmt.Errorf("explain: no schema to render")
	}
	if opts.MaxDepth < 0 {
		return fmt.Errorf("explain: negative MaxDepth %d", opts.MaxDepth)
	}
	tg, err := locate(t, path)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	switch opts.Format {
	case "", Plaintext:
		p := &plaintext{opts: opts}
		p.render(tg)
		buf.WriteString(trimLineEnds(p.b.String()))
	case Markdown:
		m := &markdown{opts: opts}
		m.render(tg)
		buf.WriteString(m.b.String())
	default:
		return fmt.Errorf("unknown output format %q: use plaintext or markdown", opts.Format)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// trimLineEnds removes the white space at the end of every line.
func trimLineEnds(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(lines, "\n")
}
