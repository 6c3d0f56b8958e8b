import type { z } from "zod";

// The one rendering of zod's issues, for the front doors (the first issue, as OpenAI's `param`)
// and the admin API (every issue, one per field).

/** One refused field: where, in the path style OpenAI uses in `param`, and why. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** `messages[2].content[0].type`: keys joined with dots, indexes in brackets. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

type Issue = z.core.$ZodIssue;

// A failed `string | array` union reports one issue list per branch; the branch that got furthest
// (longest path) is the one the client meant, so its issue names the real culprit.
function mostSpecific(issue: Issue): { issue: Issue; path: PropertyKey[] } {
  if (issue.code !== "invalid_union" || issue.errors.length === 0) return { issue, path: [...issue.path] };
  let best: { issue: Issue; path: PropertyKey[] } | undefined;
  for (const branch of issue.errors) {
    const first = branch[0];
    if (!first) continue;
    const candidate = mostSpecific(first);
    if (!best || candidate.path.length > best.path.length) best = candidate;
  }
  if (!best) return { issue, path: [...issue.path] };
  return { issue: best.issue, path: [...issue.path, ...best.path] };
}

/** One issue at its most specific place; `missing` when the field is absent rather than wrong. */
export function fieldIssue(issue: Issue): FieldIssue & { missing: boolean } {
  const specific = mostSpecific(issue);
  const missing = specific.issue.code === "invalid_type" && specific.issue.message.endsWith("received undefined");
  return { path: formatPath(specific.path), message: specific.issue.message, missing };
}

/** Every issue of a failed parse, one per field. */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => {
    const { path, message } = fieldIssue(issue);
    return { path, message };
  });
}

/** The issues in one line, for an error's `message`. */
export function describeIssues(issues: FieldIssue[]): string {
  return issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join("; ");
}
