// The cluster actions in VS Code: "Kubernetes: Apply", "Diff", "Dry-run", "Delete" (the
// resource under the cursor, or the whole file with the "… File" variants) and "Run
// kubectl Plugin…". The work is the server's (workspace/executeCommand kubectl-lsp.apply,
// dryRun, delete, runPlugin and the kubectl-lsp/diff request, lsp/actions_cluster.go):
// this file picks the resource, shows diffs in VS Code's diff editor and logs results.
//
// The language client registers the server's own command names (kubectl-lsp.apply, ...)
// for the server's code lenses, so these commands have ids of their own
// (kubectl-lsp.vscode.*). The "Diff" code lens is rewritten to kubectl-lsp.vscode.diff
// (extension.ts middleware), so it opens the diff editor too; the other lenses run the
// server's commands as they are (the confirmation is the modal dialog of extension.ts).
import * as vscode from "vscode";
import { CodeActionRequest, type Command as LspCommand, type CodeAction as LspCodeAction } from "vscode-languageclient/node";
import { executeServerCommand, registerAll, type Command, type CommandContext } from "./commands";

/** The server's cluster-action commands (lsp/actions_cluster.go, lsp/plugins.go). */
export const ClusterCommand = {
  apply: "kubectl-lsp.apply",
  dryRun: "kubectl-lsp.dryRun",
  diff: "kubectl-lsp.diff",
  delete: "kubectl-lsp.delete",
  runPlugin: "kubectl-lsp.runPlugin",
} as const;

/** The request returning live and merged texts (lsp/actions_cluster.go MethodDiff). */
export const DIFF_REQUEST = "kubectl-lsp/diff";

/** The scheme of the diff editor's read-only sides. */
export const DIFF_SCHEME = "kubectl-lsp-diff";

/** The extension's diff command, which code lenses "Diff" are rewritten to. */
export const VSCODE_DIFF = "kubectl-lsp.vscode.diff";

interface ActionResult {
  context: string;
  confirmed: boolean;
  messages: string[];
  errors?: string[];
}

interface DiffEntry {
  name: string;
  object: string;
  live: string;
  merged: string;
  unified: string;
  changed: boolean;
}

interface DiffResult {
  context: string;
  diffs: DiffEntry[];
  document?: string;
}

interface PluginResult {
  argv: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
  document?: string;
}

type Position = { line: number; character: number };

/** What a command acts on: a document (its URI as the server knows it) and a resource. */
interface Target {
  uri: string;
  /** The resource: its --- document's index, a position in it; null: the whole file. */
  resource: number | Position | null;
  /** For messages: the file's name. */
  file: string;
}

function isPosition(v: unknown): v is Position {
  return typeof v === "object" && v !== null && typeof (v as Position).line === "number" && typeof (v as Position).character === "number";
}

function isManifest(doc: vscode.TextDocument): boolean {
  return doc.languageId === "yaml" && (doc.uri.scheme === "file" || doc.uri.scheme === "untitled");
}

