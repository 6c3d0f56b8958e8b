// Is a URL one the proxy may fetch on a client's behalf (remote media)? Only http(s) to a host
// that is not loopback, private, link-local, unspecified, multicast, reserved or `localhost`.
// The URL is parsed by the WHATWG parser first, which turns every IPv4 spelling (`2130706433`,
// `0x7f.1`, `017700000001`, `127.1`) into dotted decimal and compresses IPv6, so the checks
// below see one spelling per address. A host NAME is not resolved: a Worker has no DNS API. On
// Cloudflare the edge's fetch cannot reach private networks anyway; see docs/security.md.

/** [first address, prefix length] of every IPv4 range that is not the public internet. */
const BLOCKED_V4: ReadonlyArray<readonly [string, number]> = [
  ["0.0.0.0", 8], // "this network", unspecified
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local (cloud metadata services)
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relay anycast
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, and 255.255.255.255 broadcast
];

function v4Number(address: string): number | null {
  const parts = address.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = value * 256 + Number(part);
  }
  return value;
}

const BLOCKED_V4_RANGES = BLOCKED_V4.map(([first, prefix]) => {
  const size = 2 ** (32 - prefix);
  const start = v4Number(first)!;
  return { start, end: start + size - 1 };
});

function isPublicV4(value: number): boolean {
  return !BLOCKED_V4_RANGES.some((range) => value >= range.start && value <= range.end);
}

/** `[…]` host (as the WHATWG parser writes it) -> its eight 16-bit groups, or null. */
function v6Groups(host: string): number[] | null {
  let text = host.slice(1, -1).toLowerCase();
  // A dotted tail (`::ffff:1.2.3.4`) is two groups; the parser normally rewrites it to hex already.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const value = v4Number(dotted[1]!);
    if (value === null) return null;
    text = `${text.slice(0, -dotted[1]!.length)}${(value >>> 16).toString(16)}:${(value & 0xffff).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((group) => (/^[0-9a-f]{1,4}$/.test(group) ? parseInt(group, 16) : NaN)));
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  return groups.some(Number.isNaN) ? null : groups;
}

function isPublicV6(groups: number[]): boolean {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups as [number, number, number, number, number, number, number, number];
  const embeddedV4 = g6 * 65536 + g7;
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0) {
    // ::/96 (unspecified, loopback, IPv4-compatible) and ::ffff:0:0/96 (IPv4-mapped): never fetched.
    return false;
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return isPublicV4(embeddedV4); // NAT64
  if (g0 === 0x2002) return isPublicV4(g1 * 65536 + g2); // 6to4 carries an IPv4 address
  if ((g0 & 0xfe00) === 0xfc00) return false; // unique local fc00::/7
  if ((g0 & 0xffc0) === 0xfe80) return false; // link-local fe80::/10
  if ((g0 & 0xffc0) === 0xfec0) return false; // site-local (deprecated) fec0::/10
  if ((g0 & 0xff00) === 0xff00) return false; // multicast ff00::/8
  if (g0 === 0x2001 && g1 === 0x0db8) return false; // documentation
  if (g0 === 0x0100 && g1 === 0 && g2 === 0 && g3 === 0) return false; // discard-only 100::/64
  return true;
}

/** A host as `new URL()` gives it: a public address or a name that is not local. */
export function isPublicHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.+$/, "");
  if (host === "") return false;
  if (host.startsWith("[")) {
    const groups = v6Groups(host);
    return groups !== null && isPublicV6(groups);
  }
  const v4 = v4Number(host);
  if (v4 !== null) return isPublicV4(v4);
  // A name whose last label is all digits would have been parsed as IPv4; anything numeric-looking
  // left here is not a name a public resolver serves.
  if (/^[\d.]+$/.test(host) || /^0x/i.test(host.split(".").pop()!)) return false;
  return host !== "localhost" && !host.endsWith(".localhost");
}

/**
 * The URL parsed, when the proxy may fetch it: http(s), no credentials, a public host. Null for
 * anything else, whatever the reason (the caller answers one neutral error).
 */
export function publicHttpUrl(text: string, base?: string): URL | null {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (url.username !== "" || url.password !== "") return null;
  return isPublicHost(url.hostname) ? url : null;
}
