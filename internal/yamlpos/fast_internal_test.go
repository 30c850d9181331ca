package yamlpos

import (
	"math/rand/v2"
	"testing"
)

// The scanners that read eight bytes at a time (of the fast parser, of JSON strings) find what a byte-by-byte loop finds: every
// byte value at every place of a word, behind every other byte value, and random texts.
func TestWordScanners(t *testing.T) {
	scanners := []struct {
		name  string
		fast  func(text []byte, i int) int
		stops func(c byte) bool
	}{
		{"nextSpecial", nextSpecial, func(c byte) bool { return c < 0x20 || c >= 0x7F }},
		{"indexColonHash", func(text []byte, i int) int { return indexColonHash(text, i, len(text)) },
			func(c byte) bool { return c == ':' || c == '#' }},
		{"skipSpaces", func(text []byte, i int) int { return skipSpaces(text, i, len(text)) },
			func(c byte) bool { return c != ' ' }},
		{"plainJSONRun", func(text []byte, i int) int { return plainJSONRun(string(text), i) },
			func(c byte) bool { return c < 0x20 || c == '"' || c == '\\' || c >= 0x80 }},
	}
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("a -:#\"'\\\t\r\n\x00\x7f\x80\xc3\xa9\xff")
	for _, s := range scanners {
		t.Run(s.name, func(t *testing.T) {
			naive := func(text []byte, i int) int {
				for i < len(text) && !s.stops(text[i]) {
					i++
				}
				return i
			}
			check := func(text []byte, from int) {
				t.Helper()
				if got, want := s.fast(text, from), naive(text, from); got != want {
					t.Fatalf("%s(%q, %d) = %d, want %d", s.name, text, from, got, want)
				}
			}
			for at := range 9 {
				for b := range 256 {
					for before := range 256 {
						text := []byte("abcdefghijklmnopq")
						if s.name == "skipSpaces" {
							text = []byte("                 ")
						}
						text[at] = byte(before)
						text[at+1] = byte(b)
						check(text, 0)
						check(text, at+1)
					}
				}
			}
			for range 20000 {
				text := make([]byte, r.IntN(40))
				for i := range text {
					text[i] = alphabet[r.IntN(len(alphabet))]
				}
				check(text, 0)
				if len(text) > 0 {
					check(text, r.IntN(len(text)))
				}
			}
		})
	}
}
