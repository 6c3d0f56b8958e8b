// The /v1beta routes: models list/get and the per-model methods, with auth, key
// behaviours, one-shot scripts and Google's validation applied in that order:
// header present -> key usable -> model exists -> request valid -> scripted/behaviour -> answer.

import { behaviourError, isAuthFailure, parseBehaviour } from "./behaviours.mjs";
import { cacheAccessError, countCachedTokens } from "./cached-contents.mjs";
import { imagenBilledOnly, invalidArgument, modelNotFound, unknownRoute, unregisteredCaller, internalError } from "./errors.mjs";
import { fileAccessError } from "./files-api.mjs";
import { predictResponse, validatePredict } from "./imagen.mjs";
import { readFixtureJson, replayFixture } from "./fixtures.mjs";
import { jsonResponse, pause, sseFrame } from "./http.mjs";
import { pageOf } from "./paging.mjs";
import {
  countTokensResponse,
  embedOne,
  emptyResponse,
  generateResponse,
  generateStreamChunks,
} from "./replies.mjs";
import { behaviourOf, takeOnce } from "./state.mjs";
import {
  validateBatchEmbedContents,
  validateCountTokens,
  validateEmbedContent,
  validateGenerateContent,
} from "./validate.mjs";

const MODEL_METHODS = ["generateContent", "streamGenerateContent", "countTokens", "embedContent", "batchEmbedContents", "predict"];

/**
 * @param {string} pathname
 * @returns {{ action: string, model: string | null } | null}
 */
export function parseGeminiPath(pathname) {
  if (pathname === "/v1beta/models") return { action: "listModels", model: null };
  const m = /^\/v1beta\/models\/([^/:]+)(?::([A-Za-z]+))?$/.exec(pathname);
  if (!m) return null;
  const model = decodeURIComponent(m[1] ?? "");
  if (!m[2]) return { action: "getModel", model };
  return { action: m[2], model };
}

/**
 * @typedef {object} Call
 * @property {import("./state.mjs").FakeState} state
 * @property {import("./state.mjs").RecordedRequest} record
 * @property {string} method
 * @property {URL} url
 * @property {{ ok: true, value: unknown } | { ok: false }} body
 * @property {AbortSignal} [signal] aborts when the caller goes away
 */

/**
 * @param {Call} call
 * @param {number} status
 * @param {unknown} body
 * @param {string} outcome
 * @returns {Response}
 */
function answer(call, status, body, outcome) {
  call.record.status = status;
  call.record.outcome = outcome;
  call.record.response = body;
  return jsonResponse(status, body);
}

/** @param {Call} call @param {import("./errors.mjs").GoogleError} error @param {string} outcome */
const answerError = (call, error, outcome) => answer(call, error.status, error.body, outcome);

/**
 * @param {Call} call
 * @returns {Promise<Response>}
 */
