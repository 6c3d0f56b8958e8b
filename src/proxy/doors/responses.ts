import { pinToOwner } from "../../files/pin";
import type { GenerateContentResponse } from "../../gemini/types";
import { collectCallIds, collectCarriedSignatures, collectRemoteMediaUrls } from "../../responses/input";
import { toGeminiResponsesRequest } from "../../responses/request";
import type { ResponseContext } from "../../responses/response-object";
import { parseResponsesRequest, type ResponsesRequest } from "../../responses/schemas";
import type { ToolNames } from "../../responses/tools";
import { ResponsesTranslator, toResponse } from "../../responses/translator";
import { lookupSignatures } from "../../signatures/signature-store";
import { randomToken } from "../../util/crypto";
import { redactSecrets } from "../../util/redact";
import { openAIFailure } from "../errors";
import type { CallFailure } from "../failure-policy";
import type { Answer, CallDeps, FrontDoor } from "../front-door";
import { readJsonBody } from "../read-body";
import { fetchRemoteMedia } from "../remote-media";
import { acceptGenerateReply, jsonAnswer } from "../generate-reply";
import { streamAnswer } from "../stream-answer";
import { responsesProtocol, responsesSse } from "../responses-stream";

interface ResponsesCall {
  body: ResponsesRequest;
  id: string;
  createdAt: number;
  /** custom and namespaced tool names, known once the request is translated */
  toolNames: ToolNames;
}

type Reply = GenerateContentResponse | Response;

const context = (call: ResponsesCall): ResponseContext => ({
  id: call.id,
  createdAt: call.createdAt,
  model: call.body.model,
  request: call.body,
  toolNames: call.toolNames,
});

/** POST /v1/responses: OpenAI's Responses API over generateContent / streamGenerateContent, without server state. */
export const responsesDoor = {
  endpoint: () => "responses",
  renderFailure: openAIFailure,

  async parse(request, deps) {
    const body = parseResponsesRequest(await readJsonBody(request));
    return { body, id: `resp_${randomToken(16)}`, createdAt: Math.floor(deps.receivedAt / 1000), toolNames: { customNames: new Set(), namespaces: new Map() } };
  },
  modelId: (call) => call.body.model,
  streamed: (call) => call.body.stream === true,

  async prepare(call, model, deps) {
    const { options } = deps.clientKey;
    const carried = collectCarriedSignatures(call.body);
    const missing = collectCallIds(call.body).filter((id) => !carried.has(id));
    const [remembered, remoteMedia] = await Promise.all([
      // D1 failing here costs the thought signatures not carried in the history (Google's dummy stands in), not the call.
      lookupSignatures(deps.env.DB, missing).catch((error: unknown) => {
        console.error(`looking up thought signatures failed: ${String(error)}`);
        return new Map<string, string>();
      }),
      fetchRemoteMedia(collectRemoteMediaUrls(call.body), { param: "input", signal: deps.signal }),
    ]);
    const { body, toolNames } = toGeminiResponsesRequest(call.body, {
      upstreamModel: model.id,
      safetyOff: options.safetyOff,
      systemAsUser: options.systemAsUser,
      alwaysIncludeThoughts: deps.config.settings.alwaysIncludeThoughts,
      signatures: new Map([...remembered, ...carried]),
      remoteMedia,
    });
    call.toolNames = toolNames;
    // An `input_file` naming a `file_id` runs on the one key that holds the file.
    const pin = await pinToOwner(body, deps.env, deps.clientKey.id);
    return call.body.stream === true
      ? { path: `models/${model.id}:streamGenerateContent`, query: { alt: "sse" }, stream: true, body, ...pin }
      : { path: `models/${model.id}:generateContent`, body, ...pin };
  },

  accept: (response, call) => acceptGenerateReply(response, call.body.stream === true),

  async answer(reply, call, { deps, markFirstByte }) {
    if (reply instanceof Response) return responsesStream(reply, call, deps, markFirstByte);
    return jsonAnswer(toResponse(reply, context(call)), deps);
  },

  /** A failure after the pipeline sent the headers: a whole Responses stream ending in response.failed. */
  streamFailure(failure: CallFailure, call: ResponsesCall) {
    const translator = new ResponsesTranslator(context(call));
    return translator.fail(redactSecrets(failure.message)).map(responsesSse).join("");
  },
} satisfies FrontDoor<ResponsesCall, Reply>;

/** Each upstream event translated and forwarded as it arrives; the ledger row when it ends. */
function responsesStream(upstream: Response, call: ResponsesCall, deps: CallDeps, markFirstByte: () => void): Answer {
  const translator = new ResponsesTranslator(context(call));
  return streamAnswer(upstream, responsesProtocol(translator), translator, deps, markFirstByte);
}
