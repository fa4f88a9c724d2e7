import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startTestServer } from '../testing/test-server';
import { CorsPolicy, parseCorsOrigin } from './cors-policy';

describe('parseCorsOrigin', () => {
  it.each([
    ['https://app.example.com', 'https://app.example.com'],
    ['http://localhost:4200', 'http://localhost:4200'],
    ['http://127.0.0.1:4200', 'http://127.0.0.1:4200'],
    ['http://[::1]:4200', 'http://[::1]:4200'],
    // As browsers send it: lower case, no default port.
    ['HTTPS://App.Example.COM:443', 'https://app.example.com'],
    ['http://localhost:80', 'http://localhost'],
    // Hybrid mobile apps (Capacitor on iOS) have their own scheme.
    ['capacitor://localhost', 'capacitor://localhost'],
    ['*', '*'],
  ])('accepts %j as %j', (value, canonical) => {
    expect(parseCorsOrigin(value)).toBe(canonical);
  });

  it.each([
    'http://localhost:4200/',
    'https://app.example.com/app',
    'https://app.example.com?x=1',
    'https://app.example.com#top',
    'https://user@app.example.com',
    'localhost:4200',
    'app.example.com',
    'http://',
    'http://localhost:99999',
    'https://*.example.com',
    'null',
    '',
    ' https://app.example.com',
  ])('refuses %j, naming it', (value) => {
    expect(() => parseCorsOrigin(value)).toThrow(TypeError);
    expect(() => parseCorsOrigin(value)).toThrow(`corsOrigins: "${value}" is not an origin`);
  });

  it('tells to give one origin per entry when a list is squeezed into one', () => {
    expect(() => parseCorsOrigin('http://a.test,http://b.test', '--cors-origin')).toThrow(
      /one origin per --cors-origin/,
    );
  });
});

describe('CorsPolicy', () => {
  it('allows any origin without a list, or with * in it', () => {
    expect(CorsPolicy.from(undefined).allows('http://anything.test:1234')).toBe(true);
    expect(CorsPolicy.from(['http://a.test', '*']).allowed).toBe('any');
  });

  it('allows exactly the listed origins, compared in their canonical form', () => {
    const policy = CorsPolicy.from(['HTTP://A.test:80', 'https://b.test']);
    expect(policy.allowed).toEqual(['http://a.test', 'https://b.test']);
    expect(policy.allows('http://a.test')).toBe(true);
    expect(policy.allows('https://a.test')).toBe(false);
    expect(policy.allows('http://a.test:8080')).toBe(false);
    expect(policy.allows('http://sub.a.test')).toBe(false);
  });

  it('allows no cross-origin page with an empty list', () => {
    expect(CorsPolicy.from([]).allows('http://a.test')).toBe(false);
  });
});

describe('startServer with a bad corsOrigins entry', () => {
  it('rejects naming the value, before creating the database', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'backand-cors-'));
    const db = path.join(dir, 'app.db');
    try {
      await expect(
        startTestServer(undefined, { db, corsOrigins: ['https://ok.test', 'https://bad.test/'] }),
      ).rejects.toThrow('corsOrigins: "https://bad.test/" is not an origin');
      expect(existsSync(db)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
