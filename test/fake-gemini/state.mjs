// Everything the fake remembers between calls: key behaviours, one-shot scripts, the
// default reply, settings, and the log of requests received.

import { parseBehaviour } from "./behaviours.mjs";
import { anyFixtureExists, NO_FIXTURES } from "./fixtures.mjs";
import { GEMINI_KEY_PATTERN } from "./keys.mjs";
import { defaultModels, modelResource } from "./models.mjs";

/**
 * A one-shot scripted response for the next call made with a key. One of:
 * - a behaviour name ("rate_limit_minute", "slow:200", ...), for that call only;
 * - `{ status, body }` a literal JSON answer;
 * - `{ status, fixture, pick? }` a literal JSON answer read from a fixture file;
 * - `{ reply: ReplyConfig }` or `{ fixture }` (no status): a success answer shaped by that reply config.
 * @typedef {string | { status: number, body: object } | { status: number, fixture: string, pick?: string }
 *   | { reply: import("./replies.mjs").ReplyConfig } | { fixture: string }} OnceItem
 */

/**
 * @typedef {object} RecordedRequest
 * @property {number} seq
 * @property {string} time ISO time received
 * @property {string} method
 * @property {string} path
 * @property {string | null} model
 * @property {string | null} action generateContent | streamGenerateContent | countTokens | embedContent | batchEmbedContents
 *   | predict | listModels | getModel | uploadStart | uploadChunk | uploadQuery | uploadFinalize | getFile | listFiles | deleteFile
 *   | createCachedContent | getCachedContent | listCachedContents | updateCachedContent | deleteCachedContent
 * @property {string | null} apiKey the x-goog-api-key header
 * @property {boolean} keyInQuery true when the URL carried ?key= (never acceptable)
 * @property {Record<string, string>} query
 * @property {Record<string, string>} headers lower-cased request headers (the api key header included)
 * @property {unknown} body parsed JSON body, or the raw text when it did not parse
 * @property {string[]} flags e.g. "key_in_query"
 * @property {number | null} status the status answered (null while still pending)
 * @property {string | null} outcome what answered: "ok", a behaviour name, "once", "validation", ...
 * @property {unknown} [response] the JSON body answered, or for an SSE stream the events sent so far
 * @property {string} [resourceOwner] for bytes sent to an upload URL (no key header needed): the key that started the upload
 */

export const DEFAULT_SETTINGS = Object.freeze({
  /** "ok": any well-formed key not registered is healthy. "invalid": only registered keys work. */
  unknownKeys: /** @type {"ok" | "invalid"} */ ("ok"),
  /** RetryInfo.retryDelay sent with the rate_limit behaviours. */
  retryDelay: "34.4s",
});

/**
 * @param {import("./fixtures.mjs").FixtureSource} [fixtures] where recorded replies are read from
 */
export function createState(fixtures = NO_FIXTURES) {
  return {
    /** Where `fixture` replies and scripts are read from (kept by reset). */
    fixtures,
    /** @type {Map<string, import("./behaviours.mjs").Behaviour>} */
    behaviours: new Map(),
    /** @type {Map<string, OnceItem[]>} */
    once: new Map(),
    /** @type {RecordedRequest[]} */
    requests: [],
    /** @type {import("./replies.mjs").ReplyConfig} */
    reply: {},
    settings: { ...DEFAULT_SETTINGS },
    models: defaultModels(),
    /** Keys marked "free" (no billing): Imagen refuses them. Unmarked keys are billed. @type {Map<string, "free" | "paid">} */
    tiers: new Map(),
    /** Uploaded files by id ("files/<id>"), each with the key that owns it. @type {Map<string, import("./files-api.mjs").StoredFile>} */
    files: new Map(),
    /** Resumable uploads under way, by upload_id. @type {Map<string, import("./files-api.mjs").UploadSession>} */
    uploads: new Map(),
    /** cachedContents by id, each with the key that owns it. @type {Map<string, import("./cached-contents.mjs").StoredCache>} */
    caches: new Map(),
    /** Names of deleted files and caches ("files/x", "cachedContents/y"): naming them is a 403. @type {Set<string>} */
    gone: new Set(),
    seq: 0,
  };
}

