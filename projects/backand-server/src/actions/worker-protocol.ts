import type { SignalledPort } from './signalled-port';

/**
 * Messages between the server and its action workers. Only strings and plain data cross: the
 * action's arguments, result, modified input and emits travel as JSON text made inside the
 * sandbox.
 */

/** What the pool starts a worker with. */
export interface WorkerData {
  /** The app's memory limit of a run: the worker's WebAssembly memory is capped a little above. */
  memoryLimitBytes: number;
  /** Honour {@link TestRequest}s (pool tests only). */
  testHooks: boolean;
  /** Where the worker waits for the answers to its {@link CallMessage}s (see host-call-client.ts). */
  hostCalls?: SignalledPort;
  /**
   * Send every message here instead of the parent port: the server thread reads them while it
   * is blocked (during actions, see during-runner.ts).
   */
  outbox?: SignalledPort;
}

/** A running action asks the server for a service (`$http`, `email.send`, `files.*`) and waits. */
export interface CallMessage {
  type: 'call';
  /** The run's id. */
  id: number;
  /** The call's number within the worker; its answer carries it back. */
  seq: number;
  kind: string;
  /** The call's arguments as JSON text made inside the sandbox. */
  payload: string;
  /** The run's deadline (epoch ms): the call's answer is useless after it. */
  deadline: number;
}

/** The answer to a {@link CallMessage}, on the worker's host-call port. */
export interface CallAnswer {
  seq: number;
  /** JSON text: `{ok: true, …}` or `{ok: false, message, …}`. */
  result: string;
}

/** One run of action code, sent to an idle worker. */
export interface RunRequest {
  type: 'run';
  id: number;
  /** The action's name (for messages and the script's file name). */
  name: string;
  code: string;
  /** `{userInput, dbRow, parameters, userProfile}` as JSON. */
  args: string;
  /** The deadline of the run, from its start; covers promise jobs and serialisation. */
  timeoutMs: number;
  memoryLimitBytes: number;
  /** Serialise the result (on-demand actions, functions); triggers ignore it. */
  wantResult: boolean;
  /** Serialise `userInput` as the action left it (before* triggers). */
  wantInput: boolean;
  /** JSON of the run's {@link import('./action-env').ActionEnv}: `CONSTS`, `Config`, `request`. */
  env?: string;
  /** The action's `where` condition: when it is falsy the code is not run (`skipped`). */
  where?: string;
}

/** Test hooks, honoured only by a worker started with `testHooks` (pool tests). */
export interface TestRequest {
  type: 'test';
  id: number;
  /** `hang`: never answer; `crash`: throw outside the sandbox. */
  kind: 'hang' | 'crash';
}

/** What the server sends a worker. */
export type HostMessage = RunRequest | TestRequest;

/** The worker has loaded QuickJS and takes runs. */
export interface ReadyMessage {
  type: 'ready';
}

/** A `console.*` line of a running action. */
export interface LogMessage {
  type: 'log';
  id: number;
  level: 'info' | 'warn' | 'error';
  text: string;
}

/**
 * A run ended: JSON text of its outputs, or why it failed. `last`: the worker ends after this
 * answer (its sandbox cannot be trusted any more) and takes no other run.
 */
export type DoneMessage = { last?: boolean } & (
  | {
      type: 'done';
      id: number;
      ok: true;
      /** JSON of the result; absent when not asked for or when it has no JSON form (undefined). */
      result?: string;
      /** JSON of `userInput` after the run, when asked for. */
      input?: string;
      /** JSON array of {@link import('./pending-emits').EmitRequest}, data as JSON text. */
      emits: string;
      /** The `where` condition was falsy: the action's code did not run. */
      skipped?: true;
    }
  | {
      type: 'done';
      id: number;
      ok: false;
      message: string;
      /** Extra detail for the 417 body (e.g. why a value has no JSON form). */
      reason?: string;
    }
);

/** What a worker sends the server. */
export type WorkerMessage = ReadyMessage | LogMessage | DoneMessage | CallMessage;
