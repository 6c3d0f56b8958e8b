// Number formats of the printed figures.

/** A whole number with thousands separators (Infinity as is). */
export const int = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : String(n));

/** A figure: whole numbers as is, others with 3 decimals, or 3 significant digits below 1. */
export function dec(n) {
  if (!Number.isFinite(n) || Number.isInteger(n)) return int(n);
  if (Math.abs(n) >= 1) return n.toLocaleString("en-US", { minimumFractionDigits: 3, maximumFractionDigits: 3 });
  return String(Number(n.toPrecision(3)));
}
