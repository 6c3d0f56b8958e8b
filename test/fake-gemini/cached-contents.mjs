// Google's cachedContents: create, get, update (ttl / expireTime), delete and list. A cache
// belongs to the key that created it; any other key, and anyone after it expired or was
// deleted, gets Google's 403 "CachedContent not found (or permission denied)".

import { cachedContentAccessDenied, cachedContentWithConfig, invalidArgument, modelNotFound, unknownRoute } from "./errors.mjs";
import { randomId } from "./encoding.mjs";
import { pageOf } from "./paging.mjs";
import { promptTokens } from "./replies.mjs";

/** Without ttl or expireTime a cache lives one hour (a recorded live create). */
const DEFAULT_TTL_SECONDS = 3600;

/**
 * @typedef {{ name: string, model: string, displayName: string, createTime: string, updateTime: string,
 *   expireTime: string, usageMetadata: { totalTokenCount: number } }} CachedContentResource
 * @typedef {{ resource: CachedContentResource, owner: string }} StoredCache
 * @typedef {import("./resources-api.mjs").ResourceCall} ResourceCall
 * @typedef {import("./resources-api.mjs").Reply} Reply
 */

/** @param {import("./errors.mjs").GoogleError} error @param {string} outcome @returns {Reply} */
const refuse = (error, outcome) => ({ status: error.status, body: error.body, outcome });

/**
 * The expiry asked for by `ttl` ("300s", "1.5s") or `expireTime`, or an error message.
 * @param {any} body
 * @param {Date} now
 * @returns {{ expireTime: string } | { problem: string } | null} null when neither is set
 */
function expiryOf(body, now) {
  const ttl = body?.ttl;
  const at = body?.expireTime ?? body?.expire_time;
  if (ttl !== undefined) {
    const m = typeof ttl === "string" ? /^(\d+(?:\.\d+)?)s$/.exec(ttl) : null;
    if (!m) return { problem: `Invalid value at 'cached_content.ttl' (type.googleapis.com/google.protobuf.Duration), "${String(ttl)}"` };
    return { expireTime: new Date(now.getTime() + Number(m[1]) * 1000).toISOString() };
  }
  if (at !== undefined) {
    const t = typeof at === "string" ? Date.parse(at) : NaN;
    if (Number.isNaN(t)) return { problem: `Invalid value at 'cached_content.expire_time' (type.googleapis.com/google.protobuf.Timestamp), "${String(at)}"` };
    return { expireTime: new Date(t).toISOString() };
  }
  return null;
}

/**
 * /v1beta/cachedContents and /v1beta/cachedContents/{id}.
 * @param {ResourceCall} call
 * @param {string | null} id
 * @returns {Reply}
 */