function baseName(p: string): string {
  const s = p.replace(/[?#].*$/, "");
  return decodeURIComponent(s.slice(s.lastIndexOf("/") + 1)) || s;
}

/**
 * resolveTarget reads a command's arguments: (uri string, index-or-position) from a code
 * lens; a vscode.Uri from the editor's context menu; nothing from the palette (the active
 * editor). whole: the whole file instead of the resource at the cursor.
 */
function resolveTarget(ctx: CommandContext, args: unknown[], whole: boolean): Target {
  const [a0, a1] = args;
  if (typeof a0 === "string") {
    const resource = whole ? null : typeof a1 === "number" || isPosition(a1) ? a1 : null;
    return { uri: a0, resource, file: baseName(a0) };
  }
  const client = ctx.client();
  if (!client) throw new Error("the kubectl-lsp language server is not running (see the kubectl-lsp output)");
  const editor = vscode.window.activeTextEditor;
  let doc: vscode.TextDocument | undefined;
  if (a0 instanceof vscode.Uri) {
    doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === a0.toString());
  } else {
    doc = editor?.document;
  }
  if (!doc || !isManifest(doc)) throw new Error("open a Kubernetes manifest (a YAML file) first");
  let resource: Target["resource"] = null;
  if (!whole) {
    if (!editor || editor.document !== doc) throw new Error("put the cursor in the resource to act on");
    const p = editor.selection.active;
    resource = { line: p.line, character: p.character };
  }
  return { uri: client.code2ProtocolConverter.asUri(doc.uri), resource, file: baseName(doc.uri.path) };
}

function serverArgs(t: Target): unknown[] {
  return t.resource === null ? [t.uri] : [t.uri, t.resource];
}

/** logResult writes an action's outcome to the output channel (the server shows it). */
function logResult(ctx: CommandContext, verb: string, t: Target, res: ActionResult | null | undefined): void {
  if (!res) return;
  const where = `${verb} ${t.file}${t.resource === null ? "" : " (resource)"}, context ${JSON.stringify(res.context)}`;
  if (!res.confirmed && verb !== "dry-run") {
    ctx.output.appendLine(`[${verb}] ${where}: not confirmed${res.errors?.length ? `: ${res.errors.join("; ")}` : ""}; nothing was changed`);
    return;
  }
  for (const m of res.messages ?? []) ctx.output.appendLine(`[${verb}] ${where}: ${m}`);
  for (const e of res.errors ?? []) ctx.output.appendLine(`[${verb}] ${where}: error: ${e}`);
}

function action(id: string, verb: string, server: string, whole: boolean): Command {
  return {
    id,
    async run(ctx, ...args) {
      const t = resolveTarget(ctx, args, whole);
      const res = await executeServerCommand<ActionResult>(ctx, server, serverArgs(t));
      logResult(ctx, verb, t, res);
      return res;
    },
  };
}

/** The diff editor's sides: read-only documents held in memory (the last few). */
export class DiffDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private n = 0;
  private static readonly KEEP = 40;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? "";
  }

  /** put stores a text and returns its URI (a .yaml name, so it is highlighted). */
  put(side: "cluster" | "manifest", name: string, text: string): vscode.Uri {
    const safe = name.replace(/[^A-Za-z0-9._-]+/g, "_") || "objects";
    const uri = vscode.Uri.from({ scheme: DIFF_SCHEME, path: `/${side}/${safe}.yaml`, query: String(++this.n) });
    this.texts.set(uri.toString(), text);
    while (this.texts.size > DiffDocuments.KEEP) {
      const first = this.texts.keys().next().value as string;
      this.texts.delete(first);
    }
    return uri;
  }
}

function diffCommand(id: string, whole: boolean, docs: DiffDocuments): Command {
  return {
    id,
    async run(ctx, ...args) {
      const t = resolveTarget(ctx, args, whole);
      const client = ctx.client();
      if (!client || !client.isRunning()) throw new Error("the kubectl-lsp language server is not running (see the kubectl-lsp output)");
      const params: Record<string, unknown> = { textDocument: { uri: t.uri } };
      if (typeof t.resource === "number") params.index = t.resource;
      else if (t.resource) params.position = t.resource;
      const res = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: `kubectl-lsp: diff of ${t.file}` },
        () => client.sendRequest<DiffResult>(DIFF_REQUEST, params),
      );
      const diffs = res?.diffs ?? [];
      const changed = diffs.filter((d) => d.changed);
      ctx.output.appendLine(
        `[diff] ${t.file}, context ${JSON.stringify(res?.context ?? "")}: ${diffs.map((d) => `${d.object} ${d.changed ? (d.live ? "differs" : "not in the cluster") : "in sync"}`).join(", ") || "no objects"}`,
      );
      if (changed.length === 0) {
        const what = diffs.length === 1 ? diffs[0].object : t.file;
        void vscode.window.showInformationMessage(`kubectl-lsp: no differences: ${what} matches context "${res?.context ?? ""}"`);
        return res;
      }
      // One object: its live and merged texts; several: one after the other, as YAML
      // documents named by a comment.
      const one = changed.length === 1;
      const join = (side: "live" | "merged") =>
        one ? changed[0][side] : changed.map((d) => `# ${d.object}\n${d[side]}`).join("---\n");
      const name = one ? changed[0].object : t.file;
      const left = docs.put("cluster", name, join("live"));
      const right = docs.put("manifest", name, join("merged"));
      await vscode.commands.executeCommand("vscode.diff", left, right, `${name}: cluster ↔ manifest`, { preview: true });
      return res;
    },
  };
}

