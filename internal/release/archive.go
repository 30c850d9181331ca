package release

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"time"
)

// Entry is one file of an archive: its name in the archive, where its content is, and
// whether it is executable.
type Entry struct {
	Name, Path string
	Exec       bool
}

// WriteArchive writes entries, in their order, as p's archive to path: a gzip'd tar, or
// a zip on Windows. Every entry has the time mtime, no owner, and mode 0755 or 0644, so
// the bytes depend on the entries' names and contents only.
func WriteArchive(path string, p Platform, entries []Entry, mtime time.Time) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	if p.OS == "windows" {
		return writeZip(f, entries, mtime)
	}
	return writeTarGz(f, entries, mtime)
}

func mode(e Entry) int64 {
	if e.Exec {
		return 0o755
	}
	return 0o644
}

func writeTarGz(w io.Writer, entries []Entry, mtime time.Time) error {
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz) // gzip's header: no name, no time (ModTime zero)
	for _, e := range entries {
		data, err := os.ReadFile(e.Path)
		if err != nil {
			return err
		}
		hdr := &tar.Header{Name: e.Name, Mode: mode(e), Size: int64(len(data)),
			ModTime: mtime.UTC().Truncate(time.Second), Typeflag: tar.TypeReg, Format: tar.FormatUSTAR}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("archiving %s: %w", e.Name, err)
		}
		if _, err := tw.Write(data); err != nil {
			return fmt.Errorf("archiving %s: %w", e.Name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func writeZip(w io.Writer, entries []Entry, mtime time.Time) error {
	zw := zip.NewWriter(w)
	for _, e := range entries {
		data, err := os.ReadFile(e.Path)
		if err != nil {
			return err
		}
		hdr := &zip.FileHeader{Name: e.Name, Method: zip.Deflate, Modified: mtime.UTC().Truncate(time.Second)}
		hdr.SetMode(os.FileMode(mode(e)))
		fw, err := zw.CreateHeader(hdr)
		if err != nil {
			return fmt.Errorf("archiving %s: %w", e.Name, err)
		}
		if _, err := fw.Write(data); err != nil {
			return fmt.Errorf("archiving %s: %w", e.Name, err)
		}
	}
	return zw.Close()
}
