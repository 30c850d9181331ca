package engine

import (
	"context"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-lsp/kubectl-lsp/kube"
)

// Apply, diff and delete, with kubectl's semantics (package kube does the work): the
// faces ask, confirm and report.

// ApplyOptions, DeleteOptions, Outcome, BatchError and ObjectDiff are kube's, named here
// so that the faces depend on the engine alone.
type (
	ApplyOptions  = kube.ApplyOptions
	DeleteOptions = kube.DeleteOptions
	Outcome       = kube.Outcome
	BatchError    = kube.BatchError
	ObjectDiff    = kube.DiffResult
)

// DryRunServer makes an apply a server-side dry-run.
const DryRunServer = kube.DryRunServer

// Unified is a diff as unified-diff text ("" when nothing changes).
func Unified(d ObjectDiff) string { return kube.Unified(d) }

func unstructuredOf(objs []Object) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, len(objs))
	for i, o := range objs {
		out[i] = o.Unstructured
	}
	return out
}

// Apply applies objects read from source (a file name) all or nothing: when one fails,
// what the batch changed is undone (see kube.Client.ApplyAll).
func (c *Cluster) Apply(ctx context.Context, objs []Object, source string, opts ApplyOptions) ([]Outcome, error) {
	return c.client.ApplyAll(ctx, unstructuredOf(objs), source, opts)
}

// Delete deletes objects, after a server-side dry-run of every one succeeded.
func (c *Cluster) Delete(ctx context.Context, objs []Object, source string, opts DeleteOptions) ([]Outcome, error) {
	return c.client.DeleteAll(ctx, unstructuredOf(objs), source, opts)
}

// Diff is what applying o would change, as kubectl diff computes it.
func (c *Cluster) Diff(ctx context.Context, o Object, source string) (ObjectDiff, error) {
	return c.client.Diff(ctx, o.Unstructured, source, false, false)
}
