/**
 * Small statistics helpers: every figure is reported as min / median / max over its repeated runs.
 */

/** The q-quantile (0..1) of the values, by nearest rank on a sorted copy. */
export function quantile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

/** The median (mean of the two middle values for an even count). */
export function median(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `{ min, median, max, runs }` of repeated measurements of one figure. */
export function summarize(values, unit) {
  const clean = values.filter((v) => Number.isFinite(v));
  return {
    unit,
    min: clean.length ? Math.min(...clean) : NaN,
    median: median(clean),
    max: clean.length ? Math.max(...clean) : NaN,
    runs: values,
  };
}

/** Per-run ratios a[i] / b[i] of runs measured side by side, summarized. */
export function pairedRatio(a, b) {
  const n = Math.min(a.length, b.length);
  const ratios = [];
  for (let i = 0; i < n; i++) ratios.push(a[i] / b[i]);
  return summarize(ratios, 'x');
}

/** Rounds for display: 3 significant digits, integers kept whole. */
export function fmt(value, digits = 3) {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  return Number(value.toPrecision(digits)).toString();
}
