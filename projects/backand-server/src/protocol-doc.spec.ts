import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { LIVE_QUERY_EVENTS } from './realtime/live-queries';
import type { RunningServer } from './server-options';
import { startTestServer } from './testing/test-server';

/** docs/PROTOCOL.md at the repository root. */
const DOC_FILE = path.join(__dirname, '..', '..', '..', 'docs', 'PROTOCOL.md');

/** The heading of the section whose table lists every route. */
const INDEX_HEADING = '## 2. Endpoint index';

/** A route as `METHOD path`, its parameters written `{}` whatever their names. */
type RouteKey = string;

/**
 * The routes of the document's endpoint index: each table row whose first two cells are a
 * back-quoted method and a back-quoted path.
 */
function documentedRoutes(markdown: string): RouteKey[] {
  const start = markdown.indexOf(`\n${INDEX_HEADING}\n`);
  if (start < 0) throw new Error(`docs/PROTOCOL.md has no "${INDEX_HEADING}" section`);
  const rest = markdown.slice(start + INDEX_HEADING.length + 2);
  const end = rest.search(/\n## /);
  const section = end < 0 ? rest : rest.slice(0, end);
  const keys: RouteKey[] = [];
  for (const line of section.split('\n')) {
    const row = /^\|\s*`([A-Z]+)`\s*\|\s*`([^`]+)`\s*\|/.exec(line);
    if (row) keys.push(`${row[1]} ${normalise(row[2]!)}`);
  }
  return keys;
}

/** `{name}` (document) and `:name` or a trailing `*` (Fastify) all become `{}`. */
function normalise(url: string): string {
  return url
    .replace(/\{[^}]+\}/g, '{}')
    .replace(/:[A-Za-z0-9_]+/g, '{}')
    .replace(/\/\*$/, '/{}');
}

describe('docs/PROTOCOL.md', () => {
  let server: RunningServer;
  let markdown: string;

  beforeAll(async () => {
    server = await startTestServer();
    markdown = readFileSync(DOC_FILE, 'utf8');
  });
  afterAll(() => server.close());

  /** The server's routes, without the HEAD twins of GET routes (checked below). */
  const registered = (): RouteKey[] =>
    server.routes.filter((r) => r.method !== 'HEAD').map((r) => `${r.method} ${normalise(r.url)}`);

  it('lists every route the server registers, and no route it does not', () => {
    const documented = documentedRoutes(markdown);
    const actual = registered();
    // Sanity: both sides were read (a broken parser must not pass by comparing nothing).
    expect(actual.length).toBeGreaterThan(20);
    expect(new Set(documented).size).toBe(documented.length);
    expect({
      undocumented: actual.filter((r) => !documented.includes(r)).sort(),
      notServed: documented.filter((r) => !actual.includes(r)).sort(),
    }).toEqual({ undocumented: [], notServed: [] });
  });

  it('answers HEAD exactly for the GET routes, as the document says', () => {
    const heads = server.routes.filter((r) => r.method === 'HEAD').map((r) => normalise(r.url));
    const gets = server.routes.filter((r) => r.method === 'GET').map((r) => normalise(r.url));
    expect(heads.sort()).toEqual(gets.sort());
    expect(markdown).toContain('`HEAD` answers every `GET` route');
  });

  it('reads the index as routes: a parser check on a small table', () => {
    const sample = [
      '# x',
      INDEX_HEADING,
      '| method | path | answer |',
      '| --- | --- | --- |',
      '| `GET` | `/1/objects/{name}/{id}` | the row |',
      '| `OPTIONS` | `*` | preflight |',
      '## 3. Next',
      '| `POST` | `/not/in/the/index` | – |',
    ].join('\n');
    expect(documentedRoutes(sample)).toEqual(['GET /1/objects/{}/{}', 'OPTIONS *']);
    expect(normalise('/files/:object/*')).toBe('/files/{}/{}');
  });

  it('names the live-query events the server handles', () => {
    for (const event of Object.values(LIVE_QUERY_EVENTS))
      expect(markdown).toContain(`\`${event}\``);
  });
});
