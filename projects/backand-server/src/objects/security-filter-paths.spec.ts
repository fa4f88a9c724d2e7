import type { AppDefinitionInput } from '../app-definition/schema';
import type { RunningServer } from '../server-options';
import { api, type Auth } from '../testing/http-client';
import { SocketProbe } from '../testing/fixtures/socket-probe';
import { signIn, startTestServer } from '../testing/test-server';

// A pre-defined filter hides a row from every read path, not only from REST lists: embedded rows
// (`deep`, `relatedObjects`) and live queries (their first rows and their deltas) too.

const app: AppDefinitionInput = {
  appName: 'filterpaths',
  anonymousToken: 'fp-anon',
  users: [
    { username: 'ann@fp.test', password: 'ann-password', role: 'User' },
    { username: 'bob@fp.test', password: 'bob-password', role: 'User' },
  ],
  objects: {
    // Every User may read projects, but the filter shows each user only their own.
    projects: {
      fields: { title: 'string', owner: 'string' },
      ownerField: 'owner',
      permissions: { User: 'crud' },
      predefinedFilter: { q: { owner: '{{sys::username}}' } },
    },
    tasks: {
      fields: { text: 'string', project: { type: 'object', object: 'projects' } },
      permissions: { User: 'crud' },
      actions: [
        {
          name: 'ping',
          trigger: 'onDemand',
          code: "function backandCallback(u, d, parameters) { socket.emitAll('ping', parameters.n); }",
        },
      ],
    },
  },
};

describe('a pre-defined filter on every read path', () => {
  let server: RunningServer;
  let ann: Auth;
  let bob: Auth;
  let bobToken: string;
  const probes: SocketProbe[] = [];
  let annProject: number;
  let n = 0;

  beforeAll(async () => {
    server = await startTestServer(app);
    const a = await signIn(server.url, 'ann@fp.test', 'ann-password', 'filterpaths');
    const b = await signIn(server.url, 'bob@fp.test', 'bob-password', 'filterpaths');
    ann = { bearer: a.access_token };
    bob = { bearer: b.access_token };
    bobToken = b.access_token;
    const created = await api(server.url, 'POST', '/1/objects/projects?returnObject=true', ann, {
      title: 'ann secret',
    });
    annProject = created.body.id;
  });
  afterAll(async () => {
    for (const p of probes) p.close();
    await server.close();
  });

  it('keeps a hidden related row out of deep and relatedObjects', async () => {
    // Bob's task points at Ann's project (the id is all he gives; he cannot read it).
    const task = await api(server.url, 'POST', '/1/objects/tasks?returnObject=true', ann, {
      text: 'shared task',
      project: annProject,
    });
    const asAnn = await api(server.url, 'GET', `/1/objects/tasks/${task.body.id}?deep=true`, ann);
    expect(asAnn.body.project).toMatchObject({ title: 'ann secret' });
    const deep = await api(server.url, 'GET', `/1/objects/tasks/${task.body.id}?deep=true`, bob);
    expect(deep.status).toBe(200);
    expect(deep.body.project).toBeNull();
    const related = await api(server.url, 'GET', '/1/objects/tasks?relatedObjects=true', bob);
    expect(JSON.stringify(related.body.relatedObjects ?? {})).not.toContain('ann secret');
  });

  it('keeps hidden rows out of a live query, first rows and deltas alike', async () => {
    // Ann subscribes first to the same query: each user's filter makes it a query of its own.
    const annProbe = await SocketProbe.open(server.url);
    probes.push(annProbe);
    const annToken = (ann as { bearer: string }).bearer;
    expect(await annProbe.login(`Bearer ${annToken}`, null, 'filterpaths')).toBe('authorized');
    const annAck = (await annProbe.socket.emitWithAck('liveQuery', { object: 'projects' })) as {
      rows: Array<{ title: string }>;
    };
    expect(annAck.rows.map((r) => r.title)).toContain('ann secret');
    const probe = await SocketProbe.open(server.url);
    probes.push(probe);
    expect(await probe.login(`Bearer ${bobToken}`, null, 'filterpaths')).toBe('authorized');
    const ack = (await probe.socket.emitWithAck('liveQuery', { object: 'projects' })) as {
      ok: boolean;
      query: string;
      rows: Array<{ title: string }>;
    };
    expect(ack.ok).toBe(true);
    expect(ack.rows.map((r) => r.title)).not.toContain('ann secret');
    const from = probe.log.length;
    await api(server.url, 'POST', '/1/objects/projects', ann, { title: 'ann second' });
    await api(server.url, 'POST', '/1/objects/projects', bob, { title: 'bob own' });
    // A broadcast after both writes: everything the server sent before it has arrived.
    const mark = ++n;
    await api(server.url, 'GET', `/1/objects/action/tasks?name=ping&parameters={"n":${mark}}`, bob);
    const end = await probe.waitIndex((e) => e.event === 'ping' && e.data === mark, from);
    const seen = JSON.stringify(probe.log.slice(from, end));
    expect(seen).toContain('bob own');
    expect(seen).not.toContain('ann second');
  });
});
