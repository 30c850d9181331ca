package validate

import "strings"

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
