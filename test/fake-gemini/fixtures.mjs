// Replay of the recorded Gemini responses in test/fixtures/gemini/ (see its README for
// provenance and format). Names may be given with or without extension:
// "google-text" means google-text.json for a plain call and google-text.chunks.txt
// for a stream, whichever exists.

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const FIXTURE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/gemini");

/** @param {string} name */
function resolve(name) {
  const file = path.isAbsolute(name) ? name : path.join(FIXTURE_DIR, name);
  if (!existsSync(file)) throw new Error(`fixture not found: ${file}`);
  return file;
}

/** @param {string} name @returns {boolean} */
export function fixtureExists(name) {
  return existsSync(path.isAbsolute(name) ? name : path.join(FIXTURE_DIR, name));
}

/**
 * @param {string} name a .json file
 * @param {string} [pick] dotted path inside it (the wrapper issue-22372-live-errors.json holds two bodies)
 */
export function readFixtureJson(name, pick) {
  let value = JSON.parse(readFileSync(resolve(name), "utf8"));
  for (const key of pick ? pick.split(".") : []) value = value?.[key];
  if (value === undefined) throw new Error(`fixture ${name} has nothing at ${pick}`);
  return value;
}

/**
 * One event payload per non-empty line; an optional "data: " prefix is stripped
 * (google-usage-raw-live.chunks.txt is stored as raw SSE).
 * @param {string} name a .chunks.txt file
 * @returns {object[]}
 */
export function readFixtureChunks(name) {
  return readFileSync(resolve(name), "utf8")
    .split(/\r?\n/)
    .map((line) => line.replace(/^data: ?/, "").trim())
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line));
}

/**
 * Folds stream chunks into one generateContent body, as Google's non-streamed answer
 * to the same call would look: parts in order (adjacent plain-text parts of the same
 * kind joined), finishReason and usage from the last chunk that has them.
 * @param {any[]} chunks
 */
export function mergeChunks(chunks) {
  /** @type {any[]} */
  const parts = [];
  /** @type {any} */
  let merged = {};
  let candidate = null;
  for (const chunk of chunks) {
    const { candidates, ...rest } = chunk;
    merged = { ...merged, ...rest };
    const c = candidates?.[0];
    if (!c) continue;
    const { content, ...candidateRest } = c;
    candidate = { ...(candidate ?? {}), ...candidateRest };
    for (const part of content?.parts ?? []) {
      const last = parts[parts.length - 1];
      const plainText = (p) => typeof p?.text === "string" && Object.keys(p).every((k) => k === "text" || k === "thought" || k === "thoughtSignature");
      if (plainText(part) && plainText(last) && !last.thoughtSignature && Boolean(last.thought) === Boolean(part.thought)) {
        parts[parts.length - 1] = { ...last, ...part, text: last.text + part.text };
      } else {
        parts.push({ ...part });
      }
    }
  }
  if (!candidate) return merged;
  const { usageMetadata, modelVersion, responseId, ...rest } = merged;
  return {
    candidates: [{ content: { parts, role: "model" }, ...candidate }],
    ...rest,
    ...(usageMetadata ? { usageMetadata } : {}),
    ...(modelVersion ? { modelVersion } : {}),
    ...(responseId ? { responseId } : {}),
  };
}

/**
 * @param {string} name
 * @param {boolean} stream
 * @returns {{ chunks: object[] } | { body: object }}
 */
export function replayFixture(name, stream) {
  const base = name.replace(/(\.chunks\.txt|\.json)$/, "");
  const explicit = base !== name;
  const hasJson = fixtureExists(`${base}.json`);
  const hasChunks = fixtureExists(`${base}.chunks.txt`);
  const useChunks = explicit ? name.endsWith(".chunks.txt") : stream ? hasChunks || !hasJson : !hasJson && hasChunks;
  if (useChunks) {
    const chunks = readFixtureChunks(`${base}.chunks.txt`);
    return stream ? { chunks } : { body: mergeChunks(chunks) };
  }
  const body = readFixtureJson(`${base}.json`);
  return stream ? { chunks: [body] } : { body };
}