/** @typedef {ReturnType<typeof createState>} FakeState */

/** @param {FakeState} state */
export function resetState(state) {
  Object.assign(state, createState(state.fixtures));
}

/**
 * A key's standing behaviour: the registered one, else "invalid" for a malformed key,
 * else what settings.unknownKeys says.
 * @param {FakeState} state
 * @param {string} key
 * @returns {import("./behaviours.mjs").Behaviour}
 */
export function behaviourOf(state, key) {
  const registered = state.behaviours.get(key);
  if (registered) return registered;
  if (!GEMINI_KEY_PATTERN.test(key) || state.settings.unknownKeys === "invalid") return { kind: "invalid" };
  return { kind: "ok" };
}

/**
 * @param {FakeState} state
 * @param {string} key
 * @returns {OnceItem | undefined}
 */
export function takeOnce(state, key) {
  const queue = state.once.get(key);
  const item = queue?.shift();
  if (queue && queue.length === 0) state.once.delete(key);
  return item;
}

/**
 * @param {FakeState} state
 * @param {{ key?: string, keys?: string[], behaviour?: string, once?: OnceItem[], tier?: "free" | "paid" }} input
 * @returns {string | null} an error message, or null when applied
 */
export function configureKeys(state, input) {
  const keys = input.keys ?? (input.key ? [input.key] : []);
  if (keys.length === 0 || keys.some((k) => typeof k !== "string" || k.length === 0)) return "key (or keys) is required";
  if (input.tier !== undefined && input.tier !== "free" && input.tier !== "paid") return "tier is free | paid";
  let behaviour = null;
  if (input.behaviour !== undefined) {
    behaviour = parseBehaviour(input.behaviour);
    if (!behaviour) return `unknown behaviour: ${String(input.behaviour)}`;
  }
  if (input.once !== undefined && !Array.isArray(input.once)) return "once must be an array";
  for (const item of input.once ?? []) {
    const problem = onceItemProblem(state.fixtures, item);
    if (problem) return problem;
  }
  for (const key of keys) {
    if (input.tier) state.tiers.set(key, input.tier);
    if (behaviour) state.behaviours.set(key, behaviour);
    if (input.once?.length) state.once.set(key, [...(state.once.get(key) ?? []), ...input.once]);
  }
  return null;
}

/**
 * @param {import("./fixtures.mjs").FixtureSource} fixtures
 * @param {unknown} item
 * @returns {string | null} why the item cannot be played, or null
 */
function onceItemProblem(fixtures, item) {
  if (typeof item === "string") return parseBehaviour(item) ? null : `unknown behaviour in once: ${item}`;
  if (typeof item !== "object" || item === null || Array.isArray(item)) return "once items are behaviour names or objects";
  const o = /** @type {Record<string, unknown>} */ (item);
  const fixtureOk = (/** @type {unknown} */ name) => anyFixtureExists(fixtures, name);
  if ("status" in o) {
    if (typeof o.status !== "number") return "once: status must be a number";
    if ("body" in o) return null;
    return fixtureOk(o.fixture) ? null : `once: {status} needs a body or an existing fixture (${String(o.fixture)})`;
  }
  if ("reply" in o) return typeof o.reply === "object" && o.reply !== null ? null : "once: reply must be an object";
  if ("fixture" in o) return fixtureOk(o.fixture) ? null : `once: no such fixture ${String(o.fixture)}`;
  return "once objects are {status, body}, {status, fixture}, {reply} or {fixture}";
}

/**
 * @param {FakeState} state
 * @param {string} id
 * @param {{ embed?: boolean }} [opts]
 */
export function addModel(state, id, opts = {}) {
  if (state.models.some((m) => m.name === `models/${id}`)) return;
  state.models.push(modelResource(id, id, { thinking: !opts.embed, embed: opts.embed }));
}
