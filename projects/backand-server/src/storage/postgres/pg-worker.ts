import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { postSignalled, signalledEnd } from '../../actions/signalled-port';
import type { PgAnswer, PgErrorFields, PgRequest, PgWorkerData } from './pg-protocol';

// Values come back as SQLite gives them: numbers for integers (ids, counts, sums) and 0/1 for
// truth values; text stays text.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.BOOL, (v) => (v === 't' ? 1 : 0));

const data = workerData as PgWorkerData;
const answers = signalledEnd(data.answers);
const answer = (a: PgAnswer) => postSignalled(answers, a);

function errorFields(err: unknown): PgErrorFields {
  const e = err as Partial<PgErrorFields> & { message?: string };
  return {
    message: e?.message ?? String(err),
    ...(e?.code ? { code: e.code } : {}),
    ...(e?.detail ? { detail: e.detail } : {}),
    ...(e?.constraint ? { constraint: e.constraint } : {}),
    ...(e?.table ? { table: e.table } : {}),
    ...(e?.column ? { column: e.column } : {}),
  };
}

/** A new connection, on the app's schema (made when missing). */
async function connect(): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: data.url,
    statement_timeout: data.statementTimeoutMs,
    application_name: 'backand-server',
  });
  // A lost connection: the statement in flight fails, and the next one reconnects.
  const lost = () => {
    if (current === client) current = undefined;
  };
  client.on('error', lost);
  client.on('end', lost);
  try {
    await client.connect();
    if (data.schema) {
      const schema = `"${data.schema.replace(/"/g, '""')}"`;
      // Nodes starting at once: one makes the schema, the others wait for it.
      await client.query(`SELECT pg_advisory_lock(hashtext('backand:schema'))`);
      try {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      } finally {
        await client.query(`SELECT pg_advisory_unlock(hashtext('backand:schema'))`);
      }
      await client.query(`SET search_path TO ${schema}`);
    }
    return client;
  } catch (err) {
    void client.end().catch(() => undefined);
    throw err;
  }
}

/** The live connection; undefined once it is lost (the next statement makes another). */
let current: pg.Client | undefined;
/** Whether a transaction is open on `current`, and whether it was lost with its connection. */
let inTransaction = false;
let lostTransaction = false;

/**
 * Runs one statement. After a lost connection (PostgreSQL restarted, the connection killed) the
 * next statement reconnects; but the statements of a transaction that was open on the lost
 * connection fail until the server thread's ROLLBACK, so none of them runs outside it.
 */
async function run(msg: PgRequest): Promise<pg.QueryResult | pg.QueryResult[]> {
  const word = /^\s*(\w+)/.exec(msg.text)?.[1]?.toUpperCase();
  const rollbackTo = /^\s*ROLLBACK\s+TO/i.test(msg.text);
  if (!current && inTransaction) {
    lostTransaction = true;
    inTransaction = false;
  }
  if (lostTransaction) {
    if (word === 'ROLLBACK' && !rollbackTo) {
      lostTransaction = false;
      return { rows: [], rowCount: 0 } as unknown as pg.QueryResult;
    }
    throw new Error('The connection to PostgreSQL was lost during a transaction');
  }
  current ??= await connect();
  if (word === 'BEGIN') inTransaction = true;
  if (word === 'COMMIT' || (word === 'ROLLBACK' && !rollbackTo)) inTransaction = false;
  return msg.simple ? current.query(msg.text) : current.query(msg.text, msg.values);
}

/** One connection, one statement at a time: the server thread waits for each answer. */
async function main(): Promise<void> {
  try {
    current = await connect();
  } catch (err) {
    answer({ id: 0, ok: false, error: errorFields(err) });
    return;
  }
  answer({ id: 0, ok: true, rows: [], rowCount: 0 });
  // One statement after the other, each begun when the one before has ended: a statement sent
  // without waiting (a transaction's BEGIN) is followed by the next on the same connection,
  // even when that connection has to be made again first.
  let queue: Promise<void> = Promise.resolve();
  parentPort!.on('message', (msg: PgRequest | 'close') => {
    if (msg === 'close') {
      queue = queue.then(() => current?.end()).finally(() => parentPort!.close());
      return;
    }
    queue = queue.then(() =>
      run(msg).then(
        (result) => {
          // Several statements (exec) answer an array of results: the last one counts.
          const last = Array.isArray(result) ? result[result.length - 1] : result;
          answer({ id: msg.id, ok: true, rows: last?.rows ?? [], rowCount: last?.rowCount ?? 0 });
        },
        (err: unknown) => answer({ id: msg.id, ok: false, error: errorFields(err) }),
      ),
    );
  });
}

void main();
