//go:build unix

package kube

import (
	"os/exec"
	"syscall"
)

// pluginProcAttr puts a credential plugin in its own process group, so that what it
// starts is stopped with it.
func pluginProcAttr() *syscall.SysProcAttr { return pluginSysProcAttr() }

// killProcessGroup kills a plugin and what it started.
func killProcessGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		return cmd.Process.Kill()
	}
	return nil
}
