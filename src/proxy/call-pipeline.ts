import type { ModelConfig } from "../config/schemas";
import { callGemini } from "../gemini/client";
import { TranslationError } from "../openai/errors";
import { KeyPool } from "../pool/key-pool";
import { CallLog } from "./call-log";
import { internalFailure, logInternalError, modelNotFound } from "./errors";
import { withFailover } from "./failover";
import type { CallFailure } from "./failure-policy";
import type { Answer, CallDeps, FrontDoor } from "./front-door";
import { answerEarly, headStartFor, SILENT, within, type Concluded } from "./head-start";
import { clientLimitReached, resolveModel } from "./resolve-model";

/**
 * A proxied call's whole life, for every front door: parse, resolve the model and the
 * client's limit, translate, go through the pool with failover, answer (JSON or stream) — and
 * exactly one ledger row whatever happens and wherever it throws.
 */
export async function runCall<Req, Reply>(door: FrontDoor<Req, Reply>, request: Request, deps: CallDeps): Promise<Response> {
  const log = new CallLog(deps, door.endpoint(null));
  try {
    return await serve(door, request, deps, log);
  } catch (error) {
    if (error instanceof TranslationError) return fail(door, log, clientFailure(error));
    logInternalError(request, error);
    if (log.isFinished) throw error; // the answer was already under way: nothing else to say
    return fail(door, log, internalFailure());
  }
}

async function serve<Req, Reply>(door: FrontDoor<Req, Reply>, request: Request, deps: CallDeps, log: CallLog): Promise<Response> {
  const parsed = await door.parse(request, deps);
  log.endpoint = door.endpoint(parsed);
  log.streamed = door.streamed(parsed);
  const requested = door.modelId(parsed);
  const { model, targetId, requestedAs } = requested === null ? NO_MODEL_CHOICE : resolveModel(deps.config, deps.clientKey, requested);
  log.model = targetId;
  log.requestedModel = requestedAs;
  if (!model) return fail(door, log, modelNotFound(requested ?? ""));
  log.category = requested === null ? NO_MODEL.id : model.category;

  const limited = await clientLimitReached(deps);
  if (limited) return fail(door, log, limited);
  log.holdClientSlot();

  const spec = await door.prepare(parsed, model, deps);
  const pool = await KeyPool.open(deps.runtime, deps.env, deps.waitUntil);
  const { settings } = deps.config;
  // An upload's bytes stream through: they can be sent once (no second key), and they arrive
  // as fast as the client sends them (up to 100 MB takes minutes).
  const streamedBody = spec.rawBody instanceof ReadableStream;
  const concluded = withFailover<Reply>({
    pool,
    model,
    maxAttempts: streamedBody ? 1 : settings.maxAttempts,
    signal: deps.signal,
    ...(spec.keyId !== undefined ? { pinned: { keyId: spec.keyId, by: spec.pinnedBy ?? "the file or cached content named" } } : {}),
    attempt: async (key) => {
      log.attempted(key.id);
      const call = () =>
        callGemini({
          ...spec,
          base: deps.env.GEMINI_API_BASE,
          apiKey: key.secret,
          signal: deps.signal,
          timeoutMs: streamedBody ? Math.max(settings.attemptTimeoutMs, STREAMED_BODY_TIMEOUT_MS) : settings.attemptTimeoutMs,
        });
      const attempt = await call();
      return attempt.ok ? door.accept(attempt.response, parsed, call) : attempt;
    },
  }).then(async (result): Promise<Concluded> => {
    log.attempts = result.attempts;
    if (!result.ok) return { kind: "failure", failure: result.answer };
    if (door.charges?.(parsed) === false) {
      pool.release(result.key.id, model.id);
    } else {
      pool.recordSuccess(result.key.id, model.id, log.ticket);
      log.served = true;
    }
    return { kind: "answer", answer: await door.answer(result.value, parsed, { deps, keyId: result.key.id, markFirstByte: () => log.markFirstByte() }) };
  });
  // A long silence from Google: the answer starts with keep-alives (src/proxy/head-start.ts).
  const start = headStartFor(door, parsed, spec, deps);
  const outcome = start ? await within(concluded, start.afterMs) : await concluded;
  if (outcome === SILENT) return answerEarly(start!, concluded.catch((error: unknown) => failureOf(error, request)), log, deps);
  return outcome.kind === "failure" ? fail(door, log, outcome.failure) : respond(outcome.answer, log);
}

/** How long an attempt whose request body streams through (an upload) may take at least. */
const STREAMED_BODY_TIMEOUT_MS = 600_000;

/**
 * What a call that uses no model (the Files API) runs on: no quota applies to it (custom, no
 * daily quota), so any usable key serves it; its ledger row says model and category "files".
 */
const NO_MODEL: ModelConfig = { id: "files", category: "custom", dailyQuota: null, individualQuota: null };
const NO_MODEL_CHOICE = { model: NO_MODEL, targetId: NO_MODEL.id, requestedAs: null };

/** A throw after the headers went out, as the failure the answer ends with. */
function failureOf(error: unknown, request: Request): Concluded {
  if (error instanceof TranslationError) return { kind: "failure", failure: clientFailure(error) };
  logInternalError(request, error);
  return { kind: "failure", failure: internalFailure() };
}

function respond(answer: Answer, log: CallLog): Response {
  if (answer.kind === "json") {
    if (answer.end.tokens) log.tokens = answer.end.tokens;
    if (answer.end.media) log.media = answer.end.media;
    log.markFirstByte();
    log.finish(answer.end.status, answer.end.outcome, answer.end.code ?? null);
    return Response.json(answer.body, { status: answer.end.status });
  }
  log.finishWhen(answer.ended);
  return answer.response;
}

function fail<Req, Reply>(door: FrontDoor<Req, Reply>, log: CallLog, failure: CallFailure): Response {
  log.finish(failure.status, failure.outcome, failure.code);
  return door.renderFailure(failure);
}

function clientFailure(error: TranslationError): CallFailure {
  return { status: error.status, message: error.message, type: error.type, code: error.code, param: error.param, outcome: "client_error" };
}