export async function handleGemini(call) {
  const { record, state, method } = call;
  const route = parseGeminiPath(call.url.pathname);
  const isRead = route && (route.action === "listModels" || route.action === "getModel");
  if (!route || (isRead && method !== "GET") || (!isRead && (method !== "POST" || !MODEL_METHODS.includes(route.action)))) {
    return answerError(call, unknownRoute(), "unknown_route");
  }
  record.action = route.action;
  record.model = route.model;

  const key = record.apiKey;
  if (!key) return answerError(call, unregisteredCaller(), "no_key");
  const standing = behaviourOf(state, key);
  if (isAuthFailure(standing)) {
    return answerError(call, /** @type {any} */ (behaviourError(standing, key, route.model ?? "", "")), standing.kind);
  }

  if (route.action === "listModels") return listModels(call);
  const model = /** @type {string} */ (route.model);
  const resource = state.models.find((m) => m.name === `models/${model}`);
  if (route.action === "getModel") {
    return resource ? answer(call, 200, resource, "ok") : answerError(call, modelNotFound(model, "get"), "not_found");
  }
  const needed = { streamGenerateContent: "generateContent", batchEmbedContents: "embedContent" }[route.action] ?? route.action;
  if (!resource || !resource.supportedGenerationMethods.includes(needed)) {
    return answerError(call, modelNotFound(model, needed), "not_found");
  }

  if (!call.body.ok) {
    return answerError(call, invalidArgument("Invalid JSON payload received. Unexpected token."), "validation");
  }
  const body = /** @type {any} */ (call.body.value);
  const invalid = validate(route.action, body, model);
  if (invalid) return answerError(call, invalid, "validation");
  // Files and caches live under the key that made them; Imagen needs a billed key.
  const generates = route.action === "generateContent" || route.action === "streamGenerateContent";
  const denied = generates ? (fileAccessError(state, key, body) ?? cacheAccessError(state, key, body)) : null;
  if (denied) return answerError(call, denied, denied.status === 403 ? "permission_denied" : "validation");
  if (route.action === "predict" && state.tiers.get(key) === "free") return answerError(call, imagenBilledOnly(), "free_key");

  let behaviour = standing;
  let reply = state.reply;
  /** @type {string} */
  let outcome = standing.kind;
  const once = takeOnce(state, key);
  if (typeof once === "string") {
    behaviour = /** @type {import("./behaviours.mjs").Behaviour} */ (parseBehaviour(once));
    outcome = `once:${once}`;
  } else if (once && "status" in once) {
    const scripted = "body" in once ? once.body : readFixtureJson(state.fixtures, once.fixture, once.pick);
    return answer(call, once.status, scripted, "once:literal");
  } else if (once) {
    reply = "reply" in once ? once.reply : { fixture: once.fixture };
    outcome = "once:reply";
  }

  if (behaviour.kind === "slow") await pause(behaviour.ms ?? 0, call.signal);
  if (call.signal?.aborted) {
    record.outcome = "client_gone";
    return new Response(null, { status: 499 });
  }
  const error = behaviourError(behaviour, key, model, state.settings.retryDelay);
  if (error) return answerError(call, error, outcome);

  switch (route.action) {
    case "generateContent": {
      const out = behaviour.kind === "empty" ? emptyResponse(body, model) : reply.fixture ? /** @type {{ body: object }} */ (replayFixture(state.fixtures, reply.fixture, false)).body : generateResponse(body, model, reply);
      countCachedTokens(state, body, [out]);
      return answer(call, 200, out, outcome);
    }
    case "streamGenerateContent": {
      const chunks =
        behaviour.kind === "empty"
          ? [emptyResponse(body, model)]
          : reply.fixture
            ? /** @type {{ chunks: object[] }} */ (replayFixture(state.fixtures, reply.fixture, true)).chunks
            : generateStreamChunks(body, model, reply);
      countCachedTokens(state, body, /** @type {object[]} */ (chunks));
      return stream(call, /** @type {object[]} */ (chunks), behaviour, reply.chunkDelayMs ?? 0, outcome);
    }
    case "countTokens":
      return answer(call, 200, countTokensResponse(body), outcome);
    case "embedContent":
      return answer(call, 200, { embedding: embedOne(body) }, outcome);
    case "batchEmbedContents":
      return answer(call, 200, { embeddings: body.requests.map(embedOne) }, outcome);
    case "predict":
      return answer(call, 200, predictResponse(body), outcome);
  }
}

/**
 * @param {string} action
 * @param {unknown} body
 * @param {string} model
 */
function validate(action, body, model) {
  if (action === "generateContent" || action === "streamGenerateContent") return validateGenerateContent(body, model);
  if (action === "embedContent") return validateEmbedContent(body);
  if (action === "batchEmbedContents") return validateBatchEmbedContents(body);
  if (action === "predict") return validatePredict(body);
  return validateCountTokens(body);
}

/**
 * GET /v1beta/models with pageSize (default 50, max 1000) and an opaque pageToken.
 * @param {Call} call
 */
function listModels(call) {
  const page = pageOf(call.state.models, call.url.searchParams, { defaultSize: 50, maxSize: 1000 });
  if (!page) return answerError(call, invalidArgument("Invalid page token."), "validation");
  return answer(call, 200, { models: page.items, ...page.next }, "ok");
}

/**
 * With alt=sse: one `data:` event per chunk, pulled as the caller reads (a pause between
 * events, the failure behaviours after the first). Without it Google streams a JSON array;
 * the fake sends the same array in one piece.
 * @param {Call} call
 * @param {object[]} chunks
 * @param {import("./behaviours.mjs").Behaviour} behaviour
 * @param {number} delayMs
 * @param {string} outcome
 * @returns {Response}
 */
function stream(call, chunks, behaviour, delayMs, outcome) {
  const { record } = call;
  if (call.url.searchParams.get("alt") !== "sse") return answer(call, 200, chunks, outcome);
  record.status = 200;
  record.outcome = outcome;
  /** @type {unknown[]} */
  const sent = [];
  record.response = sent;
  const encoder = new TextEncoder();
  let next = 0;
  const body = new ReadableStream({
    async pull(controller) {
      if (next > 0) await pause(delayMs, call.signal);
      if (call.signal?.aborted) return controller.error(call.signal.reason);
      const chunk = chunks[next++];
      controller.enqueue(encoder.encode(sseFrame(chunk)));
      sent.push(chunk);
      if (next === 1 && behaviour.kind === "stream_abort_after_first_chunk") {
        await pause(20, call.signal);
        controller.error(new Error("fake Gemini cut the stream after its first event"));
        return;
      }
      if (next === 1 && behaviour.kind === "stream_error_after_first_chunk") {
        sent.push(internalError().body);
        controller.enqueue(encoder.encode(sseFrame(internalError().body)));
        controller.close();
        return;
      }
      if (next >= chunks.length) controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { "content-type": "text/event-stream", "cache-control": "no-cache", "x-accel-buffering": "no" } });
}
