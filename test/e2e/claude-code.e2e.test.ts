// Claude Code (the pinned @anthropic-ai/claude-code, headless `claude -p --output-format json`)
// against the Worker's /v1/messages, as a new user would run it: ANTHROPIC_BASE_URL = the Worker,
// ANTHROPIC_API_KEY = a client key, telemetry and updates off, a fresh HOME.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { d1, fake, seedPool, waitFor, workerUrl, type SeededPool } from "./harness";
import { REPO_ROOT } from "./processes";

const MODEL = "gemini-2.5-flash";
const GEMINI_3 = "gemini-3-pro-preview";
const CLAUDE_BIN = join(REPO_ROOT, "node_modules/.bin/claude");
// With the package's postinstall off (package.json allowScripts), bin/claude.exe may still be the
// placeholder script; the package's own wrapper then runs the same native binary from the
// platform package.
const CLAUDE_WRAPPER = join(REPO_ROOT, "node_modules/@anthropic-ai/claude-code/cli-wrapper.cjs");
const claudeCommand = (): [string, string[]] =>
  statSync(CLAUDE_BIN).size > 100_000 ? [CLAUDE_BIN, []] : [process.execPath, [CLAUDE_WRAPPER]];

let pool: SeededPool;
let home: string;
let workdir: string;

interface ClaudeRun {
  code: number | null;
  stdout: string;
  stderr: string;
  result: { type?: string; subtype?: string; is_error?: boolean; result?: string } | null;
}

function runClaude(args: string[], timeoutMs = 90_000): Promise<ClaudeRun> {
  return new Promise((resolve, reject) => {
    const [command, prefix] = claudeCommand();
    const child = spawn(command, [...prefix, "-p", "--output-format", "json", ...args], {
      cwd: workdir,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        ANTHROPIC_BASE_URL: workerUrl(),
        ANTHROPIC_API_KEY: pool.clientKey.key,
        DISABLE_TELEMETRY: "1",
        DISABLE_AUTOUPDATER: "1",
        DISABLE_ERROR_REPORTING: "1",
        DISABLE_BUG_COMMAND: "1",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      let result: ClaudeRun["result"] = null;
      try {
        result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "");
      } catch {
        result = null;
      }
      resolve({ code, stdout, stderr, result });
    });
  });
}

/** The generate calls that reached the fake, oldest first. */
async function generateRequests() {
  return (await fake.requests()).filter((r) => r.action === "generateContent" || r.action === "streamGenerateContent");
}

beforeAll(async () => {
  await fake.reset();
  pool = await seedPool({ geminiKeys: 1, models: [{ id: MODEL, category: "flash" }, { id: GEMINI_3, category: "pro" }], clientKeyName: "claude-code-e2e", replace: true });
  await pool.admin.post("/api/admin/model-aliases", { alias: "claude-*", model: MODEL });
  // Admin changes reach the proxy within a few seconds.
  await waitFor(async () => {
    const res = await fetch(`${workerUrl()}/v1/models/claude-sonnet-4-5`, { headers: { authorization: `Bearer ${pool.clientKey.key}` } });
    return res.ok;
  });
  home = mkdtempSync(join(tmpdir(), "claude-home-"));
  workdir = mkdtempSync(join(tmpdir(), "claude-work-"));
});

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
  rmSync(workdir, { recursive: true, force: true });
});

