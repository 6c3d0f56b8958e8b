// Replay of the recorded Gemini responses in test/fixtures/gemini/ (see its README for
// provenance and format). Names may be given with or without extension:
// "google-text" means google-text.json for a plain call and google-text.chunks.txt
// for a stream, whichever exists. The files come from a FixtureSource the host injects
// (fixtures-node.mjs reads the folder; in workerd the test helper bundles the files), so
// this module reads no file system itself.

/**
 * @typedef {{ read(name: string): string | null }} FixtureSource a fixture file's text by name, null when absent
 */

/** A source with no fixtures (the default of a fake nobody gave any). @type {FixtureSource} */
export const NO_FIXTURES = { read: () => null };

/** @param {FixtureSource} source @param {string} name */
function readText(source, name) {
  const text = source.read(name);
  if (text === null) throw new Error(`fixture not found: ${name}`);
  return text;
}

/** @param {FixtureSource} source @param {string} name @returns {boolean} */
export function fixtureExists(source, name) {
  return source.read(name) !== null;
}

/** @param {FixtureSource} source @param {unknown} name a fixture named with or without its extension */
export function anyFixtureExists(source, name) {
  return typeof name === "string" && [name, `${name}.json`, `${name}.chunks.txt`].some((n) => fixtureExists(source, n));
}

/**
 * @param {FixtureSource} source
 * @param {string} name a .json file
 * @param {string} [pick] dotted path inside it (the wrapper issue-22372-live-errors.json holds two bodies)
 */
export function readFixtureJson(source, name, pick) {
  let value = JSON.parse(readText(source, name));
  for (const key of pick ? pick.split(".") : []) value = value?.[key];
  if (value === undefined) throw new Error(`fixture ${name} has nothing at ${pick}`);
  return value;
}

/**
 * One event payload per non-empty line; an optional "data: " prefix is stripped
 * (google-usage-raw-live.chunks.txt is stored as raw SSE).
 * @param {FixtureSource} source
 * @param {string} name a .chunks.txt file
 * @returns {object[]}
 */
export function readFixtureChunks(source, name) {
  return readText(source, name)
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
 * @param {FixtureSource} source
 * @param {string} name
 * @param {boolean} stream
 * @returns {{ chunks: object[] } | { body: object }}
 */
export function replayFixture(source, name, stream) {
  const base = name.replace(/(\.chunks\.txt|\.json)$/, "");
  const explicit = base !== name;
  const hasJson = fixtureExists(source, `${base}.json`);
  const hasChunks = fixtureExists(source, `${base}.chunks.txt`);
  const useChunks = explicit ? name.endsWith(".chunks.txt") : stream ? hasChunks || !hasJson : !hasJson && hasChunks;
  if (useChunks) {
    const chunks = readFixtureChunks(source, `${base}.chunks.txt`);
    return stream ? { chunks } : { body: mergeChunks(chunks) };
  }
  const body = readFixtureJson(source, `${base}.json`);
  return stream ? { chunks: [body] } : { body };
}
