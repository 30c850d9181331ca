package schema

// shortNames are the short names the apiserver advertises in discovery for built-in
// resources (what `kubectl api-resources` lists), keyed by "group/resource".
var shortNames = map[string][]string{
	"/configmaps":             {"cm"},
	"/componentstatuses":      {"cs"},
	"/endpoints":              {"ep"},
	"/events":                 {"ev"},
	"/limitranges":            {"limits"},
	"/namespaces":             {"ns"},
	"/nodes":                  {"no"},
	"/persistentvolumeclaims": {"pvc"},
	"/persistentvolumes":      {"pv"},
	"/pods":                   {"po"},
	"/replicationcontrollers": {"rc"},
	"/resourcequotas":         {"quota"},
	"/serviceaccounts":        {"sa"},
	"/services":               {"svc"},

	"apiextensions.k8s.io/customresourcedefinitions": {"crd", "crds"},
	"apps/daemonsets":                                {"ds"},
	"apps/deployments":                               {"deploy"},
	"apps/replicasets":                               {"rs"},
	"apps/statefulsets":                              {"sts"},
	"autoscaling/horizontalpodautoscalers":           {"hpa"},
	"batch/cronjobs":                                 {"cj"},
	"certificates.k8s.io/certificatesigningrequests": {"csr"},
	"events.k8s.io/events":                           {"ev"},
	"networking.k8s.io/ingresses":                    {"ing"},
	"networking.k8s.io/networkpolicies":              {"netpol"},
	"policy/poddisruptionbudgets":                    {"pdb"},
	"scheduling.k8s.io/priorityclasses":              {"pc"},
	"storage.k8s.io/storageclasses":                  {"sc"},
	"storage.k8s.io/volumeattributesclasses":         {"vac"},
}
