import { availableParallelism } from 'node:os';
import { HttpError } from '../http/http-error';
import type { ActionEnv } from './action-env';
import { DuringRunner } from './during-runner';
import { runCallHandler, type FileCalls, type HostServices } from './host-services';
import type { EmitRequest, PendingEmits } from './pending-emits';
import type { DoneMessage } from './worker-protocol';
import { WorkerPool, type WorkerPoolOptions } from './worker-pool';

/** The four arguments of `backandCallback`. */
export interface ActionArgs {
  userInput: unknown;
  dbRow: unknown;
  parameters: Record<string, unknown>;
  userProfile: UserProfile;
  /** The run's `CONSTS`, `Config` and `request` globals (not an argument of backandCallback). */
  env?: ActionEnv;
}

/** How one run is set up besides its arguments. */
export interface RunOptions {
  /** The action's `where` condition (a JavaScript expression); falsy: the code does not run. */
  where?: string | undefined;
  /** Serves the run's `files.*` calls (actions of objects); without it they fail in the action. */
  files?: FileCalls | undefined;
}

/** The `userProfile` argument of an action. */
export interface UserProfile {
  username: string | null;
  role: string;
  app: string;
  userId: string | null;
  token: string | null;
  request: { method: string; headers: Record<string, unknown> };
}

/** A minimal logger (pino's shape). */
export interface ActionLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** The limits of every run of an app's actions. */
export interface ActionLimits {
  /** The most a run may take: its code, promise jobs and the serialisation of its outputs. */
  timeoutMs: number;
  /** The most memory the action's heap may hold. */
  memoryLimitMb: number;
}

/** What a successful run left: JSON data only. */
export interface ActionOutcome {
  /** The result as the client receives it (undefined: none), when asked for. */
  result: unknown;
  /** `userInput` as the action left it, when asked for. */
  userInput: unknown;
  /** The emits it requested, to deliver once the request succeeds. */
  emits: EmitRequest[];
  /** Its `where` condition was falsy: its code did not run. */
  skipped?: boolean;
}

/** How long past a run's deadline its worker may stay silent before it is terminated. */
const GRACE_MS = 1000;

/**
 * Runs action code (`function backandCallback(userInput, dbRow, parameters, userProfile)`) in
 * QuickJS inside a small pool of worker threads, started on the first run: each run gets a fresh
 * context, a memory limit, a stack limit and a deadline covering its promise jobs and the
 * serialisation of its result, emits and input. The main thread only ever waits for a message.
 */
export class ActionRunner {
  private pool?: WorkerPool;
  private inline?: DuringRunner;
  private closed = false;

  constructor(
    private readonly logger: ActionLogger,
    private readonly limits: ActionLimits = { timeoutMs: 5000, memoryLimitMb: 64 },
    private readonly poolOptions: Partial<WorkerPoolOptions> = {},
    /** `$http` and `email.send`; without them those calls throw in the action. */
    private readonly services?: HostServices,
  ) {}

  /**
   * Runs an action. Asks for the result (`want.result`) and the input as the action left it
   * (`want.userInput`, before* triggers); its emits always come back, to deliver later.
   * @throws HttpError 417 `{Message, action}` when it throws, times out, runs out of memory or
   *   leaves something that cannot be sent as JSON; 503 when the server is closing.
   */
  async run(
    name: string,
    code: string,
    args: ActionArgs,
    want: { result?: boolean; userInput?: boolean } = {},
    options: RunOptions = {},
  ): Promise<ActionOutcome> {
    let done: DoneMessage;
    const { env, ...callbackArgs } = args;
    try {
      done = await this.workers().run(
        {
          name,
          code,
          args: JSON.stringify(callbackArgs),
          timeoutMs: this.limits.timeoutMs,
          wantResult: !!want.result,
          wantInput: !!want.userInput,
          ...(env ? { env: JSON.stringify(env) } : {}),
          ...(options.where !== undefined ? { where: options.where } : {}),
        },
        (level, text) => this.logger[level]({ action: name }, text),
        runCallHandler(this.services, name, { files: options.files }),
      );
    } catch (err) {
      throw new HttpError(503, `action "${name}" cannot run: ${(err as Error).message}`, {
        action: name,
      });
    }
    return outcomeOf(name, done);
  }

