// The panel's types come from the server's modules (src/lib/types.ts), so the panel's type check
// also reads the server code they live in. That code names the Worker's bindings as globals;
// here they are taken from the module form of @cloudflare/workers-types, not its global form,
// whose Element, Response and others would clash with the DOM's. Types only: nothing is bundled.
import type * as Workers from "@cloudflare/workers-types/index";

declare global {
  type KVNamespace<Key extends string = string> = Workers.KVNamespace<Key>;
  type D1Database = Workers.D1Database;
  type D1PreparedStatement = Workers.D1PreparedStatement;
  type Fetcher = Workers.Fetcher;
  type RateLimit = Workers.RateLimit;
  type ExecutionContext = Workers.ExecutionContext;
}
