package kube

import (
	"errors"
	"fmt"
	"io/fs"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubectl-lsp/kubectl-lsp/internal/safefile"
)

// MaxKubeconfigSize bounds each kubeconfig file, and each file a kubeconfig names
// (certificate authority, client certificate and key, token file). Real ones are a few
// kilobytes; a kubeconfig that is /dev/zero, a named pipe or a huge file is refused
// before client-go reads it.
const MaxKubeconfigSize = 16 * safefile.MiB

// checkKubeconfigFiles checks the kubeconfig files that flags select, as client-go will
// look for them (--kubeconfig, else $KUBECONFIG's list, else ~/.kube/config), before it
// reads them: each one that exists must be a regular file within MaxKubeconfigSize.
func checkKubeconfigFiles(flags *genericclioptions.ConfigFlags) error {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if flags != nil && flags.KubeConfig != nil && *flags.KubeConfig != "" {
		rules.ExplicitPath = *flags.KubeConfig
	}
	paths := rules.GetLoadingPrecedence()
	if rules.ExplicitPath == "" {
		for _, src := range rules.MigrationRules {
			paths = append(paths, src)
		}
	}
	for _, p := range paths {
		if err := safefile.Check(p, MaxKubeconfigSize); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // client-go says what it requires
			}
			return fmt.Errorf("reading the kubeconfig: %w", err)
		}
	}
	return nil
}

// checkReferencedFiles checks the files the context's cluster and user name (paths are
// resolved by then) the same way.
func checkReferencedFiles(raw *clientcmdapi.Config, kctx *clientcmdapi.Context, flags *genericclioptions.ConfigFlags) error {
	clusterName, userName := kctx.Cluster, kctx.AuthInfo
	if flags != nil && flags.ClusterName != nil && *flags.ClusterName != "" {
		clusterName = *flags.ClusterName
	}
	if flags != nil && flags.AuthInfoName != nil && *flags.AuthInfoName != "" {
		userName = *flags.AuthInfoName
	}
	type ref struct{ field, path string }
	var files []ref
	if c := raw.Clusters[clusterName]; c != nil {
		files = append(files, ref{"cluster " + clusterName + " certificate-authority", c.CertificateAuthority})
	}
	if u := raw.AuthInfos[userName]; u != nil {
		files = append(files, ref{"user " + userName + " client-certificate", u.ClientCertificate},
			ref{"user " + userName + " client-key", u.ClientKey}, ref{"user " + userName + " tokenFile", u.TokenFile})
	}
	for _, f := range files {
		if f.path == "" {
			continue
		}
		if err := safefile.Check(f.path, MaxKubeconfigSize); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("the kubeconfig's %s: %w", f.field, err)
		}
	}
	return nil
}
