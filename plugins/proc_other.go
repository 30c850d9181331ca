//go:build !unix

package plugins

import (
	"os"
	"syscall"
)

// sysProcAttr: no process groups here; only the plugin itself is killed.
func sysProcAttr() *syscall.SysProcAttr { return nil }

func killGroup(p *os.Process) { _ = p.Kill() }