  /**
   * Runs an on-demand action or a function: returns its result and adds its emits to `emits`.
   * @throws HttpError as {@link run}.
   */
  async runAsync(
    name: string,
    code: string,
    args: ActionArgs,
    emits: PendingEmits,
    options: RunOptions = {},
  ): Promise<unknown> {
    const outcome = await this.run(name, code, args, { result: true }, options);
    emits.add(outcome.emits);
    return outcome.result;
  }

  /**
   * Gets the worker of {@link runInline} ready. Await it before the transaction.
   * @throws HttpError 503 when the server is closing or the worker cannot start.
   */
  async readyInline(): Promise<void> {
    try {
      if (this.closed) throw new Error('the server is closing');
      this.inline ??= new DuringRunner(this.limits.memoryLimitMb * 1024 * 1024, GRACE_MS);
      await this.inline.ready();
    } catch (err) {
      throw new HttpError(503, `"during" actions cannot run: ${(err as Error).message}`);
    }
  }

  /**
   * Runs an action while this thread waits for it (inside a write's transaction, see
   * during-runner.ts); its `files` calls are served meanwhile, and `$http` and `email.send`
   * throw in the action (they cannot be served while this thread waits). Needs
   * {@link readyInline} first.
   * @throws HttpError 417 as {@link run}.
   */
  runInline(name: string, code: string, args: ActionArgs, options: RunOptions = {}): ActionOutcome {
    const { env, ...callbackArgs } = args;
    if (!this.inline) throw new HttpError(503, `action "${name}" cannot run: no worker is ready`);
    const done = this.inline.runNow(
      {
        name,
        code,
        args: JSON.stringify(callbackArgs),
        timeoutMs: this.limits.timeoutMs,
        wantResult: false,
        wantInput: false,
        ...(env ? { env: JSON.stringify(env) } : {}),
        ...(options.where !== undefined ? { where: options.where } : {}),
      },
      (level, text) => this.logger[level]({ action: name }, text),
      runCallHandler(this.services, name, { files: options.files, during: true }),
    );
    return outcomeOf(name, done);
  }

  /** Ends the workers (when any were started). Runs still in flight fail with 503. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([this.pool?.close(), this.inline?.close()]);
  }

  private workers(): WorkerPool {
    if (this.closed) throw new Error('the server is closing');
    this.pool ??= new WorkerPool({
      size: Math.min(4, Math.max(2, availableParallelism())),
      graceMs: GRACE_MS,
      memoryLimitBytes: this.limits.memoryLimitMb * 1024 * 1024,
      logger: this.logger,
      ...this.poolOptions,
    });
    return this.pool;
  }
}

/**
 * What a worker's answer means for the caller.
 * @throws HttpError 417 `{Message, action}` for a failed run.
 */
export function outcomeOf(name: string, done: DoneMessage): ActionOutcome {
  if (!done.ok) {
    throw new HttpError(417, done.message, {
      action: name,
      ...(done.reason !== undefined ? { reason: done.reason } : {}),
    });
  }
  try {
    return {
      result: done.result === undefined ? undefined : JSON.parse(done.result),
      userInput: done.input === undefined ? undefined : JSON.parse(done.input),
      emits: emitsOf(done.emits),
      ...(done.skipped ? { skipped: true } : {}),
    };
  } catch (err) {
    throw new HttpError(417, `action "${name}" left output that cannot be sent as JSON`, {
      action: name,
      reason: (err as Error).message,
    });
  }
}

/** The emits of a run, checked: the sandbox made the text, but it is read as untrusted. */
function emitsOf(text: string): EmitRequest[] {
  const list = JSON.parse(text) as unknown;
  if (!Array.isArray(list)) throw new Error('emits are not a list');
  return list.map((raw): EmitRequest => {
    const e = raw as Record<string, unknown>;
    const event = e['event'];
    const dataText = e['data'];
    if (typeof event !== 'string' || (dataText !== undefined && typeof dataText !== 'string')) {
      throw new Error('malformed emit');
    }
    const data = dataText === undefined ? undefined : (JSON.parse(dataText) as unknown);
    if (e['kind'] === 'all') return { kind: 'all', event, data };
    if (e['kind'] === 'role' && typeof e['role'] === 'string') {
      return { kind: 'role', event, data, role: e['role'] };
    }
    const users = e['users'];
    if (
      e['kind'] === 'users' &&
      Array.isArray(users) &&
      users.every((u) => typeof u === 'string')
    ) {
      return { kind: 'users', event, data, users };
    }
    throw new Error('malformed emit');
  });
}
