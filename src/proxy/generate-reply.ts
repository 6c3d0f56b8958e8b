import type { GenerateContentResponse } from "../gemini/types";
import type { UsageFigures } from "../openai/usage";
import { isEmptyReply } from "../openai/response";
import { rememberSignatures } from "../signatures/signature-store";
import type { AttemptOutcome } from "./failover";
import type { Answer, CallDeps } from "./front-door";

/**
 * A 2xx from generateContent or streamGenerateContent, for the doors that translate Gemini's
 * reply: a stream goes on as it is; a reply with no candidate content is a failure another key
 * may fix.
 */
export async function acceptGenerateReply(
  response: Response,
  streamed: boolean,
): Promise<AttemptOutcome<GenerateContentResponse | Response>> {
  if (streamed) return { ok: true, value: response };
  const reply = (await response.json()) as GenerateContentResponse;
  if (isEmptyReply(reply)) return { ok: false, failure: { kind: "empty", message: "empty reply" } };
  return { ok: true, value: reply };
}

/** A non-streamed reply as a door translated it. */
export interface TranslatedReply {
  body: unknown;
  signatures: Record<string, string>;
  blocked: boolean;
  usage: UsageFigures;
  /** Images the answer carries (chat image output), for the ledger. */
  images?: number;
}

/**
 * The JSON answer of a translated reply. Its thought signatures are remembered first and awaited,
 * not left to waitUntil, because the client's next turn may follow at once and must find them;
 * if D1 refuses, the answer still stands (the next turn falls back to Google's dummy signature).
 */
export async function jsonAnswer(translated: TranslatedReply, deps: CallDeps): Promise<Answer> {
  await rememberSignatures(deps.env.DB, translated.signatures).catch((error: unknown) =>
    console.error(`remembering thought signatures failed: ${String(error)}`),
  );
  const media = translated.images ? { media: { images: translated.images } } : {};
  return { kind: "json", body: translated.body, end: { status: 200, outcome: translated.blocked ? "blocked" : "ok", tokens: translated.usage, ...media } };
}
