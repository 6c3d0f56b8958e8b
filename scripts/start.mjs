#!/usr/bin/env node
// npm start: everything a fresh clone needs to serve the panel and the API locally on
// http://127.0.0.1:8787 with embedded KV and D1 (state under .wrangler/). Extra arguments go
// to `wrangler dev`, e.g. `npm start -- --port 19401 --var GEMINI_API_BASE:http://127.0.0.1:8788`.
import { spawnSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { startArgs } from "./start-args.mjs";

// Quiet offline: no Request.cf lookup (it prints stack traces without a network), no telemetry
// (inherited by every wrangler command below; set them to "true" to opt back in).
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";
process.env.WRANGLER_SEND_METRICS ??= "false";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const devVars = path.join(root, ".dev.vars");
const bin = (name) => path.join(root, "node_modules", ".bin", name);

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`\n${path.basename(command)} ${args.join(" ")} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status ?? 1);
  }
}

const { port, passThrough } = startArgs(process.argv.slice(2), process.env);

if (!existsSync(devVars)) {
  const password = randomBytes(12).toString("base64url");
  const secret = randomBytes(36).toString("base64url");
  writeFileSync(devVars, `ADMIN_PASSWORD="${password}"\nSESSION_SECRET_KEY="${secret}"\n`, { mode: 0o600 });
  console.log("\nCreated .dev.vars with fresh secrets.");
  console.log(`Admin password (shown once; it stays in .dev.vars): ${password}\n`);
}

run(process.execPath, [path.join(root, "scripts", "build-web.mjs")]);
run(bin("wrangler"), ["d1", "migrations", "apply", "DB", "--local"]);

console.log(`\nPanel: http://127.0.0.1:${port}/login   API: http://127.0.0.1:${port}/v1\n`);
const dev = spawn(bin("wrangler"), ["dev", "--ip", "127.0.0.1", "--port", port, "--test-scheduled", ...passThrough], {
  cwd: root,
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => process.exit(code ?? 0));
