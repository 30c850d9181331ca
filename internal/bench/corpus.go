// Package bench generates realistic, deterministic Kubernetes manifest streams for
// benchmarking kubectl-lsp (and comparing it with other validators on the same input).
//
// Every document Corpus generates is valid against the Kubernetes 1.37 schemas, as
// kubectl-lsp and the kube-apiserver judge it; CorpusWithErrors makes a known subset
// invalid with mistakes any schema validator catches (an unknown field, a value of the
// wrong type, a missing required field), so the findings of two tools can be compared.
package bench

import (
	"bytes"
	"fmt"
	"math/rand/v2"
)

// ErrorKind is the kind of mistake injected into a document.
type ErrorKind int

const (
	// NoError leaves the document valid.
	NoError ErrorKind = iota
	// UnknownField adds a field the schema does not declare (a typo, a field of another
	// API version).
	UnknownField
	// WrongType gives a field a value of the wrong type (a quoted number, a scalar for a
	// list, an unquoted number in a map of strings).
	WrongType
	// MissingRequired drops a required field.
	MissingRequired
)

func (k ErrorKind) String() string {
	switch k {
	case UnknownField:
		return "unknown-field"
	case WrongType:
		return "wrong-type"
	case MissingRequired:
		return "missing-required"
	}
	return "none"
}

// Injected describes one document CorpusWithErrors made invalid.
type Injected struct {
	// Index is the document's position in the stream, from 0.
	Index int
	// Kind and Name identify the object (names are unique within a corpus).
	Kind, Name string
	// Error is the kind of mistake; Field the field it concerns, as a dotted path.
	Error ErrorKind
	Field string
}

// Corpus returns n valid documents as one YAML stream, the same bytes for the same n
// and seed. Documents average about 900 bytes.
func Corpus(n int, seed int64) []byte {
	b, _ := CorpusWithErrors(n, seed, 0)
	return b
}

// CorpusWithErrors is Corpus with every everyNth document (the everyNth-th, the
// 2·everyNth-th, ...) made invalid, cycling through the error kinds. everyNth <= 0
// injects nothing. The valid documents are not the same as Corpus's for the same seed.
func CorpusWithErrors(n int, seed int64, everyNth int) ([]byte, []Injected) {
	g := &gen{
		r:   rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)),
		buf: bytes.NewBuffer(make([]byte, 0, n*950)),
	}
	var injected []Injected
	cycle := []ErrorKind{UnknownField, WrongType, MissingRequired}
	for i := 0; i < n; i++ {
		if i > 0 {
			g.buf.WriteString("---\n")
		}
		errKind := NoError
		if everyNth > 0 && (i+1)%everyNth == 0 {
			errKind = cycle[len(injected)%len(cycle)]
		}
		k := g.pickKind(errKind)
		g.idx = i
		g.err, g.errField = errKind, ""
		name := kinds[k].gen(g)
		if errKind != NoError {
			if g.errField == "" {
				panic(fmt.Sprintf("bench: %s generator did not inject %s", kinds[k].kind, errKind))
			}
			injected = append(injected, Injected{Index: i, Kind: kinds[k].kind, Name: name, Error: errKind, Field: g.errField})
		}
	}
	return g.buf.Bytes(), injected
}

// kindGen generates one document of a kind. weight is its share of the corpus;
// canMiss tells whether the kind has a required field to drop.
type kindGen struct {
	kind    string
	weight  int
	canMiss bool
	gen     func(*gen) string
}

