package explain

import (
	"strings"
	"unicode"

	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// Column limits of kubectl explain: descriptions under DESCRIPTION wrap at 76, a field's
// at 78 minus its indentation.
const (
	descriptionWidth = 76
	fieldWidth       = 78
	// enumLimit is how many values a field list shows before ", ....".
	enumLimit = 4
)

// plaintext renders kubectl explain's layout. It builds the text as kubectl's template
// does, white space included; Render then trims the line ends.
type plaintext struct {
	opts Options
	b    strings.Builder
}

func (p *plaintext) render(tg *target) {
	gvk := tg.typ.GVK
	if gvk.Group != "" {
		p.b.WriteString("GROUP:      " + gvk.Group + "\n")
	}
	p.b.WriteString("KIND:       " + gvk.Kind + "\n")
	p.b.WriteString("VERSION:    " + gvk.Version + "\n\n")

	if name := tg.name(); name != "" {
		p.b.WriteString("FIELD: " + name + " <" + typeName(tg.node) + ">\n")
		if p.opts.ShowEnums {
			if values := enumValues(tg.node, tg.holder, name); len(values) > 0 {
				p.b.WriteString("ENUM:")
				for _, v := range values {
					p.b.WriteString("\n    " + v)
				}
			}
		}
		p.b.WriteString("\n\n")
	}

	p.b.WriteString("DESCRIPTION:\n")
	desc := "<empty>"
	if ds := descriptions(tg.node); len(ds) > 0 {
		desc = strings.Join(ds, "\n") + "\n"
	}
	p.b.WriteString(indent(wrap(desc, descriptionWidth), 4) + "\n")

	var fields strings.Builder
	visitFields(tg.node, 1, p.opts.Recursive, p.opts.MaxDepth, func(name string, prop, holder *schema.Schema, level int) {
		p.field(&fields, name, prop, holder, level)
	})
	if fields.Len() > 0 {
		p.b.WriteString("FIELDS:\n")
		p.b.WriteString(fields.String())
	}
	p.b.WriteString("\n")
}

// field writes one entry of a field list: `name\t<Type>`, -required-, the enum line and,
// unless recursive, the wrapped description and a blank line.
func (p *plaintext) field(b *strings.Builder, name string, prop, holder *schema.Schema, level int) {
	pad := 2 * level
	b.WriteString(strings.Repeat(" ", pad) + name + "\t<" + typeName(prop) + ">")
	if holder != nil && contains(holder.Required, name) {
		b.WriteString(" -required-")
	}
	if p.opts.ShowEnums {
		if values := enumValues(prop, holder, name); len(values) > 0 {
			b.WriteString("\n" + strings.Repeat(" ", pad) + "enum: ")
			for i, v := range values {
				if i == enumLimit {
					b.WriteString(", ....")
					break
				}
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(v)
			}
		}
	}
	b.WriteString("\n")
	if p.opts.Recursive {
		return
	}
	desc := ownDescription(prop)
	if desc == "" {
		desc = "<no description>"
	}
	b.WriteString(indent(wrap(desc, fieldWidth-pad), pad+2) + "\n\n")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// indent puts n spaces before every line of s, including an empty last one.
func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
}

// wrap breaks s into lines of at most limit characters at white space, the way kubectl
// explain wraps descriptions: greedily, keeping line breaks already in s, dropping the
// white space where it breaks a line, and never splitting a word (a word longer than the
// limit gets a line of its own).
func wrap(s string, limit int) string {
	if limit <= 0 {
		return s
	}
	var out strings.Builder
	out.Grow(len(s) + len(s)/limit + 1)
	var word, space []rune
	col := 0 // characters already on the current output line
	emit := func() {
		out.WriteString(string(space))
		out.WriteString(string(word))
		col += len(space) + len(word)
		space, word = space[:0], word[:0]
	}
	for _, r := range s {
		switch {
		case r == '\n':
			if len(word) == 0 && col+len(space) > limit {
				space = space[:0] // trailing white space that does not fit
			}
			emit()
			out.WriteByte('\n')
			col = 0
		case unicode.IsSpace(r) && r != '\u00a0':
			if len(space) == 0 || len(word) > 0 {
				emit()
			}
			space = append(space, r)
		default:
			word = append(word, r)
			if col+len(space)+len(word) > limit && len(word) < limit {
				// The word does not fit: it starts the next line, without the space before it.
				out.WriteByte('\n')
				col = 0
				space = space[:0]
			}
		}
	}
	if len(word) == 0 && col+len(space) > limit {
		space = space[:0]
	}
	emit()
	return out.String()
}
