# kubectl-lsp — targets a newcomer can guess. `make help` lists them.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -eu -o pipefail -c

GO        ?= go
BIN       := bin/kubectl-lsp
CACHE     := $(CURDIR)/.cache
TOOLS_BIN := $(CACHE)/tools
PREFIX    ?= $(HOME)/.local
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X github.com/kubectl-lsp/kubectl-lsp/internal/version.Version=$(VERSION)

# make dist: VERSION=v1.2.3 names the release (default: the v-tag at HEAD, else a
# v0.0.0-TIME-COMMIT pseudo-version); RELEASE_URL is where its archives will be
# downloaded from, {version} standing for the version (krew manifest, Homebrew formula).
DIST        ?= dist
RELEASE_URL ?= https://github.com/kubectl-lsp/kubectl-lsp/releases/download/{version}
DIST_FLAGS   = -release-url '$(RELEASE_URL)' $(if $(filter command line environment,$(origin VERSION)),-version '$(VERSION)')
SNAPSHOT    := $(CACHE)/dist-snapshot

STATICCHECK_VERSION := v0.8.2
KUBECONFORM_VERSION := v0.8.0

.PHONY: help build install run test test-unit bench lint vet generate clean dist dist-snapshot

help: ## list targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

build: ## build bin/kubectl-lsp
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/kubectl-lsp

install: build ## install kubectl-lsp into $(PREFIX)/bin (kubectl finds it as `kubectl lsp`)
	install -d $(PREFIX)/bin
	install -m 0755 $(BIN) $(PREFIX)/bin/kubectl-lsp
	install -m 0755 kubectl_complete-lsp $(PREFIX)/bin/kubectl_complete-lsp

run: build ## validate the bundled examples and explain a field, offline
	./$(BIN) validate --crd examples/crds examples/valid
	@echo '--- examples/invalid (findings expected, exit status 1):'
	-./$(BIN) validate --crd examples/crds examples/invalid
	./$(BIN) explain deploy.spec.strategy

test-unit: ## fast unit tests (seconds)
	$(GO) test -short ./...

test: vet lint controlplane ## everything CI runs: unit, integration against a real control plane, editors
	KUBECTL_LSP_REQUIRE_CLUSTER=1 KUBECTL_LSP_REQUIRE_NVIM=1 KUBECTL_LSP_REQUIRE_PRECOMMIT=1 $(GO) test -count=1 -timeout 30m ./...
	cd plugins/krew && $(GO) test -count=1 ./...
	$(MAKE) --no-print-directory dist-snapshot

bench: build ## kubectl-lsp vs kubeconform on the same corpus, and the Go benchmarks
	GO=$(GO) hack/bench.sh

vet: ## go vet
	$(GO) vet ./...

lint: $(TOOLS_BIN)/staticcheck ## staticcheck
	$(TOOLS_BIN)/staticcheck ./...

$(TOOLS_BIN)/staticcheck:
	GOBIN=$(TOOLS_BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

generate: ## regenerate embedded schemas and enum tables from the Kubernetes modules
	$(GO) generate ./schema/... 

clean: ## remove build outputs (keeps the tool cache)
	rm -rf bin $(DIST)

# --- release ---
dist: ## the release into dist/ for 6 platforms: archives, checksums.txt, krew/lsp.yaml, homebrew/kubectl-lsp.rb (slow: a cold cross-build each)
	rm -rf $(DIST)
	$(GO) run ./internal/release/cmd/dist -out $(DIST) $(DIST_FLAGS)

dist-snapshot: ## the same release for linux/amd64 alone into .cache/dist-snapshot, then checked (part of make test)
	rm -rf $(SNAPSHOT)
	$(GO) run ./internal/release/cmd/dist -out $(SNAPSHOT) -platforms linux/amd64 $(DIST_FLAGS)
	GO=$(GO) hack/check-dist.sh $(SNAPSHOT)

# --- control plane ---
.PHONY: controlplane
controlplane: ## build kube-apiserver and kubectl 1.37, and kube-apiserver 1.34 (the oldest supported), into .cache (cached)
	hack/controlplane.sh build
	hack/controlplane.sh build oldest

# --- editors ---
.PHONY: test-nvim
test-nvim: ## drive a headless Neovim (Debian's 0.7.2: apt-get install -y neovim) against the server
	KUBECTL_LSP_REQUIRE_NVIM=1 $(GO) test -count=1 -run '^TestNeovim$$' -v ./lsp/

# --- language server benchmark ---
.PHONY: bench-lsp
bench-lsp: build ## kubectl-lsp vs yaml-language-server as language servers (installs Node 24 + yaml-language-server into .cache)
	GO=$(GO) hack/bench-lsp.sh

# --- VS Code ---
.PHONY: vsix test-editors
vsix: ## build the VS Code extension into bin/kubectl-lsp.vsix (Node 24 and npm packages cached in .cache)
	editors/vscode/build.sh vsix

test-editors: build vsix ## the .vsix in a real VS Code (code-server) driven by headless Chromium; installs them into .cache
	hack/test-editors.sh