export function handleCachedContents(call, id) {
  const { state, key, method } = call;
  const body = call.body.ok ? /** @type {any} */ (call.body.value) : undefined;
  if ((method === "POST" || method === "PATCH") && !call.body.ok) {
    return refuse(invalidArgument("Invalid JSON payload received. Unexpected token."), "validation");
  }
  if (id === null && method === "POST") {
    call.record.action = "createCachedContent";
    const model = typeof body?.model === "string" ? body.model.replace(/^models\//, "") : "";
    if (!model) return refuse(invalidArgument("CachedContent.model is required."), "validation");
    call.record.model = model;
    const known = state.models.find((m) => m.name === `models/${model}`);
    if (!known || !known.supportedGenerationMethods.includes("createCachedContent")) {
      return refuse(modelNotFound(model, "createCachedContent"), "not_found");
    }
    const now = new Date();
    const expiry = expiryOf(body, now);
    if (expiry && "problem" in expiry) return refuse(invalidArgument(expiry.problem), "validation");
    /** @type {CachedContentResource} */
    const resource = {
      name: `cachedContents/${randomId(40)}`,
      model: `models/${model}`,
      createTime: now.toISOString(),
      updateTime: now.toISOString(),
      expireTime: expiry?.expireTime ?? new Date(now.getTime() + DEFAULT_TTL_SECONDS * 1000).toISOString(),
      displayName: body?.displayName ?? body?.display_name ?? "",
      usageMetadata: { totalTokenCount: promptTokens(body) },
    };
    state.caches.set(resource.name.slice("cachedContents/".length), { resource, owner: /** @type {string} */ (key) });
    return { status: 200, body: resource, outcome: "ok" };
  }
  if (id === null && method === "GET") {
    call.record.action = "listCachedContents";
    const mine = [...state.caches.values()].filter((c) => c.owner === key && !expired(c.resource)).map((c) => c.resource);
    const page = pageOf(mine, call.url.searchParams, { defaultSize: 50, maxSize: 1000 });
    if (!page) return refuse(invalidArgument("Invalid page token."), "validation");
    return { status: 200, body: page.items.length ? { cachedContents: page.items, ...page.next } : { ...page.next }, outcome: "ok" };
  }
  if (id === null || !["GET", "PATCH", "DELETE"].includes(method)) return refuse(unknownRoute(), "unknown_route");

  call.record.action = { GET: "getCachedContent", PATCH: "updateCachedContent", DELETE: "deleteCachedContent" }[method] ?? null;
  const stored = state.caches.get(id);
  if (!stored || stored.owner !== key || expired(stored.resource)) {
    return refuse(cachedContentAccessDenied(), stored ? (stored.owner !== key ? "not_owner" : "expired") : "not_found");
  }
  if (method === "GET") return { status: 200, body: stored.resource, outcome: "ok" };
  if (method === "DELETE") {
    state.caches.delete(id);
    state.gone.add(stored.resource.name);
    return { status: 200, body: {}, outcome: "ok" };
  }
  const now = new Date();
  const expiry = expiryOf(body, now);
  if (!expiry) return refuse(invalidArgument("Only ttl or expireTime can be updated."), "validation");
  if ("problem" in expiry) return refuse(invalidArgument(expiry.problem), "validation");
  stored.resource.expireTime = expiry.expireTime;
  stored.resource.updateTime = now.toISOString();
  return { status: 200, body: stored.resource, outcome: "ok" };
}

/** @param {CachedContentResource} resource */
const expired = (resource) => Date.parse(resource.expireTime) <= Date.now();

/** @param {any} body @returns {string | null} the cachedContent a generateContent body names */
function namedCache(body) {
  const name = body?.cachedContent ?? body?.cached_content;
  return typeof name === "string" && name.startsWith("cachedContents/") ? name : null;
}

/**
 * Google's answer when a generateContent body names a cache: 403 when it is another key's,
 * expired or deleted; 400 when the body also sets systemInstruction, tools or toolConfig. A
 * name the fake never issued passes, so tests may name made-up caches.
 * @param {import("./state.mjs").FakeState} state
 * @param {string} key
 * @param {any} body
 * @returns {import("./errors.mjs").GoogleError | null}
 */
export function cacheAccessError(state, key, body) {
  const name = namedCache(body);
  if (!name) return null;
  const stored = state.caches.get(name.slice("cachedContents/".length));
  if (!stored) return state.gone.has(name) ? cachedContentAccessDenied() : null;
  if (stored.owner !== key || expired(stored.resource)) return cachedContentAccessDenied();
  const setsConfig = ["systemInstruction", "system_instruction", "tools", "toolConfig", "tool_config"].some((f) => body[f] !== undefined);
  return setsConfig ? cachedContentWithConfig() : null;
}

/**
 * Counts a used cache in a response's usage as Google does: cachedContentTokenCount, and the
 * cached tokens inside promptTokenCount and totalTokenCount.
 * @param {import("./state.mjs").FakeState} state
 * @param {any} body the request
 * @param {any[]} responses the answer, or each stream event
 */
export function countCachedTokens(state, body, responses) {
  const name = namedCache(body);
  const stored = name ? state.caches.get(name.slice("cachedContents/".length)) : undefined;
  if (!stored) return;
  const cached = stored.resource.usageMetadata.totalTokenCount;
  for (const response of responses) {
    const usage = response?.usageMetadata;
    if (!usage) continue;
    usage.promptTokenCount = (usage.promptTokenCount ?? 0) + cached;
    usage.totalTokenCount = (usage.totalTokenCount ?? 0) + cached;
    usage.cachedContentTokenCount = cached;
    usage.cacheTokensDetails = [{ modality: "TEXT", tokenCount: cached }];
  }
}
