//go:build tools

// Package tools pins the kube-apiserver of the oldest supported Kubernetes
// release (see hack/controlplane.sh). It is never compiled into kubectl-lsp.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
