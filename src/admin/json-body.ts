import type { Context } from "hono";
import type { z } from "zod";
import { TranslationError } from "../openai/errors";
import { readJsonBody as readRequestJson } from "../proxy/read-body";
import { describeIssues, fieldIssues, type FieldIssue } from "../util/zod-issues";
import { adminError } from "./errors";

/** Admin bodies are small JSON documents (a pasted key list is the largest). */
export const MAX_ADMIN_BODY_BYTES = 1_000_000;

/** A body whose fields the schema refuses: a client mistake that carries zod's issue for each field. */
export class InvalidFields extends TranslationError {
  constructor(readonly issues: FieldIssue[]) {
    super(describeIssues(issues) || "invalid body", { code: "invalid_request" });
  }
}

/**
 * Reads and validates a JSON body with the proxy's own reader (bounded, depth-checked); every
 * refusal is thrown as a TranslationError, which `adminBodyRefusal` answers. An empty body reads
 * as `{}` so routes whose fields are all optional accept a bare POST.
 */
export async function readJsonBody<Schema extends z.ZodType>(c: Context, schema: Schema): Promise<z.output<Schema>> {
  const json = await readRequestJson(c.req.raw, { maxBytes: MAX_ADMIN_BODY_BYTES, emptyAs: {} });
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new InvalidFields(fieldIssues(parsed.error));
  return parsed.data;
}

/** A refused body in the admin's shape: 413 `body_too_large`, else 400 `invalid_request` (with the field issues). */
export function adminBodyRefusal(c: Context, error: TranslationError): Response {
  if (error.status === 413) return adminError(c, 413, "body_too_large", error.message);
  return adminError(c, 400, "invalid_request", error.message, error instanceof InvalidFields ? error.issues : undefined);
}
