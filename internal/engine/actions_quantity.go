package engine

import (
	"fmt"
	"strings"

	"github.com/kubectl-lsp/kubectl-lsp/internal/lazyregexp"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// byteQuantity reads an amount written with a unit of bytes, as people write them and
// Kubernetes does not read them: 128MB, 1.5Gb, 2 GiB, 512kb, 100 bytes.
var byteQuantity = lazyregexp.New(`^([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+))\s*([kKmMgGtTpPeE]?)(i?)([bB](?:ytes?)?)?$`)

// quantityFixes rewrites a malformed quantity whose unit is a unit of bytes with the
// suffixes Kubernetes reads: the same amount first (MB is M, 10^6; MiB is Mi, 2^20), then,
// when the unit was decimal, the binary suffix, which is what memory sizes usually mean.
func (fx *fixer) quantityFixes(fd validate.Finding) []CodeAction {
	loc, ok := fx.locate(fd.Range)
	if !ok || loc.isKey || yamlpos.KindOf(loc.node) != yamlpos.String {
		return nil
	}
	quote := fx.quoteChar(loc.node, fd.Range)
	if quote == 0 && !fx.plain(loc.node, fd.Range) {
		return nil
	}
	old := loc.node.Value
	var out []CodeAction
	for i, v := range quantitySpellings(strings.TrimSpace(old)) {
		out = append(out, CodeAction{
			Title:     fmt.Sprintf("Change %q to %q%s", old, v.text, v.meaning),
			Edits:     []TextEdit{{Range: fd.Range, NewText: fx.scalarText(v.text, quote)}},
			Preferred: i == 0,
		})
	}
	return out
}

// spelling is a quantity as Kubernetes reads it, with what its suffix means.
type spelling struct{ text, meaning string }

// quantitySpellings lists the quantities v may be meant as, the same amount first.
func quantitySpellings(v string) []spelling {
	m := byteQuantity().FindStringSubmatch(v)
	if m == nil {
		return nil
	}
	num, prefix, binary, bytes := m[1], strings.ToUpper(m[2]), m[3] != "", m[4] != ""
	if prefix == "" {
		if binary || !bytes {
			return nil
		}
		return []spelling{{num, " (bytes)"}}
	}
	names := map[string][2]string{
		"K": {"kilobytes, 10^3", "kibibytes, 2^10"}, "M": {"megabytes, 10^6", "mebibytes, 2^20"},
		"G": {"gigabytes, 10^9", "gibibytes, 2^30"}, "T": {"terabytes, 10^12", "tebibytes, 2^40"},
		"P": {"petabytes, 10^15", "pebibytes, 2^50"}, "E": {"exabytes, 10^18", "exbibytes, 2^60"},
	}
	decimal := prefix
	if prefix == "K" {
		decimal = "k" // the decimal kilo is lower case
	}
	bin := spelling{num + prefix + "i", " (" + names[prefix][1] + ")"}
	if binary {
		return []spelling{bin}
	}
	if !bytes && m[2] == prefix && prefix != "K" {
		return nil // a valid suffix already: the number is what is wrong
	}
	return []spelling{{num + decimal, " (" + names[prefix][0] + ")"}, bin}
}
