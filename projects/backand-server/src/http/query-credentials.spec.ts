import { PassThrough } from 'node:stream';
import type { RunningServer } from '../server-options';
import { api } from '../testing/http-client';
import { signIn, startTestServer } from '../testing/test-server';
import { credentialHeaders, redactUrl } from './query-credentials';

describe('credentialHeaders', () => {
  it('turns the plain basic pair of the docs into a base64 Basic header', () => {
    expect(credentialHeaders({ authorization: 'basic m-key:u-key' }, {})).toEqual({
      authorization: `Basic ${Buffer.from('m-key:u-key').toString('base64')}`,
    });
  });

  it('keeps an already encoded pair and bearer tokens as they are', () => {
    expect(credentialHeaders({ Authorization: 'Basic bTp1' }, {})).toEqual({
      authorization: 'Basic bTp1',
    });
    expect(credentialHeaders({ authorization: 'bearer abc' }, {})).toEqual({
      authorization: 'bearer abc',
    });
  });

  it('reads the anonymous token whatever the case of its name', () => {
    expect(credentialHeaders({ anonymoustoken: 't1' }, {})).toEqual({ anonymoustoken: 't1' });
    expect(credentialHeaders({ AnonymousToken: 't2' }, {})).toEqual({ anonymoustoken: 't2' });
  });

  it('lets a header win, and ignores repeated or empty values', () => {
    expect(credentialHeaders({ authorization: 'basic a:b' }, { authorization: 'x' })).toEqual({});
    expect(credentialHeaders({ AnonymousToken: ['a', 'b'] }, {})).toEqual({});
    expect(credentialHeaders({ AnonymousToken: '  ' }, {})).toEqual({});
    expect(credentialHeaders(undefined, {})).toEqual({});
  });
});

describe('redactUrl', () => {
  it('hides every credential value and keeps the rest', () => {
    expect(
      redactUrl('/1/objects/items?AnonymousToken=abc&pageSize=2&authorization=basic%20m:u&sig=x'),
    ).toBe('/1/objects/items?AnonymousToken=***&pageSize=2&authorization=***&sig=***');
  });
});

describe('credentials in the query string (real server)', () => {
  let server: RunningServer;
  const log: string[] = [];

  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => log.push(chunk.toString('utf8')));
    server = await startTestServer(undefined, { logLevel: 'debug', logStream: stream });
  });
  afterAll(() => server.close());

  it('authenticates ?authorization=basic+<master>:<user> as the docs write it', async () => {
    const res = await api(
      server.url,
      'GET',
      '/1/objects/items?authorization=basic+demo-master-token:demo-user-token',
      null,
    );
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body.data)).toBe(true);
  });

  it('authenticates the url-encoded form (basic%20…) and the anonymous token', async () => {
    const basic = await api(
      server.url,
      'GET',
      '/1/objects/items?authorization=basic%20demo-master-token%3Ademo-user-token',
      null,
    );
    expect(basic.status).toBe(200);
    const guest = await api(
      server.url,
      'GET',
      '/1/objects/items?AnonymousToken=demo-anonymous-token',
      null,
    );
    expect(guest.status).toBe(200);
  });

  it('authenticates a bearer token in the query string', async () => {
    const { access_token } = await signIn(server.url, 'ann@demo.test', 'ann-password');
    const res = await api(
      server.url,
      'GET',
      `/api/account/profile?authorization=bearer+${access_token}`,
      null,
    );
    expect(res.status).toBe(200);
    expect(res.body.username).toBe('ann@demo.test');
  });

  it('refuses wrong query credentials with 401, like the headers', async () => {
    const wrong = await api(
      server.url,
      'GET',
      '/1/objects/items?authorization=basic+demo-master-token:nope',
      null,
    );
    expect(wrong.status).toBe(401);
    const guest = await api(server.url, 'GET', '/1/objects/items?AnonymousToken=nope', null);
    expect(guest.status).toBe(401);
  });

  it('never writes a query-string credential to the log', async () => {
    await api(server.url, 'GET', '/1/objects/items?AnonymousToken=demo-anonymous-token', null);
    const lines = log.join('');
    expect(lines).toContain('AnonymousToken=***');
    expect(lines).not.toContain('demo-anonymous-token');
    expect(lines).not.toContain('demo-user-token');
  });
});
