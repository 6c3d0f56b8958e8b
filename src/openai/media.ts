import type { Blob, Part } from "../gemini/types";
import { fileNameOfId } from "../files/names";
import { TranslationError } from "./errors";
import type { UserContentPart } from "./schemas";

export type RemoteMedia = ReadonlyMap<string, { mimeType: string; data: string }>;

const BASE64_DATA_URI = /^data:([^;,]+)((?:;[^;,]*)*);base64,/i;

const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;
// Standard or URL-safe alphabet, padding optional: what Google's JSON `bytes` fields accept.
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** Is `data` base64 Google will decode (not empty, right alphabet, no impossible length)? */
export function isBase64(data: string): boolean {
  return data.length > 0 && BASE64.test(data) && data.replace(/=+$/, "").length % 4 !== 1;
}

/** `data:<mime>[;params];base64,<data>` -> inline blob, or null when the text is not such a URI. */
export function parseDataUri(uri: string): Blob | null {
  const match = BASE64_DATA_URI.exec(uri);
  if (!match || match[1] === undefined) return null;
  return { mimeType: match[1].toLowerCase(), data: uri.slice(match[0].length) };
}

/** A data URI's blob, refused with a 400 naming `param` when its type or base64 data is broken. */
function checkedDataUri(uri: string, param: string): Blob | null {
  const blob = parseDataUri(uri);
  if (!blob) return null;
  if (!MIME_TYPE.test(blob.mimeType)) {
    throw new TranslationError(`The data URI's media type '${blob.mimeType.slice(0, 100)}' is not a valid MIME type.`, { param, code: "invalid_base64" });
  }
  return { mimeType: blob.mimeType, data: checkedBase64(blob.data, param) };
}

function checkedBase64(data: string, param: string): string {
  if (!isBase64(data)) throw new TranslationError("The inline data is not valid base64.", { param, code: "invalid_base64" });
  return data;
}

export function isRemoteUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

const MIME_BY_EXTENSION: Readonly<Record<string, string>> = {
  pdf: "application/pdf",
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  html: "text/html",
  xml: "text/xml",
  json: "application/json",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  gif: "image/gif",
  wav: "audio/wav",
  mp3: "audio/mp3",
  mp4: "video/mp4",
};

function mimeFromFilename(filename: string | undefined): string | undefined {
  const extension = filename?.split(".").pop()?.toLowerCase();
  return extension ? MIME_BY_EXTENSION[extension] : undefined;
}

function imagePart(url: string, remote: RemoteMedia, param: string): Part {
  const inline = checkedDataUri(url, param);
  if (inline) return { inlineData: inline };
  if (isRemoteUrl(url)) {
    const fetched = remote.get(url);
    if (!fetched) throw new TranslationError(`The image at '${url}' could not be downloaded.`, { param, code: "invalid_image_url" });
    return { inlineData: { mimeType: fetched.mimeType, data: fetched.data } };
  }
  throw new TranslationError("Image URLs must be http(s) URLs or base64 data URIs.", { param, code: "invalid_image_url" });
}

function filePart(file: { file_data?: string; file_id?: string; filename?: string }, param: string): Part {
  if (file.file_data === undefined) {
    const name = file.file_id === undefined ? null : fileNameOfId(file.file_id);
    if (!name) {
      throw new TranslationError("A file part needs `file_data` (inline) or a `file_id` uploaded through this proxy's Files API (files/…).", {
        param: `${param}.file_id`,
        code: "invalid_file_id",
      });
    }
    // The URI and MIME type come from D1 when the door pins the call to the file's key (src/files/pin.ts).
    return { fileData: { fileUri: name } };
  }
  const inline = checkedDataUri(file.file_data, `${param}.file_data`);
  if (inline) return { inlineData: inline };
  const mimeType = mimeFromFilename(file.filename);
  if (!mimeType) {
    throw new TranslationError("`file_data` must be a base64 data URI (data:<mime>;base64,...) or come with a known `filename` extension.", {
      param: `${param}.file_data`,
    });
  }
  return { inlineData: { mimeType, data: checkedBase64(file.file_data, `${param}.file_data`) } };
}

/** An image from an assistant turn (an earlier answer's `images[]`): only data URIs, as the proxy returns them. */
export function assistantImagePart(url: string, param: string): Part {
  const inline = checkedDataUri(url, param);
  if (!inline) throw new TranslationError("An assistant message's images must be base64 data URIs.", { param, code: "invalid_image_url" });
  return { inlineData: inline };
}

/** One OpenAI user content part -> one Gemini part (null for an empty text part). */
export function userContentPart(part: UserContentPart, remote: RemoteMedia, param: string): Part | null {
  switch (part.type) {
    case "text":
      return part.text === "" ? null : { text: part.text };
    case "image_url":
      return imagePart(part.image_url.url, remote, `${param}.image_url.url`);
    case "input_audio":
      return { inlineData: { mimeType: `audio/${part.input_audio.format}`, data: checkedBase64(part.input_audio.data, `${param}.input_audio.data`) } };
    case "file":
      return filePart(part.file, `${param}.file`);
  }
}
