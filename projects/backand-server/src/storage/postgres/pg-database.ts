import type { Worker } from 'node:worker_threads';
import { newSignalledPort, waitSignalled, type SignalledEnd } from '../../actions/signalled-port';
import { redactUrl } from '../../redact-url';
import { startWorkerThread } from '../../worker-thread';
import type { Db, RunResult, Statement, Transaction } from '../db';
import type { PgAnswer, PgErrorFields, PgWorkerData } from './pg-protocol';
import { translateSql, type TranslatedSql } from './translate-sql';

/** Longest a statement may run (PostgreSQL's `statement_timeout`). */
const STATEMENT_TIMEOUT_MS = 30_000;
/** How long the server thread waits for an answer: the timeout, and then some. */
const ANSWER_WAIT_MS = STATEMENT_TIMEOUT_MS + 5_000;
/** How long the first connection may take. */
const CONNECT_WAIT_MS = 15_000;

/** A PostgreSQL error, with the fields the server's error handling reads. */
export class PgError extends Error {
  readonly code: string | undefined;
  readonly detail: string | undefined;
  readonly constraint: string | undefined;
  readonly table: string | undefined;

  constructor(fields: PgErrorFields) {
    super(fields.message);
    this.name = 'PgError';
    this.code = fields.code;
    this.detail = fields.detail;
    this.constraint = fields.constraint;
    this.table = fields.table;
  }
}

/** Whether a `--db` value names a PostgreSQL database. */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

/** Splits the server's own `schema` parameter off a connection string. */
export function splitSchema(url: string): { url: string; schema: string | undefined } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  return { url: parsed.toString(), schema: schema || undefined };
}

/**
 * The PostgreSQL store, with the synchronous interface the server's data layer is written for
 * (better-sqlite3's). One connection, in a worker thread running `pg`; the server thread posts
 * each statement and waits, blocked, for its answer (as it waits for SQLite's disk). So one
 * node runs one statement at a time, in order, and a transaction is a run of statements no
 * other request interleaves with; nodes run theirs side by side, and PostgreSQL keeps them
 * apart.
 *
 * `?schema=<name>` in the URL keeps the app's tables in that schema (made when missing).
 */
export class PgDatabase implements Db {
  readonly dialect = 'postgres' as const;
  private readonly worker: Worker;
  private readonly answers: SignalledEnd;
  private nextId = 1;
  private depth = 0;
  private closed = false;
  private readonly statements = new Map<string, TranslatedSql>();

  constructor(connection: string) {
    const { url, schema } = splitSchema(connection);
    const { local, remote } = newSignalledPort();
    this.answers = local;
    const data: PgWorkerData = {
      url,
      schema,
      answers: remote,
      statementTimeoutMs: STATEMENT_TIMEOUT_MS,
    };
    this.worker = startWorkerThread(__dirname, 'pg-worker', {
      workerData: data,
      transferList: [remote.port],
    });
    this.worker.unref();
    const ready = this.wait(0, CONNECT_WAIT_MS);
    if (!ready.ok) {
      void this.worker.terminate();
      this.closed = true;
      throw new Error(
        `Cannot connect to PostgreSQL at ${redactUrl(url, 'the configured URL')}: ${ready.error.message}`,
      );
    }
  }

  get open(): boolean {
    return !this.closed;
  }

  prepare(sql: string): Statement {
    let translated = this.statements.get(sql);
    if (!translated) {
      translated = translateSql(sql);
      if (this.statements.size >= 1000) this.statements.clear();
      this.statements.set(sql, translated);
    }
    const t = translated;
    const query = (params: unknown[]) => this.query(t.text, bind(t, params));
    return {
      reader: t.reader,
      run: (...params: unknown[]): RunResult => ({ changes: query(params).rowCount }),
      get: (...params: unknown[]) => query(params).rows[0],
      all: (...params: unknown[]) => query(params).rows,
    };
  }

  /**
   * Checks that PostgreSQL can plan a statement (as better-sqlite3's `prepare` does), without
   * running it. @throws PgError naming what is wrong.
   */
  check(sql: string): void {
    const { text } = translateSql(sql);
    this.call(`PREPARE backand_check AS ${text}`, [], true);
    this.call('DEALLOCATE backand_check', [], true);
  }

  exec(sql: string): this {
    this.call(sql, [], true);
    return this;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as better-sqlite3 types it
  transaction<F extends (...args: any[]) => unknown>(fn: F): Transaction<F> {
    const run = (...args: unknown[]): ReturnType<F> => {
      const savepoint = this.depth > 0 ? `backand_sp_${this.depth}` : undefined;
      // Not waited for: the first statement of the transaction follows it on the connection, and
      // fails if it failed (an aborted transaction, or one lost with its connection).
      this.send(savepoint ? `SAVEPOINT ${savepoint}` : 'BEGIN', [], false);
      this.depth++;
      try {
        const result = fn(...args) as ReturnType<F>;
        this.depth--;
        this.call(savepoint ? `RELEASE SAVEPOINT ${savepoint}` : 'COMMIT', []);
        return result;
      } catch (err) {
        this.depth--;
        try {
          if (savepoint) {
            this.call(`ROLLBACK TO SAVEPOINT ${savepoint}`, []);
            this.call(`RELEASE SAVEPOINT ${savepoint}`, []);
          } else {
            this.call('ROLLBACK', []);
          }
        } catch {
          // The connection is gone: PostgreSQL rolls the transaction back itself.
        }
        throw err;
      }
    };
    return Object.assign(run, { immediate: run }) as Transaction<F>;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.worker.postMessage('close');
  }

  private query(text: string, values: unknown[]) {
    return this.call(text, values);
  }

  /** Posts a statement to the worker; its answer is waited for by {@link call}, or dropped. */
  private send(text: string, values: unknown[], simple: boolean): number {
    if (this.closed) throw new Error('The database connection is closed');
    const id = this.nextId++;
    this.worker.postMessage({ id, text, values, ...(simple ? { simple } : {}) });
    return id;
  }

  private call(text: string, values: unknown[], simple = false) {
    const id = this.send(text, values, simple);
    const answer = this.wait(id, ANSWER_WAIT_MS);
    if (!answer.ok) throw new PgError(answer.error);
    return answer;
  }

  private wait(id: number, ms: number): PgAnswer {
    const answer = waitSignalled(
      this.answers,
      (msg) => ((msg as PgAnswer).id === id ? (msg as PgAnswer) : undefined),
      Date.now() + ms,
    );
    return (
      answer ?? {
        id,
        ok: false,
        error: { message: `PostgreSQL did not answer within ${Math.round(ms / 1000)} s` },
      }
    );
  }
}

/** The values for a translated statement: positional as given, named from one object. */
function bind(t: TranslatedSql, params: unknown[]): unknown[] {
  const first = params[0];
  const named =
    params.length === 1 &&
    typeof first === 'object' &&
    first !== null &&
    Object.getPrototypeOf(first) === Object.prototype;
  const values = t.names
    ? t.names.map((name) => (params[0] as Record<string, unknown> | undefined)?.[name] ?? null)
    : named
      ? [] // an object of named parameters for a statement that has none
      : params;
  // SQLite stores bigints as integers; pg sends them as text either way.
  return values.map((v) => (typeof v === 'bigint' ? v.toString() : v === undefined ? null : v));
}
