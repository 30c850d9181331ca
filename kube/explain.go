package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// Explain says, for a user, what went wrong with a call to the cluster: a call that ran
// out of time says it timed out (and after how long), one that could not connect says
// so, a credential plugin's failure is the plugin's; other errors are as they are.
func (c *Client) Explain(err error) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	switch {
	case isCredentialError(err):
		return "getting credentials: " + msg
	case IsTimeout(err):
		if c.creds != nil {
			if p := c.creds.problem(); p != nil {
				// The time went in waiting for credentials.
				return "getting credentials: " + p.Error()
			}
		}
		if strings.Contains(msg, "did not answer in time") {
			return msg
		}
		return fmt.Sprintf("the cluster did not answer in time (timeout %s): %s", c.Timeout, msg)
	case isConnectionError(err):
		if strings.Contains(msg, "cannot reach the cluster") {
			return msg
		}
		return "cannot reach the cluster: " + msg
	}
	return msg
}

// IsTimeout reports whether err is a call to the cluster that ran out of time (its
// deadline, the client's timeout, a TLS handshake's, the apiserver's own).
func IsTimeout(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) || apierrors.IsTimeout(err) || apierrors.IsServerTimeout(err) {
		return true
	}
	// net/http's client timeout, as the rest client reports it.
	return strings.Contains(err.Error(), "Client.Timeout exceeded")
}

// isConnectionError reports whether err is a failure to connect or a connection lost.
func isConnectionError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, errClosed)
}

// isCredentialError reports whether err is a credential plugin's failure. The text is
// checked too: net/http flattens the errors of requests that time out into strings.
func isCredentialError(err error) bool {
	var ce *CredentialError
	return errors.As(err, &ce) || strings.Contains(err.Error(), "exec credential plugin")
}
