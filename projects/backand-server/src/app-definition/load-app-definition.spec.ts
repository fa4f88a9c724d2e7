import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AppDefinitionError } from './app-definition-error';
import { loadAppDefinition } from './load-app-definition';
import type { AppDefinitionInput } from './schema';
import { startServer } from '../server';

const minimal: AppDefinitionInput = {
  appName: 'mini',
  objects: { things: { fields: { name: 'string' } } },
};

describe('loadAppDefinition', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'backand-appdef-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, content: unknown) => {
    const file = path.join(dir, name);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };

  /** The AppDefinitionError a definition fails with. */
  const failure = async (def: unknown): Promise<AppDefinitionError> => {
    const file = write(`bad-${Math.random().toString(36).slice(2)}.json`, def);
    const err = await loadAppDefinition(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppDefinitionError);
    expect((err as Error).message).toContain(path.basename(file));
    return err as AppDefinitionError;
  };

  it('applies defaults and adds the built-in users object', async () => {
    const app = await loadAppDefinition(minimal);
    expect(app).toMatchObject({
      appName: 'mini',
      anonymousRole: 'Public',
      signUpRole: 'User',
      tokenTtlSeconds: 86400,
      fileUrlTtlSeconds: 3600,
    });
    expect(app.objects['things']).toEqual({
      fields: { name: 'string' },
      realtime: false,
      actions: [],
    });
    expect(Object.keys(app.objects['users']!.fields)).toEqual([
      'email',
      'firstName',
      'lastName',
      'role',
    ]);
  });

  it.each([
    [
      { ...minimal, objects: { things: { fields: { qty: 'integer' } } } },
      'objects.things.fields.qty',
      /must be a type name/,
    ],
    [
      { ...minimal, objects: { things: { fields: { n: 'int' }, ownerField: 'n' } } },
      'objects.things.ownerField',
      /type string/,
    ],
    [
      { ...minimal, objects: { things: { fields: { id: 'int' } } } },
      'objects.things.fields.id',
      /reserved/,
    ],
    [{ ...minimal, objects: { 'bad name': { fields: {} } } }, 'objects.bad name', /letter/],
    [{ ...minimal, objects: { action: { fields: {} } } }, 'objects.action', /reserved/],
    [
      { ...minimal, objects: { things: { fields: {}, permissions: { User: 'write' } } } },
      'objects.things.permissions.User',
      /crud/,
    ],
    [
      { ...minimal, objects: { things: { fields: {}, permissions: { User: { read: 'some' } } } } },
      'objects.things.permissions.User',
      /all.*own.*none/,
    ],
    [
      {
        ...minimal,
        objects: { things: { fields: {}, actions: [{ name: 'a', trigger: 'onDemand' }] } },
      },
      'objects.things.actions[0]',
      /exactly one of "code" or "file"/,
    ],
    [
      {
        ...minimal,
        objects: { things: { fields: {}, actions: [{ name: 'a', trigger: 'onSave', code: 'x' }] } },
      },
      'objects.things.actions[0].trigger',
      /beforeCreate/,
    ],
    [
      {
        ...minimal,
        objects: {
          things: { fields: {}, actions: [{ name: 'a', trigger: 'onDemand', code: 'function (' }] },
        },
      },
      'objects.things.actions[0].code',
      /does not compile/,
    ],
    [
      {
        ...minimal,
        objects: {
          things: {
            fields: {},
            actions: [{ name: 'a', trigger: 'onDemand', file: './missing.js' }],
          },
        },
      },
      'objects.things.actions[0].file',
      /cannot read/,
    ],
    [
      {
        ...minimal,
        objects: {
          things: { fields: {}, actions: [{ name: 'f', trigger: 'afterCreate', type: 'files' }] },
        },
      },
      'objects.things.actions[0].trigger',
      /files action is "onDemand"/,
    ],
    [{ ...minimal, appName: '' }, 'appName', /letters/],
    [{ ...minimal, tokenTtlSeconds: -5 }, 'tokenTtlSeconds', /./],
    [{ ...minimal, fileUrlTtlSeconds: 0 }, 'fileUrlTtlSeconds', /./],
    [{ ...minimal, fileUrlTtlSeconds: 1.5 }, 'fileUrlTtlSeconds', /./],
    [{ ...minimal, fileUrlTtlSeconds: 366 * 86400 }, 'fileUrlTtlSeconds', /a year/],
    [{ ...minimal, users: [{ username: 'a@b.c' }] }, 'users[0].password', /./],
    [{ ...minimal, colour: 'blue' }, '(root)', /colour/],
    [
      {
        ...minimal,
        functions: [
          { name: 'f', code: 'x' },
          { name: 'f', code: 'y' },
        ],
      },
      'functions[1].name',
      /duplicate/,
    ],
  ])('reports problem %# with its path and message', async (def, at, problem) => {
    const err = await failure(def);
    const entry = err.problems.find((p) => (p.path || '(root)') === at);
    expect(entry).toBeDefined();
    expect(entry!.message).toMatch(problem);
    expect(err.message).toContain(`${at}: `);
  });

  it('reports a file that is not JSON, and a missing file', async () => {
    const file = write('broken.json', '{"appName": "x",');
    await expect(loadAppDefinition(file)).rejects.toThrow(/broken\.json: not valid JSON/);
    await expect(loadAppDefinition(path.join(dir, 'absent.json'))).rejects.toThrow(
      /Cannot read app definition/,
    );
  });

  it('starts with a named query whose SQL does not compile: logs it, and the query answers 500', async () => {
    const file = write('badquery.json', {
      ...minimal,
      masterToken: 'm',
      userToken: 'u',
      queries: { q: { sql: 'SELEC nothing' } },
    });
    const log: string[] = [];
    const server = await startServer({
      app: file,
      port: 0,
      db: ':memory:',
      logLevel: 'warn',
      logStream: { write: (line: string) => void log.push(line) },
    });
    try {
      expect(log.join('\n')).toMatch(/queries\.q\.sql does not compile on SQLite/);
      const res = await fetch(`${server.url}/1/query/data/q`, {
        headers: { Authorization: `Basic ${Buffer.from('m:u').toString('base64')}` },
      });
      expect(res.status).toBe(500);
      expect(((await res.json()) as { Message: string }).Message).toMatch(
        /Query "q" \(queries\.q\.sql\)/,
      );
    } finally {
      await server.close();
    }
  });

  it('loads JS and TS modules and reads action files relative to the app file', async () => {
    write(
      'hello-action.js',
      "function backandCallback(userInput) { return 'hi ' + userInput.name; }",
    );
    const action = { name: 'hello', trigger: 'onDemand', file: './hello-action.js' };
    const js = write(
      'app.js',
      `module.exports = ${JSON.stringify({ appName: 'js', objects: { t: { fields: {}, actions: [action] } } })};`,
    );
    const ts = write(
      'app.ts',
      `const fields: Record<string, string> = { name: 'string' };\nexport default { appName: 'ts', objects: { t: { fields, actions: [${JSON.stringify(action)}] } } };\n`,
    );
    const fromJs = await loadAppDefinition(js);
    expect(fromJs.appName).toBe('js');
    expect(fromJs.objects['t']!.actions[0]!.code).toContain("return 'hi '");
    const fromTs = await loadAppDefinition(ts);
    expect(fromTs.appName).toBe('ts');
    expect(fromTs.objects['t']!.fields).toEqual({ name: 'string' });
    expect(fromTs.objects['t']!.actions[0]!.code).toContain("return 'hi '");
  });
});
