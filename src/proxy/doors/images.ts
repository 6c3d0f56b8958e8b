import type { GenerateContentResponse } from "../../gemini/types";
import { openAIError } from "../../openai/errors";
import {
  inlineImageRefs,
  mergeImageReplies,
  parseImageEdit,
  parseImageEditJson,
  parseImageGeneration,
  refuseImagen,
  toGeminiImageRequest,
  toImagesResponse,
  type ImageRequest,
} from "../../openai/images";
import { isRemoteUrl } from "../../openai/media";
import { isEmptyReply } from "../../openai/response";
import { TranslationError } from "../../openai/errors";
import { openAIFailure } from "../errors";
import type { Answer, FrontDoor } from "../front-door";
import { readJsonBody } from "../read-body";
import { readFormBody } from "../read-form";
import { fetchRemoteMedia } from "../remote-media";
import { bareModelId } from "../resolve-model";

type ImagesDoor = FrontDoor<ImageRequest, GenerateContentResponse>;

/** What both image doors share: n generateContent calls on one key, one image each. */
const common: Omit<ImagesDoor, "endpoint" | "parse"> = {
  renderFailure: openAIFailure,
  modelId: (request) => bareModelId(request.model),
  streamed: () => false,
  async prepare(request, model) {
    refuseImagen(model.id); // an alias may point at one
    return { path: `models/${model.id}:generateContent`, body: toGeminiImageRequest(request) };
  },
  // n images: the first call's answer plus n-1 more calls at once on the same key.
  async accept(response, request, again) {
    const more = await Promise.all(Array.from({ length: request.n - 1 }, again));
    const replies = [(await response.json()) as GenerateContentResponse];
    const failed = more.find((attempt) => !attempt.ok);
    if (failed) {
      for (const attempt of more) if (attempt.ok) await attempt.response.body?.cancel();
      return failed;
    }
    for (const attempt of more) if (attempt.ok) replies.push((await attempt.response.json()) as GenerateContentResponse);
    if (replies.some(isEmptyReply)) return { ok: false, failure: { kind: "empty", message: "empty reply" } };
    return { ok: true, value: mergeImageReplies(replies) };
  },
  async answer(reply, _request, { deps }): Promise<Answer> {
    const answer = toImagesResponse(reply, Math.floor(deps.receivedAt / 1000));
    if (answer.ok) return { kind: "json", body: answer.body, end: { status: 200, outcome: "ok", tokens: answer.usage } };
    const type = answer.status === 400 ? "invalid_request_error" : "server_error";
    return {
      kind: "json",
      body: openAIError(answer.message, type, answer.code, answer.status === 400 ? "prompt" : null),
      end: { status: answer.status, outcome: answer.blocked ? "blocked" : "upstream_error", code: answer.code, tokens: answer.usage },
    };
  },
};

/** POST /v1/images/generations: a prompt to a Gemini image model. */
export const imagesGenerationsDoor: ImagesDoor = {
  ...common,
  endpoint: () => "images.generations",
  parse: async (request) => parseImageGeneration(await readJsonBody(request)),
};

/** POST /v1/images/edits (multipart): the uploaded images and the prompt to a Gemini image model. */
export const imagesEditsDoor: ImagesDoor = {
  ...common,
  endpoint: () => "images.edits",
  async parse(request, deps) {
    const type = request.headers.get("content-type") ?? "";
    if (/^application\/json\b/i.test(type)) {
      const { request: edit, refs } = parseImageEditJson(await readJsonBody(request));
      const remote = await fetchRemoteMedia(refs.filter((ref) => isRemoteUrl(ref.url)).map((ref) => ref.url), { param: "images", signal: deps.signal });
      return { ...edit, images: inlineImageRefs(refs, remote) };
    }
    if (!/^multipart\/form-data\s*;/i.test(type)) {
      throw new TranslationError("Send this request as multipart/form-data ('image' files, 'prompt' and other text fields) or as JSON with `images: [{image_url}]`.", { code: "invalid_content_type" });
    }
    return parseImageEdit(await readFormBody(request));
  },
};
