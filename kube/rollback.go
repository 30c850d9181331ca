package kube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/cli-runtime/pkg/resource"

	"github.com/kubectl-lsp/kubectl-lsp/internal/lazyregexp"
)

// A batch is all or nothing. The server-side dry-run before it catches what the apiserver
// can foresee for each object alone; limits that add up over the batch (a quota, a
// nodePort taken by an earlier object of the same batch) only show when the objects are
// really stored. So each object is read before it is applied, and when one fails, what
// the batch changed before it is undone, newest first: an object it created is deleted
// (the one with the UID it got), an object it changed gets back the values it had for
// the fields the apply changed, with its field ownership. A field someone else changed
// in between is not overwritten: that undo fails, and the error says what is left and
// which kubectl commands finish the undo.

// ErrNotApplied is the error of the objects of a batch after the one that failed.
var ErrNotApplied = errors.New("not applied: an earlier object of the batch failed")

// rollbackTimeout bounds the whole rollback (each call has the client's timeout too). It
// runs even when the apply's context was cancelled (an interrupted apply is undone).
const rollbackTimeout = 2 * time.Minute

// Rollback is what undoing one object's change did.
type Rollback struct {
	// Operation is "deleted" (the batch created the object) or "restored" (it changed it).
	Operation string
	// Err is why the undo failed; the object is left as the batch made it.
	Err error
	// Undo are the kubectl commands that finish the undo when Err is set.
	Undo []string
}

// BatchError is ApplyAll's error when an object failed after others were changed, or
// before: what failed, and what undoing the others did.
type BatchError struct {
	// Failed is the index of the object that failed.
	Failed int
	// Ref names it.
	Ref Ref
	// Outcomes are the batch's outcomes (the same slice ApplyAll returns).
	Outcomes []Outcome
}

// RolledBack counts the objects whose change was undone.
func (e *BatchError) RolledBack() int {
	n := 0
	for _, o := range e.Outcomes {
		if o.Rollback != nil && o.Rollback.Err == nil {
			n++
		}
	}
	return n
}

// Left counts the objects left as the batch made them (their undo failed).
func (e *BatchError) Left() int {
	n := 0
	for _, o := range e.Outcomes {
		if o.Rollback != nil && o.Rollback.Err != nil {
			n++
		}
	}
	return n
}

// Undo are the kubectl commands that finish undoing the batch.
func (e *BatchError) Undo() []string {
	var cmds []string
	for i := len(e.Outcomes) - 1; i >= 0; i-- {
		if r := e.Outcomes[i].Rollback; r != nil && r.Err != nil {
			cmds = append(cmds, r.Undo...)
		}
	}
	return cmds
}

