import type { GenerateContentResponse } from "../../gemini/types";
import { openAIError } from "../../openai/errors";
import { fromImagenReply, toImagenRequest, type ImagenReply } from "../../openai/imagen";
import {
  inlineImageRefs,
  mergeImageReplies,
  parseImageEdit,
  parseImageEditJson,
  parseImageGeneration,
  refuseImagenEdit,
  toGeminiImageRequest,
  toImagesResponse,
  type ImageRequest,
} from "../../openai/images";
import { isImagenModel } from "../../pool/availability";
import { isRemoteUrl } from "../../openai/media";
import { isEmptyReply } from "../../openai/response";
import { TranslationError } from "../../openai/errors";
import { openAIFailure } from "../errors";
import type { Answer, FrontDoor } from "../front-door";
import { readJsonBody } from "../read-body";
import { readFormBody } from "../read-form";
import { fetchRemoteMedia } from "../remote-media";
import { bareModelId } from "../resolve-model";

/** The request, and whether the model it resolved to is an Imagen one (known once prepared). */
type ImagesCall = ImageRequest & { imagen?: boolean };
type ImagesReply = { kind: "gemini"; reply: GenerateContentResponse } | { kind: "imagen"; reply: ImagenReply };
type ImagesDoor = FrontDoor<ImagesCall, ImagesReply>;

/**
 * What both image doors share. A Gemini image model: n generateContent calls on one key, one
 * image each. An Imagen model (generations only, on keys marked paid): one `:predict` for n.
 */
const common: Omit<ImagesDoor, "endpoint" | "parse"> = {
  renderFailure: openAIFailure,
  modelId: (request) => bareModelId(request.model),
  streamed: () => false,
  async prepare(request, model) {
    if (isImagenModel(model.id)) {
      // The name may be an alias of an Imagen model: only now is the model known.
      if (request.images.length > 0) refuseImagenEdit(model.id);
      request.imagen = true;
      return { path: `models/${model.id}:predict`, body: toImagenRequest(request) };
    }
    return { path: `models/${model.id}:generateContent`, body: toGeminiImageRequest(request) };
  },
  // n images: the first call's answer plus n-1 more calls at once on the same key.
  async accept(response, request, again) {
    if (request.imagen) return { ok: true, value: { kind: "imagen", reply: (await response.json()) as ImagenReply } };
    const more = await Promise.all(Array.from({ length: request.n - 1 }, again));
    const replies = [(await response.json()) as GenerateContentResponse];
    const failed = more.find((attempt) => !attempt.ok);
    if (failed) {
      for (const attempt of more) if (attempt.ok) await attempt.response.body?.cancel();
      return failed;
    }
    for (const attempt of more) if (attempt.ok) replies.push((await attempt.response.json()) as GenerateContentResponse);
    if (replies.some(isEmptyReply)) return { ok: false, failure: { kind: "empty", message: "empty reply" } };
    return { ok: true, value: { kind: "gemini", reply: mergeImageReplies(replies) } };
  },
  async answer(reply, _request, { deps }): Promise<Answer> {
    const created = Math.floor(deps.receivedAt / 1000);
    const answer = reply.kind === "imagen" ? fromImagenReply(reply.reply, created) : toImagesResponse(reply.reply, created);
    if (answer.ok) {
      return { kind: "json", body: answer.body, end: { status: 200, outcome: "ok", tokens: answer.usage, media: { images: answer.images } } };
    }
    const type = answer.status === 400 ? "invalid_request_error" : "server_error";
    return {
      kind: "json",
      body: openAIError(answer.message, type, answer.code, answer.status === 400 ? "prompt" : null),
      end: { status: answer.status, outcome: answer.blocked ? "blocked" : "upstream_error", code: answer.code, tokens: answer.usage, media: { images: 0 } },
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
