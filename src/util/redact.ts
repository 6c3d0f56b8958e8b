// Shared by every layer that sends text to logs, the panel or clients.

const GOOGLE_KEY = /AIza[0-9A-Za-z_-]{35}/g;
const KEY_QUERY_VALUE = /([?&]key=)[^&#\s"']+/gi;

/** Removes Google API keys and `key=` query values from text bound for logs or clients. */
export function redactSecrets(text: string): string {
  return text.replace(GOOGLE_KEY, "AIza…[redacted]").replace(KEY_QUERY_VALUE, "$1[redacted]");
}
