// The end-to-end test of the VS Code extension (hack/test-editors.sh runs it): a real
// VS Code (code-server) with the .vsix installed, driven through headless Chromium's
// DevTools protocol, as a person would use it. Node 24, no npm packages.
//
//   node run.mjs --cdp-port-file F --url URL --workspace DIR --server BIN --kubeconfig F
//                --cluster-kubeconfig F --kubectl BIN --out DIR
//
// Steps, each synchronised on a DOM condition with its own timeout (no fixed sleeps):
//   1. the workspace names a kubectl-lsp.path that does not exist: opening deploy.yaml
//      shows the error notification with install instructions and an "Open Setting"
//      button, and the status bar item turns into an error;
//   2. the settings then name the real binary: the extension restarts the server by
//      itself, and the status bar shows the embedded schemas (schemaSource builtin);
//   3. the Problems panel lists the fixture's two diagnostics, and nothing else:
//      messages, source kubectl-lsp, codes type and enum, lines and columns;
//   4. the code lens "Deployment/web" shows, and a hover over `replicas` shows its
//      explain text;
//   5. clicking the status bar item opens "Kubernetes: Switch Context" listing the
//      kubeconfig's contexts; choosing one makes it the server's current context;
//   6. a manifest typed into a new untitled editor turns it from plain text into YAML,
//      and its mistake shows in the Problems panel;
//  6b. in complete.yaml, `cont` typed on the blank line under the pod spec (indent 6) and
//      `containers` accepted from the suggest widget, a name and an image typed into the
//      snippet's placeholders (Tab between them and out), Ctrl+S: the file on disk is
//      exactly the expected text (the list item at indent 8, its image at 10);
//  6c. F12 on the configMapRef's name in deploy.yaml opens configmap.yaml at the
//      ConfigMap's name (the server's workspace index);
//   7. the settings then name the test control plane's kubeconfig (--cluster-kubeconfig,
//      context admin, schemaSource auto): the status bar shows the cluster, and
//      configmap.yaml gets the cluster code lenses (Apply, Diff, Dry-run, Delete);
//   8. "Kubernetes: Apply" from the palette asks in a modal dialog naming the object and
//      the context; its "Apply" button applies: the "created" notification, and kubectl
//      (--kubectl) finds the ConfigMap in the cluster;
//   9. the data value edited in the editor (the drift lens turns from "in sync" to
//      "edited since the last check"), "Kubernetes: Diff" opens VS Code's diff editor
//      "configmap/e2e-greeting: cluster ↔ manifest" with the old value on the left and the
//      new one on the right; closed, the code lens "Diff" opens it again (the lens
//      rewritten to the extension's command);
//  10. "Kubernetes: Run kubectl Plugin…" lists the plugin kubectl-e2e (on PATH) in a
//      quick pick; chosen, its output opens in an editor;
//  11. "Kubernetes: Delete", confirmed in its dialog, deletes it: the notification, and
//      kubectl no longer finds it.
// Screenshots go to --out (vscode.png; failure.png and dom.json when a step fails).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { connectPage, sleep } from "./cdp.mjs";

const args = parseArgs(process.argv.slice(2));
const OUT = args.out;
const WS = args.workspace;
const STATUS_ID = "kubectl-lsp.kubectl-lsp.kubectl-lsp.status"; // <extension id>.<item id>
const EXPECTED = [
  {
    message: 'spec.replicas: Invalid value: "three": must be of type integer, not string',
    code: "type",
    at: "[Ln 8, Col 13]",
  },
  {
    message: 'spec.template.spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
    code: "enum",
    at: "[Ln 20, Col 28]",
  },
];
const HOVER_EXPECTED = ["Deployment.spec.replicas", "Number of desired pods"];
// Typed into an untitled editor (plain text until the extension sees a manifest).
const UNTITLED = {
  text: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n",
  message: 'metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain',
  code: "invalid-name",
  at: "[Ln 4, Col 9]",
};

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--") || argv[i + 1] === undefined) throw new Error(`bad arguments: ${argv.join(" ")}`);
    out[argv[i].slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = argv[i + 1];
  }
  for (const k of ["cdpPortFile", "url", "workspace", "server", "kubeconfig", "clusterKubeconfig", "kubectl", "out"]) {
    if (!out[k]) throw new Error(`missing --${k.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())}`);
  }
  return out;
}

