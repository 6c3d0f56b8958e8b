import type { ConfigSnapshot } from "../config/config-snapshot";
import type { GeminiAttempt } from "../gemini/client";
import type { ModelConfig, WorkerKeyRecord } from "../config/schemas";
import type { Env } from "../env";
import type { UsageFigures } from "../openai/usage";
import type { IsolateRuntime } from "../runtime/runtime";
import type { MediaUnits } from "../usage/media-units";
import type { Outcome } from "../usage/schema";
import type { AttemptOutcome } from "./failover";
import type { CallFailure } from "./failure-policy";

/** What a proxied call runs on: plain values, no Hono context, so tests can drive the pipeline. */
export interface CallDeps {
  runtime: IsolateRuntime;
  env: Env;
  waitUntil: (promise: Promise<unknown>) => void;
  /** The client's disconnect. */
  signal: AbortSignal;
  receivedAt: number;
  clientKey: WorkerKeyRecord;
  config: ConfigSnapshot;
}

/** The Google call one attempt makes; the key, base URL, timeout and abort come from the pipeline. */
export interface GeminiCallSpec {
  path: string;
  body: unknown;
  query?: Record<string, string>;
  stream?: boolean;
  /** POST unless said (the Files and cachedContents APIs also GET, PATCH and DELETE). */
  method?: "GET" | "POST" | "PATCH" | "DELETE";
  /** Under /upload/v1beta/ instead of /v1beta/ (file uploads). */
  upload?: boolean;
  /** Headers Google reads besides the key and content type (the X-Goog-Upload-* of an upload). */
  headers?: Record<string, string>;
  /** A body sent as is instead of `body` as JSON: an upload's bytes streamed through, never buffered. */
  rawBody?: ReadableStream<Uint8Array> | string | null;
  /**
   * The one Gemini key that may serve the call: files and cached contents exist only under the
   * key that created them (src/usage/schema.ts key_affinity).
   */
  keyId?: string;
  /** What pins the call to keyId ("files/abc", "cachedContents/xyz"), named when that key cannot serve it. */
  pinnedBy?: string;
}

/** How a call ended, for its ledger row. */
export interface CallEnd {
  status: number;
  outcome: Outcome;
  code?: string | null;
  tokens?: UsageFigures;
  media?: MediaUnits;
}

/** `stream`: a Response the door built (SSE, or a whole non-JSON body such as audio) and when it ended. */
export type Answer =
  | { kind: "json"; body: unknown; end: CallEnd }
  | { kind: "stream"; response: Response; ended: Promise<CallEnd> };

export interface AnswerContext {
  deps: CallDeps;
  /** The Gemini key that served the call (a file or cached content made now lives under it). */
  keyId: string;
  /** The first byte of the answer is on its way (time to first byte in the ledger). */
  markFirstByte(): void;
}

/**
 * A front door (OpenAI chat, embeddings, Gemini native, …) as an adapter on the call pipeline
 * (src/proxy/call-pipeline.ts): it parses and translates, accepts Google's reply, renders the
 * answer, and renders failures in its own protocol's shape. The pipeline owns the rest: model
 * and client limits, the pool with failover, and the one ledger row.
 * Client mistakes are thrown as TranslationError (status, code, param, message).
 */
export interface FrontDoor<Req, Reply> {
  /** The ledger's endpoint name (`null` before the request could be parsed). */
  endpoint(request: Req | null): string;
  renderFailure(failure: CallFailure): Response;
  parse(request: Request, deps: CallDeps): Promise<Req>;
  /**
   * The model the call runs on; null for a call that uses none (the Files API): any usable key
   * serves it and no model quota counts it.
   */
  modelId(request: Req): string | null;
  streamed(request: Req): boolean;
  /** Google's request (lookups such as thought signatures or remote media allowed). */
  prepare(request: Req, model: ModelConfig, deps: CallDeps): Promise<GeminiCallSpec>;
  /**
   * A 2xx from Google: the value to answer from, or a failure another key may fix (an empty reply).
   * `again` makes the same call once more on the same key (n images from models that refuse
   * candidateCount); a failure of it fails the whole attempt.
   */
  accept(response: Response, request: Req, again: () => Promise<GeminiAttempt>): Promise<AttemptOutcome<Reply>>;
  /** false for calls Google does not count against a key's quota (countTokens). */
  charges?(request: Req): boolean;
  /**
   * false when the answer is not JSON (audio, plain text): such a call never gets the
   * whitespace head start (spaces before the body) that keepAliveWhitespace gives JSON answers.
   */
  answersJson?(request: Req): boolean;
  answer(reply: Reply, request: Req, context: AnswerContext): Promise<Answer>;
  /**
   * The complete SSE text that ends a stream in this door's protocol when the call fails after
   * the pipeline sent the HTTP headers (keep-alives during a long upstream silence) but before
   * the door's own stream began, e.g. chat: `data: {"error":{...}}\n\ndata: [DONE]\n\n`.
   * A door without it never gets its headers sent early.
   */
  streamFailure?(failure: CallFailure, request: Req): string;
}
