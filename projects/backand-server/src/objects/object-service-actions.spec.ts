import type { ActionArgs, ActionOutcome, ActionRunner } from '../actions/action-runner';
import type { AppContext, CallInfo } from '../app-context';
import { validateAppDefinition } from '../app-definition/load-app-definition';
import { UserStore } from '../auth/user-store';
import { HttpError } from '../http/http-error';
import { closeDatabase, openDatabase, type Db } from '../storage/database';
import { testDb } from '../testing/test-store';
import { syncSchema } from '../storage/sync-schema';
import { ObjectService } from './object-service';

/** Trigger actions whose outcome each test decides (the sandbox is tested elsewhere). */
type Behaviour = (args: ActionArgs) => Promise<ActionOutcome>;

const code = 'function backandCallback() {}';
const app = validateAppDefinition(
  {
    appName: 'writes',
    objects: {
      notes: {
        fields: { text: 'string', owner: 'string', stamp: 'string' },
        ownerField: 'owner',
        permissions: { User: { create: 'all', read: 'own', update: 'own', delete: 'own' } },
        actions: [
          { name: 'stamp', trigger: 'beforeUpdate', code },
          { name: 'failing', trigger: 'afterUpdate', code },
          { name: 'announcing', trigger: 'afterUpdate', code },
        ],
      },
      plain: { fields: { text: 'string' }, permissions: { User: 'crud' } },
    },
  },
  undefined,
);

const ann: CallInfo = {
  identity: {
    kind: 'user',
    username: 'ann@writes.test',
    role: 'User',
    userId: '1',
    appName: 'writes',
    token: 't',
  },
  method: 'PUT',
  headers: {},
  parameters: {},
};

describe('ObjectService writes with trigger actions', () => {
  let db: Db;
  let objects: ObjectService;
  const behaviours = new Map<string, Behaviour>();
  const delivered: string[] = [];
  const errors: Array<{ obj: Record<string, unknown>; msg?: string }> = [];

  beforeEach(() => {
    db = openDatabase(testDb());
    syncSchema(db, app);
    behaviours.clear();
    delivered.length = 0;
    errors.length = 0;
    const actions = {
      run: (name: string, _code: string, args: ActionArgs) =>
        behaviours.get(name)?.(args) ?? Promise.resolve(outcome(args)),
    } as unknown as ActionRunner;
    const ctx = {
      app,
      db,
      users: new UserStore(db, app),
      actions,
      logger: {
        info: () => undefined,
        warn: () => undefined,
        error: (obj: Record<string, unknown>, msg?: string) => errors.push({ obj, msg }),
      },
      realtime: {
        emitAll: (event: string) => delivered.push(event),
        emitRole: (event: string) => delivered.push(event),
        emitUsers: (event: string) => delivered.push(event),
        emitRowEvent: (object: string, event: string) => delivered.push(`${object}.${event}`),
        recheckUser: () => undefined,
      },
    } as unknown as AppContext;
    objects = new ObjectService(ctx);
  });
  afterEach(() => closeDatabase(db));

  const outcome = (args: ActionArgs, emits: string[] = []): ActionOutcome => ({
    result: undefined,
    userInput: args.userInput,
    emits: emits.map((event) => ({ kind: 'all', event, data: null })),
  });
  const rowOf = (id: number) => objects.getOne('notes', id, ann, false);
  const createNote = () => {
    const created = objects.create('notes', { text: 'first' }, ann);
    if (created instanceof Promise) throw new Error('expected a synchronous create');
    return created.id;
  };

  it('writes an object without actions for the trigger synchronously (no promise)', () => {
    const created = objects.create('plain', { text: 'a' }, ann);
    expect(created).not.toBeInstanceOf(Promise);
    const id = (created as { id: number }).id;
    expect(objects.update('plain', id, { text: 'b' }, ann)).not.toBeInstanceOf(Promise);
    expect(objects.remove('plain', id, ann)).toBeUndefined();
    expect(delivered).toEqual(['plain.created', 'plain.updated', 'plain.deleted']);
  });

  it('saves the input as the before* action left it', async () => {
    const id = createNote();
    behaviours.set('stamp', async (args) =>
      outcome({ ...args, userInput: { ...(args.userInput as object), stamp: 'stamped' } }),
    );
    await objects.update('notes', id, { text: 'second' }, ann);
    expect(rowOf(id)).toMatchObject({ text: 'second', stamp: 'stamped' });
  });

  it('checks the row again when it writes: taken over (403) or gone (404) meanwhile, nothing written', async () => {
    const id = createNote();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    behaviours.set('stamp', async (args) => {
      await gate;
      return outcome(args, ['stamped']);
    });
    const taken = objects.update('notes', id, { text: 'mine?' }, ann);
    // While the before* action runs, the row changes hands.
    db.prepare('UPDATE notes SET owner = ? WHERE id = ?').run('bob@writes.test', id);
    release();
    await expect(taken).rejects.toMatchObject({ status: 403 });
    const stored = db.prepare('SELECT text, owner FROM notes WHERE id = ?').get(id);
    expect(stored).toEqual({ text: 'first', owner: 'bob@writes.test' });

    const mine = createNote();
    let releaseGone!: () => void;
    const gateGone = new Promise<void>((resolve) => (releaseGone = resolve));
    behaviours.set('stamp', async (args) => {
      await gateGone;
      return outcome(args);
    });
    const gone = objects.update('notes', mine, { text: 'too late' }, ann);
    db.prepare('DELETE FROM notes WHERE id = ?').run(mine);
    releaseGone();
    await expect(gone).rejects.toEqual(new HttpError(404, `No row with id ${mine} in "notes"`));
    expect(delivered).not.toContain('stamped');
  });

  it('keeps the write when an after* action fails: logged with its name, only its emits dropped', async () => {
    const id = createNote();
    delivered.length = 0;
    behaviours.set('stamp', async (args) => outcome(args, ['from_stamp']));
    behaviours.set('failing', async () => {
      throw new HttpError(417, 'after went wrong', { action: 'failing' });
    });
    behaviours.set('announcing', async (args) => outcome(args, ['from_announcing']));
    const row = await objects.update('notes', id, { text: 'kept' }, ann);
    expect(row).toMatchObject({ text: 'kept' });
    expect(rowOf(id)).toMatchObject({ text: 'kept' });
    expect(delivered).toEqual(['notes.updated', 'from_stamp', 'from_announcing']);
    expect(errors).toEqual([
      {
        obj: expect.objectContaining({ action: 'failing', trigger: 'afterUpdate' }),
        msg: 'afterUpdate action "failing" failed; the write it follows stands',
      },
    ]);
  });

  it('cancels the write when a before* action fails: its 417, no row change, no emits', async () => {
    const id = createNote();
    delivered.length = 0;
    behaviours.set('stamp', async () => {
      throw new HttpError(417, 'not today', { action: 'stamp' });
    });
    await expect(objects.update('notes', id, { text: 'never' }, ann)).rejects.toMatchObject({
      status: 417,
      message: 'not today',
    });
    expect(rowOf(id)).toMatchObject({ text: 'first' });
    expect(delivered).toEqual([]);
  });
});
