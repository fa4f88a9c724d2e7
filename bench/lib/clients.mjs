/**
 * Many socket.io-client sockets in one process (websocket transport only), logged in the way
 * each server expects, and a counter that tells when an event has reached all of them.
 */
import { performance } from 'node:perf_hooks';
import { io } from 'socket.io-client';

const CONNECT_BATCH = 50;

function once(socket, events, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no ${events.join('/')} within ${timeoutMs} ms`));
    }, timeoutMs);
    const handlers = events.map((event) => {
      const h = (...args) => {
        cleanup();
        resolve({ event, args });
      };
      socket.on(event, h);
      return [event, h];
    });
    function cleanup() {
      clearTimeout(timer);
      for (const [event, h] of handlers) socket.off(event, h);
    }
  });
}

/** Backand login (PROTOCOL.md §5): `login(token, anonymousToken, appName)` → `authorized`. */
export function backandLogin({ token = null, anonymousToken = null, appName = 'demo' }) {
  return async (socket) => {
    const answer = once(socket, ['authorized', 'notAuthorized'], 15_000);
    socket.emit('login', token ? `Bearer ${token}` : null, anonymousToken, appName);
    const { event } = await answer;
    if (event !== 'authorized') throw new Error('socket login was refused');
  };
}

/** Feathers login: `create` on the authentication service over the socket with a JWT. */
export function feathersLogin(accessToken) {
  return (socket) =>
    new Promise((resolve, reject) => {
      socket.emit('create', 'authentication', { strategy: 'jwt', accessToken }, {}, (err) =>
        err ? reject(new Error(`feathers login failed: ${JSON.stringify(err)}`)) : resolve(),
      );
    });
}

/** Opens `n` sockets to `url` in small batches and logs each in; resolves with the sockets. */
export async function connectMany(url, n, login) {
  const sockets = [];
  for (let i = 0; i < n; i += CONNECT_BATCH) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + CONNECT_BATCH); j++) {
      const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
      sockets.push(socket);
      batch.push(
        once(socket, ['connect', 'connect_error'], 15_000).then(({ event, args }) => {
          if (event !== 'connect') throw new Error(`connect failed: ${args[0]?.message}`);
          return login(socket);
        }),
      );
    }
    await Promise.all(batch);
  }
  return sockets;
}

/** Disconnects every socket. */
export function closeAll(sockets) {
  for (const socket of sockets) socket.disconnect();
}

/**
 * Puts one listener for `event` on every socket. `arrival()` then resolves with the
 * `performance.now()` of the moment the last socket received the next occurrence, and with the
 * first payload seen.
 */
export function arrivalCounter(sockets, event) {
  let expected = 0;
  let count = 0;
  let payload;
  let done = () => {};
  const handler = (data) => {
    if (count === 0) payload = data;
    count++;
    if (count === expected) done(performance.now());
  };
  for (const socket of sockets) socket.on(event, handler);
  return {
    arrival(timeoutMs = 30_000) {
      count = 0;
      payload = undefined;
      expected = sockets.length;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${event}: ${count}/${expected} arrived in ${timeoutMs} ms`)),
          timeoutMs,
        );
        done = (t) => {
          clearTimeout(timer);
          resolve({ t, payload });
        };
      });
    },
    count: () => count,
    dispose() {
      for (const socket of sockets) socket.off(event, handler);
    },
  };
}
