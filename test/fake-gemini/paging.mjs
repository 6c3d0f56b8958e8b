// Google's list paging: pageSize (capped) and an opaque pageToken naming where the next page starts.

/**
 * @template T
 * @param {T[]} items
 * @param {URLSearchParams} params
 * @param {{ defaultSize: number, maxSize: number }} limits
 * @returns {{ items: T[], next: { nextPageToken?: string } } | null} null for a page token the fake did not issue
 */
export function pageOf(items, params, limits) {
  const asked = Number(params.get("pageSize") ?? limits.defaultSize) || limits.defaultSize;
  const size = Math.min(Math.max(asked, 1), limits.maxSize);
  const token = params.get("pageToken");
  let start = 0;
  if (token) {
    let decoded = null;
    try {
      decoded = /^offset:(\d+)$/.exec(atob(token.replace(/-/g, "+").replace(/_/g, "/")));
    } catch {
      decoded = null;
    }
    if (!decoded) return null;
    start = Number(decoded[1]);
  }
  const end = start + size;
  const next = end < items.length ? { nextPageToken: btoa(`offset:${end}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "") } : {};
  return { items: items.slice(start, end), next };
}