// The mix: workloads and their companions dominate real repositories; small objects
// (ConfigMaps, ServiceAccounts, RBAC) keep the average document near 900 bytes.
var kinds = []kindGen{
	{"Deployment", 18, true, (*gen).deployment},
	{"Service", 14, true, (*gen).service},
	{"ConfigMap", 12, false, (*gen).configMap},
	{"Secret", 8, false, (*gen).secret},
	{"StatefulSet", 4, true, (*gen).statefulSet},
	{"CronJob", 4, true, (*gen).cronJob},
	{"Ingress", 6, true, (*gen).ingress},
	{"Role", 5, true, (*gen).role},
	{"RoleBinding", 7, true, (*gen).roleBinding},
	{"ClusterRole", 3, true, (*gen).clusterRole},
	{"PersistentVolumeClaim", 5, false, (*gen).pvc},
	{"HorizontalPodAutoscaler", 6, true, (*gen).hpa},
	{"NetworkPolicy", 5, true, (*gen).networkPolicy},
	{"ServiceAccount", 9, false, (*gen).serviceAccount},
}

var totalWeight = func() int {
	t := 0
	for _, k := range kinds {
		t += k.weight
	}
	return t
}()

type gen struct {
	r   *rand.Rand
	buf *bytes.Buffer
	idx int
	// err is the mistake to inject into the current document; the generator sets
	// errField when it did.
	err      ErrorKind
	errField string
}

func (g *gen) pickKind(e ErrorKind) int {
	for {
		x := g.r.IntN(totalWeight)
		for i, k := range kinds {
			if x < k.weight {
				if e == MissingRequired && !k.canMiss {
					break // draw again
				}
				return i
			}
			x -= k.weight
		}
	}
}

// inject reports whether the current document should carry mistake e at field, and
// records it.
func (g *gen) inject(e ErrorKind, field string) bool {
	if g.err != e || g.errField != "" {
		return false
	}
	g.errField = field
	return true
}

func (g *gen) p(format string, args ...any) { fmt.Fprintf(g.buf, format, args...) }
func (g *gen) l(s string)                   { g.buf.WriteString(s); g.buf.WriteByte('\n') }

func (g *gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }
func (g *gen) chance(pct int) bool     { return g.r.IntN(100) < pct }
func (g *gen) between(lo, hi int) int  { return lo + g.r.IntN(hi-lo+1) }

var (
	apps = []string{"checkout", "payments", "catalog", "cart", "search", "orders", "users",
		"auth", "gateway", "inventory", "shipping", "billing", "reports", "notifier",
		"recommender", "frontend", "admin", "media", "ledger", "events"}
	namespaces = []string{"shop", "platform", "payments", "data", "observability", "default", "edge"}
	teams      = []string{"storefront", "core", "data-eng", "sre", "identity", "growth"}
	envs       = []string{"production", "staging", "dev"}
	registries = []string{"registry.example.com", "ghcr.io/example", "eu.gcr.io/example-prod"}
	logLevels  = []string{"debug", "info", "warn", "error"}
	cpus       = []string{"50m", "100m", "250m", "500m", `"1"`, `"2"`}
	mems       = []string{"64Mi", "128Mi", "256Mi", "512Mi", "1Gi", "2Gi"}
	storage    = []string{"1Gi", "5Gi", "10Gi", "20Gi", "50Gi", "100Gi"}
	classes    = []string{"standard", "fast-ssd", "gp3", "premium-rwo"}
	hosts      = []string{"example.com", "example.org", "shop.example.net", "api.example.io"}
)

// meta writes apiVersion, kind and metadata; it returns the object's name.
func (g *gen) meta(apiVersion, kind, app, suffix string, namespaced bool) string {
	name := fmt.Sprintf("%s%s-%05d", app, suffix, g.idx)
	g.p("apiVersion: %s\nkind: %s\nmetadata:\n  name: %s\n", apiVersion, kind, name)
	if namespaced {
		g.p("  namespace: %s\n", g.pick(namespaces))
	}
	g.l("  labels:")
	g.p("    app.kubernetes.io/name: %s\n", app)
	g.p("    app.kubernetes.io/instance: %s\n", name)
	if g.chance(70) {
		g.p("    app.kubernetes.io/part-of: %s\n", g.pick(teams))
	}
	if g.chance(40) {
		g.p("    version: v%d.%d.%d\n", g.between(1, 4), g.between(0, 20), g.between(0, 9))
	}
	if g.chance(35) {
		g.l("  annotations:")
		g.p("    example.com/owner: %s@example.com\n", g.pick(teams))
		if g.chance(50) {
			g.p("    example.com/revision: \"%d\"\n", g.between(1, 400))
		}
	}
	return name
}

