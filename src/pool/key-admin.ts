import type { UpstreamFailure } from "../gemini/failure";
import { newId } from "../util/crypto";
import { nextState } from "./key-pool";
import type { KeyStore } from "./key-store";
import type { GeminiKeyRecord, KeyState } from "./types";

// What the admin does to the pool: add, rename, enable, mark paid, delete keys and record what
// a key test found. Storage and policy only; the HTTP side lives in src/admin.

const GEMINI_KEY = /^AIza[0-9A-Za-z_-]{35}$/;
const KEY_SEPARATORS = /[\s,]+/;
const MAX_NAME_LENGTH = 100;

export interface ParsedKeyInput {
  /** Well-formed keys in input order, repeats included. */
  wellFormed: string[];
  malformed: number;
}

/** Splits pasted text (or a list of texts) on newlines, commas and spaces and checks each piece. */
export function parseKeyInput(input: string | readonly string[]): ParsedKeyInput {
  const pieces = (typeof input === "string" ? [input] : input)
    .flatMap((text) => text.split(KEY_SEPARATORS))
    .filter((piece) => piece.length > 0);
  const wellFormed = pieces.filter((piece) => GEMINI_KEY.test(piece));
  return { wellFormed, malformed: pieces.length - wellFormed.length };
}

/** First 6 and last 4 characters: enough to tell keys apart, useless to an attacker. */
export function maskSecret(secret: string): string {
  return `${secret.slice(0, 6)}…${secret.slice(-4)}`;
}

export interface AddKeysResult {
  added: GeminiKeyRecord[];
  duplicates: number;
}

/**
 * Adds the keys not already in the pool. A key already stored or repeated in the input counts
 * as a duplicate. Several keys sharing one name get "#1", "#2"... after it.
 */
export async function addKeys(
  store: KeyStore,
  secrets: readonly string[],
  name: string | undefined,
  now = Date.now(),
): Promise<AddKeysResult> {
  const existing = await store.listKeys();
  const known = new Set(existing.map((key) => key.secret));
  const fresh: string[] = [];
  for (const secret of secrets) {
    if (known.has(secret)) continue;
    known.add(secret);
    fresh.push(secret);
  }
  const createdAt = new Date(now).toISOString();
  const added = fresh.map((secret, i) => ({
    id: newId(),
    name: keyName(name, secret, i, fresh.length),
    secret,
    enabled: true,
    createdAt,
  }));
  if (added.length > 0) {
    await store.saveKeys([...existing, ...added]);
  }
  return { added, duplicates: secrets.length - added.length };
}

function keyName(name: string | undefined, secret: string, index: number, count: number): string {
  if (name === undefined) return `Key …${secret.slice(-4)}`;
  if (count === 1) return name;
  const suffix = ` #${index + 1}`;
  return name.slice(0, MAX_NAME_LENGTH - suffix.length) + suffix;
}

export interface KeyChanges {
  name?: string | undefined;
  enabled?: boolean | undefined;
  paid?: boolean | undefined;
}

/**
 * Renames, enables or disables, and marks paid or not a key; null when there is no such key.
 * The keys entry is written only when something changed. Enabling a key the
 * pool had marked invalid or suspended gives it a fresh chance: its status goes back to
 * active (per-model blocks from Google stay until they expire).
 */
export async function updateKey(
  store: KeyStore,
  keyId: string,
  changes: KeyChanges,
  now = Date.now(),
): Promise<GeminiKeyRecord | null> {
  const keys = await store.listKeys();
  const index = keys.findIndex((key) => key.id === keyId);
  const current = keys[index];
  if (!current) return null;
  const updated: GeminiKeyRecord = {
    ...current,
    ...(changes.name !== undefined ? { name: changes.name } : {}),
    ...(changes.enabled !== undefined ? { enabled: changes.enabled } : {}),
    ...(changes.paid !== undefined ? { paid: changes.paid } : {}),
  };
  const paidChanged = (updated.paid === true) !== (current.paid === true);
  if (updated.name !== current.name || updated.enabled !== current.enabled || paidChanged) {
    keys[index] = updated;
    await store.saveKeys(keys);
  }
  if (changes.enabled === true) await clearKeyLevelStatus(store, keyId, now);
  return updated;
}

/** Deletes keys and their state; answers how many existed. */
export async function deleteKeys(store: KeyStore, keyIds: readonly string[]): Promise<number> {
  const doomed = new Set(keyIds);
  const keys = await store.listKeys();
  const kept = keys.filter((key) => !doomed.has(key.id));
  const deleted = keys.filter((key) => doomed.has(key.id));
  if (deleted.length === 0) return 0;
  await store.saveKeys(kept);
  await store.updateStates((states) => deleted.map((key) => states.delete(key.id)).some(Boolean));
  return deleted.length;
}

export type ProbeResult = { ok: true } | { ok: false; failure: UpstreamFailure };

/**
 * Records what a key test found: a passing test lifts invalid and suspended, an invalid or
 * suspended answer marks the key. Anything else (a rate limit on the test call, a network
 * error) says nothing about the key and changes nothing. Answers the state after.
 */
export async function recordProbe(
  store: KeyStore,
  keyId: string,
  modelId: string,
  result: ProbeResult,
  now = Date.now(),
): Promise<KeyState | undefined> {
  let after: KeyState | undefined;
  await store.updateStates((states) => {
    const before = states.get(keyId);
    after = before;
    if (result.ok) {
      if (before?.status === "invalid" || before?.status === "suspended") after = activeAgain(before, now);
    } else if (result.failure.kind === "invalid_key" || result.failure.kind === "suspended") {
      after = nextState(before, modelId, result.failure, now);
    }
    if (!after || JSON.stringify(after) === JSON.stringify(before)) return false;
    states.set(keyId, after);
    return true;
  });
  return after;
}

async function clearKeyLevelStatus(store: KeyStore, keyId: string, now: number): Promise<void> {
  await store.updateStates((states) => {
    const state = states.get(keyId);
    if (state?.status !== "invalid" && state?.status !== "suspended") return false;
    states.set(keyId, activeAgain(state, now));
    return true;
  });
}

function activeAgain(state: KeyState, now: number): KeyState {
  return { status: "active", since: now, models: state.models };
}
