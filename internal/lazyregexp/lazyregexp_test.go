package lazyregexp

import (
	"sync"
	"testing"
)

// TestNew: the expression matches like its compiled form, and every call, concurrent
// ones included, returns the one compiled expression.
func TestNew(t *testing.T) {
	re := New(`^[a-z]+-[0-9]+$`)
	for _, tt := range []struct {
		in   string
		want bool
	}{{"web-1", true}, {"web-", false}, {"Web-1", false}} {
		if got := re().MatchString(tt.in); got != tt.want {
			t.Errorf("MatchString(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	first := re()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if re() != first {
				t.Error("a later call compiled the expression again")
			}
		})
	}
	wg.Wait()
}

// TestNewCompilesLate: a bad expression is reported (by a panic, as regexp.MustCompile
// does) when it is first used, not when it is declared.
func TestNewCompilesLate(t *testing.T) {
	re := New(`(`)
	defer func() {
		if recover() == nil {
			t.Error("using a bad expression did not panic")
		}
	}()
	re()
}
