package lsp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"

	"go.lsp.dev/jsonrpc2"
)

// maxMessageSize bounds one message's body; editors send whole files in didOpen.
const maxMessageSize = 256 << 20

// maxHeaderLine bounds what is kept of one header line (of garbage, a line's end, where
// the next header is).
const maxHeaderLine = 4 << 10

// stream frames JSON-RPC messages with Content-Length headers, like jsonrpc2.NewStream,
// but survives malformed input, where jsonrpc2's stream would end the connection or, worse,
// read every later message out of step:
//
//   - a body is read as one JSON value, the Content-Length header only telling that a
//     body follows: a length a byte (or a megabyte) off, negative or over the limit costs
//     nothing when the body itself is whole;
//   - a body cut short (a byte no JSON value can hold where the value goes on) is
//     dropped, and reading goes on at that byte;
//   - garbage between messages is skipped up to the next "Content-Length:", wherever it
//     is in a line;
//   - a body over maxMessageSize is read to its end without being kept, and dropped
//     (dropped is told its size).
//
// Only the end of the input (or a failed read) ends it.
type stream struct {
	jsonrpc2.Stream // writes and Close
	src             io.Reader
	in              *bufio.Reader
	log             *slog.Logger
	// dropped, when set, is called (on the read loop) with the size of a message
	// dropped for being over maxMessageSize.
	dropped func(size int64)
}

func newStream(rwc io.ReadWriteCloser, log *slog.Logger) *stream {
	return &stream{Stream: jsonrpc2.NewStream(rwc), src: rwc, in: bufio.NewReaderSize(rwc, 64<<10), log: log}
}

// Read returns the next well-formed message.
func (s *stream) Read(ctx context.Context) (jsonrpc2.Message, int64, error) {
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return nil, total, err
		}
		body, n, err := s.readFrame()
		total += n
		if err != nil {
			var bad *malformedError
			if errors.As(err, &bad) {
				s.log.Warn("skipping malformed message", "err", bad.err)
				continue
			}
			return nil, total, err
		}
		msg, err := jsonrpc2.DecodeMessage(body)
		if err != nil {
			s.log.Warn("skipping malformed message", "err", err, "body", truncate(string(body), 200))
			continue
		}
		return msg, total, nil
	}
}

type malformedError struct{ err error }

func (e *malformedError) Error() string { return e.err.Error() }

// readFrame reads a header block with a Content-Length, then the JSON body after it. A
// block without one, or a body that is not a whole JSON value, is malformed (skipped);
// I/O errors end the stream.
func (s *stream) readFrame() ([]byte, int64, error) {
	var total int64
	declared := ""
	sawLength := false
	var bad []string
	headers := 0
	for {
		raw, n, err := s.readLine()
		total += n
		if err != nil {
			if err == io.EOF && total == 0 {
				return nil, total, io.EOF
			}
			return nil, total, fmt.Errorf("reading message header: %w", err)
		}
		line := strings.TrimSpace(string(raw))
		if i := indexFold(line, "content-length:"); i > 0 {
			// Garbage (the end of a body that was longer than said, or anything) before
			// a header: a header block starts here.
			s.log.Warn("skipping bytes before a message header", "bytes", truncate(line[:i], 80))
			line, declared, sawLength, bad, headers = line[i:], "", false, nil, 0
		}
		if line == "" {
			if headers == 0 {
				continue // stray blank lines between messages
			}
			break
		}
		headers++
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			bad = append(bad, fmt.Sprintf("invalid header line %q", truncate(line, 80)))
			continue
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			declared, sawLength = strings.TrimSpace(value), true
		}
	}
	if !sawLength {
		bad = append(bad, "missing Content-Length header")
		return nil, total, &malformedError{errors.New(strings.Join(bad, "; "))}
	}
	if n, err := strconv.ParseInt(declared, 10, 64); err != nil || n <= 0 || n > maxMessageSize {
		bad = append(bad, fmt.Sprintf("invalid Content-Length %q", truncate(declared, 40)))
	}
	body, n, err := s.readValue()
	total += n
	if err != nil {
		return nil, total, err
	}
	if len(bad) > 0 {
		// The body is whole despite the header: it is read all the same.
		s.log.Warn("malformed message header", "err", strings.Join(bad, "; "))
	}
	return body, total, nil
}

