package lsp

import (
	"hash/maphash"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"go.lsp.dev/protocol"
)

// revalidateAll validates every open document again (new schemas).
func (s *Server) revalidateAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != stateInitialized {
		return
	}
	s.gen++
	for _, doc := range s.docs {
		s.schedule(doc, s.settings.debounce())
	}
}

// rebuild builds a new engine from the settings and the CRD manifests open in the editor,
// then re-validates every open file but trigger (whose diagnostics are running).
func (s *Server) rebuild(trigger *document) {
	s.rebuildMu.Lock()
	defer s.rebuildMu.Unlock()
	s.mu.Lock()
	settings, root, before := s.settings, s.root, s.cluster
	snaps := make([]*snapshot, 0, len(s.docs))
	for _, doc := range s.docs {
		snaps = append(snaps, doc.snap)
	}
	s.mu.Unlock()

	var problems []string
	cluster, problem := s.ensureCluster(settings)
	if problem != "" {
		problems = append(problems, problem)
	}
	opts := settings.engineOptions().WithCluster(cluster)
	eng, err := engine.New(opts)
	if err != nil {
		problems = append(problems, err.Error()+"; using the newest embedded release")
		opts.KubernetesVersion, opts.SchemaSource = "", ""
		if eng, err = engine.New(opts); err != nil {
			s.log.Error("building the engine", "err", err)
			return
		}
	}
	if len(settings.CRDPaths) > 0 {
		if err := eng.LoadCRDPaths(resolveCRDPaths(settings.CRDPaths, root)); err != nil {
			problems = append(problems, "crdPaths: "+err.Error())
		}
	}
	keys := make(map[*document]uint64, len(snaps))
	open := make(map[string]bool, len(snaps))
	for _, snap := range snaps {
		open[snap.doc.name] = true
	}
	// CRDs in workspace files that are not open define kinds too.
	for _, f := range s.index.CRDFiles() {
		if !open[f.Name] {
			eng.AddCRDs(f)
		}
	}
	for _, snap := range snaps {
		if !engine.IsManifest(snap.text) {
			continue
		}
		snap.parse()
		k := crdKey(snap)
		keys[snap.doc] = k
		if k != 0 {
			eng.AddCRDs(snap.file)
		}
	}

	s.mu.Lock()
	s.eng = eng
	s.gen++
	for _, doc := range s.docs {
		doc.crdKey = keys[doc]
		if doc != trigger && s.state == stateInitialized {
			s.schedule(doc, 0)
		}
	}
	msg := ""
	if len(problems) > 0 {
		msg = "kubectl-lsp: " + problems[0]
		for _, p := range problems[1:] {
			msg += "; " + p
		}
	}
	changed := msg != s.lastEngineErr
	s.lastEngineErr = msg
	clusterChanged := s.cluster != before && s.state == stateInitialized
	s.mu.Unlock()
	if msg != "" && changed {
		s.showMessage(protocol.MessageTypeError, msg)
	}
	if clusterChanged {
		// The cluster lenses (drift, Apply, Diff, ...) come, go or change with the
		// cluster: the open documents' lenses are asked for again.
		s.goBackground(s.refreshLenses)
	}
}

// crdKey identifies the text of a snapshot's sections that may define CRDs (0 if none),
// to notice when the engine's schemas must change. The engine decides what they define.
func crdKey(snap *snapshot) uint64 {
	var h maphash.Hash
	h.SetSeed(hashSeed)
	n := 0
	for _, text := range engine.CRDSections(snap.file) {
		_, _ = h.Write(text)
		_ = h.WriteByte(0)
		n++
	}
	if n == 0 {
		return 0
	}
	return h.Sum64() | 1
}
