#!/usr/bin/env node
// Part of `npm run build:lib`, after `ng build ngx-backand` (ng-packagr does not build schematics):
// compiles projects/ngx-backand/schematics to CommonJS in dist/ngx-backand/schematics and copies
// their JSON files. The package is `"type": "module"`, so the folder gets a package.json of its
// own that makes its .js files CommonJS, the format the Angular CLI loads schematics in.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'projects/ngx-backand/schematics');
const out = join(root, 'dist/ngx-backand/schematics');

if (!existsSync(join(root, 'dist/ngx-backand/package.json'))) {
  console.error(
    'build-schematics: run `ng build ngx-backand` first (dist/ngx-backand is missing).',
  );
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'projects/ngx-backand/tsconfig.schematics.json'], {
  cwd: root,
  stdio: 'inherit',
});

/** The JSON files of the schematics (collection, schemas), in the same places. */
function copyJson(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) copyJson(path);
    else if (name.endsWith('.json')) {
      cpSync(path, join(out, relative(source, path)));
    }
  }
}
copyJson(source);
writeFileSync(join(out, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
console.log(`schematics built into ${relative(root, out)}`);
