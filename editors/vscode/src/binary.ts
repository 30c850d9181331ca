// Finding the kubectl-lsp binary: the kubectl-lsp.path setting, else PATH. Node's modules
// only (no vscode), so the unit tests can load it.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const BINARY = "kubectl-lsp";

export const INSTALL_HELP =
  "Install it from a checkout of github.com/kubectl-lsp/kubectl-lsp with `make install` (into ~/.local/bin) " +
  "or `go install ./cmd/kubectl-lsp` (into ~/go/bin), and make sure that folder is on PATH, " +
  "or set kubectl-lsp.path to the binary.";

export type Found = { ok: true; path: string } | { ok: false; message: string };

function executable(p: string): boolean {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) return false;
    if (process.platform === "win32") return true;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** installDirs are the folders `make install` (~/.local/bin) and `go install` use. */
export function installDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const home = os.homedir();
  const gopath = (env.GOPATH ?? "").split(path.delimiter).filter((p) => p !== "");
  return [
    path.join(home, ".local", "bin"),
    ...(env.GOBIN ? [env.GOBIN] : []),
    ...(gopath.length ? gopath : [path.join(home, "go")]).map((p) => path.join(p, "bin")),
  ];
}

/**
 * findServer resolves the binary: configured (absolute, ~/..., or relative to the first
 * workspace folder) or, when empty, the first kubectl-lsp on PATH or in installDirs.
 */
export function findServer(
  configured: string,
  workspaceRoot: string | undefined,
  envPath = process.env.PATH ?? "",
  fallbackDirs = installDirs(),
): Found {
  const exts = process.platform === "win32" ? ["", ".exe"] : [""];
  let p = configured.trim();
  if (p) {
    if (p === "~" || p.startsWith("~/")) p = path.join(os.homedir(), p.slice(1));
    if (!path.isAbsolute(p) && workspaceRoot) p = path.join(workspaceRoot, p);
    for (const e of exts) {
      if (executable(p + e)) return { ok: true, path: p + e };
    }
    return {
      ok: false,
      message: `kubectl-lsp: the language server binary set in kubectl-lsp.path (${p}) does not exist or is not executable. ${INSTALL_HELP}`,
    };
  }
  // PATH, then where `make install` and `go install` put it: an editor started from a
  // desktop may not have those folders on its PATH.
  for (const dir of [...envPath.split(path.delimiter), ...fallbackDirs]) {
    if (!dir) continue;
    for (const e of exts) {
      const candidate = path.join(dir, BINARY + e);
      if (executable(candidate)) return { ok: true, path: candidate };
    }
  }
  return {
    ok: false,
    message: `kubectl-lsp: the language server \`${BINARY}\` was not found on PATH (nor in ${fallbackDirs.join(", ")}). ${INSTALL_HELP}`,
  };
}