func (g *gen) image(app string) string {
	return fmt.Sprintf("%s/%s:%d.%d.%d", g.pick(registries), app, g.between(0, 3), g.between(0, 30), g.between(0, 12))
}

// podSpec writes a pod template's spec at the given indentation; path is the spec's
// field path, for the injected-error list.
func (g *gen) podSpec(ind, path, app string, job bool) {
	in := func(format string, args ...any) {
		g.buf.WriteString(ind)
		g.p(format, args...)
	}
	port := []int{8080, 8000, 3000, 9090, 5000}[g.r.IntN(5)]
	if job {
		in("restartPolicy: %s\n", g.pick([]string{"OnFailure", "Never"}))
	} else if g.chance(60) {
		in("serviceAccountName: %s\n", app)
	}
	if g.chance(50) {
		in("securityContext:\n")
		in("  runAsNonRoot: true\n")
		in("  runAsUser: %d\n", 10000+g.r.IntN(1000))
		in("  fsGroup: 2000\n")
	}
	if !job && g.chance(25) {
		in("terminationGracePeriodSeconds: %d\n", []int{10, 30, 60}[g.r.IntN(3)])
	}
	if g.chance(50) {
		in("nodeSelector:\n")
		in("  kubernetes.io/os: linux\n")
	}
	if g.chance(40) {
		in("tolerations:\n")
		in("  - key: dedicated\n")
		in("    operator: Equal\n")
		in("    value: %s\n", g.pick(teams))
		in("    effect: NoSchedule\n")
	}
	if !job && g.chance(50) {
		in("affinity:\n")
		in("  podAntiAffinity:\n")
		in("    preferredDuringSchedulingIgnoredDuringExecution:\n")
		in("      - weight: 100\n")
		in("        podAffinityTerm:\n")
		in("          topologyKey: kubernetes.io/hostname\n")
		in("          labelSelector:\n")
		in("            matchLabels:\n")
		in("              app.kubernetes.io/name: %s\n", app)
	}
	if !job && g.chance(30) {
		in("topologySpreadConstraints:\n")
		in("  - maxSkew: 1\n")
		in("    topologyKey: topology.kubernetes.io/zone\n")
		in("    whenUnsatisfiable: ScheduleAnyway\n")
		in("    labelSelector:\n")
		in("      matchLabels:\n")
		in("        app.kubernetes.io/name: %s\n", app)
	}
	in("containers:\n")
	if g.inject(MissingRequired, path+".containers[0].name") {
		in("  - image: %s\n", g.image(app)) // no name
	} else {
		in("  - name: %s\n", app)
		in("    image: %s\n", g.image(app))
	}
	if g.inject(UnknownField, path+".containers[0].imagePullPolicyy") {
		in("    imagePullPolicyy: IfNotPresent\n")
	} else {
		in("    imagePullPolicy: %s\n", g.pick([]string{"IfNotPresent", "Always"}))
	}
	if job {
		in("    command: [\"/bin/%s\", \"run\", \"--once\"]\n", app)
	} else {
		in("    args:\n")
		in("      - --port=%d\n", port)
		in("      - --log-level=%s\n", g.pick(logLevels))
		in("    ports:\n")
		in("      - name: http\n")
		if g.inject(WrongType, path+".containers[0].ports[0].containerPort") {
			in("        containerPort: \"%d\"\n", port)
		} else {
			in("        containerPort: %d\n", port)
		}
		in("        protocol: TCP\n")
		if g.chance(40) {
			in("      - name: metrics\n")
			in("        containerPort: 9102\n")
		}
	}
	in("    env:\n")
	in("      - name: APP_ENV\n")
	in("        value: %s\n", g.pick(envs))
	in("      - name: LOG_LEVEL\n")
	in("        value: %s\n", g.pick(logLevels))
	if g.chance(60) {
		in("      - name: DATABASE_PASSWORD\n")
		in("        valueFrom:\n")
		in("          secretKeyRef:\n")
		in("            name: %s-db\n", app)
		in("            key: password\n")
	}
	if g.chance(40) {
		in("      - name: POD_NAME\n")
		in("        valueFrom:\n")
		in("          fieldRef:\n")
		in("            fieldPath: metadata.name\n")
	}
	if g.chance(40) {
		in("    envFrom:\n")
		in("      - configMapRef:\n")
		in("          name: %s-config\n", app)
	}
	in("    resources:\n")
	in("      requests:\n")
	in("        cpu: %s\n", g.pick(cpus[:4]))
	in("        memory: %s\n", g.pick(mems[:4]))
	in("      limits:\n")
	in("        cpu: %s\n", g.pick(cpus[3:]))
	in("        memory: %s\n", g.pick(mems[3:]))
	if !job {
		in("    readinessProbe:\n")
		in("      httpGet:\n")
		in("        path: /healthz\n")
		in("        port: http\n")
		in("      initialDelaySeconds: %d\n", g.between(0, 10))
		in("      periodSeconds: 10\n")
		if g.chance(70) {
			in("    livenessProbe:\n")
			in("      tcpSocket:\n")
			in("        port: %d\n", port)
			in("      initialDelaySeconds: 15\n")
			in("      failureThreshold: %d\n", g.between(3, 6))
		}
	}
	vols := g.chance(60)
	if vols {
		in("    volumeMounts:\n")
		in("      - name: config\n")
		in("        mountPath: /etc/%s\n", app)
		in("        readOnly: true\n")
		in("      - name: tmp\n")
		in("        mountPath: /tmp\n")
	}
	if !job && g.chance(25) {
		in("  - name: log-shipper\n")
		in("    image: %s\n", g.image("fluent-bit"))
		in("    resources:\n")
		in("      requests:\n")
		in("        cpu: 10m\n")
		in("        memory: 32Mi\n")
	}
	if vols {
		in("volumes:\n")
		in("  - name: config\n")
		in("    configMap:\n")
		in("      name: %s-config\n", app)
		in("  - name: tmp\n")
		in("    emptyDir: {}\n")
	}
}

