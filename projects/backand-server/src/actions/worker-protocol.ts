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
  /** Where the answers to the worker's calls come (see host-calls.ts). */
  calls?: import('./host-calls').CallChannel;
  /** Send every message here instead of the parent port (runs the server waits for). */
  outbox?: import('./worker-outbox').Outbox;
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

/**
 * A running action asks the server for something it cannot do in its worker (`files.upload`,
 * `files.delete`) and waits for the answer (see host-calls.ts).
 */
export interface CallMessage {
  type: 'call';
  id: number;
  kind: string;
  /** JSON of the call's arguments. */
  payload: string;
}

/** The server's answer to a {@link CallMessage}: JSON of the value, or the error's message. */
export type CallAnswer = { ok: true; value: string } | { ok: false; message: string };

/** What a worker sends the server. */
export type WorkerMessage = ReadyMessage | LogMessage | DoneMessage | CallMessage;
