#!/usr/bin/env node
// `npm start`: builds what is missing or stale, then serves the demo and its API from one
// backand-server process, and stops cleanly on Ctrl-C.
//
//   npm start                       http://127.0.0.1:4000, database ./backand-demo.db
//   npm start -- --port 4100 --db :memory: --host 0.0.0.0 --no-ticker
//   node scripts/start.mjs --build-only     (used by the e2e setup)
/* global fetch, setInterval, clearInterval */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const SERVER_DIST = join(root, 'projects/backand-server/dist/index.js');
const DEMO_INDEX = join(root, 'dist/demo/browser/index.html');
const DEMO_DIR = join(root, 'dist/demo/browser');
/** Everything the demo bundle is built from: the demo, the SDK it imports, the build config. */
const DEMO_SOURCES = [
  'projects/demo/src',
  'projects/demo/public',
  'projects/demo/tsconfig.app.json',
  'projects/ngx-backand/src',
  'angular.json',
  'tsconfig.json',
];
const SERVER_SOURCES = ['projects/backand-server/src', 'projects/backand-server/tsconfig.json'];
/** The admin console, shipped inside the server package (served at /_console). */
const CONSOLE_INDEX = join(root, 'projects/backand-server/dist/console-app/browser/index.html');
const CONSOLE_SOURCES = [
  'projects/console/src',
  'projects/console/public',
  'projects/console/tsconfig.app.json',
  'projects/ngx-backand/src',
  'angular.json',
  'tsconfig.json',
];
/** Seconds between two readings of the `load` metric that the ticker writes. */
const TICK_MS = 3000;

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '4000' },
    host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' },
    db: { type: 'string' },
    'no-ticker': { type: 'boolean', default: false },
    'build-only': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (args.help) {
  console.log(`Usage: npm start -- [--port 4000] [--host 127.0.0.1] [--db file|:memory:] [--no-ticker]
  --port       port of the demo and its API (default 4000, or $PORT)
  --host       interface to listen on (default 127.0.0.1, or $HOST)
  --db         SQLite file or :memory: (default: ./backand-demo.db)
  --no-ticker  do not write a 'load' reading every ${TICK_MS / 1000} s
  --build-only build the server, the demo and the console when stale, then exit`);
  process.exit(0);
}

/** The newest modification time (ms) of a file or of any file below a folder. */
function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/** True when `output` is missing or older than any of `sources`. */
function isStale(output, sources) {
  if (!existsSync(output)) return true;
  const built = statSync(output).mtimeMs;
  return sources.some((source) => newestMtime(join(root, source)) > built);
}

function run(label, command, commandArgs) {
  console.log(`\n> ${label}`);
  const result = spawnSync(process.execPath, [require.resolve(command), ...commandArgs], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NG_CLI_ANALYTICS: 'false' },
  });
  if (result.status !== 0) {
    console.error(`\n${label} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status ?? 1);
  }
}

function buildIfNeeded() {
  if (isStale(SERVER_DIST, SERVER_SOURCES)) {
    run('Building backand-server', 'typescript/bin/tsc', [
      '-p',
      'projects/backand-server/tsconfig.build.json',
    ]);
  }
  if (isStale(DEMO_INDEX, DEMO_SOURCES)) {
    run('Building the demo (ng build demo)', '@angular/cli/bin/ng.js', ['build', 'demo']);
  }
  if (isStale(CONSOLE_INDEX, CONSOLE_SOURCES)) {
    run('Building the console (ng build console)', '@angular/cli/bin/ng.js', ['build', 'console']);
  }
}

/** Writes a gently wandering `load` reading now and then, so the chart moves on its own. */
function startTicker(url, app) {
  if (!app.masterToken || !app.userToken || !app.objects?.metrics) return () => {};
  const auth = `Basic ${Buffer.from(`${app.masterToken}:${app.userToken}`).toString('base64')}`;
  let value = 50;
  let warned = false;
  const tick = async () => {
    value = Math.round(Math.min(95, Math.max(5, value + (Math.random() - 0.5) * 24)));
    try {
      const res = await fetch(`${url}/1/objects/metrics`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'load', value, at: new Date().toISOString() }),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    } catch (error) {
      // One line is enough; the demo works without the ticker.
      if (!warned) console.warn(`(ticker: could not write a reading: ${error.message})`);
      warned = true;
    }
  };
  const timer = setInterval(tick, TICK_MS);
  return () => clearInterval(timer);
}

function printBanner(server, db) {
  const users = server.app.users ?? [];
  const width = Math.max(0, ...users.map((u) => u.username.length));
  const lines = [
    '',
    '  ngx-backand demo is running',
    '',
    `  Demo     ${server.url}/`,
    `  Console  ${server.url}/_console/   (sign in as an Admin)`,
    `  API      ${server.url}   (app "${server.app.appName}", anonymous token "${server.app.anonymousToken ?? '-'}")`,
    `  Data     ${db ?? 'backand-demo.db (default)'}`,
    '',
    '  Demo users (or continue as a guest):',
    ...users.map(
      (u) => `    ${u.username.padEnd(width)}  ${String(u.password ?? '').padEnd(16)}  ${u.role}`,
    ),
    '',
    '  Open the demo in two windows as two users to watch realtime updates.',
    '  Press Ctrl-C to stop.',
    '',
  ];
  console.log(lines.join('\n'));
}

async function main() {
  buildIfNeeded();
  if (args['build-only']) return;

  const port = Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a port number, got "${args.port}".`);
    process.exit(2);
  }
  const { startServer } = require(SERVER_DIST);
  let server;
  try {
    server = await startServer({
      port,
      host: args.host,
      ...(args.db ? { db: args.db } : {}),
      staticDir: DEMO_DIR,
      logLevel: process.env.LOG_LEVEL ?? 'warn',
    });
  } catch (error) {
    if (error?.code === 'EADDRINUSE') {
      console.error(`Port ${port} is in use. Pick another one: npm start -- --port ${port + 1}`);
      process.exit(1);
    }
    throw error;
  }
  const stopTicker = args['no-ticker'] ? () => {} : startTicker(server.url, server.app);
  printBanner(server, args.db);

  let stopping = false;
  const stop = async (signal) => {
    if (stopping) {
      // A second Ctrl-C means "now".
      process.exit(130);
    }
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    stopTicker();
    try {
      await server.close();
      console.log('Stopped.');
      process.exit(0);
    } catch (error) {
      console.error('Could not stop cleanly:', error);
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