func (g *gen) deployment() string {
	app := g.pick(apps)
	name := g.meta("apps/v1", "Deployment", app, "", true)
	g.l("spec:")
	g.p("  replicas: %d\n", g.between(1, 6))
	if g.chance(50) {
		g.p("  revisionHistoryLimit: %d\n", g.between(3, 10))
	}
	g.l("  selector:")
	g.l("    matchLabels:")
	g.p("      app.kubernetes.io/instance: %s\n", name)
	if g.chance(60) {
		g.l("  strategy:")
		g.l("    type: RollingUpdate")
		g.l("    rollingUpdate:")
		g.l("      maxSurge: 25%")
		g.p("      maxUnavailable: %d\n", g.between(0, 1))
	}
	g.l("  template:")
	g.l("    metadata:")
	g.l("      labels:")
	g.p("        app.kubernetes.io/name: %s\n", app)
	g.p("        app.kubernetes.io/instance: %s\n", name)
	g.l("    spec:")
	g.podSpec("      ", "spec.template.spec", app, false)
	return name
}

func (g *gen) statefulSet() string {
	app := g.pick([]string{"postgres", "redis", "kafka", "zookeeper", "elasticsearch", "etcd"})
	name := g.meta("apps/v1", "StatefulSet", app, "", true)
	g.l("spec:")
	if g.inject(MissingRequired, "spec.selector") {
		// no selector
	} else {
		g.l("  selector:")
		g.l("    matchLabels:")
		g.p("      app.kubernetes.io/instance: %s\n", name)
	}
	g.p("  serviceName: %s\n", name)
	if g.inject(WrongType, "spec.replicas") {
		g.p("  replicas: \"%d\"\n", g.between(1, 5))
	} else {
		g.p("  replicas: %d\n", g.between(1, 5))
	}
	g.p("  podManagementPolicy: %s\n", g.pick([]string{"OrderedReady", "Parallel"}))
	g.l("  updateStrategy:")
	g.l("    type: RollingUpdate")
	g.l("  template:")
	g.l("    metadata:")
	g.l("      labels:")
	g.p("        app.kubernetes.io/instance: %s\n", name)
	g.l("    spec:")
	g.podSpec("      ", "spec.template.spec", app, false)
	g.l("  volumeClaimTemplates:")
	g.l("    - metadata:")
	g.l("        name: data")
	g.l("      spec:")
	g.l("        accessModes: [ReadWriteOnce]")
	g.p("        storageClassName: %s\n", g.pick(classes))
	g.l("        resources:")
	g.l("          requests:")
	g.p("            storage: %s\n", g.pick(storage))
	return name
}

