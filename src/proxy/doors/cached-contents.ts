import { extendAffinity, forgetAffinity, rememberAffinity } from "../../files/affinity-store";
import { cacheNameOf } from "../../files/names";
import { pinToOwner } from "../../files/pin";
import { TranslationError } from "../../openai/errors";
import type { FrontDoor } from "../front-door";
import { googleFailure } from "../google-errors";
import { readJsonBody, readJsonObject } from "../read-body";
import { bareModelId } from "../resolve-model";
import { acceptJsonReply, ownedRow, timeOf } from "./owned-resource";

/** Google's default TTL of a cached content, when its reply carries no expireTime. */
const DEFAULT_CACHE_TTL_MS = 3_600_000;

interface CreateCall {
  body: Record<string, unknown>;
  modelId: string;
}

/**
 * POST /v1beta/cachedContents: a cache for the body's model, made on a key that can serve that
 * model (on the key of the files its contents name, if any); D1 remembers the key, so every
 * call naming the cache goes to it. Not counted against the model's daily quota.
 */
export const cachedContentCreateDoor: FrontDoor<CreateCall, Record<string, unknown>> = {
  endpoint: () => "native:cachedContents.create",
  renderFailure: googleFailure,
  async parse(request) {
    const body = await readJsonObject(request);
    const model = body.model;
    if (typeof model !== "string" || model === "") {
      throw new TranslationError("A cached content needs `model` (models/…).", { param: "model", code: "missing_model" });
    }
    return { body, modelId: bareModelId(model) };
  },
  modelId: (call) => call.modelId,
  streamed: () => false,
  charges: () => false,

  async prepare(call, model, deps) {
    const body = { ...call.body, model: `models/${model.id}` };
    return { path: "cachedContents", body, ...(await pinToOwner(body, deps.env, deps.clientKey.id)) };
  },
  accept: (response) => acceptJsonReply(response),
  async answer(reply, _call, { deps, keyId }) {
    const name = typeof reply.name === "string" ? cacheNameOf(reply.name) : null;
    if (name) {
      await rememberAffinity(deps.env.DB, {
        name,
        kind: "cache",
        geminiKeyId: keyId,
        clientKeyId: deps.clientKey.id,
        mimeType: null,
        uri: null,
        sizeBytes: null,
        createdAt: deps.receivedAt,
        expiresAt: timeOf(reply.expireTime, deps.receivedAt + DEFAULT_CACHE_TTL_MS),
      });
    }
    return { kind: "json", body: reply, end: { status: 200, outcome: "ok" } };
  },
};

type CacheMethod = "get" | "patch" | "delete";

interface CacheCall {
  name: string;
  body: unknown;
  query: Record<string, string>;
}

const HTTP_METHOD = { get: "GET", patch: "PATCH", delete: "DELETE" } as const;

/** GET, PATCH (its TTL) and DELETE /v1beta/cachedContents/{id}, on the key that made the cache. */
export function cachedContentDoor(method: CacheMethod, id: string): FrontDoor<CacheCall, Record<string, unknown>> {
  return {
    endpoint: () => `native:cachedContents.${method}`,
    renderFailure: googleFailure,
    async parse(request) {
      const name = cacheNameOf(id);
      if (!name) throw new TranslationError(`cachedContents/${id.slice(0, 100)} is not a valid name.`, { status: 404, code: "file_not_found" });
      const updateMask = new URL(request.url).searchParams.get("updateMask");
      const query: Record<string, string> = updateMask ? { updateMask } : {};
      return { name, body: method === "patch" ? await readJsonBody(request) : undefined, query };
    },
    modelId: () => null,
    streamed: () => false,
    charges: () => false,

    async prepare(call, _model, deps) {
      const row = await ownedRow(call.name, deps);
      return { path: call.name, method: HTTP_METHOD[method], body: call.body, query: call.query, keyId: row.geminiKeyId, pinnedBy: call.name };
    },
    accept: (response) => acceptJsonReply(response),
    async answer(reply, call, { deps }) {
      if (method === "delete") await forgetAffinity(deps.env.DB, call.name);
      else if (typeof reply.expireTime === "string") await extendAffinity(deps.env.DB, call.name, timeOf(reply.expireTime, deps.receivedAt));
      return { kind: "json", body: reply, end: { status: 200, outcome: "ok" } };
    },
  };
}
