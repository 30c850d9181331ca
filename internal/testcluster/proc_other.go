//go:build !linux

package testcluster

import (
	"os"
	"os/exec"
	"syscall"
)

// The control plane is only run on Linux; elsewhere the package compiles and
// kills just the direct child.

func sysProcAttr() *syscall.SysProcAttr { return nil }

func terminateGroup(cmd *exec.Cmd) { _ = cmd.Process.Signal(os.Interrupt) }

func killGroup(cmd *exec.Cmd) { _ = cmd.Process.Kill() }

func processAlive(pid int) bool { return true } // never sweep elsewhere
