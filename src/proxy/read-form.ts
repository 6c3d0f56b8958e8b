import { TranslationError } from "../openai/errors";
import { MAX_REQUEST_BYTES, readLimited, tooLarge } from "./read-body";

/** Reads a multipart/form-data body within `maxBytes`, refusing other bodies with a client error. */
export async function readFormBody(request: Request, maxBytes = MAX_REQUEST_BYTES): Promise<FormData> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data\s*;/i.test(type)) {
    throw new TranslationError("Send this request as multipart/form-data (an audio 'file' and text fields).", { code: "invalid_content_type" });
  }
  const declaredHeader = request.headers.get("content-length");
  const declared = Number(declaredHeader ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  let bytes: Uint8Array;
  try {
    // A declared length within the limit bounds the body (the runtime enforces it).
    bytes = declaredHeader !== null && Number.isFinite(declared) ? new Uint8Array(await request.arrayBuffer()) : await readLimited(request, maxBytes);
  } catch (error) {
    if (error instanceof TranslationError) throw error;
    throw new TranslationError(`The request body could not be read: ${String(error)}`, { code: "unreadable_body" });
  }
  try {
    return await new Response(bytes, { headers: { "content-type": type } }).formData();
  } catch {
    throw new TranslationError("The multipart/form-data body could not be parsed.", { code: "invalid_body" });
  }
}
