// A minimal Chrome DevTools Protocol client over Node's built-in WebSocket and fetch
// (Node 22+): no npm packages. Every call has a timeout.

export class CDP {
  #ws;
  #id = 0;
  #pending = new Map();
  #listeners = new Set();
  closed = false;

  constructor(ws) {
    this.#ws = ws;
    ws.addEventListener("message", (ev) => {
      const msg = JSON.parse(typeof ev.data === "string" ? ev.data : Buffer.from(ev.data).toString("utf8"));
      if (msg.id !== undefined) {
        const p = this.#pending.get(msg.id);
        if (!p) return;
        this.#pending.delete(msg.id);
        clearTimeout(p.timer);
        if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}${msg.error.data ? ` (${msg.error.data})` : ""}`));
        else p.resolve(msg.result);
      } else {
        for (const l of this.#listeners) l(msg.method, msg.params);
      }
    });
    ws.addEventListener("close", () => {
      this.closed = true;
      for (const p of this.#pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error(`${p.method}: the DevTools connection closed`));
      }
      this.#pending.clear();
    });
  }

  /** connect opens the WebSocket of a target (its webSocketDebuggerUrl). */
  static async connect(url, timeoutMs = 10_000) {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`connecting to ${url}: timed out`)), timeoutMs);
      ws.addEventListener("open", () => (clearTimeout(timer), resolve()), { once: true });
      ws.addEventListener("error", () => (clearTimeout(timer), reject(new Error(`connecting to ${url} failed`))), { once: true });
    });
    return new CDP(ws);
  }

  send(method, params = {}, timeoutMs = 30_000) {
    if (this.closed) return Promise.reject(new Error(`${method}: the DevTools connection is closed`));
    const id = ++this.#id;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${method}: no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer, method });
      this.#ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** on calls fn(method, params) for every event; returns a function that removes it. */
  on(fn) {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  close() {
    try {
      this.#ws.close();
    } catch {
      // already closed
    }
  }
}

/** pageTarget finds (or opens) a page target of the browser at port and connects to it. */
export async function connectPage(port, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(5_000) });
      const targets = await res.json();
      const page = targets.find((t) => t.type === "page" && t.webSocketDebuggerUrl);
      if (page) return await CDP.connect(page.webSocketDebuggerUrl);
      last = new Error("no page target yet");
    } catch (err) {
      last = err;
    }
    await sleep(200);
  }
  throw new Error(`no DevTools page on port ${port} after ${timeoutMs} ms: ${last?.message ?? last}`);
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
