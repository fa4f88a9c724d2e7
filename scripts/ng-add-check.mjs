#!/usr/bin/env node
// `npm run test:ng-add`: `ng add ngx-backand` for real, from the packed tarball, in a fresh
// Angular CLI workspace, then `ng build`. CI runs it after the version matrix (.ci/run).
//
// The workspace is made offline from consumers/angular-21: its package.json and lockfile without
// ngx-backand (`npm ci`: only packages of that lockfile, from the npm registry or its cache), no
// projects; `ng generate application` adds a standalone app (`fresh`) and an NgModule app
// (`legacy`). Then:
//   ng add <tarball> --project fresh --server --skip-install   installs the tarball, runs ng-add
//   ng add ngx-backand --project legacy                         already installed: runs ng-add
//   both again                                                  must change no file
//   ng build fresh, ng build legacy
// The tarball is dist/ngx-backand.tgz (packed by `npm run test:matrix`); when it is missing, the
// library is built and packed first.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TARBALL = join(root, 'dist/ngx-backand.tgz');
const TEMPLATE = join(root, 'consumers/angular-21');
const WORK = join(root, '.matrix/ng-add');

/** Runs a command; its output is shown indented (`quiet`: only returned). */
function run(command, args, cwd = WORK, quiet = false) {
  console.log(`  $ ${command} ${args.join(' ')}`);
  const output = execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NG_CLI_ANALYTICS: 'false', CI: 'true' },
  });
  if (!quiet && output.trim()) console.log(output.trimEnd().replace(/^/gm, '      '));
  return output;
}

function check(condition, message) {
  if (!condition) throw new Error(`ng-add-check: ${message}`);
  console.log(`  ok    ${message}`);
}

/** Every file of the workspace (outside node_modules, dist and caches) with its hash. */
function snapshot(dir = WORK, into = {}) {
  for (const name of readdirSync(dir)) {
    if (['node_modules', 'dist', '.angular'].includes(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) snapshot(path, into);
    else into[relative(WORK, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return into;
}

function packIfMissing() {
  if (existsSync(TARBALL)) return;
  run('npm', ['run', 'build:lib'], root);
  const packDir = join(root, '.matrix/pack');
  rmSync(packDir, { recursive: true, force: true });
  mkdirSync(packDir, { recursive: true });
  run('npm', ['pack', './dist/ngx-backand', '--pack-destination', packDir], root);
  const [packed] = readdirSync(packDir).filter((name) => name.endsWith('.tgz'));
  renameSync(join(packDir, packed), TARBALL);
}

/** consumers/angular-21 without its apps and without ngx-backand: a fresh CLI workspace. */
function makeWorkspace() {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(TEMPLATE, 'package.json'), 'utf8'));
  delete manifest.dependencies['ngx-backand'];
  manifest.name = 'ng-add-check';
  manifest.scripts = { ng: 'ng' };
  writeFileSync(join(WORK, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const lock = JSON.parse(readFileSync(join(TEMPLATE, 'package-lock.json'), 'utf8'));
  lock.name = manifest.name;
  lock.packages[''] = { ...lock.packages[''], name: manifest.name };
  delete lock.packages[''].dependencies['ngx-backand'];
  delete lock.packages['node_modules/ngx-backand'];
  writeFileSync(join(WORK, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  const angular = JSON.parse(readFileSync(join(TEMPLATE, 'angular.json'), 'utf8'));
  angular.projects = {};
  writeFileSync(join(WORK, 'angular.json'), `${JSON.stringify(angular, null, 2)}\n`);
  cpSync(join(TEMPLATE, 'tsconfig.json'), join(WORK, 'tsconfig.json'));
}

function main() {
  console.log('ng add ngx-backand, from the packed tarball, into a fresh CLI workspace');
  packIfMissing();
  const listing = run('tar', ['-tzf', TARBALL], root, true);
  check(
    listing.includes('package/schematics/collection.json') &&
      listing.includes('package/schematics/ng-add/index.cjs'),
    'the tarball carries the schematics',
  );
  makeWorkspace();
  run('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline']);
  const generate = ['--skip-install', '--skip-tests', '--style=css', '--ssr=false', '--routing'];
  run('npx', ['ng', 'generate', 'application', 'fresh', '--standalone', ...generate]);
  run('npx', ['ng', 'generate', 'application', 'legacy', '--standalone=false', ...generate]);

  const addFresh = ['--project=fresh', '--skip-confirmation', '--server', '--skip-install'];
  const addLegacy = [
    '--project=legacy',
    '--skip-confirmation',
    '--app-name=crm',
    '--no-run-socket',
  ];
  run('npx', ['ng', 'add', TARBALL, ...addFresh]);
  run('npx', ['ng', 'add', 'ngx-backand', ...addLegacy]);

  const manifest = JSON.parse(readFileSync(join(WORK, 'package.json'), 'utf8'));
  check(
    manifest.dependencies['ngx-backand'] !== undefined,
    'ng add saved ngx-backand in dependencies',
  );
  check(manifest.devDependencies['backand-server'] !== undefined, '--server added backand-server');
  check(manifest.scripts.backand === 'backand-server', '--server added the "backand" script');
  const config = readFileSync(join(WORK, 'projects/fresh/src/app/app.config.ts'), 'utf8');
  check(
    config.includes('provideHttpClient()') && config.includes('provideBackand(backandConfig)'),
    'fresh/app.config.ts provides HttpClient and Backand',
  );
  const module = readFileSync(join(WORK, 'projects/legacy/src/app/app-module.ts'), 'utf8');
  check(
    module.includes('BackandModule.forRoot(backandConfig)') &&
      module.includes('provideHttpClient()'),
    'legacy/app-module.ts imports BackandModule.forRoot() and provides HttpClient',
  );
  const settings = readFileSync(join(WORK, 'projects/legacy/src/app/backand.config.ts'), 'utf8');
  check(
    settings.includes("appName: 'crm'") && settings.includes('runSocket: false'),
    'legacy/backand.config.ts holds the options given',
  );

  const before = snapshot();
  run('npx', ['ng', 'add', 'ngx-backand', ...addFresh]);
  run('npx', ['ng', 'add', 'ngx-backand', ...addLegacy]);
  const after = snapshot();
  const changed = Object.keys({ ...before, ...after }).filter((f) => before[f] !== after[f]);
  check(
    changed.length === 0,
    `a second ng add changes no file${changed.length ? `: ${changed}` : ''}`,
  );

  for (const app of ['fresh', 'legacy']) {
    run('npx', ['ng', 'build', app]);
    check(existsSync(join(WORK, `dist/${app}/browser/index.html`)), `ng build ${app}`);
  }
  console.log('ng add ngx-backand: both app shapes set up, idempotent, and built');
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
