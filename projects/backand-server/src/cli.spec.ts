import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main, type CliIo } from './cli';
import { CliUsageError, parseCliArgs } from './cli-args';
import { ensureServerBuilt } from './testing/fixtures/cli-process';

function capture(): CliIo & { stdout: string; stderr: string; code: number | undefined } {
  const io = {
    stdout: '',
    stderr: '',
    code: undefined as number | undefined,
    out: (t: string) => {
      io.stdout += t;
    },
    err: (t: string) => {
      io.stderr += t;
    },
    exit: (c: number) => {
      io.code = c;
    },
  };
  return io;
}

describe('backand-server CLI', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'backand-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('parses options, with defaults', () => {
    expect(parseCliArgs([])).toEqual({
      port: 4000,
      host: '127.0.0.1',
      logLevel: 'info',
      help: false,
    });
    expect(
      parseCliArgs([
        '--app',
        'a.json',
        '--port=0',
        '--host',
        '0.0.0.0',
        '--db',
        ':memory:',
        '--tls-cert',
        'c',
        '--tls-key',
        'k',
        '--log-level',
        'warn',
        '--static',
        'www',
        '--no-console',
      ]),
    ).toEqual({
      app: 'a.json',
      port: 0,
      host: '0.0.0.0',
      db: ':memory:',
      tlsCert: 'c',
      tlsKey: 'k',
      logLevel: 'warn',
      staticDir: 'www',
      noConsole: true,
      help: false,
    });
  });

  it.each([
    [['--port', 'many'], /--port must be a number/],
    [['--port', '70000'], /--port must be a number/],
    [['--app'], /--app needs a value/],
    [['--tls-cert', 'c'], /go together/],
    [['--log-level', 'loud'], /--log-level must be one of/],
    [['--frobnicate'], /Unknown option/],
    [['--cors-origin'], /--cors-origin needs a value/],
    [['--cors-origin', 'http://a.test', '--cors-origin='], /--cors-origin needs a value/],
    [['--cors-origin', 'http://localhost:4200/'], /"http:\/\/localhost:4200\/" is not an origin/],
    [['--cors-origin', 'localhost:4200'], /--cors-origin: "localhost:4200" is not an origin/],
    [['--cors-origin', 'http://a.test,http://b.test'], /one origin per --cors-origin/],
    [['--smtp-url', 'mail.example.com'], /--smtp-url must be smtp:\/\//],
    [['--smtp-url', 'https://u:secret@mail.example.com'], /--smtp-url must be smtp:\/\/.*\*\*\*/],
    [['--mail-dir'], /--mail-dir needs a value/],
    [['--trust-proxy', 'nginx.local'], /--trust-proxy takes IP addresses.*"nginx.local"/],
    [['--trust-proxy', '10.0.0.0/33'], /--trust-proxy takes IP addresses.*"10.0.0.0\/33"/],
    [['--trust-proxy', '127.0.0.1,'], /--trust-proxy takes IP addresses.*""/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(CliUsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });

  it('takes --trust-proxy repeatedly and comma-separated', () => {
    const cli = parseCliArgs(['--trust-proxy', '127.0.0.1, 10.0.0.0/8', '--trust-proxy=loopback']);
    expect(cli.trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8', 'loopback']);
    expect(parseCliArgs(['--trust-proxy', 'fd00::/8']).trustProxy).toEqual(['fd00::/8']);
  });

  it('takes --smtp-url and --mail-dir', () => {
    const cli = parseCliArgs(['--smtp-url', 'smtps://u:p@mail.example.com:465', '--mail-dir=out']);
    expect(cli.smtpUrl).toBe('smtps://u:p@mail.example.com:465');
    expect(cli.mailDir).toBe('out');
  });

  it('takes --cors-origin repeatedly, each in the form browsers send', () => {
    expect(
      parseCliArgs([
        '--cors-origin',
        'http://localhost:4200',
        '--cors-origin=HTTPS://App.Example.com:443',
      ]).corsOrigins,
    ).toEqual(['http://localhost:4200', 'https://app.example.com']);
    expect(parseCliArgs(['--cors-origin', '*']).corsOrigins).toEqual(['*']);
    expect(parseCliArgs([]).corsOrigins).toBeUndefined();
  });

  it('exits 1 naming a bad --cors-origin, without starting', async () => {
    const io = capture();
    const argv = ['--cors-origin', 'https://app.example.com/', '--port', '0', '--db', ':memory:'];
    expect(await main(argv, io)).toBeUndefined();
    expect(io.code).toBe(1);
    expect(io.stderr).toMatch(
      /^backand-server: --cors-origin: "https:\/\/app\.example\.com\/" is not an origin/,
    );
    expect(io.stdout).toBe('');
  });

  it('the real command exits with status 1 on a bad --cors-origin', () => {
    ensureServerBuilt();
    const bin = path.join(__dirname, '..', 'bin', 'backand-server.js');
    const run = spawnSync(process.execPath, [bin, '--cors-origin', 'app.example.com'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('--cors-origin: "app.example.com" is not an origin');
  }, 120_000);

  it('serves CORS only to the --cors-origin pages, and says so on start', async () => {
    const io = capture();
    const argv = ['--cors-origin', 'http://localhost:4200', '--cors-origin', 'https://app.test'];
    const server = await main(
      [...argv, '--port', '0', '--db', ':memory:', '--log-level', 'silent'],
      io,
    );
    try {
      expect(server).toBeDefined();
      expect(io.stdout).toContain('browser origins: http://localhost:4200, https://app.test');
      const from = (origin: string) =>
        fetch(`${server!.url}/1/objects/items`, {
          headers: { Origin: origin, AnonymousToken: 'demo-anonymous-token' },
        });
      const listed = await from('https://app.test');
      expect(listed.headers.get('access-control-allow-origin')).toBe('https://app.test');
      expect(listed.headers.get('access-control-allow-credentials')).toBe('true');
      const other = await from('https://other.test');
      expect(other.status).toBe(200);
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await server?.close();
    }
  });

  it('prints the usage for --help', async () => {
    const io = capture();
    expect(await main(['--help'], io)).toBeUndefined();
    expect(io.stdout).toMatch(/Usage: backand-server/);
    expect(io.stdout).toMatch(/--tls-cert/);
    expect(io.stdout).toMatch(/--cors-origin <o> .*\n.*repeat for each origin/);
    expect(io.code).toBeUndefined();
  });

  it('exits 1 naming the path and the problem of a bad app definition', async () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({ appName: 'bad', objects: { items: { fields: { qty: 'number' } } } }),
    );
    const io = capture();
    expect(await main(['--app', file, '--port', '0', '--log-level', 'silent'], io)).toBeUndefined();
    expect(io.code).toBe(1);
    expect(io.stderr).toMatch(/Invalid app definition in .*bad\.json/);
    expect(io.stderr).toMatch(/objects\.items\.fields\.qty: must be a type name/);
  });

  it('exits 1 on a bad command line', async () => {
    const io = capture();
    await main(['--port', 'x'], io);
    expect(io.code).toBe(1);
    expect(io.stderr).toMatch(/--port/);
  });

  it('serves the demo app without --app and prints URL, tokens and demo users', async () => {
    const io = capture();
    const server = await main(['--port', '0', '--db', ':memory:', '--log-level', 'silent'], io);
    try {
      expect(server).toBeDefined();
      expect(io.stdout).toContain(`backand-server is running at ${server!.url}`);
      for (const text of [
        'demo',
        'demo-anonymous-token',
        'demo-signup-token',
        'ada@demo.test',
        'ada-password',
        'ReadOnly',
        'browser origins: any',
      ]) {
        expect(io.stdout).toContain(text);
      }
      const res = await fetch(`${server!.url}/1/objects/items`, {
        headers: { AnonymousToken: 'demo-anonymous-token' },
      });
      expect(res.status).toBe(200);
    } finally {
      await server?.close();
    }
  });
});
