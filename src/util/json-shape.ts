// How deep and how big a parsed JSON value is, measured without recursion, so a hostile
// value nested 100,000 levels deep is measured (and refused) instead of overflowing the stack.

export interface JsonShape {
  depth: number;
  nodes: number;
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
  const path: Array<{ children: unknown[]; next: number }> = [{ children: childrenOf(value), next: 0 }];
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
      path.push({ children: childrenOf(child), next: 0 });
      if (path.length > depth) depth = path.length;
      if (depth > maxDepth) break;
    }
  }
  return { depth, nodes };
}

function childrenOf(value: object): unknown[] {
  return Array.isArray(value) ? value : Object.values(value);
}
