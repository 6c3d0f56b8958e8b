// The fixture source for Node hosts (the node:http server, the bench upstream): files read
// from test/fixtures/gemini/ (or an absolute path) when asked.

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const FIXTURE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/gemini");

/** @type {import("./fixtures.mjs").FixtureSource} */
export const nodeFixtures = {
  read(name) {
    const file = path.isAbsolute(name) ? name : path.join(FIXTURE_DIR, name);
    return existsSync(file) ? readFileSync(file, "utf8") : null;
  },
};
