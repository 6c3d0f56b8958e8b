import type { Context } from "hono";
import type { z } from "zod";
import { adminError, type FieldIssue } from "./errors";
import { describeIssues, fieldIssues } from "./zod-issues";

export type BodyResult<T> = { ok: true; data: T } | { ok: false; response: Response };

/**
 * Reads and validates a JSON body. Bad JSON or fields the schema refuses answer 400
 * `invalid_request` (with the field issues), never an exception; the size cap is Hono's
 * bodyLimit in src/admin/admin-app.ts. An empty body reads as `{}` so routes whose fields are
 * all optional accept a bare POST.
 */
export async function readJsonBody<Schema extends z.ZodType>(
  c: Context,
  schema: Schema,
): Promise<BodyResult<z.output<Schema>>> {
  const text = await c.req.text();
  let value: unknown = {};
  if (text.trim() !== "") {
    try {
      value = JSON.parse(text);
    } catch {
      return invalid(c, "the body is not valid JSON");
    }
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, data: parsed.data };
  const issues = fieldIssues(parsed.error);
  return invalid(c, describeIssues(issues) || "invalid body", issues);
}

function invalid(c: Context, message: string, issues?: FieldIssue[]): BodyResult<never> {
  return { ok: false, response: adminError(c, 400, "invalid_request", message, issues) };
}
