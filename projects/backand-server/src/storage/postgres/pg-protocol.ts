import type { SignalledPort } from '../../actions/signalled-port';

/** What the server thread gives the PostgreSQL worker at start. */
export interface PgWorkerData {
  /** The connection string, without the server's own `schema` parameter. */
  url: string;
  /** The schema the app's tables live in (made when missing), or undefined for the default. */
  schema: string | undefined;
  /** The worker's answers: the server thread waits on them, blocked. */
  answers: SignalledPort;
  /** Longest a statement may run, in ms. */
  statementTimeoutMs: number;
}

/** A statement for the worker (the server thread posts it, then waits for its {@link PgAnswer}). */
export interface PgRequest {
  id: number;
  text: string;
  values: unknown[];
  /** Several statements, no parameters (`exec`). */
  simple?: boolean;
}

/** A PostgreSQL error's fields the server uses. */
export interface PgErrorFields {
  message: string;
  code?: string;
  detail?: string;
  constraint?: string;
  table?: string;
  column?: string;
}

/** The worker's answer to a {@link PgRequest} (`id` 0: the connection is ready, or failed). */
export type PgAnswer =
  | { id: number; ok: true; rows: Record<string, unknown>[]; rowCount: number }
  | { id: number; ok: false; error: PgErrorFields };