describe("Claude Code against /v1/messages", () => {
  it("answers a text turn under its own default model name, mapped by an alias", async () => {
    await fake.clearRequests();
    await fake.reply({ text: "Hello from Gemini via the pool" });
    const run = await runClaude(["Say hello"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.result).toMatchObject({ type: "result", subtype: "success", is_error: false, result: "Hello from Gemini via the pool" });
    const [upstream] = await generateRequests();
    // Claude Code asked for a Claude model; the alias sent it to the configured Gemini model.
    expect(upstream!.model).toBe(MODEL);
    expect(upstream!.action).toBe("streamGenerateContent");
    const body = upstream!.body as { systemInstruction?: { parts: Array<{ text: string }> }; contents: Array<{ role: string; parts: Array<{ text?: string }> }> };
    expect(body.systemInstruction?.parts.map((p) => p.text).join("\n")).toContain("Claude");
    expect(body.contents.at(-1)!.parts.some((p) => p.text === "Say hello")).toBe(true);
    const rows = await waitFor(async () => {
      const found = await d1<{ model: string; requested_model: string | null; endpoint: string; outcome: string }>(
        "SELECT model, requested_model, endpoint, outcome FROM usage_calls WHERE endpoint = 'messages' ORDER BY id DESC LIMIT 1",
      );
      return found.length > 0 ? found : null;
    });
    expect(rows[0]).toMatchObject({ model: MODEL, endpoint: "messages", outcome: "ok", requested_model: expect.stringMatching(/^claude-/) });
  });

  it("answers a text turn with --model set to a Claude name", async () => {
    await fake.clearRequests();
    await fake.reply({ text: "Sonnet, as Gemini" });
    const run = await runClaude(["--model", "claude-sonnet-4-5-20250929", "Who are you?"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.result).toMatchObject({ subtype: "success", is_error: false, result: "Sonnet, as Gemini" });
    expect((await generateRequests()).map((r) => r.model)).toContain(MODEL);
  });

  it("runs the Bash command Gemini asks for and sends its output back as the function response", async () => {
    await fake.clearRequests();
    const marker = `marker-${Date.now()}`;
    await fake.reply({ functionCall: { name: "Bash", args: { command: `echo ${marker}`, description: "Print a marker" } } });
    const run = await runClaude(["--allowedTools", "Bash", "--", "Run the echo command"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.result).toMatchObject({ subtype: "success", is_error: false, result: "Hello from fake Gemini" });
    const requests = await generateRequests();
    expect(requests.length).toBeGreaterThanOrEqual(2);
    type Body = { tools?: Array<{ functionDeclarations?: Array<{ name: string }> }>; contents: Array<{ role: string; parts: any[] }> };
    const first = requests[0]!.body as Body;
    expect(first.tools?.flatMap((t) => t.functionDeclarations ?? []).map((d) => d.name)).toContain("Bash");
    const second = requests[1]!.body as Body;
    const call = second.contents.flatMap((c) => c.parts).find((p) => p.functionCall)?.functionCall;
    expect(call).toMatchObject({ name: "Bash", args: { command: `echo ${marker}` } });
    const response = second.contents.at(-1)!.parts.find((p) => p.functionResponse)?.functionResponse;
    expect(response).toMatchObject({ name: "Bash", id: call.id });
    expect(JSON.stringify(response.response)).toContain(marker);
  });

  it("keeps Google's thought signature through a Gemini 3 tool turn (the fake refuses a history without it)", async () => {
    await fake.clearRequests();
    const marker = `signed-${Date.now()}`;
    await fake.reply({ functionCall: { name: "Bash", args: { command: `echo ${marker}`, description: "Print a marker" } } });
    const run = await runClaude(["--model", GEMINI_3, "--allowedTools", "Bash", "--", "Run the echo command"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.result).toMatchObject({ subtype: "success", is_error: false, result: "Hello from fake Gemini" });
    const requests = await generateRequests();
    const issued = (Array.isArray(requests[0]!.response) ? requests[0]!.response : [requests[0]!.response])
      .flatMap((e: any) => e.candidates?.[0]?.content?.parts ?? [])
      .find((p: any) => p.functionCall)?.thoughtSignature;
    expect(issued).toEqual(expect.any(String));
    const second = requests[1]!;
    expect(second.status).toBe(200);
    const sent = (second.body as { contents: Array<{ parts: any[] }> }).contents.flatMap((c) => c.parts).find((p) => p.functionCall);
    expect(sent).toMatchObject({ functionCall: { name: "Bash" }, thoughtSignature: issued });
    const response = (second.body as { contents: Array<{ parts: any[] }> }).contents.at(-1)!.parts.find((p) => p.functionResponse)?.functionResponse;
    expect(JSON.stringify(response.response)).toContain(marker);
  });
});
