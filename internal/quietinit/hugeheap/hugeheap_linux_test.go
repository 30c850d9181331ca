package hugeheap

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"unsafe"
)

// TestSpan: the advised range runs from the heap's first step to the region's last whole
// huge page when the region follows the first step, and is the region alone otherwise.
func TestSpan(t *testing.T) {
	const base = 0x7f0000000000 // a 4 MiB-aligned heap step
	tests := []struct {
		name            string
		first, reserved uintptr
		lo, hi          uintptr
	}{
		{"region in the first step's tail", base + 0x2a6000, base + 0x300000, base, base + 0x300000 + Reserve - 0x100000},
		{"region at the next step", base + 0x1000, base + heapChunk, base, base + heapChunk + Reserve},
		{"region far above", base + 0x1000, base + 8*heapChunk, base + 8*heapChunk, base + 8*heapChunk + Reserve},
		{"region below", base + 0x1000, base - Reserve, base - Reserve, base},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lo, hi := span(tt.first, tt.reserved)
			if lo != tt.lo || hi != tt.hi {
				t.Errorf("span(%#x, %#x) = [%#x, %#x), want [%#x, %#x)", tt.first, tt.reserved, lo, hi, tt.lo, tt.hi)
			}
		})
	}
}

// TestRegionGivenBack: after the initialiser the region is free heap again, not kept.
func TestRegionGivenBack(t *testing.T) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if ms.HeapAlloc >= Reserve {
		t.Errorf("%d bytes of heap allocated after init, the region (%d) is still held", ms.HeapAlloc, Reserve)
	}
}

// TestHeapAdvised: where the kernel has transparent huge pages (and GODEBUG does not
// turn them off), the heap's next allocations land in memory advised for them (VmFlags
// "hg" in /proc/self/smaps).
func TestHeapAdvised(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Skip("no transparent huge pages:", err)
	}
	if thpDisabled(os.Getenv("GODEBUG")) {
		t.Skip("GODEBUG=disablethp=1")
	}
	obj := make([]byte, 1<<20)
	flags, err := vmFlags(uintptr(unsafe.Pointer(&obj[0])))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(" "+flags+" ", " hg ") {
		t.Errorf("the mapping of a new heap object has VmFlags %q, no hg", flags)
	}
	runtime.KeepAlive(obj)
}

// vmFlags returns the VmFlags line of the mapping in /proc/self/smaps that holds addr.
func vmFlags(addr uintptr) (string, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return "", err
	}
	defer f.Close()
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		var lo, hi uintptr
		if n, _ := fmt.Sscanf(line, "%x-%x ", &lo, &hi); n == 2 {
			in = lo <= addr && addr < hi
			continue
		}
		if flags, ok := strings.CutPrefix(line, "VmFlags:"); ok && in {
			return strings.TrimSpace(flags), nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("no mapping in /proc/self/smaps holds %#x", addr)
}

// TestThpDisabled: GODEBUG=disablethp=1 (the runtime's own switch) leaves the heap alone;
// the last setting of the name wins.
func TestThpDisabled(t *testing.T) {
	tests := []struct {
		godebug string
		want    bool
	}{
		{"", false},
		{"disablethp=1", true},
		{"disablethp=0", false},
		{"inittrace=1,disablethp=1", true},
		{"disablethp=1,gctrace=1", true},
		{"disablethp=1,disablethp=0", false},
		{"xdisablethp=1", false},
		{"disablethp=10", false},
		{"disablethp", false},
	}
	for _, tt := range tests {
		if got := thpDisabled(tt.godebug); got != tt.want {
			t.Errorf("thpDisabled(%q) = %v, want %v", tt.godebug, got, tt.want)
		}
	}
}

// TestWithdraw: after Withdraw, the region is advised against huge pages (VmFlags "nh"),
// so the kernel does not fill it with them in the background. It runs last: the advice
// stays withdrawn for the rest of the process.
func TestWithdraw(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Skip("no transparent huge pages:", err)
	}
	if thpDisabled(os.Getenv("GODEBUG")) {
		t.Skip("GODEBUG=disablethp=1")
	}
	Withdraw()
	flags, err := vmFlags(advised.lo)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(" "+flags+" ", " nh ") || strings.Contains(" "+flags+" ", " hg ") {
		t.Errorf("the advised region has VmFlags %q after Withdraw, want nh and no hg", flags)
	}
}
