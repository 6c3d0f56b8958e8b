import { findAffinity, type AffinityRow } from "../../files/affinity-store";
import { ownedBy } from "../../files/pin";
import type { UpstreamFailure } from "../../gemini/failure";
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

/** The row of a file, cached content or upload this client made through the proxy (404 otherwise). */
export async function ownedRow(name: string, deps: CallDeps): Promise<AffinityRow> {
  return ownedBy(await findAffinity(deps.env.DB, name, deps.receivedAt), name, deps.clientKey.id);
}

/** An RFC 3339 time from Google as epoch ms, or `fallback` when absent or unreadable. */
export function timeOf(value: unknown, fallback: number): number {
  const ms = typeof value === "string" ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? ms : fallback;
}