const runPlugin: Command = {
  id: "kubectl-lsp.vscode.runPlugin",
  async run(ctx, ...args) {
    const t = resolveTarget(ctx, args, false);
    const client = ctx.client();
    if (!client || !client.isRunning()) throw new Error("the kubectl-lsp language server is not running (see the kubectl-lsp output)");
    // The server offers each plugin as a source code action "Run kubectl NAME" on the
    // resource: ask for them at the cursor.
    const at = isPosition(t.resource) ? t.resource : { line: 0, character: 0 };
    const actions = (await client.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: t.uri },
      range: { start: at, end: at },
      context: { diagnostics: [], only: ["source"] },
    })) as (LspCommand | LspCodeAction)[] | null;
    const items: (vscode.QuickPickItem & { command: LspCommand })[] = [];
    for (const a of actions ?? []) {
      const cmd = typeof (a as LspCommand).command === "string" ? (a as LspCommand) : (a as LspCodeAction).command;
      if (cmd && cmd.command === ClusterCommand.runPlugin) {
        const name = typeof cmd.arguments?.[0] === "string" ? (cmd.arguments[0] as string) : cmd.title;
        items.push({ label: name, description: a.title, command: cmd });
      }
    }
    ctx.output.appendLine(`[plugin] plugins offered on ${t.file}: ${items.map((i) => i.label).join(", ") || "none"}`);
    if (items.length === 0) {
      void vscode.window.showInformationMessage(
        "kubectl-lsp: no kubectl plugins for this resource: none (kubectl-NAME executables) was found on PATH, or kubectl-lsp.plugins hides them",
      );
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(items, {
      title: "Kubernetes: Run kubectl Plugin",
      placeHolder: "The plugin to run on the resource under the cursor",
      matchOnDescription: true,
    });
    if (!picked) return undefined;
    const res = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `kubectl-lsp: kubectl ${picked.label}` },
      () => executeServerCommand<PluginResult>(ctx, ClusterCommand.runPlugin, picked.command.arguments ?? []),
    );
    if (res) ctx.output.appendLine(`[plugin] $ ${res.argv.join(" ")}: exit status ${res.exitCode}${res.document ? `, output in ${res.document}` : ""}`);
    return res;
  },
};

/** registerClusterCommands registers the cluster actions and the diff documents. */
export function registerClusterCommands(ctx: CommandContext): { disposables: vscode.Disposable[]; ids: string[] } {
  const docs = new DiffDocuments();
  const commands: Command[] = [
    action("kubectl-lsp.vscode.apply", "apply", ClusterCommand.apply, false),
    action("kubectl-lsp.vscode.applyFile", "apply", ClusterCommand.apply, true),
    action("kubectl-lsp.vscode.dryRun", "dry-run", ClusterCommand.dryRun, false),
    action("kubectl-lsp.vscode.dryRunFile", "dry-run", ClusterCommand.dryRun, true),
    action("kubectl-lsp.vscode.delete", "delete", ClusterCommand.delete, false),
    action("kubectl-lsp.vscode.deleteFile", "delete", ClusterCommand.delete, true),
    diffCommand(VSCODE_DIFF, false, docs),
    diffCommand("kubectl-lsp.vscode.diffFile", true, docs),
    runPlugin,
  ];
  return {
    disposables: [vscode.workspace.registerTextDocumentContentProvider(DIFF_SCHEME, docs), ...registerAll(ctx, commands)],
    ids: commands.map((c) => c.id),
  };
}
