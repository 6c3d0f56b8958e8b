// How deep and how big a parsed JSON value is, measured without recursion, so a hostile
// value nested 100,000 levels deep is measured (and refused) instead of overflowing the stack.

export interface JsonShape {
  depth: number;
  nodes: number;
  /** Where the depth limit was passed (keys and indexes from the top), when it was. */
  tooDeepAt?: Array<string | number>;
}

/**
 * Depth (a scalar is 0, `[]`/`{}` is 1) and node count of a JSON value. Stops once a limit is
 * passed (the answer is then just over it). Memory stays proportional to the depth walked.
 */
export function jsonShape(value: unknown, limits: { maxDepth?: number; maxNodes?: number } = {}): JsonShape {
  const maxDepth = limits.maxDepth ?? Infinity;
  const maxNodes = limits.maxNodes ?? Infinity;
  let depth = 0;
  let nodes = 1;
  if (value === null || typeof value !== "object") return { depth, nodes };
  // One frame per open container on the current path: its children and the next one to visit.
  const path: Array<{ children: unknown[]; keys: string[] | null; next: number }> = [frameOf(value)];
  depth = 1;
  while (path.length > 0) {
    const frame = path[path.length - 1]!;
    if (frame.next >= frame.children.length) {
      path.pop();
      continue;
    }
    const child = frame.children[frame.next++];
    nodes++;
    if (nodes > maxNodes) break;
    if (child !== null && typeof child === "object") {
      path.push(frameOf(child));
      if (path.length > depth) depth = path.length;
      if (depth > maxDepth) {
        const tooDeepAt = path.slice(0, -1).map((f) => (f.keys ? f.keys[f.next - 1]! : f.next - 1));
        return { depth, nodes, tooDeepAt };
      }
    }
  }
  return { depth, nodes };
}

function frameOf(value: object): { children: unknown[]; keys: string[] | null; next: number } {
  if (Array.isArray(value)) return { children: value, keys: null, next: 0 };
  return { children: Object.values(value), keys: Object.keys(value), next: 0 };
}
