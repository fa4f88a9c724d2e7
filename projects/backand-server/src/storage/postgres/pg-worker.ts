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

/** One connection, one statement at a time: the server thread waits for each answer. */
async function main(): Promise<void> {
  const client = new pg.Client({
    connectionString: data.url,
    statement_timeout: data.statementTimeoutMs,
    application_name: 'backand-server',
  });
  let broken: Error | undefined;
  client.on('error', (err) => (broken = err));
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
  } catch (err) {
    answer({ id: 0, ok: false, error: errorFields(err) });
    return;
  }
  answer({ id: 0, ok: true, rows: [], rowCount: 0 });
  parentPort!.on('message', (msg: PgRequest | 'close') => {
    if (msg === 'close') {
      void client.end().finally(() => parentPort!.close());
      return;
    }
    if (broken) {
      answer({ id: msg.id, ok: false, error: errorFields(broken) });
      return;
    }
    const run = msg.simple ? client.query(msg.text) : client.query(msg.text, msg.values);
    run.then(
      (result) => {
        // Several statements (exec) answer an array of results: the last one counts.
        const last = Array.isArray(result) ? result[result.length - 1] : result;
        answer({ id: msg.id, ok: true, rows: last?.rows ?? [], rowCount: last?.rowCount ?? 0 });
      },
      (err: unknown) => answer({ id: msg.id, ok: false, error: errorFields(err) }),
    );
  });
}

void main();
