import { io, type Socket } from 'socket.io-client';
import type { AppDefinitionInput } from '../app-definition/schema';
import type { RunningServer } from '../server-options';
import { api, qs, type Auth } from '../testing/http-client';
import { signIn, startTestServer } from '../testing/test-server';

/**
 * When trigger actions run, as Backand's documentation has it (getting_started/objects,
 * apidocs/customactions): a `where` condition decides whether an action runs; "During" actions
 * run inside the write's transaction and can undo it; "After" actions run once it has committed.
 */

const fn = (body: string) =>
  `function backandCallback(userInput, dbRow, parameters, userProfile) { ${body} }`;

const app: AppDefinitionInput = {
  appName: 'triggers',
  actionTimeoutMs: 2000,
  users: [{ username: 'ann@triggers.test', password: 'ann-password', role: 'Admin' }],
  objects: {
    tasks: {
      fields: { title: 'string', priority: 'int', note: 'string', owner: 'string' },
      ownerField: 'owner',
      realtime: true,
      actions: [
        {
          name: 'markUrgent',
          trigger: 'beforeCreate',
          where: 'userInput.priority > 5',
          code: fn("userInput.note = 'urgent';"),
        },
        {
          // docs: "By default, Backand sets the Where Condition of the action to 'false'"
          name: 'never',
          trigger: 'beforeCreate',
          where: 'false',
          code: fn("throw new Error('must not run');"),
        },
        {
          name: 'brokenWhere',
          trigger: 'beforeUpdate',
          where: "userInput.title === 'probe' && missingName.length > 0",
          code: fn('return {};'),
        },
        {
          name: 'guard',
          trigger: 'duringCreate',
          code: fn(
            "if (dbRow.title === 'veto') throw new Error('vetoed inside the transaction: id ' + dbRow.id); socket.emitAll('task_during', { id: dbRow.id, title: dbRow.title });",
          ),
        },
        {
          name: 'guardUpdate',
          trigger: 'duringUpdate',
          where: "userInput.title === 'veto'",
          code: fn("throw new Error('no veto titles');"),
        },
        {
          name: 'guardDelete',
          trigger: 'duringDelete',
          code: fn("if (dbRow.title === 'keep') throw new Error('kept');"),
        },
        {
          name: 'afterFails',
          trigger: 'afterCreate',
          where: "dbRow.title === 'after-boom'",
          code: fn("socket.emitAll('after_lost', {}); throw new Error('after failed');"),
        },
        {
          name: 'afterEmits',
          trigger: 'afterCreate',
          code: fn("socket.emitAll('after_sent', { title: dbRow.title });"),
        },
        {
          name: 'maybe',
          trigger: 'onDemand',
          where: 'parameters.go === true',
          code: fn('return { ran: true };'),
        },
        {
          name: 'spinDuring',
          trigger: 'onDemand',
          code: fn('return 1;'),
        },
      ],
    },
    docs: {
      fields: { title: 'string', url: 'string' },
      actions: [
        {
          name: 'attach',
          trigger: 'duringCreate',
          code: fn(
            "var url = files.upload(dbRow.id + '.txt', btoa('row ' + dbRow.id)); socket.emitAll('attached', { url: url });",
          ),
        },
      ],
    },
    slow: {
      fields: { title: 'string' },
      actions: [{ name: 'spin', trigger: 'duringCreate', code: fn('while (true) {}') }],
    },
  },
};

