package lsp

import (
	"bufio"
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

// stream frames JSON-RPC messages with Content-Length headers, like jsonrpc2.NewStream,
// but survives malformed messages: a header or body it cannot read is logged and skipped,
// where jsonrpc2's stream would end the connection. Only the end of the input (or a
// failed read) ends it.
type stream struct {
	jsonrpc2.Stream // writes and Close
	in              *bufio.Reader
	log             *slog.Logger
}

func newStream(rwc io.ReadWriteCloser, log *slog.Logger) *stream {
	return &stream{Stream: jsonrpc2.NewStream(rwc), in: bufio.NewReader(rwc), log: log}
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

// readFrame reads headers up to the blank line, then the body. A header block without a
// usable Content-Length is malformed (skipped); I/O errors end the stream.
func (s *stream) readFrame() ([]byte, int64, error) {
	var total int64
	length := int64(-1)
	var bad error
	headers := 0
	for {
		line, err := s.in.ReadString('\n')
		total += int64(len(line))
		if err != nil {
			if err == io.EOF && total == 0 {
				return nil, total, io.EOF
			}
			return nil, total, fmt.Errorf("reading message header: %w", err)
		}
		line = strings.TrimSpace(line)
		if line == "" {
			if headers == 0 {
				continue // stray blank lines between messages
			}
			break
		}
		headers++
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			bad = fmt.Errorf("invalid header line %q", truncate(line, 80))
			continue
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
			if err != nil || n <= 0 || n > maxMessageSize {
				bad = fmt.Errorf("invalid Content-Length %q", value)
				continue
			}
			length = n
		}
	}
	if length < 0 {
		if bad == nil {
			bad = errors.New("missing Content-Length header")
		}
		return nil, total, &malformedError{bad}
	}
	body := make([]byte, length)
	n, err := io.ReadFull(s.in, body)
	total += int64(n)
	if err != nil {
		return nil, total, fmt.Errorf("reading message body: %w", err)
	}
	if bad != nil {
		// A usable length despite a bad header line: the body is still framed correctly.
		s.log.Warn("malformed message header", "err", bad)
	}
	return body, total, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
