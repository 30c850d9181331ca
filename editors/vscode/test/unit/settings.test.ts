// Unit tests of the pure modules, run with Node's test runner (type stripping, no vscode).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { findServer } from "../../src/binary.ts";
import { looksLikeManifest, pushedSettings, RESTART_SETTINGS, serverArgs, serverSettings, type ConfigReader } from "../../src/settings.ts";
import { statusView } from "../../src/status.ts";

/**
 * A ConfigReader over a flat object of VS Code setting keys (without "kubectl-lsp."),
 * all of them user settings unless listed in `workspace` (values a workspace sets, which
 * get() returns merged over the user's and inspect() reports apart).
 */
function reader(values: Record<string, unknown>, workspace: Record<string, unknown> = {}): ConfigReader {
  return {
    inspect<T>(key: string): { globalValue?: T; workspaceValue?: T } | undefined {
      return { globalValue: values[key] as T | undefined, workspaceValue: workspace[key] as T | undefined };
    },
    get<T>(key: string, def: T): T {
      if (key in workspace) return workspace[key] as T;
      if (key in values) return values[key] as T;
      // VS Code returns nested sections as objects: validation → {yaml, ...}
      const prefix = key + ".";
      const nested = Object.keys(values).filter((k) => k.startsWith(prefix));
      if (nested.length) return Object.fromEntries(nested.map((k) => [k.slice(prefix.length), values[k]])) as T;
      return def;
    },
  };
}

test("every server setting is sent, with the server's defaults", () => {
  assert.deepEqual(serverSettings(reader({})), {
    kubernetesVersion: "",
    schemaSource: "auto",
    kubeconfig: "",
    context: "",
    dryRun: "off",
    serverSideApply: false,
    skipConfirmationContexts: [],
    plugins: {},
    clusterRefreshSeconds: 20,
    crdPaths: [],
    debounceMs: 150,
    validate: true,
    validation: { yaml: true, schema: true, metadata: true, cel: true },
    files: [],
    exclude: [],
  });
});

test("settings map to the server's keys", () => {
  const s = serverSettings(
    reader({
      kubernetesVersion: " 1.34 ",
      schemaSource: "builtin",
      kubeconfig: "~/.kube/dev",
      context: "kind-dev",
      dryRun: "onSave",
      serverSideApply: true,
      skipConfirmationContexts: ["kind-dev@https://127.0.0.1:6443", { context: "prod", server: "https://10.0.0.1" }, { context: "x" }, 3, ""],
      plugins: { tree: { args: ["{kind}/{name}", 3], timeoutSeconds: 10 }, neat: { stdin: true, hidden: "no" }, bad: "x" },
      clusterRefreshSeconds: 5,
      crdPaths: ["crds", "", 3],
      debounceMs: 10.4,
      validate: false,
      "validation.cel": false,
      files: "deploy/**/*.yaml",
      exclude: ["**/charts/**"],
      path: "/opt/kubectl-lsp", // the extension's own: not sent
    }),
  );
  assert.equal(s.kubernetesVersion, "1.34");
  assert.equal(s.schemaSource, "builtin");
  assert.equal(s.kubeconfig, "~/.kube/dev");
  assert.equal(s.context, "kind-dev");
  assert.equal(s.dryRun, "onSave");
  assert.equal(s.serverSideApply, true);
  assert.deepEqual(s.skipConfirmationContexts, ["kind-dev@https://127.0.0.1:6443", { context: "prod", server: "https://10.0.0.1" }]);
  assert.deepEqual(s.plugins, { tree: { args: ["{kind}/{name}"], timeoutSeconds: 10 }, neat: { stdin: true } });
  assert.equal(s.clusterRefreshSeconds, 5);
  assert.deepEqual(s.crdPaths, ["crds"]);
  assert.equal(s.debounceMs, 10);
  assert.equal(s.validate, false);
  assert.deepEqual(s.validation, { yaml: true, schema: true, metadata: true, cel: false });
  assert.deepEqual(s.files, ["deploy/**/*.yaml"]);
  assert.deepEqual(s.exclude, ["**/charts/**"]);
  assert.ok(!("path" in s));
});

