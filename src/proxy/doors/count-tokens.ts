import { collectMediaUrls, collectToolUseIds } from "../../anthropic/content";
import { anthropicFailure } from "../../anthropic/errors";
import { toGeminiCountTokensRequest } from "../../anthropic/request";
import { parseCountTokensRequest, type CountTokensRequest } from "../../anthropic/schemas";
import { lookupSignatures } from "../../signatures/signature-store";
import type { FrontDoor } from "../front-door";
import { readJsonBody } from "../read-body";
import { fetchRemoteMedia } from "../remote-media";

interface CountTokensReply {
  totalTokens?: number;
}

/**
 * POST /v1/messages/count_tokens: Google's countTokens on the whole prompt (system, tools,
 * messages). Google does not count it against a key's quota, so neither does the pool.
 */
export const countTokensDoor: FrontDoor<CountTokensRequest, CountTokensReply> = {
  endpoint: () => "messages:count_tokens",
  renderFailure: anthropicFailure,

  parse: async (request) => parseCountTokensRequest(await readJsonBody(request)),
  modelId: (body) => body.model,
  streamed: () => false,
  charges: () => false,

  async prepare(body, model, deps) {
    const [signatures, remoteMedia] = await Promise.all([
      lookupSignatures(deps.env.DB, collectToolUseIds(body.messages)).catch(() => new Map<string, string>()),
      fetchRemoteMedia(collectMediaUrls(body.messages)),
    ]);
    const request = toGeminiCountTokensRequest(body, {
      upstreamModel: model.id,
      safetyOff: false,
      systemAsUser: deps.clientKey.options.systemAsUser,
      signatures,
      remoteMedia,
    });
    return { path: `models/${model.id}:countTokens`, body: request };
  },

  async accept(response) {
    return { ok: true, value: (await response.json()) as CountTokensReply };
  },

  async answer(reply) {
    // No tokens in the ledger: counting consumes none.
    return { kind: "json", body: { input_tokens: reply.totalTokens ?? 0 }, end: { status: 200, outcome: "ok" } };
  },
};
