/**
 * Runs the real ngx-backand SDK in Node for the dispatch and memory figures.
 *
 * The SDK's services are Angular injectables; loading `@angular/compiler` lets Angular compile
 * them at runtime (JIT), which gives the same runtime code as an app build for everything the
 * figures measure (`on()`, its refcounting, delivery). The SDK is taken from `dist/ngx-backand`
 * (`npm run build:lib`) when that build is newer than the sources, otherwise its sources are
 * bundled with esbuild into node_modules/.cache (well under a second, no ng-packagr run needed).
 */
import '@angular/compiler';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = join(ROOT, 'projects/ngx-backand/src');
const DIST = join(ROOT, 'dist/ngx-backand/fesm2022/ngx-backand.mjs');
const CACHE = join(ROOT, 'node_modules/.cache/ngx-backand-bench/ngx-backand.mjs');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
      newest = Math.max(newest, statSync(p).mtimeMs);
    }
  }
  return newest;
}

/** Whether the SDK sources are present (the bench can run its baselines without them). */
export function sdkAvailable() {
  return existsSync(join(SRC, 'public-api.ts'));
}

/** Where the SDK module comes from and the module itself. */
export async function loadSdk() {
  const srcTime = newestMtime(SRC);
  if (existsSync(DIST) && statSync(DIST).mtimeMs >= srcTime) {
    return {
      from: 'dist/ngx-backand (FESM, JIT-linked)',
      sdk: await import(pathToFileURL(DIST).href),
    };
  }
  const { build } = await import('esbuild');
  mkdirSync(dirname(CACHE), { recursive: true });
  await build({
    entryPoints: [join(SRC, 'public-api.ts')],
    outfile: CACHE,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'es2022',
    // Angular, RxJS and socket.io-client stay shared with the harness (one copy of each).
    external: ['@angular/*', 'rxjs', 'rxjs/*', 'socket.io-client', 'tslib'],
    tsconfigRaw: {
      compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false },
    },
    logLevel: 'error',
  });
  return {
    from: 'projects/ngx-backand/src (esbuild, JIT)',
    sdk: await import(`${pathToFileURL(CACHE).href}?t=${Date.now()}`),
  };
}

/**
 * An environment injector with the SDK provided the way an app provides it: `provideBackand`,
 * `provideHttpClient(withFetch())`, zoneless (no zone.js), browser platform, production mode.
 */
export async function createSdkInjector(sdk, config) {
  const core = await import('@angular/core');
  const { provideHttpClient, withFetch } = await import('@angular/common/http');
  // An app's production build runs with ngDevMode off (no dev-only checks and messages).
  core.enableProdMode();
  const injector = core.createEnvironmentInjector(
    [
      { provide: core.ɵINJECTOR_SCOPE, useValue: 'root' },
      { provide: core.PLATFORM_ID, useValue: 'browser' },
      { provide: core.NgZone, useValue: new core.ɵNoopNgZone() },
      // No application here (no views to refresh), so change detection has nothing to schedule.
      {
        provide: core.ɵChangeDetectionScheduler,
        useValue: { notify: () => {}, runningTick: false },
      },
      provideHttpClient(withFetch()),
      sdk.provideBackand({ storage: 'memory', ...config }),
    ],
    core.Injector.NULL,
    'bench',
  );
  return injector;
}

/**
 * Records every socket.io-client `Socket` created from now on in this process (the SDK creates
 * its own with `io()`; the figures need it to count the handlers left on it).
 */
export async function captureSockets() {
  const { Manager } = await import('socket.io-client');
  const created = [];
  const original = Manager.prototype.socket;
  Manager.prototype.socket = function (...args) {
    const socket = original.apply(this, args);
    if (!created.includes(socket)) created.push(socket);
    return socket;
  };
  return {
    sockets: created,
    restore: () => (Manager.prototype.socket = original),
  };
}

/**
 * The SDK's `BackandSocketService`, connected to `url` and authorized as a guest of the demo
 * app, with the socket.io-client socket it made and where the SDK was loaded from.
 */
export async function openSdkSocket(url) {
  const capture = await captureSockets();
  const loaded = await loadSdk();
  const injector = await createSdkInjector(loaded.sdk, {
    appName: 'demo',
    anonymousToken: 'sdk',
    socketUrl: url,
    runSocket: true,
  });
  const service = injector.get(loaded.sdk.BackandSocketService);
  try {
    service.connect();
    await until(() => service.state() === 'authorized', 15_000, 'the SDK socket');
  } finally {
    capture.restore();
  }
  const socket = capture.sockets[0];
  if (!socket) throw new Error('the SDK created no socket.io-client socket');
  return { injector, service, socket, from: loaded.from };
}

/** Resolves when `predicate()` holds, polling every few ms; rejects after `timeoutMs`. */
export async function until(predicate, timeoutMs = 15_000, what = 'condition') {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Every handler registered on a socket.io-client socket (all events, plus `onAny` ones). */
export function handlerCount(socket) {
  let n = 0;
  for (const list of Object.values(socket._callbacks ?? {})) n += list.length;
  return n + (socket._anyListeners?.length ?? 0);
}
