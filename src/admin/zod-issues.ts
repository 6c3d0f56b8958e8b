import type { z } from "zod";
import type { FieldIssue } from "./errors";

/** The admin API's one rendering of zod's issues: each field's path and message. */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
}

/** The issues in one line, for the error's `message`. */
export function describeIssues(issues: FieldIssue[]): string {
  return issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join("; ");
}
