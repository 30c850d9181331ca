package kube

import "syscall"

// pluginSysProcAttr: its own process group, killed by the kernel if kubectl-lsp dies
// first.
func pluginSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
