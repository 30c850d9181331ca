package explain

import "testing"

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		in    string
		limit int
		want  string
	}{
		{"aaa bbb ccc", 7, "aaa bbb\nccc"},
		{"aaa bbb ccc", 11, "aaa bbb ccc"},
		{"aaa bbb ccc", 10, "aaa bbb\nccc"},
		// A word longer than the limit gets a line of its own, unbroken.
		{"a verylongword b", 5, "a\nverylongword\nb"},
		// Line breaks are kept; white space before one stays if it fits.
		{"ab   \ncd", 10, "ab   \ncd"},
		{"ab   \ncd", 3, "ab\ncd"},
		{"one\n\ntwo\n", 76, "one\n\ntwo\n"},
		// Several spaces between words are kept unless the line breaks there.
		{"a  b  c", 4, "a  b\nc"},
		// A tab counts as one column, a multi-byte character as one.
		{"\tx y", 3, "\tx\ny"},
		{"ééé ééé", 3, "ééé\nééé"},
		// No-break spaces do not break.
		{"a\u00a0b c", 3, "a\u00a0b\nc"},
		{"", 10, ""},
		{"abc def", 0, "abc def"},
	} {
		if got := wrap(tc.in, tc.limit); got != tc.want {
			t.Errorf("wrap(%q, %d) = %q, want %q", tc.in, tc.limit, got, tc.want)
		}
	}
}

func TestIndent(t *testing.T) {
	if got, want := indent("a\nb\n", 2), "  a\n  b\n  "; got != want {
		t.Errorf("indent = %q, want %q", got, want)
	}
}

func TestFirstSentence(t *testing.T) {
	for in, want := range map[string]string{
		"Standard object's metadata. More info: https://x": "Standard object's metadata.",
		"Spec defines a service. https://git.k8s.io/x":     "Spec defines a service.",
		"Use e.g. Foo or i.e. Bar here. Next.":             "Use e.g. Foo or i.e. Bar here.",
		"First line\nsecond line":                          "First line",
		"no period at all":                                 "no period at all",
		"Ends with a period.":                              "Ends with a period.",
		"Lowercase after. continues":                       "Lowercase after. continues",
	} {
		if got := firstSentence(in); got != want {
			t.Errorf("firstSentence(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEscapeMarkdown(t *testing.T) {
	for in, want := range map[string]string{
		"IANA_SVC_NAME":                      `IANA\_SVC\_NAME`,
		"a *b* <c> [d]":                      `a \*b\* \<c\> \[d\]`,
		"keep `code_span` and `a*b`":         "keep `code_span` and `a*b`",
		"one ` backtick":                     "one \\` backtick",
		"``` fence\n\nnot closed ```":        "\\`\\`\\` fence\n\nnot closed \\`\\`\\`",
		"`open\n\nclosed` later":             "\\`open\n\nclosed\\` later",
		"# heading\n  \tindented\n+ plus":    "\\# heading\nindented\n\\+ plus",
		"a # b":                              "a # b",
		` - ` + "`\"Always\"`" + ` restarts`: "- `\"Always\"` restarts",
	} {
		if got := escapeMarkdown(in); got != want {
			t.Errorf("escapeMarkdown(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCode(t *testing.T) {
	for in, want := range map[string]string{"a": "`a`", "a`b": "``a`b``", "`a": "`` `a ``", `""`: "`\"\"`"} {
		if got := CodeSpan(in); got != want {
			t.Errorf("CodeSpan(%q) = %q, want %q", in, got, want)
		}
	}
}
