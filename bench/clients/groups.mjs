/**
 * A process of subscriber sockets in named groups, for the scale-out figure: each group is `n`
 * sockets to one server URL, logged in, listening to one event. Every arrival is stamped with the
 * monotonic clock all processes of the machine share (process.hrtime), keyed by group and the
 * event's `id`, so the writer in another process can subtract its own request-start stamps.
 *
 * Per id a group keeps either every arrival (`keep: 'all'`, for latency distributions) or only
 * the count and the last arrival (`keep: 'last'`, for large fan-outs and sustained streams).
 */
import { backandLogin, closeAll, connectMany } from '../lib/clients.mjs';
import { serveCommands } from '../lib/child.mjs';

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
/** name → { sockets, keep, arrivals: Map<id, number[] | {count, last}>, waiters: Set } */
const groups = new Map();

function group(name) {
  const g = groups.get(name);
  if (!g) throw new Error(`no group ${name}`);
  return g;
}

function countOf(g, id) {
  const a = g.arrivals.get(id);
  if (!a) return 0;
  return g.keep === 'all' ? a.length : a.count;
}

function lastOf(g, id) {
  const a = g.arrivals.get(id);
  return g.keep === 'all' ? Math.max(...a) : a.last;
}

serveCommands(
  {
    async connect({ name, url, n, login, event, keep = 'last' }) {
      const sockets = await connectMany(url, n, backandLogin(login));
      const g = { sockets, keep, event, arrivals: new Map(), waiters: new Set() };
      g.handler = (data) => {
        const t = nowMs();
        const id = String(data?.id);
        const a = g.arrivals.get(id);
        if (keep === 'all') {
          if (a) a.push(t);
          else g.arrivals.set(id, [t]);
        } else if (a) {
          a.count++;
          a.last = t;
        } else g.arrivals.set(id, { count: 1, last: t });
        for (const w of g.waiters) w.check(id);
      };
      for (const socket of sockets) socket.on(event, g.handler);
      groups.set(name, g);
      return { connected: sockets.length };
    },
    /**
     * Resolves once every socket of the group has each of `ids`, with the last arrival over
     * them; forgets those ids.
     */
    waitFor({ name, ids, timeoutMs = 60_000 }) {
      const g = group(name);
      const expected = g.sockets.length;
      const pending = new Set(ids.map(String));
      return new Promise((resolve, reject) => {
        let last = 0;
        const waiter = {
          /** Settles `id` (or every pending id) if all sockets have it. */
          check(only) {
            for (const id of only === undefined ? [...pending] : [only]) {
              if (!pending.has(id) || countOf(g, id) < expected) continue;
              last = Math.max(last, lastOf(g, id));
              pending.delete(id);
              g.arrivals.delete(id);
            }
            if (pending.size === 0) {
              clearTimeout(timer);
              g.waiters.delete(waiter);
              resolve({ last });
            }
          },
        };
        const timer = setTimeout(() => {
          g.waiters.delete(waiter);
          const [id] = pending;
          reject(
            new Error(
              `${name}: ${pending.size} of ${ids.length} events not at all ${expected} sockets ` +
                `in ${timeoutMs} ms (id ${id}: ${countOf(g, id)})`,
            ),
          );
        }, timeoutMs);
        g.waiters.add(waiter);
        waiter.check();
      });
    },
    /** Every arrival kept so far (`keep: 'all'` groups), by id; forgets them. */
    collect({ name }) {
      const g = group(name);
      const out = Object.fromEntries(g.arrivals);
      g.arrivals = new Map();
      return out;
    },
    close({ name }) {
      const g = group(name);
      closeAll(g.sockets);
      groups.delete(name);
    },
  },
  async () => {
    for (const g of groups.values()) closeAll(g.sockets);
  },
);
process.send({ type: 'ready' });
