/**
 * A process of subscriber sockets for the latency figure: it connects `n` sockets, logs them in,
 * and stamps every arrival of one event with the shared monotonic clock (process.hrtime), so the
 * writer in another process can subtract its own request-start stamps.
 */
import { backandLogin, closeAll, connectMany, feathersLogin } from '../lib/clients.mjs';
import { serveCommands } from '../lib/child.mjs';

let sockets = [];
let arrivals = new Map();
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

serveCommands(
  {
    async connect({ url, n, login, event }) {
      const loginFn = login.kind === 'feathers' ? feathersLogin(login.token) : backandLogin(login);
      sockets = await connectMany(url, n, loginFn);
      const onEvent = (data) => {
        const t = nowMs();
        const key = String(data?.id);
        const list = arrivals.get(key);
        if (list) list.push(t);
        else arrivals.set(key, [t]);
      };
      for (const socket of sockets) socket.on(event, onEvent);
      return { connected: sockets.length };
    },
    collect() {
      const out = Object.fromEntries(arrivals);
      arrivals = new Map();
      return out;
    },
    close() {
      closeAll(sockets);
      sockets = [];
    },
  },
  async () => closeAll(sockets),
);
process.send({ type: 'ready' });
