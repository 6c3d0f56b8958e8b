import { TranslationError } from "../openai/errors";
import { MAX_REQUEST_BYTES, readBodyBytes } from "./read-body";

/** Reads a multipart/form-data body within `maxBytes`, refusing other bodies with a client error. */
export async function readFormBody(request: Request, maxBytes = MAX_REQUEST_BYTES): Promise<FormData> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data\s*;/i.test(type)) {
    throw new TranslationError("Send this request as multipart/form-data (an audio 'file' and text fields).", { code: "invalid_content_type" });
  }
  const bytes = await readBodyBytes(request, maxBytes);
  try {
    return await new Response(bytes, { headers: { "content-type": type } }).formData();
  } catch {
    throw new TranslationError("The multipart/form-data body could not be parsed.", { code: "invalid_body" });
  }
}