const t0 = Date.now();
const log = (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${msg}`);

function writeSettings(serverPath, extra = {}) {
  fs.mkdirSync(path.join(WS, ".vscode"), { recursive: true });
  const settings = {
    "kubectl-lsp.path": serverPath,
    "kubectl-lsp.schemaSource": "builtin", // offline: no cluster is contacted
    "kubectl-lsp.kubeconfig": args.kubeconfig,
    "kubectl-lsp.logLevel": "debug",
    "kubectl-lsp.trace.server": "messages",
    ...extra,
  };
  // Written to a temporary file and renamed: the file watcher never sees half a file.
  const file = path.join(WS, ".vscode", "settings.json");
  fs.writeFileSync(file + ".tmp", JSON.stringify(settings, null, 2) + "\n");
  fs.renameSync(file + ".tmp", file);
}

// --- page helpers (evaluated in the page) ---------------------------------------------
const PAGE_HELPERS = `
  const $ = (s, r = document) => r.querySelector(s);
  const $$ = (s, r = document) => [...r.querySelectorAll(s)];
  const visible = (e) => !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden";
  const center = (e) => { const r = e.getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; };
  const statusItem = () => document.getElementById(${JSON.stringify(STATUS_ID)});
  const toasts = () => $$(".notifications-toasts .notification-toast").filter(visible).map((t) => t.innerText);
  const dialog = () => $$(".monaco-dialog-box").find(visible);
  const lensLinks = () => $$(".monaco-editor .codelens-decoration a").filter(visible).map((a) => a.innerText.trim());
  const editorTab = (name) => $$(".tabs-container .tab").find((t) => (t.getAttribute("aria-label") || "").startsWith(name));
  const quickRows = () => { const q = $(".quick-input-widget"); return visible(q) ? $$(".monaco-list-row", q).map((r) => r.getAttribute("aria-label") || r.innerText) : null; };
`;

let cdp;

async function evaluate(expr) {
  const r = await cdp.send("Runtime.evaluate", {
    expression: `(() => { ${PAGE_HELPERS}; return (${expr}); })()`,
    returnByValue: true,
    awaitPromise: true,
  });
  if (r.exceptionDetails) {
    throw new Error(`evaluating ${expr.slice(0, 80)}: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
  }
  return r.result.value;
}

/**
 * waitFor polls expr in the page until it returns a truthy value (returned), calling
 * retrigger (if any) every retriggerMs. On timeout it throws with the last value seen.
 */
async function waitFor(what, expr, { timeoutMs = 30_000, intervalMs = 200, retrigger, retriggerMs = 3_000 } = {}) {
  const start = Date.now();
  let last;
  let lastTrigger = start;
  for (;;) {
    try {
      last = await evaluate(expr);
      if (last) {
        log(`ok: ${what} (${Date.now() - start} ms)`);
        return last;
      }
    } catch (err) {
      last = `error: ${err.message}`;
    }
    if (Date.now() - start > timeoutMs) {
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    }
    if (retrigger && Date.now() - lastTrigger >= retriggerMs) {
      lastTrigger = Date.now();
      await retrigger();
    }
    await sleep(intervalMs);
  }
}

async function mouse(type, x, y, extra = {}) {
  await cdp.send("Input.dispatchMouseEvent", { type, x, y, button: "none", ...extra });
}

async function click({ x, y }) {
  await mouse("mouseMoved", x, y);
  await mouse("mousePressed", x, y, { button: "left", clickCount: 1 });
  await mouse("mouseReleased", x, y, { button: "left", clickCount: 1 });
}

async function doubleClick({ x, y }) {
  await mouse("mouseMoved", x, y);
  for (const clickCount of [1, 2]) {
    await mouse("mousePressed", x, y, { button: "left", clickCount });
    await mouse("mouseReleased", x, y, { button: "left", clickCount });
  }
}

/** kubectl runs the control plane's kubectl with its kubeconfig: [ok, output]. */
function kubectl(...argv) {
  try {
    return [true, execFileSync(args.kubectl, ["--kubeconfig", args.clusterKubeconfig, ...argv], { encoding: "utf8", timeout: 30_000, stdio: ["ignore", "pipe", "pipe"] })];
  } catch (err) {
    return [false, `${err.stdout ?? ""}${err.stderr ?? ""}${err.message}`];
  }
}

/** key presses a key; modifiers as DevTools counts them (2 Ctrl, 8 Shift). */
async function key(keyName, code, keyCode, modifiers = 0) {
  for (const type of ["keyDown", "keyUp"]) {
    await cdp.send("Input.dispatchKeyEvent", { type, key: keyName, code, windowsVirtualKeyCode: keyCode, nativeVirtualKeyCode: keyCode, modifiers });
  }
}

async function screenshot(name) {
  const r = await cdp.send("Page.captureScreenshot", { format: "png" }, 30_000);
  const file = path.join(OUT, name);
  fs.writeFileSync(file, Buffer.from(r.data, "base64"));
  return file;
}

/** What the page shows, for a failure report. */
async function dumpDOM() {
  return evaluate(`({
    title: document.title,
    statusBar: $$(".statusbar-item").map((e) => e.id + " = " + JSON.stringify(e.innerText.trim()) + (e.getAttribute("aria-label") ? " [" + e.getAttribute("aria-label") + "]" : "")),
    notifications: toasts(),
    problems: visible($(".markers-panel")) ? $(".markers-panel").innerText : null,
    hover: $$(".monaco-hover").filter(visible).map((h) => h.innerText),
    quickInput: quickRows(),
    dialog: dialog() ? dialog().innerText : null,
    lenses: lensLinks(),
    tabs: $$(".tabs-container .tab").map((t) => t.getAttribute("aria-label")),
    editor: $$(".monaco-editor .view-line").map((l) => l.innerText).slice(0, 40),
    body: document.body ? document.body.innerText.slice(0, 6000) : null,
  })`);
}

