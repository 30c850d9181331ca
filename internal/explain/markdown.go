package explain

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kubectl-lsp/kubectl-lsp/schema"
	"github.com/kubectl-lsp/kubectl-lsp/schema/enums"
)

// markdown renders for editor hovers: the content of the plaintext form, as Markdown
// without fixed wrapping, but for the descriptions of well-known types (typeSummaries)
// and the enum values, listed with their meanings. A field list gives each field's first
// sentence; the recursive tree is a nested list.
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
	var meanings []enumMeaning
	descs := describe(tg.node, func(n *schema.Schema) string {
		if summary, ok := typeSummaries[n.Name]; ok {
			return summary // already Markdown
		}
		d := n.Description
		if meanings == nil && m.opts.ShowEnums && tg.name() != "" {
			d, meanings = splitEnumDoc(d)
		}
		return escapeMarkdown(strings.TrimSpace(d))
	})
	if name := tg.name(); name != "" {
		m.b.WriteString("**Type:** " + CodeSpan(typeName(tg.node)))
		if tg.required() {
			m.b.WriteString(" · **required**")
		}
		m.b.WriteString(" · **Kind:** " + CodeSpan(gvk.Kind) + " " + CodeSpan(gvk.APIVersion()) + "\n\n")
		if m.opts.ShowEnums {
			if values := enumValues(tg.node, tg.holder, name); len(values) > 0 {
				m.b.WriteString(enumMarkdown(values, meanings))
			}
		}
	} else {
		m.b.WriteString("**Kind:** " + CodeSpan(gvk.Kind) + " · **Version:** " + CodeSpan(gvk.APIVersion()) + "\n\n")
	}

	for _, d := range descs {
		m.b.WriteString(d + "\n\n")
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

// typeSummaries replace the descriptions of the types whose documentation is written for
// Go programmers (Quantity's is a page-long grammar) by what a manifest's author needs,
// with a link to the full reference.
var typeSummaries = map[string]string{
	"io.k8s.apimachinery.pkg.api.resource.Quantity": "A quantity: a number with an optional suffix. " +
		"Binary suffixes `Ki` `Mi` `Gi` `Ti` `Pi` `Ei` (powers of 1024), decimal ones `m` (1/1000) `k` `M` `G` `T` `P` `E` (powers of 1000), " +
		"or an exponent: `128Mi`, `1.5G`, `500m`, `2`, `1e3`. " +
		"[Quantity in the Kubernetes API reference](https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/)",
	"io.k8s.apimachinery.pkg.util.intstr.IntOrString": "An integer or a string: a port's number or its name, " +
		"a count or a percentage (`8080`, `http`, `25%`). " +
		"[IntOrString in the API reference](https://pkg.go.dev/k8s.io/apimachinery/pkg/util/intstr#IntOrString)",
	"io.k8s.apimachinery.pkg.apis.meta.v1.Time": "A time in RFC 3339 form, to the second: `2024-05-01T12:30:00Z`. " +
		"[Time in the API reference](https://pkg.go.dev/k8s.io/apimachinery/pkg/apis/meta/v1#Time)",
	"io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": "A time in RFC 3339 form, to the microsecond: `2024-05-01T12:30:00.000000Z`. " +
		"[MicroTime in the API reference](https://pkg.go.dev/k8s.io/apimachinery/pkg/apis/meta/v1#MicroTime)",
	"io.k8s.apimachinery.pkg.apis.meta.v1.Duration": "A duration as Go writes it: `30s`, `1m30s`, `2h`, `500ms`. " +
		"[Duration in the API reference](https://pkg.go.dev/k8s.io/apimachinery/pkg/apis/meta/v1#Duration)",
}

// enumMeaning is a value of an enum and what it means, from the "Possible enum values"
// paragraph of a description.
type enumMeaning struct{ value, meaning string }

// splitEnumDoc takes the "Possible enum values:" paragraph out of a description: its
// lines `- "X" means ...` (the value quoted, in a code span or not), parsed. The
// description is returned whole, and no meanings, when a line does not read so.
func splitEnumDoc(desc string) (string, []enumMeaning) {
	at := strings.Index(desc, enums.DocHeader)
	if at < 0 {
		return desc, nil
	}
	body := desc[at+len(enums.DocHeader):]
	rest := ""
	if end := strings.Index(body, "\n\n"); end >= 0 {
		body, rest = body[:end], body[end:]
	}
	var out []enumMeaning
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		line = strings.TrimSpace(line)
		item, ok := strings.CutPrefix(line, "- ")
		if !ok {
			return desc, nil
		}
		fence := strings.HasPrefix(item, "`")
		item = strings.TrimPrefix(item, "`")
		q, err := strconv.QuotedPrefix(item)
		if err != nil {
			return desc, nil
		}
		v, _ := strconv.Unquote(q)
		item = item[len(q):]
		if fence {
			if item, ok = strings.CutPrefix(item, "`"); !ok {
				return desc, nil
			}
		}
		out = append(out, enumMeaning{v, strings.TrimSpace(item)})
	}
	return strings.TrimSpace(desc[:at]) + rest, out
}

// enumMarkdown is the enum line of a field: its values with their meanings, a list, when
// the description gives them, else the values in a row.
func enumMarkdown(values []string, meanings []enumMeaning) string {
	if len(meanings) == 0 {
		return "**Enum:** " + codeList(values, ", ") + "\n\n"
	}
	var b strings.Builder
	b.WriteString("**Enum:**\n\n")
	listed := map[string]bool{}
	for _, em := range meanings {
		listed[em.value] = true
		b.WriteString("- " + enumCode(em.value))
		if em.meaning != "" {
			b.WriteString(" " + escapeMarkdown(em.meaning))
		}
		b.WriteString("\n")
	}
	for _, v := range values {
		if v == `""` {
			v = ""
		}
		if !listed[v] {
			b.WriteString("- " + enumCode(v) + "\n")
		}
	}
	return b.String() + "\n"
}

// enumCode is an enum value as a code span, `""` for the empty string.
func enumCode(v string) string {
	if v == "" {
		return "`\"\"`"
	}
	return CodeSpan(v)
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