func (g *gen) cronJob() string {
	app := g.pick(apps)
	name := g.meta("batch/v1", "CronJob", app, "-cron", true)
	g.l("spec:")
	if g.inject(MissingRequired, "spec.schedule") {
		// no schedule
	} else {
		g.p("  schedule: \"%d */%d * * *\"\n", g.between(0, 59), g.between(1, 12))
	}
	if g.inject(UnknownField, "spec.concurrency") {
		g.l("  concurrency: Forbid")
	} else {
		g.p("  concurrencyPolicy: %s\n", g.pick([]string{"Forbid", "Replace", "Allow"}))
	}
	g.l("  successfulJobsHistoryLimit: 3")
	g.l("  failedJobsHistoryLimit: 1")
	g.l("  jobTemplate:")
	g.l("    spec:")
	if g.inject(WrongType, "spec.jobTemplate.spec.backoffLimit") {
		g.l("      backoffLimit: three")
	} else {
		g.p("      backoffLimit: %d\n", g.between(0, 6))
	}
	g.p("      activeDeadlineSeconds: %d\n", 600*g.between(1, 6))
	g.l("      template:")
	g.l("        spec:")
	g.podSpec("          ", "spec.jobTemplate.spec.template.spec", app, true)
	return name
}

func (g *gen) service() string {
	app := g.pick(apps)
	name := g.meta("v1", "Service", app, "", true)
	g.l("spec:")
	typ := "ClusterIP"
	switch x := g.r.IntN(10); {
	case x == 0:
		typ = "LoadBalancer"
	case x < 3:
		typ = "NodePort"
	}
	g.p("  type: %s\n", typ)
	g.l("  selector:")
	g.p("    app.kubernetes.io/name: %s\n", app)
	g.l("  ports:")
	g.l("    - name: http")
	switch {
	case g.inject(MissingRequired, "spec.ports[0].port"):
	case g.inject(WrongType, "spec.ports[0].port"):
		g.l("      port: \"80\"")
	default:
		g.l("      port: 80")
	}
	if g.inject(UnknownField, "spec.ports[0].targetport") {
		g.l("      targetport: http")
	} else {
		g.l("      targetPort: http")
	}
	g.l("      protocol: TCP")
	if typ == "NodePort" && g.chance(50) {
		g.p("      nodePort: %d\n", 30000+g.r.IntN(2700))
	}
	if g.chance(30) {
		g.l("    - name: metrics")
		g.l("      port: 9102")
		g.l("      targetPort: 9102")
	}
	if typ == "ClusterIP" && g.chance(15) {
		g.l("  sessionAffinity: ClientIP")
	}
	return name
}

