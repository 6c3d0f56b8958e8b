#!/usr/bin/env node
// `npm run test:e2e`: the end-to-end suite (vitest.e2e.config.ts). Extra arguments go to
// vitest, e.g. `npm run test:e2e -- test/e2e/chat.e2e.test.ts`. Builds the admin panel
// first when web/dist has no build yet (the Worker answers 503 for panel pages without it).

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

/** @param {string} command @param {string[]} args @returns {Promise<number>} */
function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: "inherit" });
    const forward = (/** @type {NodeJS.Signals} */ signal) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    child.on("exit", (code, signal) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

if (!existsSync(path.join(root, "web/dist/admin.html"))) {
  const built = await run(process.execPath, [path.join(root, "scripts/build-web.mjs")]);
  if (built !== 0) process.exit(built);
}
process.exit(await run(path.join(root, "node_modules/.bin/vitest"), ["run", "-c", "vitest.e2e.config.ts", ...process.argv.slice(2)]));
