//go:build unix && !linux

package kube

import "syscall"

// pluginSysProcAttr: its own process group.
func pluginSysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
