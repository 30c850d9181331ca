//go:build !unix

package kube

import (
	"os/exec"
	"syscall"
)

func pluginProcAttr() *syscall.SysProcAttr { return nil }

func killProcessGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	return cmd.Process.Kill()
}
