// Package safefile reads and writes files that someone else may have prepared: reads are
// bounded and refuse anything but regular files (a kubeconfig that is /dev/zero or a
// named pipe gets a clear error, not a hang or an endless allocation), and private
// folders are checked to belong to this user alone.
package safefile

import (
	"fmt"
	"io"
	"os"
)

// MiB is a mebibyte, for limits.
const MiB = 1 << 20

// Check reports whether name (symlinks followed) is a regular file of at most max bytes,
// for a file that another library will read.
func Check(name string, max int64) error {
	info, err := os.Stat(name)
	if err != nil {
		return err
	}
	return checkInfo(name, info, max)
}

func checkInfo(name string, info os.FileInfo, max int64) error {
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file (%s): refusing to read it", name, kindOf(info.Mode()))
	}
	if info.Size() > max {
		return fmt.Errorf("%s is %s, more than the %s a file of its kind may be: refusing to read it", name, size(info.Size()), size(max))
	}
	return nil
}

// ReadFile reads a regular file of at most max bytes. A device, pipe, socket or folder is
// refused without being read (nor opened for long: a pipe put in the file's place after
// the check does not block the open), and so is a file larger than max, even one that
// grows while it is read.
func ReadFile(name string, max int64) ([]byte, error) {
	if err := Check(name, max); err != nil {
		return nil, err
	}
	f, err := openNonBlocking(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := checkInfo(name, info, max); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s grew past %s while it was read: refusing it", name, size(max))
	}
	return data, nil
}

func kindOf(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "mode " + m.String()
}

func size(n int64) string {
	if n >= MiB && n%MiB == 0 {
		return fmt.Sprintf("%d MiB", n/MiB)
	}
	if n >= MiB {
		return fmt.Sprintf("%.1f MiB", float64(n)/MiB)
	}
	return fmt.Sprintf("%d bytes", n)
}
