package lsp

import (
	"encoding/json"
	"fmt"

	"github.com/kubectl-lsp/kubectl-lsp/internal/version"
	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

func (s *Server) initialize(raw json.RawMessage) (any, error) {
	var p initializeParams
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid initialize params: %v", err)
		}
	}
	settings, err := parseSettings(p.InitializationOptions, s.defaults)
	if err != nil {
		s.showMessage(protocol.MessageTypeWarning, "kubectl-lsp: initializationOptions: "+err.Error())
	}
	root := ""
	switch {
	case p.RootURI != "":
		root = uriFilename(p.RootURI)
	case p.RootPath != "":
		root = p.RootPath
	case len(p.WorkspaceFolders) > 0:
		root = uriFilename(protocol.DocumentURI(p.WorkspaceFolders[0].URI))
	}
	var skips []SkipConfirmation
	for _, e := range settings.SkipConfirmationContexts {
		if p := e.problem(); p != "" {
			s.showMessage(protocol.MessageTypeWarning, fmt.Sprintf("kubectl-lsp: skipConfirmationContexts entry %q is ignored (apply and delete still ask): %s", e.String(), p))
			continue
		}
		skips = append(skips, e)
	}
	s.mu.Lock()
	s.settings, s.initSettings = settings, settings
	s.userSkips = skips
	s.root = root
	s.caps = p.caps()
	s.actionCaps = parseActionCaps(raw)
	s.mu.Unlock()
	s.rebuild(nil)
	s.mu.Lock()
	s.state = stateInitialized
	s.mu.Unlock()
	return &protocol.InitializeResult{
		Capabilities: s.capabilities(),
		ServerInfo:   &protocol.ServerInfo{Name: "kubectl-lsp", Version: version.Get().Version},
	}, nil
}

// capabilities advertises exactly what the server answers.
func (s *Server) capabilities() protocol.ServerCapabilities {
	caps := protocol.ServerCapabilities{
		TextDocumentSync: &protocol.TextDocumentSyncOptions{
			OpenClose: true,
			Change:    protocol.TextDocumentSyncKindIncremental,
			Save:      &protocol.SaveOptions{IncludeText: false},
		},
		ExecuteCommandProvider: &protocol.ExecuteCommandOptions{Commands: serverCommands},
	}
	caps.HoverProvider = true
	caps.CompletionProvider = &protocol.CompletionOptions{TriggerCharacters: []string{":", " ", "-"}}
	caps.DocumentSymbolProvider = true
	caps.FoldingRangeProvider = true
	caps.CodeLensProvider = &protocol.CodeLensOptions{}
	caps.DefinitionProvider = true
	caps.ReferencesProvider = true
	caps.RenameProvider = true
	caps.DocumentLinkProvider = &protocol.DocumentLinkOptions{}
	if s.caps.prepareRename {
		caps.RenameProvider = &protocol.RenameOptions{PrepareProvider: true}
	}
	// Options, with the kinds, only for clients that take CodeAction literals.
	caps.CodeActionProvider = true
	if s.actionCaps.literals {
		caps.CodeActionProvider = &protocol.CodeActionOptions{CodeActionKinds: []protocol.CodeActionKind{protocol.QuickFix}}
	}
	return caps
}

func (s *Server) shutdown() {
	s.stopCluster()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state = stateShutdown
	for _, doc := range s.docs {
		if doc.cancel != nil {
			doc.cancel()
		}
	}
}

func (s *Server) exit() {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.exited:
		return
	default:
	}
	if s.state != stateShutdown {
		s.exitErr = ErrExitWithoutShutdown
	}
	close(s.exited)
}
