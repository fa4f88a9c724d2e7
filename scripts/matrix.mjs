#!/usr/bin/env node
// `npm run test:matrix`: the supported Angular × Node.js combinations, proved on this machine.
//
// Builds the server and the library once (the library by the workspace's Angular 21: partial
// compilation output works in later majors), packs the library once, then, side by side:
//   consumers  real Angular CLI apps (consumers/angular-21, consumers/angular-22), each `npm ci`
//              from its own lockfile, the packed tarball `npm install`ed without flags, the three
//              shapes built (standalone zoneless, NgModule + zone.js, SSR):
//                Angular 21 on Node 20, Angular 22 on Node 22, and Angular 22's SSR app on Node 24
//   browser    Playwright + Chromium on every built app: the REST list and a live event reach the
//              page; the SSR page is rendered on the server (list included, no socket opened)
//   builds     no build warning caused by the SDK, and no socket.io-client in SSR server bundles
//   server     backand-server's jest suite on Node 22 and 24, from a scratch copy whose
//              better-sqlite3 is built for that Node (the shared node_modules stays as it is);
//              Node 20 is `npm test`
// Node 22 / 24 come from scripts/with-node.mjs (pinned, from the npm registry, cached).
//
//   npm run test:matrix
//   npm run test:matrix -- --current-node       only the cells of the running Node, run with it
//                                               (CI's setup-node matrix)
//   npm run test:matrix -- --update-lockfiles   regenerate the consumers' lockfiles
/* global performance */
import { spawn } from 'node:child_process';
import {
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureNode, nodeEnv, pinnedVersion } from './with-node.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Scratch space of one run: logs, the server suites' copies, the list of built apps. */
const WORK = join(root, '.matrix');
const LOGS = join(WORK, 'logs');
/** The packed library, under a fixed name: the consumers depend on `file:../../dist/ngx-backand.tgz`. */
const TARBALL = join(root, 'dist/ngx-backand.tgz');

/** Consumer cells: which app folder, on which Node line, which of its apps to build. */
const CONSUMERS = [
  { dir: 'consumers/angular-21', node: 20, apps: ['standalone', 'ngmodule', 'ssr'] },
  { dir: 'consumers/angular-22', node: 22, apps: ['standalone', 'ngmodule', 'ssr'] },
  // The SSR app covers Node 24 at build time and at run time; its output goes beside Node 22's.
  { dir: 'consumers/angular-22', node: 24, apps: ['ssr'], outDir: 'dist/node24' },
];
/** Node lines of the server suite beyond the one `npm test` runs on (20). */
const SERVER_LINES = [22, 24];
/** The Node line each consumer's lockfile is made with (`--update-lockfiles`). */
const LOCKFILE_NODE = { 'consumers/angular-21': 20, 'consumers/angular-22': 22 };

