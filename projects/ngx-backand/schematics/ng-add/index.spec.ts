import { SchematicTestRunner, UnitTestTree } from '@angular-devkit/schematics/testing';
// The workspace's own TypeScript, with its lib files, for the type check.
import ts from 'typescript';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { appDefinitionSchema } from '../../../backand-server/src/app-definition/schema';
import type { NgAddOptions } from './schema';

const WORKSPACE_ROOT = resolve(__dirname, '../../../..');
const runner = new SchematicTestRunner('ngx-backand', require.resolve('../collection.json'));
const logs: string[] = [];
runner.logger.subscribe((entry) => logs.push(`${entry.level}: ${entry.message}`));
beforeEach(() => (logs.length = 0));

/** A workspace made by @schematics/angular with one application `app`. */
async function workspace(
  standalone: boolean,
  extra: Record<string, unknown> = {},
): Promise<UnitTestTree> {
  const tree = await runner.runExternalSchematic('@schematics/angular', 'workspace', {
    name: 'workspace',
    newProjectRoot: 'projects',
    version: '21.2.0',
  });
  return runner.runExternalSchematic(
    '@schematics/angular',
    'application',
    { name: 'app', standalone, skipInstall: true, skipTests: true, ...extra },
    tree,
  );
}

function ngAdd(tree: UnitTestTree, options: Partial<NgAddOptions> = {}): Promise<UnitTestTree> {
  return runner.runSchematic('ng-add', { project: 'app', ...options }, tree);
}

/** Every file of the tree with its content. */
function snapshot(tree: UnitTestTree): Record<string, string> {
  return Object.fromEntries(tree.files.map((path) => [path, tree.readContent(path)]));
}

/**
 * Type-checks the app's sources as they are in the tree (served at a path inside this
 * repository, so that `@angular/*` resolve to its node_modules; `ngx-backand` to the SDK's
 * sources). Returns the diagnostics as text, empty when the app compiles.
 */
function typeCheck(tree: UnitTestTree, sourceRoot = '/projects/app/src'): string {
  const virtualRoot = join(WORKSPACE_ROOT, '.schematics-check');
  const files = new Map<string, string>();
  for (const path of tree.files) {
    if (path.startsWith(sourceRoot) && path.endsWith('.ts')) {
      files.set(join(virtualRoot, path), tree.readContent(path));
    }
  }
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    experimentalDecorators: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: [],
    paths: { 'ngx-backand': [join(WORKSPACE_ROOT, 'projects/ngx-backand/src/public-api.ts')] },
  };
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  const directoryExists = host.directoryExists?.bind(host);
  host.fileExists = (name) => files.has(name) || fileExists.call(host, name);
  host.directoryExists = (name) =>
    [...files.keys()].some((file) => file.startsWith(`${name}/`)) ||
    (directoryExists?.(name) ?? false);
  host.readFile = (name) => files.get(name) ?? readFile.call(host, name);
  host.getSourceFile = (name, languageVersion, ...rest) => {
    const text = files.get(name);
    return text === undefined
      ? getSourceFile.call(host, name, languageVersion, ...rest)
      : ts.createSourceFile(name, text, languageVersion, true);
  };
  const program = ts.createProgram([...files.keys()], options, host);
  return ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), {
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => WORKSPACE_ROOT,
    getNewLine: () => '\n',
  });
}

