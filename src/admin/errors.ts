import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { FieldIssue } from "../util/zod-issues";

/**
 * The admin API's error answer: `{error: {message, code, issues?}}`. Typed (not a bare Response),
 * so a route's type keeps its success answer next to it, for the panel (web/src/lib/types.ts).
 */
export function adminError(c: Context, status: ContentfulStatusCode, code: string, message: string, issues?: FieldIssue[]) {
  const error: { message: string; code: string; issues?: FieldIssue[] } = { message, code, ...(issues ? { issues } : {}) };
  return c.json({ error }, status);
}

export function notFound(c: Context, what: string) {
  return adminError(c, 404, "not_found", `${what} not found`);
}