// readValue reads one JSON object or array (after blank space), and nothing after it.
func (s *stream) readValue() ([]byte, int64, error) {
	var total int64
	var body []byte
	var sc jsonScanner
	oversize := false
	for {
		if _, err := s.in.Peek(1); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, total, fmt.Errorf("reading message body: %w", err)
		}
		chunk, _ := s.in.Peek(s.in.Buffered())
		n, state := sc.scan(chunk)
		total += int64(n)
		if !oversize {
			if len(body)+n > maxMessageSize {
				oversize, body = true, nil
			} else {
				body = append(body, chunk[:n]...)
			}
		}
		if state == scanInvalid && oversize {
			// A cut-short body: drop what was kept, but read on from here.
			_, _ = s.in.Discard(n)
			return nil, total, &malformedError{fmt.Errorf("a message body of more than %d bytes is cut short", maxMessageSize)}
		}
		if state == scanInvalid {
			consumed := append([]byte(nil), chunk[:n]...)
			_, _ = s.in.Discard(n)
			// A header swallowed into a string of the cut-short body is read again.
			if i := lastIndexFold(consumed, "content-length:"); i >= 0 {
				s.unread(consumed[i:])
				consumed = consumed[:i]
			}
			if len(bytes.TrimSpace(consumed)) == 0 {
				return nil, total, &malformedError{errors.New("the body after a message header is not JSON")}
			}
			return nil, total, &malformedError{fmt.Errorf("message body cut short after %d bytes: %s", len(consumed), truncate(string(consumed), 80))}
		}
		_, _ = s.in.Discard(n)
		if state == scanDone {
			if oversize {
				s.log.Error("dropping a message over the size limit", "bytes", total, "limit", maxMessageSize)
				if s.dropped != nil {
					s.dropped(total)
				}
				return nil, total, &malformedError{fmt.Errorf("a message of %d bytes is over the %d-byte limit", total, maxMessageSize)}
			}
			return body, total, nil
		}
	}
}

// unread puts p back in front of what is still to be read.
func (s *stream) unread(p []byte) {
	buffered, _ := s.in.Peek(s.in.Buffered())
	rest := make([]byte, 0, len(p)+len(buffered))
	rest = append(append(rest, p...), buffered...)
	s.src = io.MultiReader(bytes.NewReader(rest), s.src)
	s.in = bufio.NewReaderSize(s.src, 64<<10)
}

// readLine reads up to a newline; of a line longer than maxHeaderLine, only its end is
// kept.
func (s *stream) readLine() ([]byte, int64, error) {
	var line []byte
	var total int64
	for {
		chunk, err := s.in.ReadSlice('\n')
		total += int64(len(chunk))
		line = append(line, chunk...)
		if len(line) > maxHeaderLine {
			line = append(line[:0:0], line[len(line)-maxHeaderLine:]...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && len(line) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return line, total, err
	}
}

// jsonScanner finds the end of one JSON object or array in a byte stream, and where the
// stream stops being JSON.
type jsonScanner struct {
	depth   int
	inStr   bool
	escaped bool
}

type scanState int

const (
	scanMore    scanState = iota // the value goes on after the bytes scanned
	scanDone                     // the value ends at the bytes consumed
	scanInvalid                  // the byte after those consumed cannot be in the value
)

// jsonOutside are the bytes a JSON value holds outside its strings.
var jsonOutside = func() (t [256]bool) {
	for _, c := range []byte(" \t\r\n{}[],:-+.0123456789eEtrufalsn") {
		t[c] = true
	}
	return t
}()

// scan reads b, returning how many bytes belong to the value and the state after them.
func (j *jsonScanner) scan(b []byte) (int, scanState) {
	for i, c := range b {
		if j.inStr {
			switch {
			case j.escaped:
				j.escaped = false
			case c == '\\':
				j.escaped = true
			case c == '"':
				j.inStr = false
			case c < 0x20:
				return i, scanInvalid
			}
			continue
		}
		switch c {
		case '"':
			if j.depth == 0 {
				return i, scanInvalid
			}
			j.inStr = true
		case '{', '[':
			j.depth++
		case '}', ']':
			if j.depth == 0 {
				return i, scanInvalid
			}
			j.depth--
			if j.depth == 0 {
				return i + 1, scanDone
			}
		case ' ', '\t', '\r', '\n':
		default:
			if j.depth == 0 || !jsonOutside[c] {
				return i, scanInvalid
			}
		}
	}
	return len(b), scanMore
}

// indexFold is the index of the first occurrence of lower (ASCII, in lower case) in s,
// ignoring ASCII case, or -1.
func indexFold(s, lower string) int {
	return bytes.Index(asciiLower([]byte(s)), []byte(lower))
}

// lastIndexFold is the index of the last such occurrence in b, or -1.
func lastIndexFold(b []byte, lower string) int {
	return bytes.LastIndex(asciiLower(b), []byte(lower))
}

// asciiLower is b with ASCII letters in lower case (the same length, unlike
// bytes.ToLower).
func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