// --- the scenario ----------------------------------------------------------------------
async function main() {
  const port = await (async () => {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      try {
        const p = fs.readFileSync(args.cdpPortFile, "utf8").split("\n")[0].trim();
        if (p) return p;
      } catch {
        // not written yet
      }
      await sleep(100);
    }
    throw new Error(`Chromium wrote no ${args.cdpPortFile} in 30 s`);
  })();
  cdp = await connectPage(port);
  await cdp.send("Page.enable");
  await cdp.send("Runtime.enable");
  await cdp.send("Emulation.setDeviceMetricsOverride", { width: 1600, height: 1000, deviceScaleFactor: 1, mobile: false });
  const consoleErrors = [];
  cdp.on((method, params) => {
    if (method === "Runtime.exceptionThrown") consoleErrors.push(params.exceptionDetails?.exception?.description ?? params.exceptionDetails?.text);
  });

  // 1. A kubectl-lsp.path that does not exist.
  const missing = path.join(WS, "no-such-dir", "kubectl-lsp");
  writeSettings(missing);
  log(`opening ${args.url}`);
  await cdp.send("Page.navigate", { url: args.url });
  await waitFor("the workbench", `!!$(".monaco-workbench")`, { timeoutMs: 60_000 });
  const row = await waitFor(
    "deploy.yaml in the explorer",
    `(() => { const r = $$(".explorer-folders-view .monaco-list-row").find((r) => r.getAttribute("aria-label") === "deploy.yaml"); return r && visible(r) ? center(r) : null; })()`,
    { timeoutMs: 60_000 },
  );
  await click(row);
  await waitFor("the editor showing deploy.yaml", `$$(".monaco-editor .view-line").some((l) => l.innerText.includes("imagePullPolicy"))`, {
    retrigger: async () => click((await evaluate(`(() => { const r = $$(".explorer-folders-view .monaco-list-row").find((r) => r.getAttribute("aria-label") === "deploy.yaml"); return r ? center(r) : null; })()`)) ?? row),
  });
  const notFound = await waitFor(
    "the missing-binary error with install instructions and an Open Setting button",
    `toasts().find((t) => t.includes(${JSON.stringify(missing)}) && t.includes("make install") && t.includes("Open Setting"))`,
    { timeoutMs: 60_000 },
  );
  await waitFor("the status bar item in its error state", `statusItem() && statusItem().innerText.includes("kubectl-lsp") && !!$(".codicon-error", statusItem())`);
  log(`notification: ${notFound.split("\n").slice(-1)[0].slice(0, 120)}...`);

  // 2. The real binary: the extension restarts the server on the setting's change.
  writeSettings(args.server);
  const status = await waitFor(
    "the status bar: the embedded schemas (kubectl-lsp/status)",
    `(() => { const s = statusItem(); const t = s && s.innerText.trim(); return t && /builtin \\d+\\.\\d+/.test(t) ? t : null; })()`,
    { timeoutMs: 60_000 },
  );
  log(`status bar: ${JSON.stringify(status)}`);
  // Close the (now stale) notification, so that it hides nothing in the screenshot.
  await evaluate(`$$(".notifications-toasts .notification-toast .codicon-notifications-clear").forEach((b) => b.click())`);

  // 3. The Problems panel.
  await waitFor(
    `the problems count in the status bar (${EXPECTED.length} errors)`,
    `(() => { const a = $("#status\\\\.problems .statusbar-item-label"); return a && a.getAttribute("aria-label") === "Errors: ${EXPECTED.length}"; })()`,
    { timeoutMs: 60_000 },
  );
  const openProblems = async () => {
    // The item toggles the panel: clicked again only while the panel is not shown.
    if (!(await evaluate(`visible($(".markers-panel"))`))) await click(await evaluate(`center($("#status\\\\.problems .statusbar-item-label"))`));
  };
  await openProblems();
  const problems = await waitFor(
    "the Problems panel listing kubectl-lsp's diagnostics",
    `(() => {
      const p = $(".markers-panel");
      if (!visible(p)) return null;
      const rows = $$(".monaco-list-row", p).map((r) => ({ label: r.getAttribute("aria-label") || "", text: r.innerText }));
      return rows.filter((r) => /^(Error|Warning|Info)/.test(r.label)).length >= ${EXPECTED.length} ? rows : null;
    })()`,
    { retrigger: openProblems },
  );
  const markers = problems.filter((r) => /^(Error|Warning|Info)/.test(r.label));
  if (markers.length !== EXPECTED.length) {
    throw new Error(`expected ${EXPECTED.length} diagnostics, the Problems panel has ${markers.length}: ${JSON.stringify(markers)}`);
  }
  for (const e of EXPECTED) {
    const m = markers.find((r) => r.text.includes(e.message));
    if (!m) throw new Error(`the Problems panel has no row with ${JSON.stringify(e.message)}; rows: ${JSON.stringify(markers)}`);
    const fields = m.text.split("\n").map((s) => s.trim());
    for (const want of ["kubectl-lsp", e.code, e.at]) {
      if (!fields.includes(want)) throw new Error(`the Problems panel's row ${JSON.stringify(m.text)} lacks ${JSON.stringify(want)}`);
    }
    if (!m.label.startsWith("Error:")) throw new Error(`not an error: ${JSON.stringify(m.label)}`);
    log(`problem: ${e.message.slice(0, 60)}... kubectl-lsp(${e.code}) ${e.at}`);
  }

  // 4. Hover over `replicas`. The resource's code lens ("Deployment/web", a view zone
  // above the resource) comes after the diagnostics and moves the lines below it down:
  // a hover started just before it appears is dropped. So: the lens first, then the
  // key's position, unchanged over two polls.
  await waitFor(
    'the code lens "Deployment/web"',
    `$$(".monaco-editor .codelens-decoration").some((e) => e.innerText.trim() === "Deployment/web")`,
  );
  const key_ = `(() => { const s = $$(".monaco-editor .view-line span span").find((e) => e.textContent === "replicas"); return s ? center(s) : null; })()`;
  const at = await waitFor(
    "the replicas key in the editor, not moving",
    `(() => { const p = ${key_}; const same = p && window.__prevKey && p.x === window.__prevKey.x && p.y === window.__prevKey.y; window.__prevKey = p; return same ? p : null; })()`,
  );
  const hoverOver = async () => {
    const p = (await evaluate(key_)) ?? at;
    await mouse("mouseMoved", p.x - 40, p.y + 60); // away, then onto the key
    await mouse("mouseMoved", p.x - 3, p.y);
    await mouse("mouseMoved", p.x, p.y);
  };
  await hoverOver();
  const hover = await waitFor(
    "a hover over replicas with its explain text",
    `$$(".monaco-hover").filter(visible).map((h) => h.innerText).find((t) => ${JSON.stringify(HOVER_EXPECTED)}.every((w) => t.includes(w)))`,
    // Should the hover still be dropped (a late layout change), the pointer moves again.
    { retrigger: async () => (log("no hover yet: moving the pointer onto replicas again"), hoverOver()), retriggerMs: 2_000 },
  );
  log(`hover: ${JSON.stringify(hover.split("\n").filter((l) => l.trim()).slice(0, 3).join(" | "))}`);
  log(`screenshot: ${await screenshot("vscode.png")}`);
  await mouse("mouseMoved", 5, 500); // the hover goes
  await key("Escape", "Escape", 27);

  // 5. Kubernetes: Switch Context from the status bar item.
  const openPicker = async () => click(await evaluate(`center(statusItem())`));
  await openPicker();
  const rows = await waitFor(
    "the Switch Context quick pick with the kubeconfig's contexts",
    `(() => { const r = quickRows(); return r && r.some((x) => /^check\\s+dev, current$/.test(x)) && r.includes("prod") ? r : null; })()`,
  );
  log(`contexts: ${JSON.stringify(rows)}`);
  await cdp.send("Input.insertText", { text: "prod" });
  await waitFor("prod alone in the quick pick", `(() => { const r = quickRows(); return r && r.length === 1 && r[0] === "prod"; })()`);
  await key("Enter", "Enter", 13);
  await waitFor("the quick pick closed", `quickRows() === null`);
  await openPicker();
  await waitFor(
    "prod as the server's current context",
    `(() => { const r = quickRows(); return r && r.some((x) => /^check\\s+prod, current$/.test(x)); })()`,
  );
  await key("Escape", "Escape", 27);
  await waitFor("the quick pick closed", `quickRows() === null`);

  // 6. A manifest typed into an untitled editor becomes YAML, and is checked.
  await key("F1", "F1", 112);
  await waitFor("the command palette", `quickRows() !== null`);
  await cdp.send("Input.insertText", { text: "File: New Untitled Text File" });
  const newFile = await waitFor(
    "File: New Untitled Text File in the palette",
    `(() => { const q = $(".quick-input-widget"); const r = visible(q) && $$(".monaco-list-row", q).find((r) => /^File: New Untitled Text File\\b/.test(r.getAttribute("aria-label") || "")); return r ? center(r) : null; })()`,
  );
  await click(newFile);
  await waitFor("an untitled plain-text editor", `(() => { const m = $("#status\\\\.editor\\\\.mode"); return quickRows() === null && !!$(".tab.active[aria-label^='Untitled-']") && m && m.innerText.trim() === "Plain Text"; })()`);
  await cdp.send("Input.insertText", { text: UNTITLED.text });
  await waitFor("the untitled editor switched to YAML", `(() => { const m = $("#status\\\\.editor\\\\.mode"); return m && m.innerText.trim() === "YAML"; })()`);
  const untitled = await waitFor(
    "the untitled manifest's diagnostic in the Problems panel",
    `(() => { const p = $(".markers-panel"); if (!visible(p)) return null; return $$(".monaco-list-row", p).map((r) => r.innerText).find((t) => t.includes(${JSON.stringify(UNTITLED.message)})); })()`,
    { timeoutMs: 30_000 },
  );
  const fields = untitled.split("\n").map((s) => s.trim());
  for (const want of ["kubectl-lsp", UNTITLED.code, UNTITLED.at]) {
    if (!fields.includes(want)) throw new Error(`the Problems panel's row ${JSON.stringify(untitled)} lacks ${JSON.stringify(want)}`);
  }
  log(`untitled: ${UNTITLED.message} kubectl-lsp(${UNTITLED.code}) ${UNTITLED.at}`);

  const errors = await evaluate(`toasts().filter((t) => t.includes("kubectl-lsp") && !t.includes(${JSON.stringify(missing)}))`);
  if (errors.length) throw new Error(`unexpected notifications: ${JSON.stringify(errors)}`);

  await completionSteps();
  await definitionSteps();
  await clusterSteps();
  if (consoleErrors.length) log(`page exceptions (not failures): ${JSON.stringify(consoleErrors.slice(0, 5))}`);
}