func (g *gen) configMap() string {
	app := g.pick(apps)
	name := g.meta("v1", "ConfigMap", app, "-config", true)
	if g.inject(UnknownField, "datas") {
		g.l("datas:")
	} else {
		g.l("data:")
	}
	g.p("  LOG_LEVEL: %s\n", g.pick(logLevels))
	g.p("  APP_ENV: %s\n", g.pick(envs))
	if g.inject(WrongType, "data[WORKERS]") {
		g.p("  WORKERS: %d\n", g.between(1, 16))
	} else {
		g.p("  WORKERS: \"%d\"\n", g.between(1, 16))
	}
	if g.chance(50) {
		g.p("  FEATURE_FLAGS: \"%s,%s\"\n", g.pick([]string{"new-cart", "fast-search", "beta-ui"}), g.pick([]string{"dark-mode", "exp-pricing"}))
	}
	if g.chance(75) {
		g.p("  %s.yaml: |\n", app)
		g.l("    server:")
		g.p("      port: %d\n", []int{8080, 8000, 3000}[g.r.IntN(3)])
		g.p("      readTimeout: %ds\n", g.between(5, 60))
		g.l("    database:")
		g.p("      host: %s-db.%s.svc.cluster.local\n", app, g.pick(namespaces))
		g.l("      pool:")
		g.p("        max: %d\n", g.between(5, 50))
		g.l("    cache:")
		g.p("      ttl: %dm\n", g.between(1, 30))
	}
	return name
}

const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

func (g *gen) base64(n int) string {
	b := make([]byte, n*4)
	for i := range b {
		b[i] = b64[g.r.IntN(64)]
	}
	return string(b)
}

func (g *gen) secret() string {
	app := g.pick(apps)
	if g.chance(25) && g.err == NoError {
		name := g.meta("v1", "Secret", app, "-tls", true)
		g.l("type: kubernetes.io/tls")
		g.l("data:")
		g.p("  tls.crt: %s\n", g.base64(40))
		g.p("  tls.key: %s\n", g.base64(30))
		return name
	}
	name := g.meta("v1", "Secret", app, "-db", true)
	g.l("type: Opaque")
	g.l("data:")
	g.p("  username: %s\n", g.base64(3))
	if g.inject(WrongType, "data[port]") {
		g.p("  port: %d\n", 5432)
	}
	g.p("  password: %s\n", g.base64(8))
	if g.chance(50) {
		if g.inject(UnknownField, "stringdata") {
			g.l("stringdata:")
		} else {
			g.l("stringData:")
		}
		g.p("  DATABASE_URL: postgres://%s@%s-db:5432/%s\n", app, app, app)
	}
	if g.err == UnknownField && g.errField == "" {
		g.inject(UnknownField, "immutible")
		g.l("immutible: true")
	}
	return name
}

func (g *gen) ingress() string {
	app := g.pick(apps)
	name := g.meta("networking.k8s.io/v1", "Ingress", app, "", true)
	host := fmt.Sprintf("%s.%s", app, g.pick(hosts))
	g.l("spec:")
	if g.inject(UnknownField, "spec.ingressClass") {
		g.l("  ingressClass: nginx")
	} else {
		g.p("  ingressClassName: %s\n", g.pick([]string{"nginx", "traefik", "alb"}))
	}
	if g.chance(60) {
		g.l("  tls:")
		g.l("    - hosts:")
		g.p("        - %s\n", host)
		g.p("      secretName: %s-tls\n", app)
	}
	g.l("  rules:")
	g.p("    - host: %s\n", host)
	g.l("      http:")
	g.l("        paths:")
	g.l("          - path: /")
	if !g.inject(MissingRequired, "spec.rules[0].http.paths[0].pathType") {
		g.l("            pathType: Prefix")
	}
	g.l("            backend:")
	g.l("              service:")
	g.p("                name: %s\n", app)
	g.l("                port:")
	if g.inject(WrongType, "spec.rules[0].http.paths[0].backend.service.port.number") {
		g.l("                  number: \"80\"")
	} else {
		g.l("                  number: 80")
	}
	if g.chance(40) {
		g.l("          - path: /api")
		g.l("            pathType: Prefix")
		g.l("            backend:")
		g.l("              service:")
		g.p("                name: %s-api\n", app)
		g.l("                port:")
		g.l("                  name: http")
	}
	return name
}

var verbSets = []string{"[get, list, watch]", "[get, list, watch, create, update, patch, delete]", "[get]", "[create]"}