test("skipConfirmationContexts comes from the user's settings only, and is not pushed", () => {
  const user = { context: "kind-dev", server: "https://127.0.0.1:6443" };
  const evil = { context: "prod", server: "https://10.0.0.1" };
  // A workspace value never reaches the server, with or without a user value.
  assert.deepEqual(serverSettings(reader({}, { skipConfirmationContexts: [evil] })).skipConfirmationContexts, []);
  assert.deepEqual(serverSettings(reader({ skipConfirmationContexts: [user] }, { skipConfirmationContexts: [evil] })).skipConfirmationContexts, [user]);
  // A reader that cannot tell them apart gives none.
  assert.deepEqual(serverSettings({ get: <T>(_k: string, _d: T) => [evil] as T }).skipConfirmationContexts, []);
  // Pushed settings (didChangeConfiguration) leave it out; a change restarts the server.
  assert.ok(!("skipConfirmationContexts" in pushedSettings(reader({ skipConfirmationContexts: [user] }))));
  assert.ok(RESTART_SETTINGS.includes("skipConfirmationContexts"));
});

test("values the server would reject fall back to the defaults", () => {
  const s = serverSettings(reader({ schemaSource: "live", dryRun: "always", debounceMs: "fast" }));
  assert.equal(s.schemaSource, "auto");
  assert.equal(s.dryRun, "off");
  assert.equal(s.debounceMs, 150);
});

test("server arguments", () => {
  assert.deepEqual(serverArgs(reader({})), ["serve", "--stdio", "--log-level", "info"]);
  assert.deepEqual(serverArgs(reader({ logLevel: "debug" })), ["serve", "--stdio", "--log-level", "debug"]);
});

test("manifest detection", () => {
  assert.ok(looksLikeManifest("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"));
  assert.ok(looksLikeManifest("# comment\r\nkind: Pod\r\napiVersion: v1\r\n"));
  assert.ok(!looksLikeManifest("name: build\non: push\n"));
  assert.ok(!looksLikeManifest("  apiVersion: v1\n  kind: Pod\n"));
  assert.ok(!looksLikeManifest(""));
});

test("status bar: context · serverVersion · source", () => {
  const v = statusView({ connected: true, context: "kind-dev", serverVersion: "v1.37.2", source: "cluster", schemas: "cluster kind-dev v1.37.2" });
  assert.equal(v.text, "$(cloud) kind-dev · v1.37.2 · cluster");
  assert.equal(v.warning, false);
  assert.match(v.tooltip, /Context: kind-dev/);
});

test("status bar: an error warns, with the error in the tooltip", () => {
  const v = statusView({ connected: true, context: "prod", source: "cache", lastError: "dial tcp 10.0.0.1:443: connection refused", errorKind: "unreachable" });
  assert.equal(v.text, "$(warning) prod · cache");
  assert.equal(v.warning, true);
  assert.match(v.tooltip, /unreachable: dial tcp 10\.0\.0\.1:443: connection refused/);
});

test("status bar: no cluster names the embedded schemas", () => {
  const v = statusView({ connected: false, source: "builtin", schemas: "crd → builtin 1.37", lastRefresh: "0001-01-01T00:00:00Z" });
  assert.equal(v.text, "$(circle-slash) builtin 1.37");
  assert.match(v.tooltip, /Schemas: crd → builtin 1\.37/);
  assert.doesNotMatch(v.tooltip, /Last refresh/);
  assert.equal(v.warning, false);
});

test("the binary: the setting, else PATH, else a message with install instructions", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubectl-lsp-vscode-"));
  try {
    const bin = path.join(dir, "kubectl-lsp");
    fs.writeFileSync(bin, "#!/bin/sh\n", { mode: 0o755 });
    const plain = path.join(dir, "plain");
    fs.writeFileSync(plain, "", { mode: 0o644 });

    assert.deepEqual(findServer("", undefined, `/nonexistent${path.delimiter}${dir}`, []), { ok: true, path: bin });
    assert.deepEqual(findServer("", undefined, "/nonexistent", ["/nonexistent2", dir]), { ok: true, path: bin });
    assert.deepEqual(findServer(bin, undefined, ""), { ok: true, path: bin });
    assert.deepEqual(findServer("kubectl-lsp", dir, ""), { ok: true, path: bin });

    const missing = findServer("", undefined, "/nonexistent", ["/nonexistent2"]);
    assert.equal(missing.ok, false);
    assert.match(!missing.ok ? missing.message : "", /not found on PATH.*make install/);
    const notExec = findServer(plain, undefined, "", [dir]);
    assert.equal(notExec.ok, false);
    assert.match(!notExec.ok ? notExec.message : "", /kubectl-lsp\.path/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
