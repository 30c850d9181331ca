//go:build !unix

package safefile

import "os"

// owner: no uids here; the mode check stands alone.
func owner(os.FileInfo) (int, bool) { return 0, false }

func openNonBlocking(name string) (*os.File, error) { return os.Open(name) }
