package yamlpos

import (
	"bytes"
	"sort"
)

// SplitFrom is Split(name, src) for a src that is an edited version of prev.Src. It
// rescans only the lines around the bytes that differ, so an edit of one document of a
// large file costs about that document (plus copies of the document and line lists).
//
// The first head documents of the result have the same text and offsets as prev's first
// head documents; its last tail documents have the same text as prev's last tail
// documents, shifted. Both are 0 when it split src from scratch. Documents are new and
// unparsed, as from Split.
func SplitFrom(prev *File, name string, src []byte) (f *File, head, tail int) {
	old := prev.Src
	p := commonPrefix(old, src)
	s := commonSuffix(old[p:], src[p:])
	oldEnd, newEnd := len(old)-s, len(src)-s
	if p == len(old) && p == len(src) && prev.Name == name {
		// Unchanged text: still new documents, bound to the new File.
		f = &File{Name: name, Src: src, Mapper: prev.Mapper.withSrc(src), JSON: prev.JSON}
		f.Docs = make([]*Document, len(prev.Docs))
		for i, d := range prev.Docs {
			f.Docs[i] = &Document{File: f, Index: i, Start: d.Start, End: d.End}
		}
		return f, len(f.Docs), 0
	}
	start := 0
	if bytes.HasPrefix(src, bom) {
		start = len(bom)
	}
	if p < len(bom) || prev.JSON || isJSONStream(src[start:]) {
		return Split(name, src), 0, 0
	}
	f = &File{Name: name, Src: src, Mapper: prev.Mapper.Edit(src, p, oldEnd, newEnd)}
	delta := newEnd - oldEnd

	// a: the start of the line holding the first changed byte (lines end at "\n" here).
	a := max(bytes.LastIndexByte(src[:p], '\n')+1, start)
	// Documents ending before a end at separator lines that lie wholly before a: kept.
	k := sort.Search(len(prev.Docs), func(i int) bool { return prev.Docs[i].End >= a })
	docs := make([]*Document, k, len(prev.Docs)+4)
	for i, d := range prev.Docs[:k] {
		docs[i] = &Document{File: f, Index: i, Start: d.Start, End: d.End}
	}
	from := start
	if k > 0 {
		from = prev.Docs[k-1].End // its separator line: rescanning it restores the state
	}
	// b: the first line start after the last changed byte. Lines from b on are lines of
	// the old text too (shifted by delta), so from the first separator line at or after b
	// the old documents resume.
	b := len(src)
	if i := bytes.IndexByte(src[newEnd:], '\n'); i >= 0 {
		b = newEnd + i + 1
	}
	docs, q := scanYAML(f, from, from, b, docs)
	if q < 0 {
		f.Docs = docs
		return f, k, 0
	}
	qOld := q - delta
	j := sort.Search(len(prev.Docs), func(i int) bool { return prev.Docs[i].Start > qOld })
	for _, d := range prev.Docs[j:] {
		docs = append(docs, &Document{File: f, Index: len(docs), Start: d.Start + delta, End: d.End + delta})
	}
	f.Docs = docs
	return f, k, len(prev.Docs) - j
}

func (m *Mapper) withSrc(src []byte) *Mapper { return indexedMapper(src, m.starts()) }

// commonPrefix is the length of the longest common prefix of x and y.
func commonPrefix(x, y []byte) int {
	n := min(len(x), len(y))
	const chunk = 4096
	i := 0
	for i+chunk <= n && bytes.Equal(x[i:i+chunk], y[i:i+chunk]) {
		i += chunk
	}
	for i < n && x[i] == y[i] {
		i++
	}
	return i
}

// commonSuffix is the length of the longest common suffix of x and y.
func commonSuffix(x, y []byte) int {
	n := min(len(x), len(y))
	const chunk = 4096
	i := 0
	for i+chunk <= n && bytes.Equal(x[len(x)-i-chunk:len(x)-i], y[len(y)-i-chunk:len(y)-i]) {
		i += chunk
	}
	for i < n && x[len(x)-1-i] == y[len(y)-1-i] {
		i++
	}
	return i
}
