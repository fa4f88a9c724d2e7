/**
 * The machine and software a run measured: written into every results file.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { canPin, CLIENT_CPU, SERVER_CPU } from './child.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(`${ROOT}package.json`);

const PACKAGES = [
  '@angular/core',
  '@angular/build',
  'rxjs',
  'socket.io',
  'socket.io-client',
  'fastify',
  'better-sqlite3',
  '@feathersjs/feathers',
  '@feathersjs/socketio',
  '@feathersjs/koa',
  '@feathersjs/knex',
  'knex',
  'autocannon',
  'esbuild',
];

function version(pkg) {
  try {
    return JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')).version;
  } catch {
    try {
      // packages whose exports hide package.json: walk up from the entry point
      let dir = require.resolve(pkg);
      while (dir !== '/') {
        dir = dir.replace(/\/[^/]*$/, '') || '/';
        try {
          const p = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'));
          if (p.name === pkg) return p.version;
        } catch {
          // keep walking
        }
      }
    } catch {
      // not installed
    }
    return null;
  }
}

function git(args) {
  try {
    return execFileSync('git', args, {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

/** Machine, OS, Node, package versions, commit and CPU pinning of this run. */
export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpus: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    commit: git(['rev-parse', '--short', 'HEAD']),
    dirty: (git(['status', '--porcelain', '--', 'projects', 'bench']) ?? '') !== '',
    pinning: canPin()
      ? `servers on CPU ${SERVER_CPU}, measuring clients on CPU ${CLIENT_CPU} (taskset)`
      : 'none (taskset unavailable or fewer than 2 CPUs)',
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
    versions: Object.fromEntries(PACKAGES.map((p) => [p, version(p)])),
  };
}
