// Command corpus writes a deterministic multi-document Kubernetes manifest stream for
// benchmarks (see package bench):
//
//	go run ./internal/bench/cmd/corpus -n 5000 -o corpus.yaml
//	go run ./internal/bench/cmd/corpus -n 1000 -every 10 -o errors.yaml -injected errors.tsv
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/kubectl-lsp/kubectl-lsp/internal/bench"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("corpus: ")
	n := flag.Int("n", 5000, "number of documents")
	seed := flag.Int64("seed", 1, "random seed (same seed, same bytes)")
	every := flag.Int("every", 0, "make every Nth document invalid (0: all valid)")
	out := flag.String("o", "-", "output file (- for standard output)")
	injected := flag.String("injected", "", "with -every: write the invalid documents here, one per line: index, kind, name, error, field (tab-separated)")
	flag.Parse()
	if flag.NArg() != 0 || *n < 0 {
		flag.Usage()
		os.Exit(2)
	}
	data, inj := bench.CorpusWithErrors(*n, *seed, *every)
	if err := write(*out, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
		log.Fatal(err)
	}
	if *injected != "" {
		err := write(*injected, func(w io.Writer) error {
			bw := bufio.NewWriter(w)
			for _, x := range inj {
				fmt.Fprintf(bw, "%d\t%s\t%s\t%s\t%s\n", x.Index, x.Kind, x.Name, x.Error, x.Field)
			}
			return bw.Flush()
		})
		if err != nil {
			log.Fatal(err)
		}
	}
}

func write(name string, fn func(io.Writer) error) error {
	if name == "-" {
		return fn(os.Stdout)
	}
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
