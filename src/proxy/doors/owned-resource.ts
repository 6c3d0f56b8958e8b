import { findAffinity, type AffinityRow } from "../../files/affinity-store";
import type { UpstreamFailure } from "../../gemini/failure";
import { TranslationError } from "../../openai/errors";
import type { AttemptOutcome } from "../failover";
import type { CallDeps } from "../front-door";

/** A JSON reply from the Files or cachedContents API (DELETE answers `{}`, sometimes nothing). */
export async function acceptJsonReply(response: Response): Promise<AttemptOutcome<Record<string, unknown>>> {
  const text = await response.text();
  if (text.trim() === "") return { ok: true, value: {} };
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === "object" && !Array.isArray(value)) return { ok: true, value: value as Record<string, unknown> };
  } catch {
    // answered below
  }
  const failure: UpstreamFailure = { kind: "server", status: 502, message: "Google's reply is not a JSON object" };
  return { ok: false, failure };
}

/**
 * The row of a file, cached content or upload this client made through the proxy. Another
 * client's, or one the proxy never saw, is 404 in Google's words: no Google call is made.
 */
export async function ownedRow(name: string, deps: CallDeps): Promise<AffinityRow> {
  const row = await findAffinity(deps.env.DB, name, deps.receivedAt);
  if (!row || row.clientKeyId !== deps.clientKey.id) {
    throw new TranslationError(`${name} is not found: it was not made through this proxy with this client key, or it has expired.`, {
      status: 404,
      code: "file_not_found",
      type: "not_found_error",
    });
  }
  return row;
}

/** An RFC 3339 time from Google as epoch ms, or `fallback` when absent or unreadable. */
export function timeOf(value: unknown, fallback: number): number {
  const ms = typeof value === "string" ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? ms : fallback;
}
