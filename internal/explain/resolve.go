package explain

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// ErrNoResource is returned by Resolve for an empty argument.
var ErrNoResource = errors.New("you must specify the type of resource to explain")

// Resolve parses kubectl explain's argument, TYPE[.FIELD...], against src: TYPE is a kind,
// a plural or singular resource name or a short name, in any case (deploy, Deployment,
// deployments), optionally qualified by its group (deployments.apps.spec). It returns
// the type, in its preferred version unless apiVersion ("apps/v1", "v1") picks one, and
// the field path.
//
// As with kubectl, a group qualifier is recognized only without apiVersion, and the
// field path is not checked here: Render reports a field that does not exist.
func Resolve(src schema.Source, arg, apiVersion string) (*schema.Type, []string, error) {
	arg = strings.TrimSuffix(strings.TrimSpace(arg), ".")
	if arg == "" {
		return nil, nil, ErrNoResource
	}
	parts := strings.Split(arg, ".")
	for _, p := range parts {
		if p == "" {
			return nil, nil, fmt.Errorf("invalid field path %q: empty field name", arg)
		}
	}
	resource := parts[0]

	if apiVersion == "" {
		// The longest group qualifier that names a served group wins: deployments.apps.spec
		// is apps' deployments and the field spec.
		for i := len(parts); i >= 2; i-- {
			if info, ok := schema.FindResource(src, resource+"."+strings.Join(parts[1:i], ".")); ok {
				return lookup(src, info.GVK, parts[i:])
			}
		}
		info, ok := schema.FindResource(src, resource)
		if !ok {
			return nil, nil, &ResourceNotFoundError{Name: resource}
		}
		return lookup(src, info.GVK, parts[1:])
	}

	if strings.Count(apiVersion, "/") > 1 {
		return nil, nil, fmt.Errorf("unexpected GroupVersion string: %s", apiVersion)
	}
	group, version := schema.ParseAPIVersion(apiVersion)
	info, ok := schema.FindResource(src, resource)
	if !ok {
		return nil, nil, &ResourceNotFoundError{Name: resource}
	}
	servesGV := false
	var byKind *schema.GVK
	for _, k := range src.Kinds() {
		if k.GVK.Group != group || k.GVK.Version != version {
			continue
		}
		servesGV = true
		if k.Resource == info.Resource {
			return lookup(src, k.GVK, parts[1:])
		}
		if k.GVK.Kind == info.GVK.Kind && byKind == nil {
			gvk := k.GVK
			byKind = &gvk
		}
	}
	if byKind != nil {
		return lookup(src, *byKind, parts[1:])
	}
	gvr := fmt.Sprintf("%s/%s, Resource=%s", group, version, info.Resource)
	if !servesGV {
		return nil, nil, fmt.Errorf("couldn't find resource for %q", gvr)
	}
	return nil, nil, fmt.Errorf("GVR (%s) not found in OpenAPI schema", gvr)
}

func lookup(src schema.Source, gvk schema.GVK, path []string) (*schema.Type, []string, error) {
	t, err := src.Lookup(gvk)
	if err != nil {
		return nil, nil, err
	}
	if t == nil || t.Schema == nil {
		return nil, nil, fmt.Errorf("no schema for %s", gvk)
	}
	if len(path) == 0 {
		path = nil
	}
	return t, path, nil
}
