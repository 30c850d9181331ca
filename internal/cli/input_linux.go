package cli

import (
	"errors"
	"io"
	"os"
	"syscall"
	"unsafe"
)

// Large inputs are read into memory of their own that the kernel may back with huge
// pages (transparent huge pages on request, madvise(MADV_HUGEPAGE)): a 4.5 MB manifest
// stream then costs a few page faults instead of a thousand for the read and a
// thousand more for the first scan of its bytes, and on virtual machines where a page
// fault is dear that was most of the time spent reading the input. The memory stays
// mapped until the process exits, as the documents that point into it do.
const (
	largeInput = 1 << 20
	hugePage   = 2 << 20
)

// readLarge reads the regular file path of at least largeInput bytes into such memory.
// ok is false, with no error, when it did not (a smaller or irregular file, a file that
// grew while read, no memory): the caller reads the file the ordinary way.
func readLarge(path string) (data []byte, ok bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() < largeInput || st.Size() > 1<<40 {
		return nil, false, nil
	}
	n := int(st.Size()) + 1 // a byte more, to notice a file that grew
	mem, err := syscall.Mmap(-1, 0, (n+hugePage-1)/hugePage*hugePage+hugePage,
		syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return nil, false, nil
	}
	// Huge pages start at multiples of their size.
	start := (hugePage - int(uintptr(unsafe.Pointer(&mem[0]))%hugePage)) % hugePage
	buf := mem[start:]
	_ = syscall.Madvise(buf, syscall.MADV_HUGEPAGE) // without huge pages, ordinary ones
	read, err := io.ReadFull(f, buf[:n])
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF): // the whole file (it may have shrunk)
		return buf[:read:read], true, nil
	case err == nil: // it grew
		_ = syscall.Munmap(mem)
		return nil, false, nil
	}
	_ = syscall.Munmap(mem)
	return nil, false, err
}