func (e *BatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s failed", e.Ref)
	done, left := e.RolledBack(), e.Left()
	switch {
	case done+left == 0:
		b.WriteString(": nothing was changed")
	case left == 0:
		fmt.Fprintf(&b, ", so the %s the batch made before it %s rolled back: nothing is left changed", plural(done, "change"), map[bool]string{true: "was", false: "were"}[done == 1])
	default:
		fmt.Fprintf(&b, "; undoing the %s the batch made before it failed for %d, left as the batch made %s:", plural(done+left, "change"), left,
			map[bool]string{true: "it", false: "them"}[left == 1])
		for _, o := range e.Outcomes {
			if r := o.Rollback; r != nil && r.Err != nil {
				what := "changed"
				if r.Operation == "deleted" {
					what = "created"
				}
				fmt.Fprintf(&b, "\n  %s (%s by this apply): %v", o.Ref, what, r.Err)
			}
		}
		b.WriteString("\nTo undo what is left, run:")
		for _, c := range e.Undo() {
			b.WriteString("\n  " + c)
		}
	}
	return b.String()
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// applied is an object the batch changed, with its state before.
type applied struct {
	index  int
	info   *resource.Info
	before *unstructured.Unstructured // nil: the batch created it
	after  *unstructured.Unstructured
}

// applyBatch applies objects in order, undoing what it changed when one fails.
func (c *Client) applyBatch(ctx context.Context, objs []*unstructured.Unstructured, source string, opts ApplyOptions,
	pending func(*unstructured.Unstructured, error) bool) ([]Outcome, error) {
	outs := make([]Outcome, len(objs))
	var changed []applied
	failed := -1
	for i, o := range objs {
		ch, out := c.applyOne(ctx, o, source, opts, pending)
		outs[i] = out
		if ch != nil {
			ch.index = i
			changed = append(changed, *ch)
		}
		if out.Err != nil {
			failed = i
			break
		}
	}
	if failed < 0 {
		return outs, nil
	}
	for j := failed + 1; j < len(objs); j++ {
		outs[j] = Outcome{Ref: Ref{GVK: objs[j].GroupVersionKind(), Namespace: objs[j].GetNamespace(), Name: objs[j].GetName()}, Err: ErrNotApplied}
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
	defer cancel()
	for k := len(changed) - 1; k >= 0; k-- {
		a := changed[k]
		r := c.rollback(rctx, a, opts)
		outs[a.index].Rollback = r
		if outs[a.index].Message != "" {
			if r.Err == nil {
				outs[a.index].Message += ", then " + r.Operation + " (rollback)"
			} else {
				outs[a.index].Message += "; the rollback failed, it is left so"
			}
		}
	}
	return outs, &BatchError{Failed: failed, Ref: outs[failed].Ref, Outcomes: outs}
}

// applyOne applies one object of a batch. It returns what it changed, if anything.
func (c *Client) applyOne(ctx context.Context, o *unstructured.Unstructured, source string, opts ApplyOptions,
	pending func(*unstructured.Unstructured, error) bool) (*applied, Outcome) {
	fail := func(err error) (*applied, Outcome) {
		return nil, Outcome{Ref: Ref{GVK: o.GroupVersionKind(), Namespace: o.GetNamespace(), Name: o.GetName()}, Err: err}
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	info, err := c.info(ctx, o, source)
	// A CRD of this batch becomes servable a moment after it is created.
	for deadline := time.Now().Add(20 * time.Second); err != nil && pending(o, err) && time.Now().Before(deadline); {
		select {
		case <-ctx.Done():
			return fail(ctx.Err())
		case <-time.After(300 * time.Millisecond):
		}
		info, err = c.info(ctx, o, source)
	}
	if err != nil {
		return fail(err)
	}
	helper := resource.NewHelper(info.Client, info.Mapping)
	before, err := getObject(helper, info)
	if err != nil {
		return fail(fmt.Errorf("reading it before applying it: %w", err))
	}
	out := c.Apply(ctx, o, source, opts)
	after := out.Object
	if out.Err != nil {
		if !mayHaveWritten(out.Err) {
			return nil, out
		}
		// A timeout or a broken connection: the request may have been carried out.
		after, err = getObject(helper, info)
		if err != nil || after == nil {
			return nil, out
		}
	}
	if after == nil || before != nil && after.GetResourceVersion() == before.GetResourceVersion() {
		return nil, out // unchanged
	}
	return &applied{info: info, before: before, after: after}, out
}

// getObject reads an object; nil when it does not exist.
func getObject(helper *resource.Helper, info *resource.Info) (*unstructured.Unstructured, error) {
	obj, err := helper.Get(info.Namespace, info.Name)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if u := asUnstructured(obj); u != nil {
		return u, nil
	}
	return nil, fmt.Errorf("unexpected object %T", obj)
}

// mayHaveWritten reports whether a failed request may have been carried out anyway.
func mayHaveWritten(err error) bool {
	for _, refused := range []func(error) bool{apierrors.IsInvalid, apierrors.IsForbidden, apierrors.IsConflict,
		apierrors.IsAlreadyExists, apierrors.IsBadRequest, apierrors.IsNotFound, apierrors.IsUnauthorized,
		apierrors.IsMethodNotSupported, apierrors.IsRequestEntityTooLargeError, apierrors.IsUnsupportedMediaType,
		apierrors.IsNotAcceptable, meta.IsNoMatchError} {
		if refused(err) {
			return false
		}
	}
	return true
}

// rollback undoes one object's change.
func (c *Client) rollback(ctx context.Context, a applied, opts ApplyOptions) *Rollback {
	ref := refOf(a.info)
	helper := resource.NewHelper(a.info.Client, a.info.Mapping)
	if a.before == nil {
		r := &Rollback{Operation: "deleted"}
		policy := metav1.DeletePropagationBackground
		uid := a.after.GetUID()
		_, err := helper.DeleteWithOptions(a.info.Namespace, a.info.Name, &metav1.DeleteOptions{
			PropagationPolicy: &policy, Preconditions: &metav1.Preconditions{UID: &uid}})
		if err != nil && !apierrors.IsNotFound(err) {
			r.Err = fmt.Errorf("deleting it: %w", err)
			r.Undo = []string{c.kubectl(opts, "delete", ref.String(), a.info.Namespace)}
		}
		return r
	}
	r := &Rollback{Operation: "restored"}
	manager := clientSideFieldManager
	if opts.ServerSide {
		manager = FieldManager
	}
	helper = helper.WithFieldManager(manager)
	err := func() error {
		if err := ctx.Err(); err != nil {
			return err
		}
		patch := revertPatch(a.after.Object, a.before.Object)
		if len(patch) == 0 {
			return nil
		}
		data, err := json.Marshal(patch)
		if err != nil {
			return err
		}
		res, err := helper.Patch(a.info.Namespace, a.info.Name, types.JSONPatchType, data, nil)
		if err != nil {
			return err
		}
		// The fields set back are now the rollback's: give them back to their owners, as
		// long as nobody wrote the object since (a controller's status update: read again).
		restored := asUnstructured(res)
		fields, err := json.Marshal(a.before.GetManagedFields())
		if err != nil {
			return err
		}
		for try := 0; restored != nil && !sameOwnership(restored, a.before); try++ {
			own, err := json.Marshal([]map[string]any{
				{"op": "test", "path": "/metadata/resourceVersion", "value": restored.GetResourceVersion()},
				{"op": "replace", "path": "/metadata/managedFields", "value": json.RawMessage(fields)},
			})
			if err != nil {
				return err
			}
			if _, err = helper.Patch(a.info.Namespace, a.info.Name, types.JSONPatchType, own, nil); err == nil {
				return nil
			}
			if try == 2 || !apierrors.IsInvalid(err) && !apierrors.IsConflict(err) {
				return fmt.Errorf("its values are restored, not who owns them (managedFields): %w", err)
			}
			if restored, err = getObject(helper, a.info); err != nil {
				return fmt.Errorf("its values are restored, not who owns them (managedFields): %w", err)
			}
		}
		return nil
	}()
	if err != nil {
		r.Err = fmt.Errorf("restoring it: %w", err)
		r.Undo = c.restoreCommands(opts, a)
	}
	return r
}

// sameOwnership compares managedFields, without their times.
func sameOwnership(a, b *unstructured.Unstructured) bool {
	strip := func(u *unstructured.Unstructured) []metav1.ManagedFieldsEntry {
		m := u.GetManagedFields()
		for i := range m {
			m[i].Time = nil
		}
		return m
	}
	ma, mb := strip(a), strip(b)
	return len(ma) == len(mb) && func() bool {
		da, _ := json.Marshal(ma)
		db, _ := json.Marshal(mb)
		return string(da) == string(db)
	}()
}

// serverFields are the fields the apiserver sets, which a rollback leaves alone.
var serverFields = map[string]bool{"/status": true, "/metadata/resourceVersion": true, "/metadata/generation": true,
	"/metadata/managedFields": true, "/metadata/uid": true, "/metadata/creationTimestamp": true, "/metadata/selfLink": true,
	"/metadata/deletionTimestamp": true, "/metadata/deletionGracePeriodSeconds": true}

// revertPatch is a JSON patch (RFC 6902) that turns the fields that differ between after
// and before back into before's, each guarded by a test that the field still holds
// after's value: the patch fails, changing nothing, when someone else changed one of
// them since.
func revertPatch(after, before map[string]any) []map[string]any {
	var ops []map[string]any
	var walk func(path string, a, b map[string]any)
	walk = func(path string, a, b map[string]any) {
		keys := make([]string, 0, len(a)+len(b))
		for k := range a {
			keys = append(keys, k)
		}
		for k := range b {
			if _, ok := a[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := path + "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(k)
			if serverFields[p] {
				continue
			}
			av, inA := a[k]
			bv, inB := b[k]
			switch {
			case inA && !inB:
				ops = append(ops, map[string]any{"op": "test", "path": p, "value": av}, map[string]any{"op": "remove", "path": p})
			case !inA && inB:
				ops = append(ops, map[string]any{"op": "add", "path": p, "value": bv})
			default:
				am, aIsMap := av.(map[string]any)
				bm, bIsMap := bv.(map[string]any)
				if aIsMap && bIsMap {
					walk(p, am, bm)
				} else if !equalJSON(av, bv) {
					ops = append(ops, map[string]any{"op": "test", "path": p, "value": av}, map[string]any{"op": "replace", "path": p, "value": bv})
				}
			}
		}
	}
	walk("", after, before)
	return ops
}

func equalJSON(a, b any) bool {
	da, errA := json.Marshal(a)
	db, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(da) == string(db)
}

// kubectl is a kubectl command line for the client's cluster, quoted for a POSIX shell.
func (c *Client) kubectl(opts ApplyOptions, verb, target, namespace string) string {
	args := []string{"kubectl"}
	if opts.Kubeconfig != "" {
		args = append(args, "--kubeconfig="+opts.Kubeconfig)
	}
	args = append(args, "--context="+c.Context, verb, target)
	if namespace != "" {
		args = append(args, "-n", namespace)
	}
	for i, a := range args {
		args[i] = shellQuote(a)
	}
	return strings.Join(args, " ")
}

var shellSafe = lazyregexp.New(`^[A-Za-z0-9@%+=:,./_-]+$`)

func shellQuote(s string) string {
	if shellSafe().MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// restoreCommands write a JSON patch that sets the fields the batch changed back to
// their previous values (without the tests the rollback made: it applies over changes
// made since) to a private file, and return the kubectl command that applies it.
func (c *Client) restoreCommands(opts ApplyOptions, a applied) []string {
	var ops []map[string]any
	for _, op := range revertPatch(a.after.Object, a.before.Object) {
		if op["op"] != "test" {
			ops = append(ops, op)
		}
	}
	data, err := json.MarshalIndent(ops, "", "  ")
	if err == nil {
		var path string
		if path, err = writePrivate(a.info.Namespace, a.info.Mapping.GroupVersionKind.Kind, a.info.Name, data); err == nil {
			args := []string{"kubectl"}
			if opts.Kubeconfig != "" {
				args = append(args, "--kubeconfig="+opts.Kubeconfig)
			}
			args = append(args, "--context="+c.Context, "patch", refOf(a.info).String())
			if a.info.Namespace != "" {
				args = append(args, "-n", a.info.Namespace)
			}
			args = append(args, "--type=json", "--patch-file="+path)
			for i, s := range args {
				args[i] = shellQuote(s)
			}
			return []string{strings.Join(args, " ")}
		}
	}
	return []string{fmt.Sprintf("# the previous values could not be saved (%v): restore %s by hand", err, refOf(a.info))}
}

// writePrivate writes data to a new file in a new directory only the user can read
// (os.MkdirTemp: an unpredictable name, mode 0700; the file is created, never opened
// when it exists).
func writePrivate(namespace, kind, name string, data []byte) (string, error) {
	dir, err := os.MkdirTemp("", "kubectl-lsp-rollback-")
	if err != nil {
		return "", err
	}
	base := strings.ToLower(kind) + "-" + name
	if namespace != "" {
		base = namespace + "-" + base
	}
	base = unsafeFileChars().ReplaceAllString(base, "_") + ".json"
	path := filepath.Join(dir, base)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return "", err
	}
	return path, f.Close()
}

var unsafeFileChars = lazyregexp.New(`[^A-Za-z0-9._-]`)