// --- completion and go-to-definition (6b, 6c) ----------------------------------------------
const COMPLETE = { file: "complete.yaml", name: "cart", image: "busybox:1.37" };
const BLANK = "    spec:\n      \n"; // complete.yaml ends with the pod spec and a line indented by 6
const cursorAt = `(() => { const s = $("#status\\\\.editor\\\\.selection"); return s ? s.innerText.trim() : null; })()`;
const editorLines = `$$(".part.editor .monaco-editor .view-line").filter(visible).map((l) => l.innerText.replace(/\\u00a0/g, " ").trimEnd())`;
const suggestRows = `(() => {
  const w = $$(".editor-widget.suggest-widget").find(visible);
  return w ? $$(".monaco-list-row", w).map((r) => ({ label: ($(".label-name", r) || r).innerText.trim(), focused: r.classList.contains("focused"), ...center(r) })) : null;
})()`;

/** openFromExplorer opens a file of the workspace with a click in the explorer, waiting
 * for the editor to show text. */
async function openFromExplorer(file, text) {
  const rowOf = `(() => { const r = $$(".explorer-folders-view .monaco-list-row").find((r) => r.getAttribute("aria-label") === ${JSON.stringify(file)}); return r && visible(r) ? center(r) : null; })()`;
  await click(await waitFor(`${file} in the explorer`, rowOf));
  await waitFor(`the editor showing ${file}`, `(() => { const t = $(".tab.active"); return !!t && (t.getAttribute("aria-label") || "").startsWith(${JSON.stringify(file)}) && $$(".monaco-editor .view-line").some((l) => l.innerText.replace(/\\u00a0/g, " ").includes(${JSON.stringify(text)})); })()`, {
    retrigger: async () => click(await evaluate(rowOf)),
  });
}

