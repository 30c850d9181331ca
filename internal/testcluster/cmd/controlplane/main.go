// Command controlplane runs the test control plane (etcd and kube-apiserver on loopback,
// as internal/testcluster starts them for Go tests) for tests that are not Go tests, such
// as the editor tests: it writes the kubeconfig (contexts "admin" and "limited") to the
// file -kubeconfig names, prints "ready", and stops the cluster when its standard input
// closes or it gets SIGINT or SIGTERM.
//
//	go run ./internal/testcluster/cmd/controlplane -kubeconfig /tmp/kc <&3 &
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
)

func main() {
	out := flag.String("kubeconfig", "", "write the cluster's kubeconfig here")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "controlplane: -kubeconfig FILE is required")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	c, err := testcluster.Start(ctx, testcluster.Options{})
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "controlplane:", err)
		os.Exit(1)
	}
	defer c.Stop()
	data, err := os.ReadFile(c.Kubeconfig())
	if err == nil {
		err = os.WriteFile(*out, data, 0o600)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "controlplane:", err)
		return
	}
	fmt.Println("ready", c.Host())
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(done)
	}()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	select {
	case <-done:
	case <-sigs:
	}
}