func (g *gen) rules(n int) {
	g.l("rules:")
	groups := []string{`""`, "apps", "batch", "networking.k8s.io", "coordination.k8s.io"}
	res := map[string][]string{
		`""`:                  {"pods", "configmaps", "secrets", "services", "endpoints", "events"},
		"apps":                {"deployments", "statefulsets", "replicasets"},
		"batch":               {"jobs", "cronjobs"},
		"networking.k8s.io":   {"ingresses", "networkpolicies"},
		"coordination.k8s.io": {"leases"},
	}
	for i := 0; i < n; i++ {
		grp := g.pick(groups)
		g.p("  - apiGroups: [%s]\n", grp)
		rs := res[grp]
		k := g.between(1, len(rs))
		g.buf.WriteString("    resources: [")
		for j := 0; j < k; j++ {
			if j > 0 {
				g.buf.WriteString(", ")
			}
			g.buf.WriteString(rs[j])
		}
		g.buf.WriteString("]\n")
		switch {
		case i == 0 && g.inject(MissingRequired, "rules[0].verbs"):
		case i == 0 && g.inject(WrongType, "rules[0].verbs"):
			g.l("    verbs: get")
		case i == 0 && g.inject(UnknownField, "rules[0].verb"):
			g.p("    verb: %s\n", g.pick(verbSets))
		default:
			g.p("    verbs: %s\n", g.pick(verbSets))
		}
	}
}

func (g *gen) role() string {
	app := g.pick(apps)
	name := g.meta("rbac.authorization.k8s.io/v1", "Role", app, "-role", true)
	g.rules(g.between(1, 3))
	return name
}

func (g *gen) clusterRole() string {
	app := g.pick(apps)
	name := g.meta("rbac.authorization.k8s.io/v1", "ClusterRole", app, "-reader", false)
	g.rules(g.between(1, 4))
	return name
}

func (g *gen) roleBinding() string {
	app := g.pick(apps)
	name := g.meta("rbac.authorization.k8s.io/v1", "RoleBinding", app, "-binding", true)
	g.l("roleRef:")
	g.l("  apiGroup: rbac.authorization.k8s.io")
	if g.inject(UnknownField, "roleRef.namespace") {
		g.p("  namespace: %s\n", g.pick(namespaces))
	}
	g.p("  kind: %s\n", g.pick([]string{"Role", "ClusterRole"}))
	if !g.inject(MissingRequired, "roleRef.name") {
		g.p("  name: %s-role\n", app)
	}
	if g.inject(WrongType, "subjects") {
		g.l("subjects:")
		g.l("  kind: ServiceAccount")
		g.p("  name: %s\n", app)
		return name
	}
	g.l("subjects:")
	g.l("  - kind: ServiceAccount")
	g.p("    name: %s\n", app)
	g.p("    namespace: %s\n", g.pick(namespaces))
	if g.chance(30) {
		g.l("  - kind: Group")
		g.l("    apiGroup: rbac.authorization.k8s.io")
		g.p("    name: %s-admins\n", g.pick(teams))
	}
	return name
}

func (g *gen) pvc() string {
	app := g.pick([]string{"postgres", "uploads", "cache", "backups", "models"})
	name := g.meta("v1", "PersistentVolumeClaim", app, "-data", true)
	g.l("spec:")
	if g.inject(WrongType, "spec.accessModes") {
		g.l("  accessModes: ReadWriteOnce")
	} else {
		g.p("  accessModes: [%s]\n", g.pick([]string{"ReadWriteOnce", "ReadWriteMany", "ReadOnlyMany"}))
	}
	if g.inject(UnknownField, "spec.storageClass") {
		g.p("  storageClass: %s\n", g.pick(classes))
	} else {
		g.p("  storageClassName: %s\n", g.pick(classes))
	}
	g.l("  volumeMode: Filesystem")
	g.l("  resources:")
	g.l("    requests:")
	g.p("      storage: %s\n", g.pick(storage))
	return name
}

