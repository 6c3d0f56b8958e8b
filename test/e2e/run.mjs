#!/usr/bin/env node
// `npm run test:e2e`: the end-to-end suite (vitest.e2e.config.ts). Extra arguments go to
// vitest, e.g. `npm run test:e2e -- test/e2e/chat.e2e.test.ts`.

import { spawn } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
const vitest = path.join(root, "node_modules/.bin/vitest");
const child = spawn(vitest, ["run", "-c", "vitest.e2e.config.ts", ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
