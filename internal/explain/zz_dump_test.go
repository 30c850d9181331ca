package explain

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
)

func TestMain(m *testing.M) { os.Exit(testcluster.Main(m)) }

func TestZZDump(t *testing.T) {
	out := os.Getenv("DUMP_DIR")
	if out == "" {
		t.Skip()
	}
	c := testcluster.Shared(t)
	kc := c.Kubeconfig()
	args := strings.Split(os.Getenv("DUMP_ARGS"), ";")
	for i, a := range args {
		cmd := exec.Command(c.Kubectl(), append([]string{"--kubeconfig", kc}, strings.Fields(a)...)...)
		b, err := cmd.CombinedOutput()
		if err != nil {
			b = append(b, []byte("\nEXIT: "+err.Error())...)
		}
		os.WriteFile(filepath.Join(out, strings.NewReplacer(" ", "_", "/", "_").Replace(a)+".txt"), b, 0o644)
		_ = i
	}
}
