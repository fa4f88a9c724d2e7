/**
 * Reads a V8 .cpuprofile (from `node --cpu-prof`) and sums self time by function and by package,
 * so BENCHMARKS.md can say where a figure's time goes.
 */
import { readFileSync } from 'node:fs';

function packageOf(url) {
  if (!url) return '(native/vm)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return 'node:internal';
  const proj = url.match(/projects\/([^/]+)\//);
  if (proj) return proj[1];
  if (url.includes('/bench/')) return 'bench';
  return url;
}

/** `{ totalMs, byPackage: [[name, ms, share]], byFunction: [[name, ms, share]] }`, top `top` each. */
export function summarizeProfile(file, top = 15) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0));
  }
  const pkg = new Map();
  const fn = new Map();
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const node = byId.get(id);
    const cf = node.callFrame;
    if (cf.functionName === '(idle)') {
      idle += us;
      continue;
    }
    // the in-process profiler's own `Profiler.stop` call (native, no script) lands in the last
    // samples; it is the profiler's cost, not the program's
    if (cf.functionName === 'dispatch' && !cf.url) continue;
    total += us;
    const p = packageOf(cf.url);
    pkg.set(p, (pkg.get(p) ?? 0) + us);
    const short = cf.url
      ? cf.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/work\/main\//, '')
      : '';
    const key = `${cf.functionName || '(anonymous)'} ${short}:${cf.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
  }
  const rank = (m) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => [k, us / 1000, us / total]);
  return { totalMs: total / 1000, idleMs: idle / 1000, byPackage: rank(pkg), byFunction: rank(fn) };
}

/** Plain-text rendering of summarizeProfile(). */
export function formatProfile(summary) {
  const pct = (s) => `${(s * 100).toFixed(1).padStart(5)}%`;
  const lines = [`busy ${summary.totalMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms`];
  lines.push('by package:');
  for (const [k, , s] of summary.byPackage) lines.push(`  ${pct(s)}  ${k}`);
  lines.push('by function (self time):');
  for (const [k, , s] of summary.byFunction) lines.push(`  ${pct(s)}  ${k}`);
  return lines.join('\n');
}
