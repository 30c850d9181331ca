// The extension's commands. Each is thin: it asks the server (workspace/executeCommand)
// and shows the answer. The server's own commands (kubectl-lsp.useContext, listContexts,
// refreshCluster, clusterStatus) are registered in VS Code by the language client under
// their own names, so the commands here have different ids.
//
// The cluster actions (Apply, Diff, Dry-run, Delete, Run kubectl Plugin) are in
// cluster.ts, registered with registerAll.
import * as vscode from "vscode";
import { ExecuteCommandRequest, type LanguageClient } from "vscode-languageclient/node";
import type { ClusterStatus } from "./status";

/** The server's commands (lsp/cluster.go). */
export const ServerCommand = {
  useContext: "kubectl-lsp.useContext",
  listContexts: "kubectl-lsp.listContexts",
  refreshCluster: "kubectl-lsp.refreshCluster",
  clusterStatus: "kubectl-lsp.clusterStatus",
} as const;

/** What the commands need from the extension. */
export interface CommandContext {
  /** The running client, or undefined (then the command says why it cannot run). */
  client(): LanguageClient | undefined;
  /** Shows a status the server returned (before its notification arrives). */
  showStatus(s: ClusterStatus): void;
  restart(): Promise<void>;
  output: vscode.OutputChannel;
}

export interface Command {
  id: string;
  run(ctx: CommandContext, ...args: unknown[]): Promise<unknown>;
}

/** executeServerCommand runs one of the server's commands. */
export async function executeServerCommand<T>(ctx: CommandContext, command: string, args: unknown[] = []): Promise<T> {
  const client = ctx.client();
  if (!client || !client.isRunning()) {
    throw new Error("the kubectl-lsp language server is not running (see the kubectl-lsp output)");
  }
  return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args })) as T;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const DEFAULT_CONTEXT = "$(discard) Use the setting";

const switchContext: Command = {
  id: "kubectl-lsp.switchContext",
  async run(ctx, name?: unknown) {
    let choice: string | undefined = typeof name === "string" ? name : undefined;
    if (choice === undefined) {
      const list = await executeServerCommand<{ contexts: string[]; current: string }>(ctx, ServerCommand.listContexts);
      const items: (vscode.QuickPickItem & { context: string })[] = list.contexts.map((c) => ({
        label: c === list.current ? `$(check) ${c}` : c,
        description: c === list.current ? "current" : undefined,
        context: c,
      }));
      items.push({
        label: DEFAULT_CONTEXT,
        description: "kubectl-lsp.context, else the kubeconfig's current context",
        context: "",
      });
      const picked = await vscode.window.showQuickPick(items, {
        title: "Kubernetes: Switch Context",
        placeHolder: list.contexts.length
          ? "The context whose cluster supplies schemas"
          : "The kubeconfig has no contexts (set kubectl-lsp.kubeconfig?)",
        matchOnDescription: true,
      });
      if (!picked) return undefined;
      choice = picked.context;
    }
    const status = await executeServerCommand<ClusterStatus>(ctx, ServerCommand.useContext, [choice]);
    if (status) ctx.showStatus(status);
    return status;
  },
};

const refreshSchemas: Command = {
  id: "kubectl-lsp.refreshSchemas",
  async run(ctx) {
    await executeServerCommand(ctx, ServerCommand.refreshCluster);
    vscode.window.setStatusBarMessage("$(sync) kubectl-lsp: checking the cluster for new schemas", 3000);
    return undefined;
  },
};

const showStatus: Command = {
  id: "kubectl-lsp.showStatus",
  async run(ctx) {
    const s = await executeServerCommand<ClusterStatus>(ctx, ServerCommand.clusterStatus);
    ctx.showStatus(s);
    ctx.output.appendLine(`[status] ${JSON.stringify(s)}`);
    const where = s.connected ? `${s.context ?? ""} (${s.server ?? ""}, ${s.serverVersion ?? "version unknown"}), source ${s.source}` : `no cluster, ${s.schemas ?? "embedded schemas"}`;
    const msg = `kubectl-lsp: ${where}${s.lastError ? ` — ${s.lastError}` : ""}`;
    if (s.lastError) void vscode.window.showWarningMessage(msg);
    else void vscode.window.showInformationMessage(msg);
    return s;
  },
};

const restartServer: Command = {
  id: "kubectl-lsp.restartServer",
  async run(ctx) {
    await ctx.restart();
    return undefined;
  },
};

const showOutput: Command = {
  id: "kubectl-lsp.showOutput",
  async run(ctx) {
    ctx.output.show(true);
    return undefined;
  },
};

const COMMANDS: Command[] = [switchContext, refreshSchemas, showStatus, restartServer, showOutput];

/** Ids of the commands this extension handles (for code lenses that name them). */
export const CLIENT_COMMANDS: Set<string> = new Set(COMMANDS.map((c) => c.id));

/** registerCommands registers every command of this file. */
export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  return registerAll(ctx, COMMANDS);
}

/** registerAll registers commands; errors become error messages (and log lines). */
export function registerAll(ctx: CommandContext, commands: Command[]): vscode.Disposable[] {
  return commands.map((c) =>
    vscode.commands.registerCommand(c.id, async (...args: unknown[]) => {
      try {
        return await c.run(ctx, ...args);
      } catch (err) {
        ctx.output.appendLine(`[${c.id}] ${errorText(err)}`);
        void vscode.window.showErrorMessage(`kubectl-lsp: ${errorText(err)}`);
        return undefined;
      }
    }),
  );
}
