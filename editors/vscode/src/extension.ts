// kubectl-lsp for VS Code: starts `kubectl-lsp serve --stdio` for YAML documents, passes
// the kubectl-lsp.* settings to it, and shows the cluster it validates against in the
// status bar. Everything Kubernetes-specific (diagnostics, hover, completion, quick
// fixes, symbols, code lenses) is the server's: this extension holds no validation logic.
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  MessageType,
  RevealOutputChannelOn,
  ShowMessageRequest,
  State,
  type MessageActionItem,
  type ShowMessageRequestParams,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";
import { findServer } from "./binary";
import { ClusterCommand, registerClusterCommands, VSCODE_DIFF } from "./cluster";
import { CLIENT_COMMANDS, registerCommands, ServerCommand, type CommandContext } from "./commands";
import { looksLikeManifest, pushedSettings, RESTART_SETTINGS, SECTION, serverArgs, serverSettings } from "./settings";
import { STARTING, statusView, type ClusterStatus } from "./status";

const STATUS_NOTIFICATION = "kubectl-lsp/status";
const RUNNING_KEY = "kubectl-lsp.running";

/** The documents the server gets. */
const SELECTOR = [
  { scheme: "file", language: "yaml" },
  { scheme: "untitled", language: "yaml" },
];

class Extension implements CommandContext {
  readonly output: vscode.OutputChannel;
  private readonly trace: vscode.OutputChannel;
  private readonly item: vscode.StatusBarItem;
  private lc: LanguageClient | undefined;
  private starting: Promise<void> | undefined;
  /** Why the server is not running (binary missing, failed to start), for the status bar. */
  private problem: { message: string; missing: boolean } | undefined;
  /** Restarts, one after the other. */
  private restarts: Promise<void> = Promise.resolve();
  private last: ClusterStatus | undefined;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel("kubectl-lsp");
    this.trace = vscode.window.createOutputChannel("kubectl-lsp (trace)");
    this.item = vscode.window.createStatusBarItem("kubectl-lsp.status", vscode.StatusBarAlignment.Left, 0);
    this.item.name = "kubectl-lsp cluster";
    context.subscriptions.push(this.output, this.trace, this.item);
  }

  client(): LanguageClient | undefined {
    return this.lc;
  }

  activate(): void {
    const subs = this.context.subscriptions;
    subs.push(...registerCommands(this));
    const cluster = registerClusterCommands(this);
    subs.push(...cluster.disposables);
    for (const id of cluster.ids) CLIENT_COMMANDS.add(id);
    subs.push(
      vscode.workspace.onDidOpenTextDocument((doc) => this.onOpen(doc)),
      // A manifest pasted or typed into an untitled editor arrives as a change.
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.detectManifest(e.document);
      }),
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.workspace.onDidChangeConfiguration((e) => this.onConfig(e)),
    );
    for (const doc of vscode.workspace.textDocuments) this.onOpen(doc);
    this.render();
  }

  /** A document opened: detect a plain-text manifest, start the server for YAML. */
  private onOpen(doc: vscode.TextDocument): void {
    if (this.detectManifest(doc)) return;
    if (vscode.languages.match(SELECTOR, doc) > 0) void this.ensureStarted();
  }

  /**
   * detectManifest makes a plain-text document that reads as a manifest (its first lines)
   * YAML, which reopens it as such (then onOpen starts the server). It reports whether
   * the document was plain text.
   */
  private detectManifest(doc: vscode.TextDocument): boolean {
    if (doc.languageId !== "plaintext" || (doc.uri.scheme !== "untitled" && doc.uri.scheme !== "file")) return false;
    const cfg = vscode.workspace.getConfiguration(SECTION);
    if (cfg.get<boolean>("detectManifests", true) && looksLikeManifest(doc.getText(new vscode.Range(0, 0, 200, 0)))) {
      void vscode.languages.setTextDocumentLanguage(doc, "yaml");
    }
    return true;
  }

  /** ensureStarted starts the server once (again after a failure, on the next YAML file). */
  ensureStarted(): Promise<void> {
    if (this.lc || this.problem) return Promise.resolve();
    if (!this.starting) {
      this.starting = this.start().finally(() => (this.starting = undefined));
    }
    return this.starting;
  }

  private async start(): Promise<void> {
    const cfg = vscode.workspace.getConfiguration(SECTION);
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const found = findServer(cfg.get<string>("path", ""), root);
    if (!found.ok) {
      this.problem = { message: found.message, missing: true };
      this.output.appendLine(found.message);
      this.render();
      void vscode.window.showErrorMessage(found.message, "Open Setting", "Retry").then((choice) => {
        if (choice === "Open Setting") {
          void vscode.commands.executeCommand("workbench.action.openSettings", `${SECTION}.path`);
        } else if (choice === "Retry") {
          void this.restart();
        }
      });
      return;
    }
    const args = serverArgs(cfg);
    this.output.appendLine(`starting ${found.path} ${args.join(" ")}`);
    const serverOptions: ServerOptions = {
      run: { command: found.path, args, options: { cwd: root } },
      debug: { command: found.path, args, options: { cwd: root } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: SELECTOR,
      initializationOptions: () => serverSettings(vscode.workspace.getConfiguration(SECTION)),
      outputChannel: this.output,
      traceOutputChannel: this.trace,
      revealOutputChannelOn: RevealOutputChannelOn.Never, // problems come as notifications
      markdown: { isTrusted: false, supportHtml: false },
      middleware: {
        // A code lens whose command neither this extension nor the server executes (the
        // label-only kubectl-lsp.showResource) would fail when clicked: shown as a label.
        // The server's commands (Apply, Dry-run, ...) are registered by the language
        // client; its Diff (a unified diff file) becomes the extension's, which opens
        // VS Code's diff editor.
        provideCodeLenses: async (doc, token, next) => {
          const lenses = await next(doc, token);
          const server = new Set(this.lc?.initializeResult?.capabilities.executeCommandProvider?.commands ?? []);
          for (const lens of lenses ?? []) {
            const c = lens.command;
            if (c && c.command === ClusterCommand.diff) {
              lens.command = { ...c, command: VSCODE_DIFF };
            } else if (c && c.command && !CLIENT_COMMANDS.has(c.command) && !server.has(c.command)) {
              lens.command = { title: c.title, command: "", tooltip: c.tooltip };
            }
          }
          return lenses;
        },
        // The same for the Diff code action.
        provideCodeActions: async (doc, range, context, token, next) => {
          const actions = await next(doc, range, context, token);
          for (const a of actions ?? []) {
            if (a instanceof vscode.CodeAction) {
              if (a.command?.command === ClusterCommand.diff) a.command = { ...a.command, command: VSCODE_DIFF };
            } else if (a.command === ClusterCommand.diff) {
              a.command = VSCODE_DIFF;
            }
          }
          return actions;
        },
      },
    };
    const lc = new LanguageClient("kubectl-lsp", "kubectl-lsp", serverOptions, clientOptions);
    lc.onNotification(STATUS_NOTIFICATION, (s: ClusterStatus) => this.showStatus(s));
    lc.onDidChangeState((e) => {
      void vscode.commands.executeCommand("setContext", RUNNING_KEY, e.newState === State.Running);
      if (this.lc === lc) this.render();
    });
    this.lc = lc;
    this.last = undefined;
    this.render();
    try {
      await lc.start();
    } catch (err) {
      const message = `kubectl-lsp: the language server did not start: ${err instanceof Error ? err.message : String(err)}`;
      this.problem = { message, missing: false };
      this.output.appendLine(message);
      this.lc = undefined;
      void lc.dispose().catch(() => undefined);
      this.render();
      void vscode.window.showErrorMessage(message, "Show Log").then((c) => {
        if (c) this.output.show(true);
      });
      return;
    }
    // The server asks before Apply and Delete (window/showMessageRequest): a modal dialog
    // instead of the language client's notification, which is easy to miss.
    lc.onRequest(ShowMessageRequest.type, (p) => this.ask(p));
    if (!this.last) {
      // The server sends its status after `initialized`; ask in case it came first.
      try {
        this.showStatus(await lc.sendRequest("workspace/executeCommand", { command: ServerCommand.clusterStatus, arguments: [] }));
      } catch {
        // an older server: the notification will do
      }
    }
  }

  /** ask answers window/showMessageRequest: warnings (confirmations) as a modal dialog. */
  private async ask(p: ShowMessageRequestParams): Promise<MessageActionItem | null> {
    const actions = p.actions ?? [];
    this.output.appendLine(`[ask] ${p.message} (${actions.map((a) => a.title).join(", ")})`);
    // "Cancel" is the dialog's close button (Escape), not a second Cancel next to VS Code's.
    const items: (vscode.MessageItem & { action: MessageActionItem })[] = actions.map((a) => ({
      title: a.title,
      isCloseAffordance: a.title === "Cancel",
      action: a,
    }));
    let chosen: (typeof items)[number] | undefined;
    switch (p.type) {
      case MessageType.Error:
        chosen = await vscode.window.showErrorMessage(p.message, { modal: true }, ...items);
        break;
      case MessageType.Warning:
        chosen = await vscode.window.showWarningMessage(p.message, { modal: true }, ...items);
        break;
      default:
        chosen = await vscode.window.showInformationMessage(p.message, ...items);
    }
    this.output.appendLine(`[ask] answer: ${chosen ? chosen.title : "none"}`);
    return chosen ? chosen.action : null;
  }

  async stop(): Promise<void> {
    const lc = this.lc;
    this.lc = undefined;
    if (lc) {
      try {
        await lc.stop(5000);
      } catch (err) {
        this.output.appendLine(`stopping the server: ${err instanceof Error ? err.message : String(err)}`);
      }
      lc.dispose();
    }
  }

  /** restart stops the server and starts it again (for a YAML document), after any
   * restart already under way. */
  restart(): Promise<void> {
    this.restarts = this.restarts.then(() => this.restartNow()).catch((err) => {
      this.output.appendLine(`restarting the server: ${err instanceof Error ? err.message : String(err)}`);
    });
    return this.restarts;
  }

  private async restartNow(): Promise<void> {
    if (this.starting) await this.starting;
    await this.stop();
    this.problem = undefined;
    this.last = undefined;
    const yaml = vscode.workspace.textDocuments.some((d) => vscode.languages.match(SELECTOR, d) > 0);
    if (yaml) await this.ensureStarted();
    this.render();
  }

  private onConfig(e: vscode.ConfigurationChangeEvent): void {
    if (!e.affectsConfiguration(SECTION)) return;
    if (RESTART_SETTINGS.some((k) => e.affectsConfiguration(`${SECTION}.${k}`))) {
      void this.restart();
      return;
    }
    const lc = this.lc;
    if (lc?.isRunning()) {
      const settings = pushedSettings(vscode.workspace.getConfiguration(SECTION));
      void lc.sendNotification(DidChangeConfigurationNotification.type, { settings: { [SECTION]: settings } });
    }
  }

  showStatus(s: ClusterStatus): void {
    this.last = s;
    this.render();
  }

  /** render updates the status bar item: shown while a YAML document is active. */
  private render(): void {
    const item = this.item;
    const editor = vscode.window.activeTextEditor;
    const yaml = !!editor && vscode.languages.match(SELECTOR, editor.document) > 0;
    const lc = this.lc;
    if (this.problem || (lc && lc.state === State.Stopped && !this.starting)) {
      // Not found, failed to start, or stopped for good (after the client's restarts).
      item.text = "$(error) kubectl-lsp";
      item.backgroundColor = new vscode.ThemeColor("statusBarItem.errorBackground");
      if (this.problem?.missing) {
        item.tooltip = this.problem.message;
        item.command = { title: "Open Setting", command: "workbench.action.openSettings", arguments: [`${SECTION}.path`] };
      } else if (this.problem) {
        item.tooltip = `${this.problem.message}. Click to try again.`;
        item.command = "kubectl-lsp.restartServer";
      } else {
        item.tooltip = "kubectl-lsp: the language server stopped (see the kubectl-lsp output). Click to restart it.";
        item.command = "kubectl-lsp.restartServer";
      }
    } else {
      const view = lc && lc.state === State.Running && this.last ? statusView(this.last) : lc ? STARTING : undefined;
      if (!view) {
        item.hide();
        return;
      }
      item.text = view.text;
      item.tooltip = new vscode.MarkdownString(view.tooltip, true);
      item.backgroundColor = view.warning ? new vscode.ThemeColor("statusBarItem.warningBackground") : undefined;
      item.command = { title: "Kubernetes: Switch Context", command: "kubectl-lsp.switchContext" };
    }
    if (yaml) item.show();
    else item.hide();
  }
}

let ext: Extension | undefined;

export function activate(context: vscode.ExtensionContext): void {
  ext = new Extension(context);
  ext.activate();
}

export async function deactivate(): Promise<void> {
  await ext?.stop();
  ext = undefined;
}