describe('trigger semantics (Backand docs)', () => {
  let server: RunningServer;
  let ann: Auth;
  let socket: Socket;
  const events: Array<[string, unknown]> = [];
  const call = (method: string, path: string, body?: unknown) =>
    api(server.url, method, path, ann, body);
  const nextEvent = (name: string) => new Promise<unknown>((resolve) => socket.once(name, resolve));
  const titled = async (title: string) =>
    (
      await call(
        'GET',
        `/1/objects/tasks${qs({ filter: [{ fieldName: 'title', operator: 'equals', value: title }] })}`,
      )
    ).body.totalRows as number;

  beforeAll(async () => {
    server = await startTestServer(app);
    const token = (await signIn(server.url, 'ann@triggers.test', 'ann-password', 'triggers'))
      .access_token;
    ann = { bearer: token };
    socket = io(server.url, { transports: ['websocket'] });
    socket.onAny((event: string, data: unknown) => events.push([event, data]));
    socket.on('connect', () => socket.emit('login', `Bearer ${token}`, null, 'triggers'));
    await new Promise((resolve) => socket.once('authorized', resolve));
  });
  afterAll(async () => {
    socket.close();
    await server.close();
  });

  describe('where conditions', () => {
    it('runs an action only when its condition holds', async () => {
      const high = await call('POST', '/1/objects/tasks?returnObject=true', {
        title: 'high',
        priority: 9,
      });
      const low = await call('POST', '/1/objects/tasks?returnObject=true', {
        title: 'low',
        priority: 1,
      });
      expect(high.body).toMatchObject({ title: 'high' });
      expect(high.body.note).toBe('urgent');
      expect(low.status).toBe(200);
      expect(low.body.note).toBeNull();
    });

    it('answers {} for an on-demand action whose condition is false', async () => {
      const no = await call(
        'GET',
        `/1/objects/action/tasks${qs({ name: 'maybe', parameters: { go: 'yes' } })}`,
      );
      expect(no.status).toBe(200);
      expect(no.body).toEqual({});
      const yes = await call('POST', '/1/objects/action/tasks?name=maybe', { go: true });
      expect(yes.body).toEqual({ ran: true });
    });

    it('fails the write (417) when the condition throws, and writes nothing', async () => {
      const { body: row } = await call('POST', '/1/objects/tasks?returnObject=true', {
        title: 'stay',
      });
      const res = await call('PUT', `/1/objects/tasks/${row.id}`, { title: 'probe' });
      expect(res.status).toBe(417);
      expect(res.body.Message).toMatch(/missingName/);
      expect(res.body.action).toBe('brokenWhere');
      expect((await call('GET', `/1/objects/tasks/${row.id}`)).body.title).toBe('stay');
    });

    it('refuses a condition that is not an expression at start', async () => {
      const bad: AppDefinitionInput = {
        appName: 'badwhere',
        objects: {
          t: {
            fields: { a: 'string' },
            actions: [{ name: 'x', trigger: 'beforeCreate', where: 'if (true) {', code: fn('') }],
          },
        },
      };
      await expect(startTestServer(bad)).rejects.toThrow(/objects\.t\.actions\[0\]\.where/);
    });
  });

  describe('during actions', () => {
    it('see the written row (with its id) and deliver their emits after the commit', async () => {
      const during = nextEvent('task_during');
      const res = await call('POST', '/1/objects/tasks?returnObject=true', { title: 'fine' });
      expect(res.status).toBe(200);
      expect(await during).toEqual({ id: res.body.id, title: 'fine' });
    });

    it('undo the create when they throw: 417, no row, no event', async () => {
      events.length = 0;
      const res = await call('POST', '/1/objects/tasks', { title: 'veto' });
      expect(res.status).toBe(417);
      expect(res.body.Message).toMatch(/^vetoed inside the transaction: id \d+$/);
      expect(res.body.action).toBe('guard');
      expect(await titled('veto')).toBe(0);
      const barrier = nextEvent('after_sent');
      await call('POST', '/1/objects/tasks', { title: 'barrier' });
      await barrier;
      expect(events.map(([name]) => name)).toEqual(['tasks.created', 'task_during', 'after_sent']);
    });

    it('undo updates and deletes when they throw', async () => {
      const { body: row } = await call('POST', '/1/objects/tasks?returnObject=true', {
        title: 'keep',
      });
      const upd = await call('PUT', `/1/objects/tasks/${row.id}`, { title: 'veto' });
      expect(upd.status).toBe(417);
      expect(upd.body.Message).toBe('no veto titles');
      const del = await call('DELETE', `/1/objects/tasks/${row.id}`);
      expect(del.status).toBe(417);
      expect(del.body.Message).toBe('kept');
      expect((await call('GET', `/1/objects/tasks/${row.id}`)).body.title).toBe('keep');
    });

    it('may use files (served while the transaction waits)', async () => {
      const attached = nextEvent('attached');
      const res = await call('POST', '/1/objects/docs?returnObject=true', { title: 'd' });
      expect(res.status).toBe(200);
      const { url } = (await attached) as { url: string };
      expect(url).toMatch(new RegExp(`/files/docs/${res.body.id}\\.txt\\?v=`));
      expect(await (await fetch(url)).text()).toBe(`row ${res.body.id}`);
    });

    it('are stopped at the time limit; the write is undone and the server keeps serving', async () => {
      const res = await call('POST', '/1/objects/slow', { title: 'never' });
      expect(res.status).toBe(417);
      expect(res.body.Message).toMatch(/timed out/);
      expect((await call('GET', '/1/objects/slow')).body.totalRows).toBe(0);
      // The next during action gets a fresh worker.
      const ok = await call('POST', '/1/objects/tasks?returnObject=true', { title: 'again' });
      expect(ok.status).toBe(200);
    });
  });

  describe('after actions', () => {
    it('run after the commit: a failing one leaves the write, loses its own emits, not the others', async () => {
      events.length = 0;
      const sent = nextEvent('after_sent');
      const res = await call('POST', '/1/objects/tasks?returnObject=true', {
        title: 'after-boom',
      });
      expect(res.status).toBe(200);
      expect(await sent).toEqual({ title: 'after-boom' });
      expect(await titled('after-boom')).toBe(1);
      expect(events.map(([name]) => name)).toEqual(['tasks.created', 'task_during', 'after_sent']);
    });
  });
});
