/** Why an upstream attempt failed, in the terms the pool and the proxy act on. */
export type UpstreamFailure =
  | { kind: "rate_minute"; retryAfterMs: number; quotaId?: string; message: string }
  | { kind: "rate_day"; quotaId?: string; message: string }
  | { kind: "invalid_key"; message: string }
  | { kind: "suspended"; message: string }
  | { kind: "model_refused"; message: string }
  | { kind: "overloaded"; status: number; message: string }
  | { kind: "server"; status: number; message: string }
  | { kind: "network"; message: string }
  | { kind: "timeout"; message: string }
  | { kind: "empty"; message: string }
  | { kind: "region"; message: string }
  | { kind: "not_found"; message: string }
  | { kind: "file_inaccessible"; message: string }
  | { kind: "client"; status: number; googleStatus?: string; message: string }
  | { kind: "client_gone"; message: string };

export type FailureKind = UpstreamFailure["kind"];

// What each kind does (retry, key, answer) is decided in one table: src/proxy/failure-policy.ts.