func (g *gen) hpa() string {
	app := g.pick(apps)
	name := g.meta("autoscaling/v2", "HorizontalPodAutoscaler", app, "", true)
	g.l("spec:")
	g.l("  scaleTargetRef:")
	g.l("    apiVersion: apps/v1")
	g.l("    kind: Deployment")
	g.p("    name: %s\n", app)
	g.p("  minReplicas: %d\n", g.between(1, 3))
	switch {
	case g.inject(MissingRequired, "spec.maxReplicas"):
	case g.inject(WrongType, "spec.maxReplicas"):
		g.l("  maxReplicas: \"10\"")
	default:
		g.p("  maxReplicas: %d\n", g.between(4, 30))
	}
	if g.inject(UnknownField, "spec.targetCPUUtilizationPercentage") {
		// the autoscaling/v1 field, in a v2 object
		g.l("  targetCPUUtilizationPercentage: 70")
		return name
	}
	g.l("  metrics:")
	g.l("    - type: Resource")
	g.l("      resource:")
	g.l("        name: cpu")
	g.l("        target:")
	g.l("          type: Utilization")
	g.p("          averageUtilization: %d\n", g.between(50, 85))
	if g.chance(40) {
		g.l("    - type: Resource")
		g.l("      resource:")
		g.l("        name: memory")
		g.l("        target:")
		g.l("          type: AverageValue")
		g.p("          averageValue: %s\n", g.pick(mems[2:]))
	}
	if g.chance(40) {
		g.l("  behavior:")
		g.l("    scaleDown:")
		g.p("      stabilizationWindowSeconds: %d\n", 60*g.between(1, 10))
		g.l("      policies:")
		g.l("        - type: Percent")
		g.l("          value: 50")
		g.l("          periodSeconds: 60")
	}
	return name
}

func (g *gen) networkPolicy() string {
	app := g.pick(apps)
	name := g.meta("networking.k8s.io/v1", "NetworkPolicy", app, "-allow", true)
	g.l("spec:")
	g.l("  podSelector:")
	g.l("    matchLabels:")
	g.p("      app.kubernetes.io/name: %s\n", app)
	if g.inject(WrongType, "spec.policyTypes") {
		g.l("  policyTypes: Ingress")
	} else {
		g.l("  policyTypes: [Ingress, Egress]")
	}
	g.l("  ingress:")
	g.l("    - from:")
	g.l("        - podSelector:")
	g.l("            matchLabels:")
	g.p("              app.kubernetes.io/name: %s\n", g.pick(apps))
	g.l("        - namespaceSelector:")
	g.l("            matchLabels:")
	g.l("              kubernetes.io/metadata.name: ingress-nginx")
	g.l("      ports:")
	g.l("        - protocol: TCP")
	g.p("          port: %d\n", []int{8080, 8000, 3000}[g.r.IntN(3)])
	if g.inject(UnknownField, "spec.egress[0].destinations") {
		g.l("  egress:")
		g.l("    - destinations:")
	} else {
		g.l("  egress:")
		g.l("    - to:")
	}
	if g.inject(MissingRequired, "spec.egress[0].to[0].ipBlock.cidr") {
		g.l("        - ipBlock:")
		g.l("            except: [10.0.0.0/24]")
	} else {
		g.l("        - ipBlock:")
		g.p("            cidr: 10.%d.0.0/16\n", g.between(0, 255))
	}
	g.l("      ports:")
	g.l("        - protocol: UDP")
	g.l("          port: 53")
	return name
}

func (g *gen) serviceAccount() string {
	app := g.pick(apps)
	name := g.meta("v1", "ServiceAccount", app, "", true)
	switch {
	case g.inject(UnknownField, "automountToken"):
		g.l("automountToken: false")
	case g.inject(WrongType, "automountServiceAccountToken"):
		g.l("automountServiceAccountToken: \"false\"")
	default:
		g.p("automountServiceAccountToken: %t\n", g.chance(50))
	}
	if g.chance(40) {
		g.l("imagePullSecrets:")
		g.l("  - name: registry-credentials")
	}
	return name
}
