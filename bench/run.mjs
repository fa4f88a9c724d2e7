/**
 * `npm run bench [-- --quick] [--only=dispatch,fanout] [--name=<name>] [--profile]`
 *
 * Runs the nine figures of BENCHMARKS.md, each in its own process (the measuring process pinned
 * to CPU 1, the servers it starts to CPU 0), prints one table and writes
 * bench/results/<name>.json (default name: `quick` or `full`) with the machine, the versions and
 * every figure as min / median / max over repeated runs. `--profile` CPU-profiles the measured
 * rounds of each figure (the measuring process and its servers) into bench/results/profiles/
 * (summarise one with `node bench/profile-summary.mjs <file>`). Exits non-zero when a figure failed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { backandAvailable } from './lib/backand.mjs';
import { CLIENT_CPU, startChild } from './lib/child.mjs';
import { machineInfo } from './lib/machine.mjs';
import { sdkAvailable } from './lib/sdk-node.mjs';
import { renderTable, tableRows } from './lib/table.mjs';

const FIGURES = [
  // bundle builds use every core; the others measure, so they get the client CPU
  { id: 'bundle', title: 'bundle cost', pin: false, timeout: { quick: 240, full: 480 } },
  { id: 'dispatch', title: 'dispatch overhead', pin: true },
  { id: 'fanout', title: 'fan-out to 1,000 sockets', pin: true },
  { id: 'latency', title: 'write→event latency', pin: true },
  { id: 'memory', title: 'memory churn', pin: true, nodeArgs: ['--expose-gc'] },
  { id: 'throughput', title: 'REST throughput', pin: true },
  // the full run's unbounded rounds wait for 1,000 hashes on one core (about a minute each)
  { id: 'signin', title: 'sign-in under a flood', pin: true, timeout: { quick: 90, full: 600 } },
  { id: 'live', title: 'live queries', pin: true, timeout: { quick: 90, full: 600 } },
  // needs Redis (REDIS_URL); PostgreSQL (DATABASE_URL) where the server has that store
  { id: 'scaleout', title: 'scale-out over Redis', pin: true, timeout: { quick: 120, full: 900 } },
];

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));

function parseArgs(argv) {
  const opts = { quick: false, only: null, name: null, profile: false };
  for (const arg of argv) {
    if (arg === '--quick') opts.quick = true;
    else if (arg === '--profile') opts.profile = true;
    else if (arg.startsWith('--only=')) opts.only = arg.slice(7).split(',');
    else if (arg.startsWith('--name=')) opts.name = arg.slice(7);
    else if (arg === '--help' || arg === '-h') {
      console.log(
        'usage: npm run bench -- [--quick] [--only=<figure,...>] [--name=<name>] [--profile]',
      );
      console.log(`figures: ${FIGURES.map((f) => f.id).join(', ')}`);
      process.exit(0);
    } else {
      console.error(`unknown argument ${arg}`);
      process.exit(2);
    }
  }
  opts.name ??= opts.quick ? 'quick' : 'full';
  return opts;
}

/** backand-server is compiled by `npm ci` (postinstall); build it here if that did not happen. */
function ensureServerBuild() {
  if (backandAvailable()) return;
  if (!existsSync(`${ROOT}projects/backand-server/src/index.ts`)) return;
  console.log('building backand-server (npm run build:server)…');
  try {
    execFileSync('npm', ['run', '--silent', 'build:server'], { cwd: ROOT, stdio: 'inherit' });
  } catch {
    console.log('backand-server did not build; its figures are reported as missing');
  }
}

async function runFigure(figure, opts, timeoutMs) {
  const script = fileURLToPath(new URL(`./figures/${figure.id}.mjs`, import.meta.url));
  const nodeArgs = [...(figure.nodeArgs ?? [])];
  const env = { BENCH_OPTS: JSON.stringify({ quick: opts.quick }) };
  if (opts.profile) {
    const dir = `${RESULTS}profiles/${figure.id}`;
    mkdirSync(dir, { recursive: true });
    env.BENCH_PROFILE_DIR = dir;
  }
  const child = startChild(script, {
    cpu: figure.pin ? CLIENT_CPU : undefined,
    nodeArgs,
    env,
    expectReady: false,
  });
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...value, seconds: Math.round((Date.now() - started) / 100) / 10 });
    };
    const timer = setTimeout(() => {
      child.proc.kill('SIGKILL');
      finish({ error: `timed out after ${timeoutMs / 1000} s` });
    }, timeoutMs);
    child.onMessage((msg) => {
      if (msg?.type === 'result') finish({ result: msg.result });
      else if (msg?.type === 'error') finish({ error: msg.error });
    });
    child.proc.on('exit', (code, signal) =>
      finish({ error: `exited (${code ?? signal}) without a result` }),
    );
  });
}

const opts = parseArgs(process.argv.slice(2));
const started = Date.now();
ensureServerBuild();
const machine = machineInfo();
const subjects = { backandServer: backandAvailable(), sdk: sdkAvailable() };
console.log(
  `ngx-backand benchmarks (${opts.quick ? 'quick' : 'full'}) · ${machine.cpus}× ${machine.cpuModel} · ` +
    `Node ${machine.node} · ${machine.pinning}`,
);
if (!subjects.backandServer)
  console.log('note: backand-server is not built; its columns stay empty');
if (!subjects.sdk) console.log('note: the SDK sources are missing; its columns stay empty');

const results = {};
const timings = {};
const selected = FIGURES.filter((f) => !opts.only || opts.only.includes(f.id));
for (const figure of selected) {
  process.stdout.write(`· ${figure.id} (${figure.title}) … `);
  const limit = figure.timeout ?? { quick: 90, full: 300 };
  const r = await runFigure(figure, opts, (opts.quick ? limit.quick : limit.full) * 1000);
  timings[figure.id] = r.seconds;
  results[figure.id] = r.error ? { error: r.error } : r.result;
  console.log(r.error ? `FAILED after ${r.seconds} s` : `${r.seconds} s`);
  if (r.error) console.error(r.error);
}

const rows = tableRows(results);
console.log(`\n${renderTable(rows)}\n`);
console.log('median (min–max) over the repetitions of this run; ratios are per-run pairs, median.');

const file = `${RESULTS}${opts.name}.json`;
mkdirSync(RESULTS, { recursive: true });
const record = {
  name: opts.name,
  mode: opts.quick ? 'quick' : 'full',
  date: new Date().toISOString(),
  seconds: Math.round((Date.now() - started) / 1000),
  machine: {
    ...machine,
    loadAverageAtEnd: (await import('node:os')).loadavg().map((x) => Math.round(x * 100) / 100),
  },
  subjects,
  timings,
  table: rows,
  figures: results,
};
writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
console.log(`wrote ${file.slice(ROOT.length)} in ${record.seconds} s`);
process.exit(Object.values(results).some((r) => r.error) ? 1 : 0);
