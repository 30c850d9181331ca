// The server's settings, read from VS Code's `kubectl-lsp.*` configuration. No runtime
// imports: the unit tests load this file with Node alone.

/**
 * What getConfiguration("kubectl-lsp") offers: a typed get with a default, and inspect,
 * which tells the user's own value (globalValue) from a workspace's.
 */
export interface ConfigReader {
  get<T>(key: string, defaultValue: T): T;
  inspect?<T>(key: string): { globalValue?: T } | undefined;
}

/**
 * A cluster whose Apply and Delete are not confirmed: a context together with the server
 * URL it must point at, as {context, server} or "context@https://server".
 */
export type SkipConfirmation = string | { context: string; server: string };

/**
 * The settings the server reads (lsp/settings.go), sent as initializationOptions and,
 * under "kubectl-lsp", with workspace/didChangeConfiguration. Every key is always sent:
 * the server keeps the value of a key a push leaves out, so a setting the user removes
 * must be sent with its default to take effect.
 */
export interface ServerSettings {
  kubernetesVersion: string;
  schemaSource: string;
  kubeconfig: string;
  context: string;
  dryRun: string;
  serverSideApply: boolean;
  skipConfirmationContexts: SkipConfirmation[];
  plugins: Record<string, PluginSettings>;
  clusterRefreshSeconds: number;
  crdPaths: string[];
  debounceMs: number;
  validate: boolean;
  validation: { yaml: boolean; schema: boolean; metadata: boolean; cel: boolean };
  files: string[];
  exclude: string[];
}

/** How the server runs one kubectl plugin (lsp/plugins.go PluginSettings). */
export interface PluginSettings {
  args?: string[];
  stdin?: boolean;
  timeoutSeconds?: number;
  hidden?: boolean;
}

/** The section of VS Code's settings, and the key the server unwraps. */
export const SECTION = "kubectl-lsp";

/**
 * Settings that need a new server process rather than a didChangeConfiguration:
 * skipConfirmationContexts reaches the server only when it starts (initializationOptions),
 * which is the only way the server accepts it.
 */
export const RESTART_SETTINGS = ["path", "logLevel", "skipConfirmationContexts"];

function str(c: ConfigReader, key: string, def: string): string {
  const v = c.get<unknown>(key, def);
  return typeof v === "string" ? v.trim() : def;
}

function num(c: ConfigReader, key: string, def: number): number {
  const v = c.get<unknown>(key, def);
  return typeof v === "number" && Number.isFinite(v) ? v : def;
}

function bool(c: ConfigReader, key: string, def: boolean): boolean {
  const v = c.get<unknown>(key, def);
  return typeof v === "boolean" ? v : def;
}

function list(c: ConfigReader, key: string): string[] {
  const v = c.get<unknown>(key, []);
  if (typeof v === "string") return v.trim() ? [v.trim()] : [];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string" && x.trim() !== "") : [];
}

/**
 * userSkips is skipConfirmationContexts from the user's settings only (inspect's
 * globalValue): a workspace's or folder's value is never read, whatever VS Code's scope
 * rules. Without inspect (another reader), none.
 */
function userSkips(c: ConfigReader): SkipConfirmation[] {
  const v = c.inspect?.<unknown>("skipConfirmationContexts")?.globalValue;
  if (!Array.isArray(v)) return [];
  const out: SkipConfirmation[] = [];
  for (const e of v) {
    if (typeof e === "string" && e.trim() !== "") {
      out.push(e.trim());
    } else if (e && typeof e === "object" && !Array.isArray(e)) {
      const { context, server } = e as Record<string, unknown>;
      if (typeof context === "string" && typeof server === "string") out.push({ context, server });
    }
  }
  return out;
}

function plugins(c: ConfigReader): Record<string, PluginSettings> {
  const v = c.get<unknown>("plugins", {});
  const out: Record<string, PluginSettings> = {};
  if (!v || typeof v !== "object" || Array.isArray(v)) return out;
  for (const [name, raw] of Object.entries(v as Record<string, unknown>)) {
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) continue;
    const r = raw as Record<string, unknown>;
    const p: PluginSettings = {};
    if (Array.isArray(r.args)) p.args = r.args.filter((a): a is string => typeof a === "string");
    if (typeof r.stdin === "boolean") p.stdin = r.stdin;
    if (typeof r.timeoutSeconds === "number" && r.timeoutSeconds > 0) p.timeoutSeconds = r.timeoutSeconds;
    if (typeof r.hidden === "boolean") p.hidden = r.hidden;
    out[name] = p;
  }
  return out;
}

function oneOf(c: ConfigReader, key: string, allowed: string[], def: string): string {
  const v = str(c, key, def);
  return allowed.includes(v) ? v : def;
}

/** serverSettings maps the `kubectl-lsp.*` configuration to the server's settings. */
export function serverSettings(c: ConfigReader): ServerSettings {
  const validation = (key: string) => {
    // "validation" reads as an object ({yaml: true, ...}) or, from some readers, per key.
    const obj = c.get<unknown>("validation", undefined);
    if (obj && typeof obj === "object" && typeof (obj as Record<string, unknown>)[key] === "boolean") {
      return (obj as Record<string, boolean>)[key];
    }
    return bool(c, `validation.${key}`, true);
  };
  return {
    kubernetesVersion: str(c, "kubernetesVersion", ""),
    schemaSource: oneOf(c, "schemaSource", ["auto", "cluster", "builtin"], "auto"),
    kubeconfig: str(c, "kubeconfig", ""),
    context: str(c, "context", ""),
    dryRun: oneOf(c, "dryRun", ["off", "onSave"], "off"),
    serverSideApply: bool(c, "serverSideApply", false),
    skipConfirmationContexts: userSkips(c),
    plugins: plugins(c),
    clusterRefreshSeconds: num(c, "clusterRefreshSeconds", 20),
    crdPaths: list(c, "crdPaths"),
    debounceMs: Math.max(0, Math.round(num(c, "debounceMs", 150))),
    validate: bool(c, "validate", true),
    validation: {
      yaml: validation("yaml"),
      schema: validation("schema"),
      metadata: validation("metadata"),
      cel: validation("cel"),
    },
    files: list(c, "files"),
    exclude: list(c, "exclude"),
  };
}

/**
 * pushedSettings are the settings sent with workspace/didChangeConfiguration: all but
 * skipConfirmationContexts, which the server takes from the initializationOptions only
 * (a change restarts the server: RESTART_SETTINGS).
 */
export function pushedSettings(c: ConfigReader): Omit<ServerSettings, "skipConfirmationContexts"> {
  const { skipConfirmationContexts: _, ...rest } = serverSettings(c);
  return rest;
}

/** serverArgs are the arguments of `kubectl-lsp` for a language server session. */
export function serverArgs(c: ConfigReader): string[] {
  return ["serve", "--stdio", "--log-level", oneOf(c, "logLevel", ["debug", "info", "warn", "error"], "info")];
}

/**
 * looksLikeManifest reports whether text reads as a Kubernetes manifest: an apiVersion
 * and a kind at the start of a line (YAML) within its first lines.
 */
export function looksLikeManifest(text: string): boolean {
  const head = text.split(/\r?\n|\r/, 200);
  let apiVersion = false;
  let kind = false;
  for (const line of head) {
    if (/^apiVersion:\s*\S/.test(line)) apiVersion = true;
    else if (/^kind:\s*[A-Za-z]/.test(line)) kind = true;
    if (apiVersion && kind) return true;
  }
  return false;
}
