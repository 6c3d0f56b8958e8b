#!/usr/bin/env node
// Run the fake Gemini API on 127.0.0.1 for local development:
//   node test/fake-gemini/cli.mjs --port 8788
// then start the Worker with GEMINI_API_BASE=http://127.0.0.1:8788.

import { parseArgs } from "node:util";
import { startFakeGemini } from "./server.mjs";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8788" },
    quiet: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log("usage: node test/fake-gemini/cli.mjs [--port 8788] [--quiet]\nSee test/fake-gemini/README.md for the control API.");
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid --port ${values.port}`);
  process.exit(2);
}
const fake = await startFakeGemini({ port, log: !values.quiet });
console.log(`fake Gemini listening on ${fake.url}  (GEMINI_API_BASE=${fake.url})`);
const stop = async () => {
  await fake.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
