//go:build unix

// Command measure runs a command and prints its wall time in seconds, its peak resident
// set size in KiB and its CPU time (user + system) in seconds, "SECONDS KIB CPU", the
// way `/usr/bin/time -f '%e %M %U %S'` would (with more precision and the CPU times
// summed), for machines without GNU time. The command's standard output
// goes to -stdout (default /dev/null), its standard error to ours; measure exits with
// the command's exit status.
//
//	go run ./internal/bench/cmd/measure -- kubeconform -summary corpus.yaml
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"time"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("measure: ")
	stdout := flag.String("stdout", os.DevNull, "file for the command's standard output")
	report := flag.String("o", "-", "file for the measurement (- for standard output)")
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	out, err := os.Create(*stdout)
	if err != nil {
		log.Fatal(err)
	}
	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, out, os.Stderr
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	out.Close()
	code := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		log.Fatal(err)
	}
	var maxRSS int64
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		maxRSS = int64(ru.Maxrss) // KiB on Linux and the BSDs
		if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
			maxRSS /= 1024 // bytes there
		}
	}
	line := fmt.Sprintf("%.4f %d %.3f\n", wall.Seconds(), maxRSS, cpu.Seconds())
	if *report == "-" {
		fmt.Print(line)
	} else if err := os.WriteFile(*report, []byte(line), 0o644); err != nil {
		log.Fatal(err)
	}
	if code < 0 {
		code = 1
	}
	os.Exit(code)
}
