// The status bar's text and tooltip from the server's kubectl-lsp/status notification.
// No runtime imports: the unit tests load this file with Node alone.

/** The params of kubectl-lsp/status (lsp/cluster.go StatusParams). */
export interface ClusterStatus {
  context?: string;
  cluster?: string;
  server?: string;
  serverVersion?: string;
  /** cluster, cache or builtin */
  source?: string;
  lastRefresh?: string;
  lastError?: string;
  /** unreachable, unauthorized, forbidden or other */
  errorKind?: string;
  /** the schema chain, e.g. "crd → cluster dev v1.37.2" */
  schemas?: string;
  /** false when no cluster is configured (embedded schemas only) */
  connected?: boolean;
}

export interface StatusView {
  /** the status bar text, with a codicon */
  text: string;
  /** markdown */
  tooltip: string;
  warning: boolean;
}

/** The text before the server has said anything. */
export const STARTING: StatusView = {
  text: "$(loading~spin) kubectl-lsp",
  tooltip: "kubectl-lsp: starting the language server",
  warning: false,
};

/** statusView formats a status: `context · serverVersion · source`. */
export function statusView(s: ClusterStatus): StatusView {
  const warning = !!s.lastError;
  let text: string;
  if (s.connected) {
    const parts = [s.context || s.cluster || "(no context)", s.serverVersion, s.source].filter((p) => !!p);
    text = `${warning ? "$(warning)" : "$(cloud)"} ${parts.join(" · ")}`;
  } else {
    // No cluster: the embedded release, the last of the chain ("crd → builtin 1.37").
    const chain = (s.schemas ?? "").split("→").map((p) => p.trim()).filter((p) => p !== "");
    text = `${warning ? "$(warning)" : "$(circle-slash)"} ${chain[chain.length - 1] || s.source || "builtin"}`;
  }
  const rows: [string, string | undefined][] = [
    ["Context", s.context],
    ["Cluster", s.cluster],
    ["Server", s.server],
    ["Version", s.serverVersion],
    ["Source", s.source && describeSource(s.source)],
    ["Schemas", s.schemas],
    ["Last refresh", s.lastRefresh && formatTime(s.lastRefresh)],
  ];
  const lines = [s.connected ? "**kubectl-lsp**: cluster schemas" : "**kubectl-lsp**: no cluster (embedded schemas)", ""];
  for (const [k, v] of rows) {
    if (v) lines.push(`- ${k}: ${escapeMarkdown(v)}`);
  }
  if (s.lastError) {
    lines.push("", `$(warning) ${s.errorKind ? escapeMarkdown(s.errorKind) + ": " : ""}${escapeMarkdown(s.lastError)}`);
  }
  lines.push("", "Click to switch context");
  return { text, tooltip: lines.join("\n"), warning };
}

function describeSource(source: string): string {
  switch (source) {
    case "cluster":
      return "cluster (live)";
    case "cache":
      return "cache (the cluster was not reached yet, or fails)";
    case "builtin":
      return "builtin (embedded schemas)";
  }
  return source;
}

function formatTime(iso: string): string | undefined {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.getFullYear() < 2000 ? undefined : d.toLocaleString(); // Go's zero time: never
}

function escapeMarkdown(s: string): string {
  return s.replace(/([\\`*_[\]<>|])/g, "\\$1");
}
