package hugeheap

import (
	"runtime"
	"syscall"
	"unsafe"
)

const (
	hugePage     = 2 << 20 // the size of a transparent huge page on the platforms Go supports
	heapChunk    = 4 << 20 // the runtime grows its heap in steps aligned to 4 MiB
	madvHugePage = 14      // MADV_HUGEPAGE
	madvNoHuge   = 15      // MADV_NOHUGEPAGE
)

// advised is the range given the advice, for withdraw.
var advised struct{ lo, hi uintptr }

// early holds a small object of the heap while the initialiser reads its address.
var early *[64]byte

func init() {
	if godebug, _ := syscall.Getenv("GODEBUG"); thpDisabled(godebug) {
		return
	}
	early = new([64]byte)
	first := uintptr(unsafe.Pointer(early))
	early = nil
	reserved := uintptr(unsafe.Pointer(unsafe.SliceData(make([]byte, Reserve))))
	advise(span(first, reserved))
	// The allocation may have started a collection that keeps the region (the
	// allocator holds it while it starts one); this one frees it.
	runtime.GC()
}

// thpDisabled reports whether the GODEBUG setting godebug turns the heap's huge pages
// off (disablethp=1; the last setting of a name wins, as in the runtime). It parses by
// hand: importing strings would make this package wait for it and its neighbours in
// the order of initialisation.
func thpDisabled(godebug string) bool {
	const setting = "disablethp="
	disabled := false
	start := 0
	for i := 0; i <= len(godebug); i++ {
		if i < len(godebug) && godebug[i] != ',' {
			continue
		}
		if kv := godebug[start:i]; len(kv) >= len(setting) && kv[:len(setting)] == setting {
			disabled = kv[len(setting):] == "1"
		}
		start = i + 1
	}
	return disabled
}

// span is the address range to advise, given a small object of the heap's first step
// and the start of the reserved region: from the first step (whose untouched huge pages
// the initialisers fill next) to the region's end, or the region alone when the two are
// not neighbours.
func span(first, reserved uintptr) (lo, hi uintptr) {
	hi = (reserved + Reserve) &^ (hugePage - 1)
	lo = first &^ (heapChunk - 1)
	if lo > reserved || reserved-lo > heapChunk {
		lo = reserved
	}
	return lo, hi
}

// advise asks for huge pages on [lo, hi). Failure (an old kernel, huge pages turned
// off) leaves the heap as it would have been, so it is ignored.
func advise(lo, hi uintptr) {
	advised.lo, advised.hi = lo, hi
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, lo, hi-lo, madvHugePage)
}

func withdraw() {
	if advised.hi > advised.lo {
		_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, advised.lo, advised.hi-advised.lo, madvNoHuge)
	}
}
