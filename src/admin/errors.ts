import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export interface FieldIssue {
  path: string;
  message: string;
}

/** The admin API's error answer: `{error: {message, code, issues?}}`. */
export function adminError(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  issues?: FieldIssue[],
): Response {
  return c.json({ error: { message, code, ...(issues ? { issues } : {}) } }, status);
}

export function notFound(c: Context, what: string): Response {
  return adminError(c, 404, "not_found", `${what} not found`);
}
