//go:build linux

package plugins

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"time"

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
		killed, unsure := 0, 0
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
			if has, known := environMark(pid, entry); !has {
				if !known {
					unsure++
				}
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
		if killed == 0 && unsure == 0 {
			return
		}
		if killed == 0 {
			// A process in the middle of exec shows an empty environment for a moment.
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// environHas reports whether process pid's environment holds entry ("NAME=VALUE\x00").
func environHas(pid int, entry []byte) bool {
	has, _ := environMark(pid, entry)
	return has
}

// environMark is environHas, and whether the answer is known: an environment that reads
// empty belongs to a process in the middle of exec, to look at again, unless it is a
// kernel thread or a zombie.
func environMark(pid int, entry []byte) (has, known bool) {
	env, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return false, true
	}
	if len(env) == 0 {
		// Kernel threads and zombies have no executable (nor environment) for good.
		_, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe")
		return false, err != nil
	}
	return bytes.HasPrefix(env, entry) || bytes.Contains(env, append([]byte{0}, entry...)), true
}