/** tabOut presses Tab for the snippet's next stop, once no suggestions are shown (Tab
 * would accept one). */
async function tabOut() {
  if (await evaluate(`!!$$(".editor-widget.suggest-widget").find(visible)`)) {
    await key("Escape", "Escape", 27);
    await waitFor("the suggest widget closed", `!$$(".editor-widget.suggest-widget").find(visible)`);
  }
  await key("Tab", "Tab", 9);
}

// 6b. `containers` completed from the suggest widget on the blank line under the pod spec
// (indented by 6): the snippet's list item goes two columns under its key (the server's
// insertTextMode asIs, not re-indented by VS Code to 14); its name and image are typed
// into its placeholders, Tab going from one to the next and out; saved with Ctrl+S, the
// file on disk is compared whole.
async function completionSteps() {
  const file = path.join(WS, COMPLETE.file);
  const before = fs.readFileSync(file, "utf8");
  if (!before.endsWith(BLANK)) throw new Error(`${COMPLETE.file} does not end with ${JSON.stringify(BLANK)}`);
  const want = before.slice(0, -BLANK.length) +
    `    spec:\n      containers:\n        - name: ${COMPLETE.name}\n          image: ${COMPLETE.image}\n`;
  const line = before.split("\n").length - 1; // the blank line, 1-based
  await openFromExplorer(COMPLETE.file, "app: shop");
  // A click right of the blank line's end: the editor focused, the cursor after its indentation.
  const endOfBlank = `(() => {
    const n = $$(".part.editor .monaco-editor .line-numbers").filter(visible).find((e) => e.innerText.trim() === "${line}");
    if (!n) return null;
    const r = n.getBoundingClientRect();
    return { x: r.right + 600, y: r.y + r.height / 2 };
  })()`;
  const placeCursor = async () => click(await evaluate(endOfBlank));
  await click(await waitFor(`line ${line} of ${COMPLETE.file}`, endOfBlank));
  await waitFor(`the cursor at the end of the blank line (Ln ${line}, Col 7)`, `${cursorAt} === "Ln ${line}, Col 7"`, { retrigger: placeCursor, retriggerMs: 2_000 });

  await cdp.send("Input.insertText", { text: "cont" });
  const rows = await waitFor(
    "the suggest widget offering containers",
    `(() => { const r = ${suggestRows}; return r && r.some((x) => x.label === "containers") ? r : null; })()`,
    // Should the quick suggestions not come, Ctrl+Space asks for them.
    { retrigger: async () => (log("no suggestions yet: Ctrl+Space"), key(" ", "Space", 32, 2)), retriggerMs: 3_000 },
  );
  log(`suggestions: ${JSON.stringify(rows.map((r) => r.label + (r.focused ? " (focused)" : "")))}`);
  const item = rows.find((r) => r.label === "containers");
  if (item.focused) await key("Enter", "Enter", 13);
  else await click(item);
  await waitFor(
    "containers inserted: its list item at indent 8, the image under its name",
    `(() => { const l = ${editorLines}; return l.includes("      containers:") && l.includes("        - name:") && l.includes("          image:"); })()`,
  );
  await cdp.send("Input.insertText", { text: COMPLETE.name });
  await waitFor(`the name ${COMPLETE.name} in the first placeholder`, `${editorLines}.includes("        - name: ${COMPLETE.name}")`);
  await tabOut();
  await waitFor(`the cursor in the image's placeholder (Ln ${line + 2}, Col 18)`, `${cursorAt} === "Ln ${line + 2}, Col 18"`);
  await cdp.send("Input.insertText", { text: COMPLETE.image });
  await waitFor(`the image ${COMPLETE.image} in the second placeholder`, `${editorLines}.includes("          image: ${COMPLETE.image}")`);
  await tabOut();
  const endCol = 18 + COMPLETE.image.length;
  await waitFor(`the cursor at the snippet's end (Ln ${line + 2}, Col ${endCol})`, `${cursorAt} === "Ln ${line + 2}, Col ${endCol}"`);
  await waitFor(`${COMPLETE.file} edited, not saved yet`, `(() => { const t = $(".tab.active"); return !!t && t.classList.contains("dirty"); })()`);
  await key("s", "KeyS", 83, 2); // Ctrl+S
  await waitFor(`${COMPLETE.file} saved`, `(() => { const t = $(".tab.active"); return !!t && (t.getAttribute("aria-label") || "").startsWith(${JSON.stringify(COMPLETE.file)}) && !t.classList.contains("dirty"); })()`);
  const start = Date.now();
  let got;
  for (;;) {
    got = fs.readFileSync(file, "utf8");
    if (got === want) break;
    if (Date.now() - start > 10_000) {
      throw new Error(`${COMPLETE.file} as saved:\n${got}\nwant:\n${want}(JSON: ${JSON.stringify(got)} want ${JSON.stringify(want)})`);
    }
    await sleep(200);
  }
  log(`ok: ${COMPLETE.file} saved as expected (${Date.now() - start} ms): ${JSON.stringify(got.slice(got.indexOf("    spec:\n")))}`);
}

