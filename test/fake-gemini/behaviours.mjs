// Per-key behaviours the control API can set, and what each one answers.

import {
  apiKeyInvalid,
  consumerSuspended,
  internalError,
  overloaded,
  rateLimited,
  regionNotSupported,
} from "./errors.mjs";

export const BEHAVIOURS = [
  "ok",
  "rate_limit_minute",
  "rate_limit_day",
  "invalid",
  "suspended",
  "overloaded",
  "internal",
  "empty",
  "region",
  "slow:<ms>",
  "stream_error_after_first_chunk",
  "stream_abort_after_first_chunk",
];

/**
 * @typedef {{ kind: "ok" | "rate_limit_minute" | "rate_limit_day" | "invalid" | "suspended" | "overloaded"
 *   | "internal" | "empty" | "region" | "slow" | "stream_error_after_first_chunk" | "stream_abort_after_first_chunk",
 *   ms?: number }} Behaviour
 */

/**
 * @param {unknown} text
 * @returns {Behaviour | null} null when the text names no behaviour
 */
export function parseBehaviour(text) {
  if (typeof text !== "string") return null;
  const slow = /^slow:(\d+)$/.exec(text);
  if (slow) return { kind: "slow", ms: Number(slow[1]) };
  if (text === "slow:<ms>" || !BEHAVIOURS.includes(text)) return null;
  return /** @type {Behaviour} */ ({ kind: text });
}

/**
 * Behaviours that make the key itself unusable: they apply to every call, listing models too.
 * @param {Behaviour} behaviour
 */
export function isAuthFailure(behaviour) {
  return behaviour.kind === "invalid" || behaviour.kind === "suspended";
}

/**
 * The error a behaviour answers with before any content, or null when the call
 * proceeds (ok, slow, empty and the stream-failure behaviours shape the answer instead).
 * @param {Behaviour} behaviour
 * @param {string} key
 * @param {string} model
 * @param {string} retryDelay
 * @returns {import("./errors.mjs").GoogleError | null}
 */
export function behaviourError(behaviour, key, model, retryDelay) {
  switch (behaviour.kind) {
    case "rate_limit_minute":
      return rateLimited("minute", model, retryDelay);
    case "rate_limit_day":
      return rateLimited("day", model, retryDelay);
    case "invalid":
      return apiKeyInvalid();
    case "suspended":
      return consumerSuspended(key);
    case "overloaded":
      return overloaded();
    case "internal":
      return internalError();
    case "region":
      return regionNotSupported();
    default:
      return null;
  }
}
