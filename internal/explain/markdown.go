package explain

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// markdown renders for editor hovers: the same content as the plaintext form, as
// Markdown without fixed wrapping. A field list gives each field's first sentence; the
// recursive tree is a nested list.
//
//	### Deployment.spec.strategy
//
//	**Type:** `DeploymentStrategy` · **Kind:** `Deployment` `apps/v1`
//
//	The deployment strategy to use to replace existing pods with new ones.
//
//	#### Fields
//
//	- `rollingUpdate` `RollingUpdateDeployment` — Rolling update config params.
//	- `type` `string` (`Recreate` | `RollingUpdate`) — Type of deployment.
type markdown struct {
	opts Options
	b    strings.Builder
}

func (m *markdown) render(tg *target) {
	gvk := tg.typ.GVK
	title := gvk.Kind
	if len(tg.path) > 0 {
		title += "." + strings.Join(tg.path, ".")
	}
	m.b.WriteString("### " + escapeMarkdown(title) + "\n\n")
	if name := tg.name(); name != "" {
		m.b.WriteString("**Type:** " + CodeSpan(typeName(tg.node)))
		if tg.required() {
			m.b.WriteString(" · **required**")
		}
		m.b.WriteString(" · **Kind:** " + CodeSpan(gvk.Kind) + " " + CodeSpan(gvk.APIVersion()) + "\n\n")
		if m.opts.ShowEnums {
			if values := enumValues(tg.node, tg.holder, name); len(values) > 0 {
				m.b.WriteString("**Enum:** " + codeList(values, ", ") + "\n\n")
			}
		}
	} else {
		m.b.WriteString("**Kind:** " + CodeSpan(gvk.Kind) + " · **Version:** " + CodeSpan(gvk.APIVersion()) + "\n\n")
	}

	for _, d := range descriptions(tg.node) {
		m.b.WriteString(escapeMarkdown(strings.TrimSpace(d)) + "\n\n")
	}

	var fields strings.Builder
	visitFields(tg.node, 0, m.opts.Recursive, m.opts.MaxDepth, func(name string, prop, holder *schema.Schema, level int) {
		fields.WriteString(strings.Repeat("  ", level) + "- " + CodeSpan(name) + " " + CodeSpan(typeName(prop)))
		if holder != nil && contains(holder.Required, name) {
			fields.WriteString(" **required**")
		}
		if m.opts.ShowEnums {
			if values := enumValues(prop, holder, name); len(values) > 0 {
				fields.WriteString(" (" + codeList(values, " | ") + ")")
			}
		}
		if !m.opts.Recursive {
			if s := firstSentence(ownDescription(prop)); s != "" {
				fields.WriteString(" — " + escapeMarkdown(s))
			}
		}
		fields.WriteString("\n")
	})
	if fields.Len() > 0 {
		m.b.WriteString("#### Fields\n\n" + fields.String())
	}
}

// CodeSpan is s as a Markdown code span, with a fence longer than any backtick run in s.
func CodeSpan(s string) string {
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

func codeList(values []string, sep string) string {
	spans := make([]string, len(values))
	for i, v := range values {
		spans[i] = CodeSpan(v)
	}
	return strings.Join(spans, sep)
}

// firstSentence is the first sentence of a description, on one line.
func firstSentence(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "\n"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	for i := 0; i+2 < len(s); i++ {
		if s[i] != '.' || s[i+1] != ' ' {
			continue
		}
		// A sentence ends at ". " before a capital letter or a link, unless the period ends an
		// abbreviation such as "e.g." or "i.e.".
		next, _ := utf8.DecodeRuneInString(s[i+2:])
		if !(unicode.IsUpper(next) || strings.HasPrefix(s[i+2:], "http")) || isAbbreviation(s[:i]) {
			continue
		}
		return s[:i+1]
	}
	return s
}

func isAbbreviation(before string) bool {
	word := before[strings.LastIndexByte(before, ' ')+1:]
	return strings.Contains(word, ".") || len(word) == 1
}

// escapeMarkdown escapes the characters of s that Markdown would read as markup, except
// inside code spans, which descriptions use on purpose. Lines lose their leading white
// space, which would make code blocks of them; a run of three or more backticks is
// escaped too, as it could open a fenced block (Quantity's description has one).
func escapeMarkdown(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimLeft(l, " \t")
	}
	s = strings.Join(lines, "\n")
	var b strings.Builder
	atLineStart := true
	for i := 0; i < len(s); {
		c := s[i]
		if c == '`' {
			n := 0
			for i+n < len(s) && s[i+n] == '`' {
				n++
			}
			if n < 3 {
				if end := closingBackticks(s[i+n:], n); end >= 0 {
					b.WriteString(s[i : i+n+end+n])
					i += n + end + n
					atLineStart = false
					continue
				}
			}
			b.WriteString(strings.Repeat("\\`", n))
			i += n
			atLineStart = false
			continue
		}
		switch c {
		case '\\', '*', '_', '<', '>', '[', ']':
			b.WriteByte('\\')
		case '#', '+', '=':
			if atLineStart {
				b.WriteByte('\\')
			}
		}
		b.WriteByte(c)
		atLineStart = c == '\n'
		i++
	}
	return b.String()
}

// closingBackticks finds the run of exactly n backticks that closes a code span opened
// just before s, within the paragraph, returning its offset or -1.
func closingBackticks(s string, n int) int {
	if p := strings.Index(s, "\n\n"); p >= 0 {
		s = s[:p]
	}
	for i := 0; i < len(s); {
		if s[i] != '`' {
			i++
			continue
		}
		run := 0
		for i+run < len(s) && s[i+run] == '`' {
			run++
		}
		if run == n {
			return i
		}
		i += run
	}
	return -1
}
