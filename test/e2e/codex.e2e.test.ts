// Codex CLI (the pinned @openai/codex, run headless with `codex exec`) against the real Worker
// and the fake Gemini API, set up as a new user would: a custom model provider with
// wire_api = "responses", base_url = the Worker's /v1, the client key in an env var. Every other
// connection Codex tries (plugins, update checks, analytics) goes to a refusing proxy that
// records it, so the test sees that the config below turns them all off.

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fake, seedPool, workerUrl, type SeededPool } from "./harness";
import { REPO_ROOT } from "./processes";

const CODEX_BIN = path.join(REPO_ROOT, "node_modules/.bin/codex");
const TEXT_MODEL = "gemini-2.5-flash";
const TOOL_MODEL = "gemini-3-flash-preview";
const KEY_ENV = "GEMINI_PROXY_API_KEY";

/** The config.toml the README tells Codex users to write (with the Worker's URL). */
function codexConfig(baseUrl: string, model: string): string {
  return `model = "${model}"
model_provider = "gemini-proxy"
check_for_update_on_startup = false

[model_providers.gemini-proxy]
name = "Gemini proxy"
base_url = "${baseUrl}/v1"
env_key = "${KEY_ENV}"
wire_api = "responses"

[analytics]
enabled = false

[features]
plugins = false
remote_plugin = false
apps = false
`;
}

let pool: SeededPool;
let scratch: string;
let proxy: http.Server;
let proxyUrl: string;
const outsideCalls: string[] = [];

interface CodexRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function runCodex(prompt: string, model: string): Promise<CodexRun> {
  const home = mkdtempSync(path.join(scratch, "home-"));
  const work = mkdtempSync(path.join(scratch, "work-"));
  writeFileSync(path.join(home, "config.toml"), codexConfig(workerUrl(), model));
  const child = spawn(CODEX_BIN, ["exec", "--strict-config", "--skip-git-repo-check", "--ephemeral", "--sandbox", "danger-full-access", "--color", "never", prompt], {
    cwd: work,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH,
      HOME: home,
      CODEX_HOME: home,
      [KEY_ENV]: pool.clientKey.key,
      HTTPS_PROXY: proxyUrl,
      HTTP_PROXY: proxyUrl,
      ALL_PROXY: proxyUrl,
      NO_PROXY: "127.0.0.1,localhost",
    },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

const generateCalls = async () => (await fake.requests()).filter((r) => r.action === "generateContent" || r.action === "streamGenerateContent");

beforeAll(async () => {
  await fake.reset();
  pool = await seedPool({ geminiKeys: 1, models: [TEXT_MODEL, TOOL_MODEL], clientKeyName: "codex-e2e", replace: true });
  mkdirSync(path.join(REPO_ROOT, ".tmp"), { recursive: true });
  scratch = mkdtempSync(path.join(REPO_ROOT, ".tmp/codex-e2e-"));
  proxy = http.createServer((req, res) => {
    outsideCalls.push(`${req.method} ${req.url}`);
    res.writeHead(502).end();
  });
  proxy.on("connect", (req, socket) => {
    outsideCalls.push(`CONNECT ${req.url}`);
    socket.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("Codex CLI over /v1/responses", () => {
  it("a text turn completes with the fake's text, and Codex makes no other network call", { timeout: 120_000 }, async () => {
    await fake.reply({ text: "Hi from the fake, via Codex" });
    await fake.clearRequests();
    const run = await runCodex("Say hi", TEXT_MODEL);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Hi from the fake, via Codex");
    const calls = await generateCalls();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.model).toBe(TEXT_MODEL);
    const body = calls[0]!.body as any;
    // Codex's base prompt arrives as developer messages -> the system instruction
    expect(JSON.stringify(body.systemInstruction)).toContain("Codex");
    const declared = body.tools.flatMap((tool: any) => tool.functionDeclarations ?? []).map((d: any) => d.name);
    expect(declared).toContain("exec_command");
    expect(outsideCalls).toEqual([]);
  });

  it("a tool turn: the fake asks for a shell command, Codex runs it, the second request carries its output as functionResponse", { timeout: 120_000 }, async () => {
    await fake.reply({ functionCall: { name: "exec_command", args: { cmd: "echo codex-e2e-$((6*7))" } } });
    await fake.clearRequests();
    const run = await runCodex("Run the echo command", TOOL_MODEL);
    expect(run.code, run.stderr).toBe(0);
    const calls = await generateCalls();
    expect(calls.length).toBeGreaterThanOrEqual(2);
    const first = calls[0]!;
    const events = Array.isArray(first.response) ? (first.response as any[]) : [first.response as any];
    const issued = events.flatMap((e) => e.candidates?.[0]?.content?.parts ?? []).find((p: any) => p.functionCall);
    expect(issued.functionCall.name).toBe("exec_command");

    const second = calls[1]!.body as any;
    const modelTurn = second.contents.filter((c: any) => c.role === "model").at(-1);
    const callPart = modelTurn.parts.find((p: any) => p.functionCall);
    expect(callPart.functionCall).toMatchObject({ name: "exec_command", args: { cmd: "echo codex-e2e-$((6*7))" } });
    // the signature Google issued comes back through Codex's stateless history
    expect(callPart.thoughtSignature).toBe(issued.thoughtSignature);
    const response = second.contents.at(-1).parts.find((p: any) => p.functionResponse).functionResponse;
    expect(response.name).toBe("exec_command");
    expect(JSON.stringify(response.response)).toContain("codex-e2e-42");
    expect(run.stdout).toContain("Hello from fake Gemini");
    expect(outsideCalls).toEqual([]);
  });
});
