import type { PartialArg } from "../gemini/types";

// Vertex-style streamed function arguments arrive as `{jsonPath, <kind>Value, willContinue}`
// pieces; a string value may be split over several pieces and is concatenated.

type Key = string | number;

const PATH_TOKEN = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/g;

export function parseJsonPath(path: string): Key[] {
  const keys: Key[] = [];
  const body = path.startsWith("$") ? path.slice(1) : path;
  for (const match of body.matchAll(PATH_TOKEN)) {
    if (match[1] !== undefined) keys.push(match[1]);
    else if (match[2] !== undefined) keys.push(Number(match[2]));
    else keys.push(match[3] ?? match[4] ?? "");
  }
  return keys;
}

function valueOf(arg: PartialArg): { value: unknown; appendable: boolean } | null {
  if (arg.stringValue !== undefined) return { value: arg.stringValue, appendable: true };
  if (arg.numberValue !== undefined) return { value: arg.numberValue, appendable: false };
  if (arg.boolValue !== undefined) return { value: arg.boolValue, appendable: false };
  if (arg.nullValue !== undefined) return { value: null, appendable: false };
  return null;
}

type Container = Record<string, unknown> | unknown[];

function childContainer(parent: Container, key: Key, nextKey: Key): Container {
  const existing = (parent as Record<Key, unknown>)[key];
  if (existing !== null && typeof existing === "object") return existing as Container;
  const created: Container = typeof nextKey === "number" ? [] : {};
  (parent as Record<Key, unknown>)[key] = created;
  return created;
}

/** Applies one streamed piece to the arguments object being assembled. */
export function applyPartialArg(args: Record<string, unknown>, arg: PartialArg): void {
  const keys = parseJsonPath(arg.jsonPath);
  const found = valueOf(arg);
  const last = keys.at(-1);
  if (!found || last === undefined) return;
  let container: Container = args;
  for (let i = 0; i < keys.length - 1; i++) {
    container = childContainer(container, keys[i] as Key, keys[i + 1] as Key);
  }
  const slot = container as Record<Key, unknown>;
  const previous = slot[last];
  slot[last] = found.appendable && typeof previous === "string" ? previous + (found.value as string) : found.value;
}
