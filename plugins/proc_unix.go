//go:build unix

package plugins

import (
	"os"
	"syscall"
)

// sysProcAttr starts the plugin as the leader of a new process group, so that it and
// everything it starts can be killed together.
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// killGroup kills the plugin's process group (its id is the plugin's pid).
func killGroup(p *os.Process) { _ = syscall.Kill(-p.Pid, syscall.SIGKILL) }