describe('ng add ngx-backand', () => {
  describe('standalone app', () => {
    it('writes backand.config.ts and adds provideHttpClient() and provideBackand() to app.config.ts', async () => {
      const tree = await ngAdd(await workspace(true), {
        appName: 'shop',
        apiUrl: 'https://api.example.com/',
        anonymousToken: "it's-a-token",
        runSocket: false,
      });
      expect(tree.readContent('/projects/app/src/app/backand.config.ts')).toContain(
        `export const backandConfig: BackandConfig = {
  appName: 'shop',
  anonymousToken: 'it\\'s-a-token',
  apiUrl: 'https://api.example.com',
  runSocket: false,
};`,
      );
      const config = tree.readContent('/projects/app/src/app/app.config.ts');
      expect(config).toContain(`import { provideHttpClient } from '@angular/common/http';`);
      expect(config).toContain(`import { provideBackand } from 'ngx-backand';`);
      expect(config).toContain(`import { backandConfig } from './backand.config';`);
      expect(config).toMatch(
        /providers: \[[^\]]*provideHttpClient\(\),?\s*provideBackand\(backandConfig\)/s,
      );
      expect(typeCheck(tree)).toBe('');
    });

    it('takes its defaults from backand-server’s demo app', async () => {
      const tree = await ngAdd(await workspace(true));
      expect(tree.readContent('/projects/app/src/app/backand.config.ts')).toContain(
        `{
  appName: 'demo',
  anonymousToken: 'demo-anonymous-token',
  apiUrl: 'http://localhost:4000',
  runSocket: true,
}`,
      );
    });

    it('leaves out an empty anonymous token', async () => {
      const tree = await ngAdd(await workspace(true), { anonymousToken: '' });
      expect(tree.readContent('/projects/app/src/app/backand.config.ts')).not.toContain(
        'anonymousToken',
      );
    });

    it('keeps an existing provideHttpClient(...) and adds no second one', async () => {
      const tree = await workspace(true);
      const path = '/projects/app/src/app/app.config.ts';
      tree.overwrite(
        path,
        tree
          .readContent(path)
          .replace('providers: [', 'providers: [\n    provideHttpClient(withFetch()),')
          .replace(/^/, `import { provideHttpClient, withFetch } from '@angular/common/http';\n`),
      );
      const config = (await ngAdd(tree)).readContent(path);
      expect(config.match(/provideHttpClient\(/g)).toHaveLength(1);
      expect(config).toContain('provideBackand(backandConfig)');
    });

    it('changes nothing when run a second time', async () => {
      const once = await ngAdd(await workspace(true), { server: true });
      const first = snapshot(once);
      const twice = await ngAdd(once, { server: true, appName: 'other' });
      expect(snapshot(twice)).toEqual(first);
      expect(logs.join('\n')).toContain('already sets up Backand');
    });
  });

  describe('NgModule app', () => {
    it('adds BackandModule.forRoot() to the root module imports and provideHttpClient() to its providers', async () => {
      const tree = await ngAdd(await workspace(false), { appName: 'crm' });
      const module = tree.readContent('/projects/app/src/app/app-module.ts');
      expect(module).toContain(`import { BackandModule } from 'ngx-backand';`);
      expect(module).toContain(`import { backandConfig } from './backand.config';`);
      expect(module).toMatch(/imports: \[[^\]]*BackandModule\.forRoot\(backandConfig\)/s);
      expect(module).toMatch(/providers: \[[^\]]*provideHttpClient\(\)/s);
      expect(tree.readContent('/projects/app/src/app/backand.config.ts')).toContain(
        "appName: 'crm'",
      );
      expect(typeCheck(tree)).toBe('');
    });

    it('changes nothing when run a second time', async () => {
      const once = await ngAdd(await workspace(false));
      const first = snapshot(once);
      expect(snapshot(await ngAdd(once))).toEqual(first);
    });
  });

  describe('an app with environments', () => {
    async function withEnvironments(standalone: boolean): Promise<UnitTestTree> {
      return runner.runExternalSchematic(
        '@schematics/angular',
        'environments',
        { project: 'app' },
        await workspace(standalone),
      );
    }

    it('adds a backand entry to every environment file and provides environment.backand', async () => {
      const tree = await ngAdd(await withEnvironments(true), { appName: 'shop' });
      for (const file of ['environment.ts', 'environment.development.ts']) {
        expect(tree.readContent(`/projects/app/src/environments/${file}`)).toContain(
          `export const environment = {
  backand: {
    appName: 'shop',
    anonymousToken: 'demo-anonymous-token',
    apiUrl: 'http://localhost:4000',
    runSocket: true,
  },
};`,
        );
      }
      expect(tree.exists('/projects/app/src/app/backand.config.ts')).toBe(false);
      const config = tree.readContent('/projects/app/src/app/app.config.ts');
      expect(config).toContain(`import { environment } from '../environments/environment';`);
      expect(config).toContain('provideBackand(environment.backand)');
      expect(typeCheck(tree)).toBe('');
    });

    it('adds the entry after existing values and keeps an existing one', async () => {
      const tree = await withEnvironments(false);
      const prod = '/projects/app/src/environments/environment.ts';
      const dev = '/projects/app/src/environments/environment.development.ts';
      tree.overwrite(prod, `export const environment = {\n  production: true,\n  name: 'x'\n};\n`);
      tree.overwrite(dev, `export const environment = { backand: { appName: 'dev' } };\n`);
      const result = await ngAdd(tree);
      expect(result.readContent(prod)).toBe(
        `export const environment = {\n  production: true,\n  name: 'x',\n  backand: {\n` +
          `    appName: 'demo',\n    anonymousToken: 'demo-anonymous-token',\n` +
          `    apiUrl: 'http://localhost:4000',\n    runSocket: true,\n  }\n};\n`,
      );
      expect(result.readContent(dev)).toBe(
        `export const environment = { backand: { appName: 'dev' } };\n`,
      );
      expect(result.readContent('/projects/app/src/app/app-module.ts')).toContain(
        'BackandModule.forRoot(environment.backand)',
      );
      expect(snapshot(await ngAdd(result))).toEqual(snapshot(result));
    });
  });

  describe('--server', () => {
    it('adds backand-server as a dev dependency and a script serving the built-in demo app', async () => {
      const tree = await ngAdd(await workspace(true), { server: true });
      const manifest = JSON.parse(tree.readContent('/package.json'));
      const { version } = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'));
      expect(manifest.devDependencies['backand-server']).toBe(`^${version}`);
      expect(manifest.dependencies['backand-server']).toBeUndefined();
      expect(manifest.scripts.backand).toBe('backand-server');
      expect(tree.exists('/backand.app.json')).toBe(false);
      expect(runner.tasks.map((task) => task.name)).toContain('node-package');
    });

    it('writes a valid app definition for another app and serves it on the apiUrl port', async () => {
      const tree = await ngAdd(await workspace(true), {
        server: true,
        skipInstall: true,
        appName: 'shop',
        anonymousToken: 'shop-guest',
        apiUrl: 'http://localhost:4100',
      });
      const manifest = JSON.parse(tree.readContent('/package.json'));
      expect(manifest.scripts.backand).toBe('backand-server --app backand.app.json --port 4100');
      const definition = appDefinitionSchema.parse(
        JSON.parse(tree.readContent('/backand.app.json')),
      );
      expect(definition.appName).toBe('shop');
      expect(definition.anonymousToken).toBe('shop-guest');
      expect(runner.tasks.map((task) => task.name)).not.toContain('node-package');
    });

    it('keeps an existing backand script', async () => {
      const tree = await workspace(true);
      const manifest = JSON.parse(tree.readContent('/package.json'));
      manifest.scripts.backand = 'my-own-server';
      tree.overwrite('/package.json', JSON.stringify(manifest, null, 2));
      const result = await ngAdd(tree, { server: true });
      expect(JSON.parse(result.readContent('/package.json')).scripts.backand).toBe('my-own-server');
    });

    it('adds nothing of the server without the option', async () => {
      const tree = await ngAdd(await workspace(true));
      const manifest = JSON.parse(tree.readContent('/package.json'));
      expect(manifest.devDependencies['backand-server']).toBeUndefined();
      expect(manifest.scripts.backand).toBeUndefined();
    });
  });

  describe('option validation', () => {
    it.each([
      [{ appName: 'my app' }, /Invalid --app-name "my app"/],
      [{ appName: '' }, /Invalid --app-name ""/],
      [{ apiUrl: 'localhost:4000' }, /protocol must be http or https/],
      [{ apiUrl: 'not a url' }, /Invalid --api-url "not a url": expected an absolute/],
      [{ apiUrl: 'http://x/?a=1' }, /no query, fragment or credentials/],
      [{ anonymousToken: 'a\u0007b' }, /control characters/],
      [{ project: 'nope' }, /No project "nope" in angular.json; applications: app/],
    ])('rejects %j and changes nothing', async (options, message) => {
      const tree = await workspace(true);
      const before = snapshot(tree);
      await expect(ngAdd(tree, options)).rejects.toThrow(message);
      expect(snapshot(tree)).toEqual(before);
    });

    it('asks for --project when the workspace has several applications', async () => {
      const tree = await runner.runExternalSchematic(
        '@schematics/angular',
        'application',
        { name: 'second', skipInstall: true },
        await workspace(true),
      );
      await expect(runner.runSchematic('ng-add', {}, tree)).rejects.toThrow(
        'Name the application to set up with --project (one of: app, second)',
      );
    });

    it('refuses a library project', async () => {
      const tree = await runner.runExternalSchematic(
        '@schematics/angular',
        'library',
        { name: 'lib', skipInstall: true },
        await workspace(true),
      );
      await expect(ngAdd(tree, { project: 'lib' })).rejects.toThrow('"lib" is a library');
    });
  });

  describe('an app it cannot read', () => {
    it('writes the settings, leaves the sources alone and says what to add by hand', async () => {
      const tree = await workspace(true);
      tree.overwrite('/projects/app/src/main.ts', `console.log('booting elsewhere');\n`);
      const before = tree.readContent('/projects/app/src/app/app.config.ts');
      const result = await ngAdd(tree);
      expect(result.readContent('/projects/app/src/app/app.config.ts')).toBe(before);
      expect(result.exists('/projects/app/src/app/backand.config.ts')).toBe(true);
      const warning = logs.find((line) => line.startsWith('warn:')) ?? '';
      expect(warning).toContain('calls neither bootstrapApplication() nor bootstrapModule()');
      expect(warning).toContain('provideHttpClient(), provideBackand(backandConfig)');
      expect(warning).toContain('BackandModule.forRoot(backandConfig)');
    });

    it('names a root module that does not exist', async () => {
      const tree = await workspace(false);
      tree.delete('/projects/app/src/app/app-module.ts');
      await ngAdd(tree);
      expect(logs.join('\n')).toMatch(/root module .*app-module\.ts does not exist/);
    });
  });
});
