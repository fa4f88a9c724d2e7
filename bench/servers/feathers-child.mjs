/**
 * The peer: a Feathers 5 app doing what backand-server does for the benchmarks — an `items`
 * service on SQLite (knex + better-sqlite3, in memory), JWT-authenticated REST through Koa, and
 * Socket.IO realtime where authenticated connections join a channel that gets every event.
 * Runs as a child process; the parent drives it with `seed` / `token` commands.
 */
import { feathers } from '@feathersjs/feathers';
import { koa, rest, bodyParser, errorHandler, parseAuthentication } from '@feathersjs/koa';
import socketio from '@feathersjs/socketio';
import { KnexService } from '@feathersjs/knex';
import { AuthenticationService, JWTStrategy, authenticate } from '@feathersjs/authentication';
import knexFactory from 'knex';
import { serveCommands } from '../lib/child.mjs';
import { itemRow, ITEM_COLUMNS } from '../lib/data.mjs';

const db = knexFactory({
  client: 'better-sqlite3',
  connection: { filename: ':memory:' },
  useNullAsDefault: true,
  pool: { min: 1, max: 1 },
});
await db.schema.createTable('items', (t) => {
  t.increments('id');
  t.string('name').notNullable();
  t.text('description');
  t.string('owner');
  t.boolean('done');
  t.float('price');
  t.integer('qty');
  t.string('createdAt');
  t.text('meta');
});

const app = koa(feathers());
app.set('authentication', {
  secret: 'bench-secret-of-at-least-32-characters!',
  entity: null,
  authStrategies: ['jwt'],
  jwtOptions: { header: { typ: 'access' }, audience: 'bench', issuer: 'feathers', expiresIn: '1d' },
});
app.use(errorHandler());
app.use(parseAuthentication());
app.use(bodyParser());
app.configure(rest());
app.configure(socketio());

const auth = new AuthenticationService(app);
auth.register('jwt', new JWTStrategy());
app.use('authentication', auth);

app.use(
  'items',
  new KnexService({ Model: db, name: 'items', paginate: { default: 20, max: 100 } }),
);
app.service('items').hooks({
  before: {
    all: [authenticate('jwt')],
    create: [
      // ownership, as backand-server's ownerField does it
      async (context) => {
        context.data = {
          ...context.data,
          owner: context.params.authentication?.payload?.sub ?? null,
        };
      },
    ],
  },
});

// Every authenticated connection gets every service event, like backand's `emitAll` audience.
app.on('login', (_result, { connection }) => {
  if (connection) app.channel('authenticated').join(connection);
});
app.publish(() => app.channel('authenticated'));

const server = await app.listen(0);
const port = server.address().port;

serveCommands(
  {
    async seed({ rows, size }) {
      await db('items').del();
      const batch = [];
      for (let i = 0; i < rows; i++) batch.push(itemRow(i, size, 'ann@demo.test'));
      for (let i = 0; i < batch.length; i += 200) await db('items').insert(batch.slice(i, i + 200));
      return { rows };
    },
    async token() {
      return auth.createAccessToken({}, { subject: 'ann@demo.test' });
    },
    async connections() {
      return app.channel('authenticated').length;
    },
    columns() {
      return ITEM_COLUMNS;
    },
  },
  async () => {
    await app.teardown();
    await db.destroy();
  },
);
process.send({ type: 'ready', url: `http://127.0.0.1:${port}`, port });
