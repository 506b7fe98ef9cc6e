// An `os1 serve` of the test's own (the binary and tiny model from test.sh),
// for what the two shared servers cannot show: a server that stops and comes
// back, the first-run interview, tight limits.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function up(port, child, log) {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`os1 serve exited ${child.exitCode}: ${log.join("")}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`os1 serve on ${port} did not start: ${log.join("")}`);
}

// A server on its own data folder, with a token for each of `users` (in
// `tokens`); `stop()` ends it (SIGTERM, waits), `start()` starts it again on the
// same port and folder; `close()` also removes the folder.
export async function ownServer(args, users = []) {
  const data = mkdtempSync(join(tmpdir(), "os1-web-"));
  const tokens = {};
  for (const name of users) {
    tokens[name] = execFileSync(process.env.OS1_BIN, ["--data", data, "users", "add", name], { stdio: ["ignore", "pipe", "ignore"] })
      .toString().trim();
  }
  const port = await freePort();
  let child = null;
  const log = [];
  const server = {
    port,
    data,
    tokens,
    url: `http://127.0.0.1:${port}`,
    log,
    async start() {
      child = spawn(process.env.OS1_BIN, ["--data", data, "serve", "--model", process.env.OS1_MODEL, "--port", String(port),
        "--ctx", "2048", "--parallel", "2", "--web", process.env.OS1_WEB, ...args], { stdio: ["ignore", "ignore", "pipe"] });
      child.stderr.on("data", (d) => log.push(String(d)));
      await up(port, child, log);
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
    async close() {
      await server.stop();
      rmSync(data, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

// One chat turn, as any client would send it (a few tokens: the tiny model's words are noise).
export async function say(url, text, { token, conversation, maxTokens = 4 } = {}) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (conversation) headers["X-OS1-Conversation"] = conversation;
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers,
    body: JSON.stringify({ messages: [{ role: "user", content: text }], max_tokens: maxTokens, temperature: 0 }),
  });
  if (res.status !== 200) throw new Error(`${res.status}: ${await res.text()}`);
  return (await res.json()).choices[0].message.content;
}
