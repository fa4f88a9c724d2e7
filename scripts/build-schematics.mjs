#!/usr/bin/env node
// Part of `npm run build:lib`, after `ng build ngx-backand` (ng-packagr does not build schematics):
// compiles projects/ngx-backand/schematics to CommonJS in dist/ngx-backand/schematics and copies
// their JSON files. The package is `"type": "module"` and the Angular CLI loads schematics with
// require(), so the compiled files are named .cjs (a package.json of their own saying
// "commonjs" would not do: npm pack leaves nested package.json files out).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

/** The JSON files (collection, schemas) copied; the .js files renamed .cjs, and their requires. */
function finish(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      finish(path);
    } else if (name.endsWith('.json')) {
      const target = join(out, relative(source, path));
      const text = readFileSync(path, 'utf8');
      // The collection names its factories without an extension (jest runs the .ts sources).
      writeFileSync(target, text.replace(/"factory": "([^"#]+)#/g, '"factory": "$1.cjs#'));
    }
  }
}

function renameJs(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      renameJs(path);
    } else if (name.endsWith('.js')) {
      const text = readFileSync(path, 'utf8').replace(
        /require\("(\.{1,2}\/[^"]+)"\)/g,
        (_, specifier) => `require("${specifier}.cjs")`,
      );
      writeFileSync(path.replace(/\.js$/, '.cjs'), text);
      rmSync(path);
    }
  }
}

renameJs(out);
finish(source);
console.log(`schematics built into ${relative(root, out)}`);
