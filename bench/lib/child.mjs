/**
 * Child processes for servers and measuring clients, pinned to their own core when the machine
 * allows it: servers on CPU 0, the measuring process on CPU 1, so neither steals the other's core.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { startProfiling, stopProfiling } from './profiler.mjs';

let tasksetChecked;

/**
 * Whether `taskset` can pin processes here (Linux with util-linux and at least two CPUs).
 * Counts the machine's CPUs, not the ones this process may use: a figure runs pinned to the
 * client CPU, and the servers it starts must still go to the server CPU.
 */
export function canPin() {
  if (tasksetChecked === undefined) {
    const probe = spawnSync('taskset', ['-c', `${SERVER_CPU},${CLIENT_CPU}`, 'true'], {
      stdio: 'ignore',
    });
    tasksetChecked = probe.status === 0 && cpus().length >= 2;
  }
  return tasksetChecked;
}

/** The CPU the servers run on and the CPU the measuring clients run on. */
export const SERVER_CPU = 0;
export const CLIENT_CPU = 1;

/**
 * Starts `node <script>` with an IPC channel, pinned to `cpu` when possible.
 * `ready` resolves once the child sends `{ type: 'ready', ... }`; `request(cmd, args)` then sends a command
 * and resolves with the child's `{ id, result }` answer.
 */
export function startChild(
  script,
  { cpu, nodeArgs = [], args = [], env = {}, timeoutMs = 60_000, expectReady = true } = {},
) {
  const argv = [...nodeArgs, script, ...args];
  const pinned = cpu !== undefined && canPin();
  const command = pinned ? 'taskset' : process.execPath;
  const commandArgs = pinned ? ['-c', String(cpu), process.execPath, ...argv] : argv;
  const proc = spawn(command, commandArgs, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
  const pending = new Map();
  let nextId = 1;
  let exited = false;
  const listeners = new Set();

  const onExit = (code, signal) => {
    exited = true;
    for (const { reject } of pending.values()) {
      reject(new Error(`${script} exited (${code ?? signal}) with a request pending`));
    }
    pending.clear();
  };
  proc.on('exit', onExit);
  proc.on('message', (msg) => {
    if (msg && msg.id !== undefined && pending.has(msg.id)) {
      const { resolve, reject } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) reject(new Error(`${script}: ${msg.error}`));
      else resolve(msg.result);
    } else {
      for (const listener of listeners) listener(msg);
    }
  });

  // Processes that never announce themselves (figures report a result instead) skip the wait.
  const ready = !expectReady
    ? Promise.resolve(null)
    : new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`${script} did not get ready in ${timeoutMs} ms`));
          proc.kill('SIGKILL');
        }, timeoutMs);
        const onMessage = (msg) => {
          if (msg && msg.type === 'ready') {
            clearTimeout(timer);
            listeners.delete(onMessage);
            resolve(msg);
          } else if (msg && msg.type === 'error') {
            clearTimeout(timer);
            reject(new Error(`${script}: ${msg.error}`));
          }
        };
        listeners.add(onMessage);
        proc.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`${script} exited (${code ?? signal}) before it was ready`));
        });
      });

  const child = {
    proc,
    pinned,
    ready,
    onMessage(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    request(cmd, payload = {}, requestTimeoutMs = 120_000) {
      if (exited) return Promise.reject(new Error(`${script} has exited`));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${script}: '${cmd}' timed out after ${requestTimeoutMs} ms`));
        }, requestTimeoutMs);
        pending.set(id, {
          resolve: (v) => (clearTimeout(timer), resolve(v)),
          reject: (e) => (clearTimeout(timer), reject(e)),
        });
        proc.send({ id, cmd, ...payload });
      });
    },
    /** Asks the child to stop, and kills it if it has not gone after a grace period. */
    async stop(graceMs = 5_000) {
      if (exited) return;
      const gone = new Promise((resolve) => proc.once('exit', resolve));
      try {
        proc.send({ cmd: 'exit' });
      } catch {
        // the channel may already be closed; the kill below still ends it
      }
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await gone;
      clearTimeout(timer);
    },
  };
  return child;
}

/**
 * The child side: answers the parent's commands with `handlers[cmd](msg)` and exits on `exit`.
 * `onExit` runs first so servers close their sockets.
 */
export function serveCommands(handlers, onExit = async () => {}) {
  process.on('message', async (msg) => {
    if (!msg || typeof msg !== 'object') return;
    if (msg.cmd === 'exit') {
      try {
        await onExit();
      } finally {
        process.exit(0);
      }
    }
    // every child can report its CPU time (µs), so figures can charge work to the server, and
    // can be profiled over a window the figure chooses
    const builtIn = {
      cpu: () => process.cpuUsage(),
      profileStart: () => startProfiling(),
      profileStop: ({ file }) => stopProfiling(file),
    };
    const handler = builtIn[msg.cmd] ?? handlers[msg.cmd];
    if (!handler) {
      process.send({ id: msg.id, error: `unknown command ${msg.cmd}` });
      return;
    }
    try {
      const result = await handler(msg);
      process.send({ id: msg.id, result: result ?? null });
    } catch (err) {
      process.send({ id: msg.id, error: err && err.stack ? err.stack : String(err) });
    }
  });
  // The parent going away (crash, Ctrl-C) must not leave a server behind.
  process.on('disconnect', () => process.exit(0));
}
