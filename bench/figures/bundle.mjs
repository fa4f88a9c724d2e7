/**
 * Figure 1 — bundle cost: production builds (Angular CLI, `@angular/build:application`, esbuild)
 * of the fixture apps in bench/bundle: (a) minimal, (a+http) minimal + HttpClient, (b) + ngx-backand
 * REST, (c) + one realtime listener. From each build's esbuild metafile (stats.json): gzip of the
 * initial JS (entry files and everything they import statically) and of the lazy chunks, where
 * socket.io-client landed, and the SDK's own cost = (b) or (c) initial − (a+http) initial, i.e.
 * without Angular's HttpClient and without socket.io-client.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { runFigure } from '../lib/figure.mjs';
import { buildProjects } from '../lib/ng-build.mjs';
import { summarize } from '../lib/stats.mjs';

const DIR = fileURLToPath(new URL('../bundle/', import.meta.url));
const APPS = ['minimal', 'http', 'rest', 'realtime'];
const SOCKET_IO =
  /node_modules\/(socket\.io-client|engine\.io-client|socket\.io-parser|@socket\.io\/component-emitter|engine\.io-parser)\//;
const SDK = /projects\/ngx-backand\/|dist\/ngx-backand\//;

const gzip = (buf) => gzipSync(buf, { level: 9 }).length;

/** Sizes of one build, from its metafile. */
function analyse(app) {
  const out = join(DIR, 'dist', app);
  const meta = JSON.parse(readFileSync(join(out, 'stats.json'), 'utf8'));
  const outputs = Object.fromEntries(
    Object.entries(meta.outputs).filter(([file]) => file.endsWith('.js')),
  );
  // initial = entry points and their static imports, transitively
  const initial = new Set();
  const visit = (file) => {
    if (initial.has(file) || !outputs[file]) return;
    initial.add(file);
    for (const imp of outputs[file].imports ?? []) {
      if (imp.kind === 'import-statement') visit(imp.path);
    }
  };
  // The page loads the <script> files of index.html; everything else they pull in statically is
  // initial too. (Dynamic-import targets are entry points in the metafile, so those don't count.)
  const html = readFileSync(join(out, 'browser', 'index.html'), 'utf8');
  for (const [, src] of html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)) visit(src);
  if (initial.size === 0) throw new Error(`${app}: no initial script found in index.html`);

  const files = Object.entries(outputs).map(([file, o]) => {
    const bytes = readFileSync(join(out, 'browser', file.replace(/^.*\//, '')));
    const inputs = Object.entries(o.inputs ?? {});
    return {
      file: file.replace(/^.*\//, ''),
      initial: initial.has(file),
      raw: bytes.length,
      gzip: gzip(bytes),
      socketIo: inputs
        .filter(([p]) => SOCKET_IO.test(p))
        .reduce((s, [, i]) => s + i.bytesInOutput, 0),
      sdk: inputs.filter(([p]) => SDK.test(p)).reduce((s, [, i]) => s + i.bytesInOutput, 0),
    };
  });
  // where the SDK's bytes come from, file by file (minified bytes in the output)
  const sdkFiles = {};
  for (const o of Object.values(outputs)) {
    for (const [p, i] of Object.entries(o.inputs ?? {})) {
      if (SDK.test(p)) sdkFiles[p.replace(/^.*(projects|dist)\//, '')] = i.bytesInOutput;
    }
  }
  const sum = (list, key) => list.reduce((s, f) => s + f[key], 0);
  const init = files.filter((f) => f.initial);
  const lazy = files.filter((f) => !f.initial);
  return {
    initialGzip: sum(init, 'gzip'),
    initialRaw: sum(init, 'raw'),
    lazyGzip: sum(lazy, 'gzip'),
    lazyRaw: sum(lazy, 'raw'),
    sdkMinifiedInitial: sum(init, 'sdk'),
    sdkMinifiedLazy: sum(lazy, 'sdk'),
    socketIoInInitial: sum(init, 'socketIo'),
    socketIoInLazy: sum(lazy, 'socketIo'),
    files,
    sdkFiles: Object.entries(sdkFiles).sort((a, b) => b[1] - a[1]),
  };
}

runFigure(async (opts) => {
  const repeats = opts.quick ? 1 : 2;
  const runs = Object.fromEntries(APPS.map((a) => [a, []]));
  for (let r = 0; r < repeats; r++) {
    await buildProjects(DIR, APPS);
    for (const app of APPS) runs[app].push(analyse(app));
  }
  const last = Object.fromEntries(APPS.map((a) => [a, runs[a].at(-1)]));
  const series = (app, key) =>
    summarize(
      runs[app].map((x) => x[key]),
      'bytes',
    );
  const out = { gzip: 'zlib level 9', repeats, apps: {} };
  for (const app of APPS) {
    out.apps[app] = {
      initialGzip: series(app, 'initialGzip'),
      lazyGzip: series(app, 'lazyGzip'),
      initialRaw: last[app].initialRaw,
      sdkMinifiedInitial: last[app].sdkMinifiedInitial,
      sdkMinifiedLazy: last[app].sdkMinifiedLazy,
      socketIoInInitial: last[app].socketIoInInitial,
      socketIoInLazy: last[app].socketIoInLazy,
      files: last[app].files,
      sdkFiles: last[app].sdkFiles,
    };
  }
  const delta = (a, b) =>
    summarize(
      runs[a].map((x, i) => x.initialGzip - runs[b][i].initialGzip),
      'bytes',
    );
  out.sdkCoreRest = delta('rest', 'http'); // SDK REST cost, HttpClient excluded
  out.sdkCoreRealtime = delta('realtime', 'http'); // + the listener, socket.io-client excluded
  out.realtimeVsMinimal = summarize(
    runs.realtime.map((x, i) => x.initialGzip / runs.minimal[i].initialGzip),
    'x',
  );
  // what (c) adds over (a+http), by origin, in minified bytes: the SDK, and what it pulls in
  const inputsOf = (app) => {
    const meta = JSON.parse(readFileSync(join(DIR, 'dist', app, 'stats.json'), 'utf8'));
    const m = {};
    for (const o of Object.values(meta.outputs)) {
      for (const [p, i] of Object.entries(o.inputs ?? {})) m[p] = (m[p] ?? 0) + i.bytesInOutput;
    }
    return m;
  };
  const base = inputsOf('http');
  const added = { sdk: 0, rxjs: 0, angular: 0, app: 0, other: 0 };
  for (const [p, bytes] of Object.entries(inputsOf('realtime'))) {
    if (SOCKET_IO.test(p)) continue;
    const d = bytes - (base[p] ?? 0);
    if (SDK.test(p)) added.sdk += d;
    else if (p.includes('node_modules/rxjs/')) added.rxjs += d;
    else if (p.includes('node_modules/@angular/')) added.angular += d;
    else if (p.startsWith('apps/')) added.app += d;
    else added.other += d;
  }
  out.realtimeAddsMinified = added;
  out.socketIoInitialFree = APPS.every((a) => last[a].socketIoInInitial === 0);
  out.socketIoLazyGzip = summarize(
    runs.realtime.map((x) =>
      x.files.filter((f) => !f.initial && f.socketIo > 0).reduce((s, f) => s + f.gzip, 0),
    ),
    'bytes',
  );
  return out;
});
