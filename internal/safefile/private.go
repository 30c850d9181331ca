package safefile

import (
	"fmt"
	"os"
)

// CheckPrivateDir accepts a real folder (not a symlink) that this user owns and that no
// one else may write to, list or enter (on Unix; elsewhere, any real folder).
func CheckPrivateDir(dir string) error {
	info, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return fmt.Errorf("%s is not a folder (%s)", dir, kindOf(info.Mode()))
	}
	uid, ok := owner(info)
	if !ok {
		return nil // no owners and modes here (Windows): the user's own temp folder is private
	}
	if uid != os.Getuid() {
		return fmt.Errorf("%s belongs to another user (uid %d)", dir, uid)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%s is open to other users (mode %v)", dir, info.Mode().Perm())
	}
	return nil
}