// 6c. F12 on the configMapRef's name in deploy.yaml opens configmap.yaml at the
// ConfigMap's name (the server's workspace index).
async function definitionSteps() {
  await openFromExplorer("deploy.yaml", "configMapRef:"); // its preview tab went for complete.yaml's
  const ref = `(() => { const s = $$(".part.editor .monaco-editor .view-line span span").filter(visible).find((e) => e.textContent === "e2e-greeting"); return s ? center(s) : null; })()`;
  await click(await waitFor("the configMapRef's name e2e-greeting in deploy.yaml", `(() => { const t = $(".tab.active"); return t && (t.getAttribute("aria-label") || "").startsWith("deploy.yaml") ? ${ref} : null; })()`));
  await waitFor("the cursor on the configMapRef's name (Ln 23)", `/^Ln 23, Col /.test(${cursorAt} || "")`);
  await key("F12", "F12", 123);
  const at = await waitFor(
    "configmap.yaml opened at the ConfigMap's name (Ln 6, Col 9)",
    `(() => { const t = $(".tab.active"), c = ${cursorAt}; return t && (t.getAttribute("aria-label") || "").startsWith("configmap.yaml") && /^Ln 6, Col 9\\b/.test(c || "") ? c : null; })()`,
  );
  log(`definition: configmap.yaml ${at}`);
  // Closed: the cluster steps open it again once the cluster is configured. (Left open,
  // its lenses kept the offline ones: code-server asked for no new lenses after the
  // server's workspace/codeLens/refresh.)
  await runCommand("View: Close Editor");
  await waitFor("configmap.yaml closed", `!editorTab("configmap.yaml")`);
}

// --- the cluster steps (7-11) --------------------------------------------------------------
const CM = { file: "configmap.yaml", name: "e2e-greeting", before: "hello", after: "bonjour" };
const norm = (expr) => `(${expr}).replace(/\\u00a0/g, " ")`; // monaco renders spaces as nbsp

/** runCommand runs a command from the palette by its exact label (opensPick: the command
 * shows a quick pick of its own, instead of the palette closing). */
async function runCommand(label, { opensPick = false } = {}) {
  // Focus must be in the palette's input before typing: an editor that has just been
  // activated can take it back (and the text would go into the document).
  const f1 = async () => {
    if (!(await evaluate(`visible($(".quick-input-widget"))`))) await key("F1", "F1", 112);
  };
  await f1();
  await waitFor("the command palette, focused", `(() => { const q = $(".quick-input-widget"); return visible(q) && q.contains(document.activeElement) && document.activeElement.tagName === "INPUT"; })()`, {
    retrigger: f1,
    retriggerMs: 1_000,
  });
  await cdp.send("Input.insertText", { text: label });
  await waitFor(`${JSON.stringify(label)} typed into the palette`, `(() => { const i = document.activeElement; return !!i && i.tagName === "INPUT" && $(".quick-input-widget").contains(i) && i.value.endsWith(${JSON.stringify(label)}); })()`, { timeoutMs: 5_000 });
  const row = await waitFor(
    `${label} in the palette`,
    `(() => { const q = $(".quick-input-widget"); const r = visible(q) && $$(".monaco-list-row", q).find((r) => { const l = r.getAttribute("aria-label") || ""; return l === ${JSON.stringify(label)} || l.startsWith(${JSON.stringify(label + ",")}); }); return r ? center(r) : null; })()`,
  );
  await click(row);
  if (!opensPick) await waitFor("the palette closed", `quickRows() === null`);
}

