package testcluster

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// LimitConfigMaps gives namespace ns a ResourceQuota "configmaps" of n ConfigMaps and
// waits until the apiserver's quota admission enforces it. No quota controller runs
// here, so the quota's status (hard, and used: the ConfigMaps there now) is written
// directly; the admission then counts each ConfigMap created (deletes are not counted
// back: that is the controller's work).
func (c *Cluster) LimitConfigMaps(ctx context.Context, ns string, n int) error {
	ctx, cancel := context.WithTimeout(ctx, defaultCallTimeout)
	defer cancel()
	dyn, err := dynamic.NewForConfig(c.Config())
	if err != nil {
		return err
	}
	quotas := dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "resourcequotas"}).Namespace(ns)
	cms := dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}).Namespace(ns)
	hard := map[string]any{"configmaps": strconv.Itoa(n)}
	rq, err := quotas.Create(ctx, &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ResourceQuota",
		"metadata": map[string]any{"name": "configmaps"}, "spec": map[string]any{"hard": hard}}}, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("testcluster: creating the quota: %w", err)
	}
	list, err := cms.List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	used := len(list.Items)
	rq.Object["status"] = map[string]any{"hard": hard, "used": map[string]any{"configmaps": strconv.Itoa(used)}}
	if _, err := quotas.UpdateStatus(ctx, rq, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("testcluster: writing the quota's status: %w", err)
	}
	// Enforced once a dry-run create is judged by it: accepted while there is room,
	// refused for exceeding it when there is none.
	probe := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "testcluster-quota-probe"}}}
	for {
		_, err := cms.Create(ctx, probe, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if used < n && err == nil || used >= n && err != nil && strings.Contains(err.Error(), "exceeded quota") {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("testcluster: the quota is not enforced: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
