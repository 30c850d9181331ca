package lsp

import (
	"encoding/json"
	"slices"

	"go.lsp.dev/protocol"
)

func (s *Server) didChangeConfiguration(raw json.RawMessage) error {
	var p struct {
		Settings json.RawMessage `json:"settings"`
	}
	if err := decodeParams(raw, &p); err != nil {
		return err
	}
	// The pushed settings replace the earlier ones, over the initializationOptions.
	s.mu.Lock()
	base := s.initSettings
	s.mu.Unlock()
	if len(p.Settings) == 0 || string(p.Settings) == "null" {
		return nil // nothing pushed (the client may expect workspace/configuration pulls)
	}
	settings, err := parseSettings(p.Settings, base)
	if err != nil {
		s.showMessage(protocol.MessageTypeWarning, "kubectl-lsp: settings: "+err.Error())
		return err
	}
	if !slices.Equal(settings.SkipConfirmationContexts, base.SkipConfirmationContexts) {
		// Only the initializationOptions may skip confirmations.
		settings.SkipConfirmationContexts = base.SkipConfirmationContexts
		s.mu.Lock()
		warned := s.skipWarned
		s.skipWarned = true
		s.mu.Unlock()
		s.log.Warn("skipConfirmationContexts from workspace/didChangeConfiguration ignored")
		if !warned {
			s.showMessage(protocol.MessageTypeWarning, "kubectl-lsp: skipConfirmationContexts can only be set in the user's settings, "+
				"passed when the server starts (initializationOptions); the value sent with the workspace settings is ignored. "+
				"A changed user setting takes effect when the server restarts.")
		}
	}
	s.mu.Lock()
	if settings.Context != s.settings.Context || settings.Kubeconfig != s.settings.Kubeconfig {
		s.contextOverride = "" // the user chose in the settings
	}
	s.settings = settings
	s.mu.Unlock()
	s.goRebuild()
	return nil
}
