package lspbench

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// procMem returns VmHWM (peak resident set) and VmRSS of pid, in KiB (0 when unknown).
func procMem(pid int) (hwm, rss int64) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		name, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, _ := strconv.ParseInt(f[0], 10, 64)
		switch name {
		case "VmHWM":
			hwm = n
		case "VmRSS":
			rss = n
		}
	}
	return hwm, rss
}

// children lists the child processes of pid (from every thread's children file).
func children(pid int) []int {
	tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/children")
	var out []int
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// descendantsPeak sums VmHWM over pid's descendants; it returns the sum and how many.
func descendantsPeak(pid int) (sum int64, n int) {
	todo := children(pid)
	for len(todo) > 0 && n < 1000 {
		p := todo[0]
		todo = todo[1:]
		hwm, _ := procMem(p)
		sum += hwm
		n++
		todo = append(todo, children(p)...)
	}
	return sum, n
}
