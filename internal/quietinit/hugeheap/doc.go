// Package hugeheap lets the start-up heap be backed by transparent huge pages where the
// system offers them on request (Linux with transparent_hugepage set to "madvise", the
// default of many distributions): the Kubernetes packages we link allocate about 10 MB
// in their initialisers, and on 4 KiB pages each new page of that heap costs a page
// fault, a few thousand of them per run, most of the system time of a short command.
//
// Its initialiser runs among the first of the program's (it depends on the runtime and
// syscall only, so it is ready early), while the heap is still almost empty. It has the
// runtime map one region for the next Reserve bytes of heap, asks the kernel for huge
// pages there (madvise MADV_HUGEPAGE), and gives the region back to the heap, where the
// initialisers that follow allocate from it. Nothing else changes: where the kernel has
// no huge pages to give, with GODEBUG=disablethp=1 (the runtime's switch to keep huge
// pages off its heap), or elsewhere than Linux, the heap is as before.
package hugeheap

// Reserve is the size of the region prepared for huge pages: the start-up heap and a
// batch validation's working heap (kept near 56 MiB by its memory limit) fit in it. Only
// the 2 MiB pages that are touched take memory.
const Reserve = 64 << 20

// Withdraw takes the advice back for a process that runs long (the language server):
// the kernel then fills no more of the region's sparse heap with huge pages in the
// background, which would grow its resident memory for no speed it needs.
func Withdraw() { withdraw() }
