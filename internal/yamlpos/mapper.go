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
type Mapper struct {
	src   []byte
	lines []int // byte offset of the start of each line
}

// NewMapper indexes src's line starts.
func NewMapper(src []byte) *Mapper {
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
		return &Mapper{src: src, lines: lines}
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
	return &Mapper{src: src, lines: lines}
}

// Src returns the text the mapper indexes.
func (m *Mapper) Src() []byte { return m.src }

// LineCount is the number of lines (an empty text has one).
func (m *Mapper) LineCount() int { return len(m.lines) }

// LineStart is the byte offset where line (0-based) starts; clamped to the text.
func (m *Mapper) LineStart(line int) int {
	if line < 0 {
		return 0
	}
	if line >= len(m.lines) {
		return len(m.src)
	}
	return m.lines[line]
}

// LineEnd is the byte offset of the end of line's content, before its line break.
func (m *Mapper) LineEnd(line int) int {
	if line < 0 {
		return 0
	}
	if line+1 >= len(m.lines) {
		if line >= len(m.lines) {
			return len(m.src)
		}
		return len(m.src)
	}
	end := m.lines[line+1]
	if end > 0 && m.src[end-1] == '\n' {
		end--
	}
	if end > m.lines[line] && m.src[end-1] == '\r' {
		end--
	}
	return end
}

// OffsetLine is the 0-based line holding offset.
func (m *Mapper) OffsetLine(offset int) int {
	return sort.Search(len(m.lines), func(i int) bool { return m.lines[i] > offset }) - 1
}

// OffsetPosition converts a byte offset to a line and UTF-16 column. Offsets past the end
// are clamped; an offset inside a multi-byte character maps to that character's start.
func (m *Mapper) OffsetPosition(offset int) Position {
	offset = clamp(offset, 0, len(m.src))
	line := m.OffsetLine(offset)
	col := 0
	for i := m.lines[line]; i < offset; {
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
	offset = clamp(offset, 0, len(m.src))
	l := m.OffsetLine(offset)
	return l + 1, utf8.RuneCount(m.src[m.lines[l]:offset]) + 1
}

// PositionOffset converts a line and UTF-16 column to a byte offset. A column past the end
// of the line maps to the line's end, as LSP asks; a line past the end is an error.
func (m *Mapper) PositionOffset(p Position) (int, error) {
	if p.Line < 0 || p.Col < 0 {
		return 0, fmt.Errorf("invalid position %d:%d", p.Line, p.Col)
	}
	if p.Line >= len(m.lines) {
		if p.Line == len(m.lines) && p.Col == 0 {
			return len(m.src), nil
		}
		return 0, fmt.Errorf("line %d is past the end of the document (%d lines)", p.Line+1, len(m.lines))
	}
	i, end := m.lines[p.Line], m.LineEnd(p.Line)
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
	l := line - 1
	if l < 0 {
		return 0
	}
	if l >= len(m.lines) {
		return len(m.src)
	}
	i, end := m.lines[l], m.LineEnd(l)
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
	delta := newEnd - oldEnd
	// A line start L depends only on bytes L-1 and L: those before start keep their
	// offsets, those after oldEnd+1 move by delta, and the rest are found again.
	i := sort.Search(len(m.lines), func(i int) bool { return m.lines[i] >= start })
	j := sort.Search(len(m.lines), func(j int) bool { return m.lines[j] >= oldEnd+1 })
	lines := make([]int, 0, i+len(m.lines)-j+bytes.Count(src[start:newEnd], []byte{'\n'})+2)
	lines = append(lines, m.lines[:i]...)
	if len(lines) == 0 {
		lines = append(lines, 0)
	}
	for l := max(start, 1); l <= newEnd && l <= len(src); l++ {
		if c := src[l-1]; c == '\n' || c == '\r' && (l == len(src) || src[l] != '\n') {
			lines = append(lines, l)
		}
	}
	for _, l := range m.lines[j:] {
		lines = append(lines, l+delta)
	}
	return &Mapper{src: src, lines: lines}
}