/** confirm waits for the modal dialog with every text in want and clicks its button. */
async function confirm(button, want) {
  const text = await waitFor(
    `the modal dialog asking ${JSON.stringify(button)}`,
    `(() => { const d = dialog(); const t = d && d.innerText; return t && ${JSON.stringify(want)}.every((w) => t.includes(w)) && $$(".monaco-button", d).some((b) => b.innerText.trim() === ${JSON.stringify(button)}) ? t : null; })()`,
  );
  log(`dialog: ${JSON.stringify(text.split("\n").filter((l) => l.trim()).join(" | "))}`);
  await click(await evaluate(`center($$(".monaco-button", dialog()).find((b) => b.innerText.trim() === ${JSON.stringify(button)}))`));
  await waitFor("the dialog closed", `!dialog()`);
}

/** pollKubectl runs kubectl until check(ok, output) holds. */
async function pollKubectl(what, argv, check, timeoutMs = 20_000) {
  const start = Date.now();
  for (;;) {
    const [ok, out] = kubectl(...argv);
    if (check(ok, out)) {
      log(`ok: ${what} (kubectl ${argv.join(" ")}: ${JSON.stringify(out.trim().split("\n")[0])})`);
      return;
    }
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}; kubectl ${argv.join(" ")}: ${out}`);
    await sleep(250);
  }
}

const clearToasts = () => evaluate(`$$(".notifications-toasts .notification-toast .codicon-notifications-clear").forEach((b) => b.click())`);

async function focusManifest() {
  await click(await evaluate(`center(editorTab(${JSON.stringify(CM.file)}))`));
  await waitFor(
    `${CM.file} the active editor, focused`,
    `(() => { const t = $(".tab.active"), a = document.activeElement; return !!t && (t.getAttribute("aria-label") || "").startsWith(${JSON.stringify(CM.file)}) && !!a && !!a.closest(".monaco-editor") && !a.closest(".monaco-diff-editor"); })()`,
  );
}

async function clusterSteps() {
  await clearToasts();
  // 7. The test control plane.
  writeSettings(args.server, { "kubectl-lsp.schemaSource": "auto", "kubectl-lsp.kubeconfig": args.clusterKubeconfig, "kubectl-lsp.context": "admin" });
  const status = await waitFor(
    "the status bar: the control plane's context admin (kubectl-lsp/status)",
    `(() => { const s = statusItem(); const t = s && s.innerText.trim(); return t && /admin · v?1\\.\\d+/.test(t) ? t : null; })()`,
    { timeoutMs: 60_000 },
  );
  log(`status bar: ${JSON.stringify(status)}`);
  const rowOf = `(() => { const r = $$(".explorer-folders-view .monaco-list-row").find((r) => r.getAttribute("aria-label") === ${JSON.stringify(CM.file)}); return r && visible(r) ? center(r) : null; })()`;
  await click(await waitFor(`${CM.file} in the explorer`, rowOf));
  await waitFor(`the editor showing ${CM.file}`, `$$(".monaco-editor .view-line").some((l) => l.innerText.includes(${JSON.stringify(CM.name)}))`, {
    retrigger: async () => click(await evaluate(rowOf)),
  });
  const lenses = await waitFor(
    "the cluster code lenses Apply, Diff, Dry-run and Delete",
    `(() => { const l = lensLinks(); return ["Apply", "Diff", "Dry-run", "Delete"].every((w) => l.includes(w)) ? l : null; })()`,
    { timeoutMs: 60_000 },
  );
  log(`lenses: ${JSON.stringify(lenses)}`);

  // 8. Apply, confirmed in the modal dialog.
  const value = (v) => `(() => { const s = $$(".monaco-editor .view-line span span").find((e) => e.textContent === ${JSON.stringify(v)}); return s ? center(s) : null; })()`;
  await click(await waitFor(`the value ${CM.before} in the editor`, value(CM.before))); // the cursor in the resource
  await runCommand("Kubernetes: Apply");
  await confirm("Apply", [`ConfigMap/${CM.name}`, `context "admin"`]);
  const applied = await waitFor("the apply notification", `toasts().find((t) => /e2e-greeting.* created/.test(t))`);
  log(`notification: ${JSON.stringify(applied)}`);
  await pollKubectl("the ConfigMap in the cluster", ["get", "configmap", CM.name, "-n", "default", "-o", "jsonpath={.data.greeting}"], (ok, out) => ok && out === CM.before);
  await clearToasts();

  // 9. Edit, then Diff in the diff editor.
  await waitFor("the drift lens: in sync", `lensLinks().some((l) => l.includes("in sync"))`, { timeoutMs: 30_000 });
  await doubleClick(await waitFor(`the value ${CM.before}`, value(CM.before)));
  await cdp.send("Input.insertText", { text: CM.after });
  await waitFor(`the edited line greeting: ${CM.after}`, `$$(".monaco-editor .view-line").some((l) => ${norm("l.innerText")}.trim() === "greeting: ${CM.after}")`);
  await waitFor("the drift lens: edited since the last check", `lensLinks().some((l) => l.includes("edited since the last check"))`);
  await runCommand("Kubernetes: Diff");
  const TITLE = `configmap/${CM.name}: cluster ↔ manifest`;
  const diffOpen = `(() => {
    const d = $$(".monaco-diff-editor").find(visible);
    if (!d) return null;
    const side = (c) => $$(".editor." + c + " .view-line", d).map((l) => ${norm("l.innerText")}).join("\\n");
    const o = side("original"), m = side("modified");
    const tab = $(".tab.active"), label = tab && tab.getAttribute("aria-label") || "";
    return o.includes("greeting: ${CM.before}") && !o.includes("greeting: ${CM.after}") && m.includes("greeting: ${CM.after}") && label.startsWith(${JSON.stringify(TITLE)}) ? { label, original: o, modified: m } : null;
  })()`;
  const diff = await waitFor(`the diff editor "${TITLE}": ${CM.before} on the left, ${CM.after} on the right`, diffOpen);
  log(`diff editor: ${JSON.stringify(diff.label)}`);
  log(`screenshot: ${await screenshot("vscode-diff.png")}`);
  // The code lens "Diff" opens it too: the diff editor closed first.
  const diffTab = `$$(".tabs-container .tab").find((t) => (t.getAttribute("aria-label") || "").startsWith(${JSON.stringify(TITLE)}))`;
  await runCommand("View: Close Editor"); // the diff editor is the active one
  await waitFor("the diff editor closed", `!${diffTab}`);
  await focusManifest();
  await click(await waitFor('the code lens "Diff"', `(() => { const a = $$(".monaco-editor .codelens-decoration a").filter(visible).find((a) => a.innerText.trim() === "Diff"); return a ? center(a) : null; })()`));
  await waitFor("the diff editor again, from the code lens", diffOpen);

  // 10. Run kubectl Plugin…: the quick pick of the server's plugins (kubectl-e2e, which
  // hack/test-editors.sh puts on PATH), then its output in an editor.
  await focusManifest();
  await runCommand("Kubernetes: Run kubectl Plugin…", { opensPick: true });
  const plugins = await waitFor("the plugin quick pick with e2e", `(() => { const r = quickRows(); return r && r.some((x) => /^e2e\\b/.test(x)) ? r : null; })()`);
  log(`plugins: ${JSON.stringify(plugins)}`);
  await cdp.send("Input.insertText", { text: "e2e" });
  await waitFor("e2e alone in the quick pick", `(() => { const r = quickRows(); return r && r.length === 1 && /^e2e\\b/.test(r[0]); })()`);
  await key("Enter", "Enter", 13);
  const out = await waitFor(
    "the plugin's output in an editor",
    `(() => { const t = $(".tab.active"); const lines = $$(".monaco-editor .view-line").map((l) => ${norm("l.innerText")}); return t && (t.getAttribute("aria-label") || "").startsWith("kubectl-e2e") && lines.some((l) => l.includes("e2e plugin:") && l.includes(${JSON.stringify(CM.name)})) ? lines.find((l) => l.includes("e2e plugin:")) : null; })()`,
  );
  log(`plugin output: ${JSON.stringify(out)}`);

  // 11. Delete, confirmed.
  await focusManifest();
  await runCommand("Kubernetes: Delete");
  await confirm("Delete", [`ConfigMap/${CM.name}`, `context "admin"`]);
  const deleted = await waitFor("the delete notification", `toasts().find((t) => t.includes('configmap "${CM.name}" deleted'))`);
  log(`notification: ${JSON.stringify(deleted)}`);
  await pollKubectl("the ConfigMap gone from the cluster", ["get", "configmap", CM.name, "-n", "default"], (ok, out) => !ok && out.includes("NotFound"));
  const failures = await evaluate(`toasts().filter((t) => /kubectl-lsp: (apply|delete|diff)\\b/.test(t))`);
  if (failures.length) throw new Error(`unexpected notifications: ${JSON.stringify(failures)}`);
}

const timeoutMs = Number(args.timeout ?? 240) * 1000;
const overall = setTimeout(() => {
  console.error(`FAIL: the test did not finish in ${timeoutMs / 1000} s`);
  process.exit(3);
}, timeoutMs);
try {
  await main();
  log("PASS");
  clearTimeout(overall);
  cdp?.close();
  process.exit(0);
} catch (err) {
  console.error(`FAIL: ${err.message}`);
  if (cdp && !cdp.closed) {
    try {
      const dom = await dumpDOM();
      fs.writeFileSync(path.join(OUT, "dom.json"), JSON.stringify(dom, null, 2));
      console.error(`--- what the page had (also in ${path.join(OUT, "dom.json")}):`);
      const { body, ...rest } = dom;
      console.error(JSON.stringify(rest, null, 2));
      console.error(`--- page text (first 2000 characters):\n${(body ?? "").slice(0, 2000)}`);
      console.error(`screenshot: ${await screenshot("failure.png")}`);
    } catch (e) {
      console.error(`(could not read the page: ${e.message})`);
    }
  }
  clearTimeout(overall);
  cdp?.close();
  process.exit(1);
}
