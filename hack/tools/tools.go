//go:build tools

// Package tools pins the Kubernetes binaries the integration tests run
// against (see hack/controlplane.sh). It is never compiled into kubectl-lsp.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
