// Package yamlpos parses multi-document YAML and JSON manifests into nodes that keep their
// positions, and owns every conversion between byte offsets, lines and columns.
//
// Invariants: offsets are byte offsets into the file's original bytes (a leading BOM
// included); lines are 0-based; columns are counted in UTF-16 code units (the unit LSP
// uses) or, for people, in characters. Nothing outside this package does arithmetic on
// positions.
package yamlpos

import (
	"bytes"
	"fmt"
	"sort"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// Position is a 0-based line and a 0-based column in UTF-16 code units.
type Position struct {
	Line int
	Col  int
}

// Range is a half-open byte range [Start, End) in a file.
type Range struct {
	Start, End int
}

// Mapper converts between byte offsets and line/column positions of one text.
// Line breaks are "\n", "\r\n" and a lone "\r", as in LSP.
//
// The index of line starts is built on first use, once, from any goroutine: a batch
// run's large input often needs no position at all (no findings), and building the
// index of a few megabytes costs milliseconds on the path that reads the input.
type Mapper struct {
	src   []byte
	once  sync.Once
	lines []int // byte offset of the start of each line; read through starts
}

// NewMapper returns the mapper of src; it indexes src's line starts when first asked.
func NewMapper(src []byte) *Mapper { return &Mapper{src: src} }

// indexedMapper is the mapper of src with its line starts already known.
func indexedMapper(src []byte, lines []int) *Mapper {
	m := &Mapper{src: src, lines: lines}
	m.once.Do(func() {})
	return m
}

// starts is the byte offset of the start of each line.
func (m *Mapper) starts() []int {
	m.once.Do(func() { m.lines = lineStarts(m.src) })
	return m.lines
}

// lineStarts indexes src's line starts.
func lineStarts(src []byte) []int {
	lines := make([]int, 1, 1+bytes.Count(src, []byte{'\n'}))
	if bytes.IndexByte(src, '\r') < 0 {
		// No carriage returns (the common case): let IndexByte find the line breaks.
		for i := 0; ; {
			j := bytes.IndexByte(src[i:], '\n')
			if j < 0 {
				break
			}
			i += j + 1
			lines = append(lines, i)
		}
		return lines
	}
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '\n':
			lines = append(lines, i+1)
		case '\r':
			if i+1 < len(src) && src[i+1] == '\n' {
				i++
			}
			lines = append(lines, i+1)
		}
	}
	return lines
}

// Src returns the text the mapper indexes.
func (m *Mapper) Src() []byte { return m.src }

// LineCount is the number of lines (an empty text has one).
func (m *Mapper) LineCount() int { return len(m.starts()) }

// LineStart is the byte offset where line (0-based) starts; clamped to the text.
func (m *Mapper) LineStart(line int) int {
	lines := m.starts()
	if line < 0 {
		return 0
	}
	if line >= len(lines) {
		return len(m.src)
	}
	return lines[line]
}

// LineEnd is the byte offset of the end of line's content, before its line break.
func (m *Mapper) LineEnd(line int) int {
	lines := m.starts()
	if line < 0 {
		return 0
	}
	if line+1 >= len(lines) {
		if line >= len(lines) {
			return len(m.src)
		}
		return len(m.src)
	}
	end := lines[line+1]
	if end > 0 && m.src[end-1] == '\n' {
		end--
	}
	if end > lines[line] && m.src[end-1] == '\r' {
		end--
	}
	return end
}

// OffsetLine is the 0-based line holding offset.
func (m *Mapper) OffsetLine(offset int) int {
	lines := m.starts()
	return sort.Search(len(lines), func(i int) bool { return lines[i] > offset }) - 1
}

