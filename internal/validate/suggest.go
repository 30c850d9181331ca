package validate

import (
	"slices"
	"strings"

	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// suggest returns the candidate closest to name by edit distance (case-insensitive), if it
// is close enough to be a likely misspelling: at most one edit for short names, two for
// longer ones.
func suggest(name string, candidates []string) string {
	best, bestDist := "", 1<<30
	lower := strings.ToLower(name)
	for _, c := range candidates {
		d := EditDistance(lower, strings.ToLower(c))
		if d < bestDist {
			best, bestDist = c, d
		}
	}
	limit := 1
	if len(name) > 5 {
		limit = 2
	}
	if len(name) > 12 {
		limit = 3
	}
	if bestDist <= limit {
		return best
	}
	return ""
}

// EditDistance is the optimal string alignment distance (Levenshtein with adjacent
// transpositions) over bytes, used for did-you-mean suggestions and quick fixes.
func EditDistance(a, b string) int {
	if a == b {
		return 0
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// suggestKind finds the served kind that a kind the source does not serve is most likely
// meant to be: one equal to it but for case, whose resource or short name it is
// (deployments, deploy), or within a small edit distance (one edit for names of up to five
// characters, two beyond). Kinds of the same group-version come first, then of the same
// group, then (unless sameGroup) of any group, each served in its preferred version. Two
// different kinds equally close is no answer.
func suggestKind(src schema.Source, gvk schema.GVK, sameGroup bool) (schema.GVK, bool) {
	want := strings.ToLower(gvk.Kind)
	limit := 1
	if len(want) > 5 {
		limit = 2
	}
	const none = 3
	bestTier, bestDist, best, tie := none, limit+1, "", false
	for _, k := range src.Kinds() {
		tier := 2
		switch {
		case k.GVK.Group != gvk.Group:
			if sameGroup {
				continue
			}
		case k.GVK.Version == gvk.Version:
			tier = 0
		default:
			tier = 1
		}
		if tier > bestTier {
			continue
		}
		d := kindDistance(want, k, limit)
		switch {
		case d > limit:
		case tier < bestTier || d < bestDist:
			bestTier, bestDist, best, tie = tier, d, k.GVK.Kind, false
		case d == bestDist && k.GVK.Kind != best:
			tie = true
		}
	}
	if bestTier == none || tie {
		return schema.GVK{}, false
	}
	if bestTier == 0 {
		return schema.GVK{Group: gvk.Group, Version: gvk.Version, Kind: best}, true
	}
	for _, s := range schema.ServedVersions(src, best) {
		if bestTier == 2 || s.Group == gvk.Group {
			return s, true
		}
	}
	return schema.GVK{}, false
}

// kindDistance is how far a lowercase name is from a served kind, more than limit when
// they are not close.
func kindDistance(name string, k schema.KindInfo, limit int) int {
	if name == k.Resource || slices.Contains(k.ShortNames, name) {
		return 0
	}
	if n := len(k.GVK.Kind) - len(name); n > limit || -n > limit {
		return limit + 1
	}
	return EditDistance(name, strings.ToLower(k.GVK.Kind))
}
