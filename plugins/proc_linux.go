//go:build linux

package plugins

import (
	"bytes"
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// escapedPasses bounds how many times killEscaped looks again for marked processes (a
// process may fork while it is being killed).
const escapedPasses = 10

// killEscaped kills this user's processes whose environment holds the entry mark: what a
// run started that left the plugin's process group (setsid, a daemonising double fork).
// Each candidate is opened as a pidfd and checked again through it before the signal, so
// a recycled pid is never hit.
func killEscaped(mark string) {
	entry := []byte(mark + "\x00")
	self, uid := os.Getpid(), uint32(os.Getuid())
	for range escapedPasses {
		procs, err := os.ReadDir("/proc")
		if err != nil {
			return
		}
		killed := 0
		for _, e := range procs {
			pid, err := strconv.Atoi(e.Name())
			if err != nil || pid == self {
				continue
			}
			if info, err := e.Info(); err != nil {
				continue
			} else if st, ok := info.Sys().(*syscall.Stat_t); !ok || st.Uid != uid {
				continue
			}
			if !environHas(pid, entry) {
				continue
			}
			fd, err := unix.PidfdOpen(pid, 0)
			if err != nil {
				if err == unix.ENOSYS && environHas(pid, entry) {
					_ = syscall.Kill(pid, syscall.SIGKILL) // no pidfds (Linux < 5.3)
					killed++
				}
				continue
			}
			// The pidfd pins the process: if the pid was reused between the two reads, the
			// second one does not carry the mark.
			if environHas(pid, entry) && unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0) == nil {
				killed++
			}
			unix.Close(fd)
		}
		if killed == 0 {
			return
		}
	}
}

// environHas reports whether process pid's environment holds entry ("NAME=VALUE\x00").
func environHas(pid int, entry []byte) bool {
	env, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return false
	}
	return bytes.HasPrefix(env, entry) || bytes.Contains(env, append([]byte{0}, entry...))
}