// OffsetPosition converts a byte offset to a line and UTF-16 column. Offsets past the end
// are clamped; an offset inside a multi-byte character maps to that character's start.
func (m *Mapper) OffsetPosition(offset int) Position {
	lines := m.starts()
	offset = clamp(offset, 0, len(m.src))
	line := m.OffsetLine(offset)
	col := 0
	for i := lines[line]; i < offset; {
		r, size := utf8.DecodeRune(m.src[i:])
		if i+size > offset {
			break
		}
		if r >= 0x10000 {
			col += 2
		} else {
			col++
		}
		i += size
	}
	return Position{Line: line, Col: col}
}

// OffsetLineChar converts a byte offset to a 1-based line and 1-based character column,
// the form people and CLI output use.
func (m *Mapper) OffsetLineChar(offset int) (line, char int) {
	lines := m.starts()
	offset = clamp(offset, 0, len(m.src))
	l := m.OffsetLine(offset)
	return l + 1, utf8.RuneCount(m.src[lines[l]:offset]) + 1
}

// PositionOffset converts a line and UTF-16 column to a byte offset. A column past the end
// of the line maps to the line's end, as LSP asks; a line past the end is an error.
func (m *Mapper) PositionOffset(p Position) (int, error) {
	lines := m.starts()
	if p.Line < 0 || p.Col < 0 {
		return 0, fmt.Errorf("invalid position %d:%d", p.Line, p.Col)
	}
	if p.Line >= len(lines) {
		if p.Line == len(lines) && p.Col == 0 {
			return len(m.src), nil
		}
		return 0, fmt.Errorf("line %d is past the end of the document (%d lines)", p.Line+1, len(lines))
	}
	i, end := lines[p.Line], m.LineEnd(p.Line)
	for col := 0; i < end && col < p.Col; {
		r, size := utf8.DecodeRune(m.src[i:])
		col += utf16.RuneLen(r)
		if r == utf8.RuneError && size == 1 {
			col = col - utf16.RuneLen(r) + 1
		}
		i += size
	}
	return i, nil
}

// LineCharOffset converts a 1-based line and a 1-based character column (as YAML parsers
// report them, and as a relative line within the text) to a byte offset.
func (m *Mapper) LineCharOffset(line, char int) int {
	lines := m.starts()
	l := line - 1
	if l < 0 {
		return 0
	}
	if l >= len(lines) {
		return len(m.src)
	}
	i, end := lines[l], m.LineEnd(l)
	for c := 1; c < char && i < end; c++ {
		_, size := utf8.DecodeRune(m.src[i:])
		i += size
	}
	return i
}

// RangePositions converts a byte range to LSP start and end positions.
func (m *Mapper) RangePositions(r Range) (Position, Position) {
	return m.OffsetPosition(r.Start), m.OffsetPosition(r.End)
}

func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// Edit returns the mapper of src, a text that equals m's except that m's bytes
// [start, oldEnd) were replaced by src[start:newEnd]. The result equals NewMapper(src);
// it costs a scan of the replacement and a copy of the line index, not a scan of src.
func (m *Mapper) Edit(src []byte, start, oldEnd, newEnd int) *Mapper {
	old := m.starts()
	delta := newEnd - oldEnd
	// A line start L depends only on bytes L-1 and L: those before start keep their
	// offsets, those after oldEnd+1 move by delta, and the rest are found again.
	i := sort.Search(len(old), func(i int) bool { return old[i] >= start })
	j := sort.Search(len(old), func(j int) bool { return old[j] >= oldEnd+1 })
	lines := make([]int, 0, i+len(old)-j+bytes.Count(src[start:newEnd], []byte{'\n'})+2)
	lines = append(lines, old[:i]...)
	if len(lines) == 0 {
		lines = append(lines, 0)
	}
	for l := max(start, 1); l <= newEnd && l <= len(src); l++ {
		if c := src[l-1]; c == '\n' || c == '\r' && (l == len(src) || src[l] != '\n') {
			lines = append(lines, l)
		}
	}
	for _, l := range old[j:] {
		lines = append(lines, l+delta)
	}
	return indexedMapper(src, lines)
}