const { values: args } = parseArgs({
  options: {
    'current-node': { type: 'boolean', default: false },
    'update-lockfiles': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n/* global')[0]);
  process.exit(0);
}

const CURRENT = Number(process.versions.node.split('.')[0]);
const timings = [];
const children = new Set();
let stopping = false;

/** The Node of a line: the running one for its own line, else the pinned one (installed once). */
function nodeOf(major) {
  if (major === CURRENT)
    return { bin: process.execPath, version: process.version, env: process.env };
  const dir = ensureNode(major);
  return { bin: join(dir, 'bin', 'node'), version: `v${pinnedVersion(major)}`, env: nodeEnv(dir) };
}

function seconds(since) {
  return Math.round((performance.now() - since) / 100) / 10;
}

function tail(file, lines = 40) {
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Runs one command with the Node `node` (PATH, npm_config_nodedir), its output in a log file;
 * resolves with that output, rejects with its last lines.
 */
function run(label, command, commandArgs, { cwd = root, node = nodeOf(CURRENT), env = {} } = {}) {
  if (stopping) return Promise.reject(new Error(`${label}: not started, the run is stopping`));
  mkdirSync(LOGS, { recursive: true });
  const log = join(LOGS, `${label.replace(/[^\w.@-]+/g, '_')}.log`);
  const out = createWriteStream(log);
  out.write(`$ (${cwd}) ${command} ${commandArgs.join(' ')}   [node ${node.version}]\n`);
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, commandArgs, {
      cwd,
      env: { ...node.env, NG_CLI_ANALYTICS: 'false', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so that stopping the run stops its workers and compilers too.
      detached: true,
    });
    children.add(child);
    let output = '';
    const collect = (chunk) => {
      output += chunk;
      out.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) => collect(`\n${error.message}\n`));
    child.on('close', (code, signal) => {
      children.delete(child);
      out.end(() => {
        const took = seconds(started);
        timings.push({ step: label, node: node.version, seconds: took, ok: code === 0 });
        if (code === 0) {
          console.log(`  ok    ${label} (${took} s)`);
          resolvePromise(output);
        } else {
          console.log(
            `  FAIL  ${label} (${took} s): exit ${code ?? signal}, log ${relative(root, log)}`,
          );
          reject(
            new Error(
              `${label} failed (exit ${code ?? signal}); last lines of ${log}:\n${tail(log)}`,
            ),
          );
        }
      });
    });
  });
}

function stopChildren() {
  stopping = true;
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}
process.on('SIGINT', () => {
  stopChildren();
  process.exit(130);
});

async function buildAndPack() {
  await run('build server', 'npm', ['run', 'build:server']);
  await run('build library (Angular 21, partial compilation)', 'npm', ['run', 'build:lib']);
  const packDir = join(WORK, 'pack');
  rmSync(packDir, { recursive: true, force: true });
  mkdirSync(packDir, { recursive: true });
  await run('pack library', 'npm', ['pack', './dist/ngx-backand', '--pack-destination', packDir]);
  const [packed] = readdirSync(packDir).filter((name) => name.endsWith('.tgz'));
  if (!packed) throw new Error(`npm pack wrote no tarball into ${packDir}`);
  renameSync(join(packDir, packed), TARBALL);
  console.log(`  ->    ${packed} as ${relative(root, TARBALL)}`);
}

/** The consumer lockfiles must not pin the tarball's integrity (npm would install a stale cached copy). */
function checkLockfile(dir) {
  const lock = JSON.parse(readFileSync(join(root, dir, 'package-lock.json'), 'utf8'));
  const entry = lock.packages?.['node_modules/ngx-backand'];
  if (!entry) throw new Error(`${dir}/package-lock.json has no node_modules/ngx-backand`);
  if (entry.integrity) {
    throw new Error(
      `${dir}/package-lock.json pins the integrity of ngx-backand: npm ci would then install the ` +
        'copy in its cache, not the tarball just packed. Run `npm run test:matrix -- --update-lockfiles`.',
    );
  }
}

/** The installed ngx-backand must be the library just built, byte for byte. */
function checkInstalledIsFresh(dir) {
  const installed = join(root, dir, 'node_modules/ngx-backand');
  for (const file of ['package.json', 'fesm2022/ngx-backand.mjs', 'types/ngx-backand.d.ts']) {
    const a = readFileSync(join(installed, file));
    const b = readFileSync(join(root, 'dist/ngx-backand', file));
    if (!a.equals(b)) throw new Error(`${dir}: installed ngx-backand/${file} differs from dist`);
  }
}

const installedBy = new Map();
const builtApps = [];

const cellName = ({ dir, node }) => `${dir.split('/')[1]}@node${node}`;

/** `npm ci` of a consumer, then the packed library installed as a user would. */
async function installConsumer({ dir, node: major }) {
  const cell = cellName({ dir, node: major });
  const node = nodeOf(major);
  const cwd = join(root, dir);
  checkLockfile(dir);
  await run(`${cell} npm ci`, 'npm', ['ci', '--no-audit', '--no-fund'], { cwd, node });
  // What a user types: the peer ranges must resolve without --legacy-peer-deps or --force.
  // Everything is in the lockfile already; npm reads the registry's metadata of the peers.
  await run(
    `${cell} npm install <tarball>`,
    'npm',
    [
      'install',
      '--no-save',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--legacy-peer-deps=false',
      '--force=false',
      relative(cwd, TARBALL),
    ],
    { cwd, node },
  );
  checkInstalledIsFresh(dir);
  installedBy.set(dir, node.version);
}

/** What the SDK brings into a build: itself, Socket.IO and the CommonJS modules it used to pull in. */
const SDK_CAUSED = /ngx-backand|socket\.io|engine\.io|xmlhttprequest|\bdebug\b|\bws\b/;

/** `ng build` prints no warning caused by the SDK (e.g. "Module 'debug' … is not ESM"). */
function checkNoSdkWarnings(label, output) {
  // The CLI prints each warning as a block that starts with "▲ [WARNING]".
  const warnings = output.split(/(?=▲ \[WARNING\])/).filter((b) => b.startsWith('▲ [WARNING]'));
  const caused = warnings.filter((block) => SDK_CAUSED.test(block));
  if (caused.length) {
    throw new Error(`${label}: ng build printed warnings caused by the SDK:\n${caused.join('\n')}`);
  }
  console.log(`  ok    ${label}: no SDK-caused build warning (${warnings.length} other)`);
}

/** The server bundle of an SSR app carries no socket.io-client / engine.io-client. */
function checkServerBundleHasNoSocketIo(label, dir) {
  // Strings that only Socket.IO's client code contains, minified or not.
  const markers = ['xhr poll error', 'reconnect_attempt'];
  for (const file of readdirSync(dir, { recursive: true })) {
    if (!/\.m?js$/.test(file)) continue;
    const text = readFileSync(join(dir, file), 'utf8');
    const found = markers.find((m) => text.includes(m));
    if (found)
      throw new Error(`${label}: server bundle ${file} contains socket.io-client ("${found}")`);
  }
  console.log(`  ok    ${label}: no socket.io-client in the server bundle`);
}

/** `ng build` of a consumer's apps with the cell's Node. */
async function buildConsumer({ dir, node: major, apps, outDir = 'dist' }) {
  const cell = cellName({ dir, node: major });
  const node = nodeOf(major);
  const cwd = join(root, dir);
  const angular = JSON.parse(
    readFileSync(join(cwd, 'node_modules/@angular/core/package.json'), 'utf8'),
  ).version;
  for (const app of apps) {
    const output = `${outDir}/${app}`;
    rmSync(join(cwd, output), { recursive: true, force: true });
    const log = await run(
      `${cell} ng build ${app}`,
      'npx',
      ['ng', 'build', app, '--output-path', output],
      { cwd, node },
    );
    const built = join(cwd, output);
    checkNoSdkWarnings(`${cell} ${app}`, log);
    if (app === 'ssr') checkServerBundleHasNoSocketIo(`${cell} ${app}`, join(built, 'server'));
    builtApps.push({
      name: `${dir.split('/')[1]}/${app} (Angular ${angular}) on Node ${node.version}`,
      shape: app,
      angular,
      path: app === 'ssr' ? join(built, 'server/server.mjs') : join(built, 'browser'),
      node: node.bin,
    });
  }
}

async function browserCheck() {
  const list = join(WORK, 'apps.json');
  writeFileSync(list, JSON.stringify(builtApps, null, 2));
  const output = await run(
    'browser check (Playwright + Chromium)',
    'npx',
    ['playwright', 'test', '-c', 'consumers/check/playwright.config.ts'],
    { env: { MATRIX_APPS: list } },
  );
  for (const line of output.split('\n'))
    if (/^\s+(✓|✘|-)/.test(line)) console.log(`        ${line.trim()}`);
}

/**
 * A copy of the server package beside a node_modules of links to the workspace's packages,
 * except better-sqlite3: a copy of its sources, to be built for another Node.
 */
function serverScratch(major) {
  const scratch = join(WORK, `server-node${major}`);
  rmSync(scratch, { recursive: true, force: true });
  const modules = join(scratch, 'node_modules');
  mkdirSync(modules, { recursive: true });
  const shared = join(root, 'node_modules');
  for (const name of readdirSync(shared)) {
    if (name === 'better-sqlite3' || name === '.package-lock.json') continue;
    symlinkSync(realpathSync(join(shared, name)), join(modules, name));
  }
  const sqlite = realpathSync(join(shared, 'better-sqlite3'));
  cpSync(sqlite, join(modules, 'better-sqlite3'), {
    recursive: true,
    filter: (source) => source !== join(sqlite, 'build'),
  });
  const server = join(root, 'projects/backand-server');
  const copy = join(scratch, 'projects/backand-server');
  for (const entry of [
    'src',
    'bin',
    'dist',
    'package.json',
    'jest.config.js',
    'tsconfig.json',
    'tsconfig.build.json',
  ]) {
    // Timestamps kept: the CLI specs rebuild dist/ when it looks older than src/.
    cpSync(join(server, entry), join(copy, entry), { recursive: true, preserveTimestamps: true });
  }
  if (existsSync(join(server, 'node_modules'))) {
    symlinkSync(realpathSync(join(server, 'node_modules')), join(copy, 'node_modules'));
  }
  for (const entry of ['package.json', 'tsconfig.json', 'docs/PROTOCOL.md'])
    cpSync(join(root, entry), join(scratch, entry));
  return scratch;
}

const serverResults = [];

/** better-sqlite3 built for another Node, in a scratch copy of the server package. */
async function buildServerScratch(major) {
  const cell = `server@node${major}`;
  const node = nodeOf(major);
  const scratch = serverScratch(major);
  await run(`${cell} build better-sqlite3`, 'npm', ['run', 'build-release'], {
    cwd: join(scratch, 'node_modules/better-sqlite3'),
    node,
  });
}

/** backand-server's jest suite on another Node: in its scratch copy, or in place on this Node. */
async function serverSuite(major) {
  const cell = `server@node${major}`;
  const node = nodeOf(major);
  if (major === CURRENT) {
    // The workspace's own install was made with this Node.
    await run(`${cell} jest`, 'npx', ['jest', '--selectProjects', 'backand-server', '--ci']);
    serverResults.push({ cell, node: node.version, abi: process.versions.modules });
    return;
  }
  const scratch = join(WORK, `server-node${major}`);
  const probe = await run(
    `${cell} load better-sqlite3`,
    node.bin,
    [
      '-e',
      "const D = require('better-sqlite3'); const db = new D(':memory:'); " +
        "console.log(JSON.stringify({ abi: process.versions.modules, sqlite: db.prepare('select sqlite_version() v').get().v }));",
    ],
    { cwd: join(scratch, 'projects/backand-server'), node },
  );
  const { abi, sqlite } = JSON.parse(probe.trim().split('\n').pop());
  await run(
    `${cell} jest`,
    node.bin,
    [
      join(scratch, 'node_modules/jest/bin/jest.js'),
      '--config',
      'projects/backand-server/jest.config.js',
      '--ci',
      '--cacheDirectory',
      join(scratch, '.jest-cache'),
    ],
    { cwd: scratch, node },
  );
  serverResults.push({ cell, node: node.version, abi, sqlite });
  rmSync(scratch, { recursive: true, force: true });
}

/**
 * Runs `tasks` ({ name, after: [names], run }) on `slots` workers, each taking the first task in
 * list order whose `after` are done. The first failure stops the running commands and is thrown.
 */
async function schedule(tasks, slots) {
  const done = new Set();
  const started = new Set();
  let failure = null;
  let wake = [];
  const next = () =>
    tasks.find((task) => !started.has(task.name) && task.after.every((name) => done.has(name)));
  const worker = async () => {
    while (!failure && started.size < tasks.length) {
      const task = next();
      if (!task) {
        await new Promise((resolvePromise) => wake.push(resolvePromise));
        continue;
      }
      started.add(task.name);
      try {
        await task.run();
        done.add(task.name);
      } catch (error) {
        failure ??= error;
        stopChildren();
      }
      const waiting = wake;
      wake = [];
      for (const resolvePromise of waiting) resolvePromise();
    }
  };
  await Promise.all(Array.from({ length: slots }, worker));
  if (failure) throw failure;
}

/** The shared install still loads its own better-sqlite3 with the machine's Node. */
async function checkSharedInstall() {
  const out = await run('shared node_modules untouched', process.execPath, [
    '-e',
    "const D = require('better-sqlite3'); new D(':memory:').close(); console.log(process.versions.modules);",
  ]);
  return out.trim();
}

async function updateLockfiles() {
  await buildAndPack();
  for (const [dir, major] of Object.entries(LOCKFILE_NODE)) {
    const cwd = join(root, dir);
    await run(`${dir} npm install`, 'npm', ['install', '--no-audit', '--no-fund'], {
      cwd,
      node: nodeOf(major),
    });
    const file = join(cwd, 'package-lock.json');
    const lock = JSON.parse(readFileSync(file, 'utf8'));
    delete lock.packages['node_modules/ngx-backand'].integrity;
    writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
    console.log(`  ->    ${relative(root, file)} (ngx-backand without integrity)`);
  }
}

function report(started) {
  const width = Math.max(...timings.map((t) => t.step.length));
  console.log('\nstep'.padEnd(width + 2) + 'node'.padEnd(11) + 'seconds');
  for (const t of timings) {
    console.log(
      `${t.step.padEnd(width + 1)}${t.node.padEnd(11)}${String(t.seconds).padStart(7)}${t.ok ? '' : '  FAILED'}`,
    );
  }
  console.log(`${'total (wall clock)'.padEnd(width + 12)}${String(seconds(started)).padStart(7)}`);
  writeFileSync(
    join(WORK, 'timings.json'),
    JSON.stringify({ timings, total: seconds(started) }, null, 2),
  );
}

async function main() {
  const started = performance.now();
  mkdirSync(WORK, { recursive: true });
  rmSync(LOGS, { recursive: true, force: true });
  if (args['update-lockfiles']) return updateLockfiles();

  const consumers = args['current-node'] ? CONSUMERS.filter((c) => c.node === CURRENT) : CONSUMERS;
  const serverLines = args['current-node']
    ? SERVER_LINES.filter((major) => major === CURRENT)
    : SERVER_LINES;
  console.log(
    `version matrix on Node ${process.version}: ` +
      `${consumers.map((c) => `${c.dir.split('/')[1]}@node${c.node}`).join(', ') || 'no consumer'}; ` +
      `server suite on ${serverLines.map((m) => `Node ${m}`).join(', ') || 'no extra Node'}`,
  );
  // Fetched before anything runs side by side, so that two tasks never install the same Node.
  for (const major of new Set([...consumers.map((c) => c.node), ...serverLines])) nodeOf(major);

  try {
    await buildAndPack();
    // Two at a time: the server builds compile C on one core, jest runs one worker, the
    // consumers mostly install and bundle; side by side they keep two cores busy, not more.
    // Listed longest chain first, so that the C builds start early.
    const tasks = [];
    const task = (name, after, run) => tasks.push({ name, after, run });
    const firstServer = serverLines.find((major) => major !== CURRENT);
    if (firstServer) task(`sqlite${firstServer}`, [], () => buildServerScratch(firstServer));
    const installs = new Set();
    for (const cell of consumers) {
      if (!installs.has(cell.dir)) {
        installs.add(cell.dir);
        task(`install ${cell.dir}`, [], () => installConsumer(cell));
      }
      task(cellName(cell), [`install ${cell.dir}`], () => buildConsumer(cell));
      if (cell === consumers[0]) {
        for (const major of serverLines) {
          if (major !== CURRENT && major !== firstServer) {
            task(`sqlite${major}`, [], () => buildServerScratch(major));
          }
        }
      }
    }
    if (consumers.length) task('browser', consumers.map(cellName), browserCheck);
    for (const major of serverLines) {
      task(`server${major}`, major === CURRENT ? [] : [`sqlite${major}`], () => serverSuite(major));
    }
    await schedule(tasks, 2);
    const abi = await checkSharedInstall();

    console.log('\nproved:');
    for (const [dir, version] of installedBy) {
      console.log(`  ${dir}: npm ci + npm install <tarball> (no flags) on Node ${version}`);
    }
    for (const app of builtApps) console.log(`  built, rendered and live in Chromium: ${app.name}`);
    for (const s of serverResults) {
      console.log(
        `  backand-server suite on Node ${s.node} (ABI ${s.abi}${s.sqlite ? `, SQLite ${s.sqlite}` : ''})`,
      );
    }
    console.log(
      `  shared node_modules still loads better-sqlite3 on ${process.version} (ABI ${abi})`,
    );
  } catch (error) {
    stopChildren();
    report(started);
    throw error;
  }
  report(started);
}

main().catch((error) => {
  console.error(`\n${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
