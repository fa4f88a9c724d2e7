/**
 * One server process holding both subjects of the realtime benchmarks, so they share the same
 * core and event loop: backand-server (the subject, when its build is present) and a bare
 * Socket.IO server (the floor) whose `POST /emit` does one `io.emit` of the posted payload.
 * The bare server answers the Backand `login` with `authorized`, so clients treat both alike.
 */
import { setImmediate } from 'node:timers';
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { loadBackandServer } from '../lib/backand.mjs';
import { serveCommands } from '../lib/child.mjs';

const withBackand = process.argv.includes('--backand');

// --- the floor: bare Socket.IO -------------------------------------------------------------
const http = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/emit') {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const { event, payload } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      io.emit(event, payload);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    return;
  }
  res.writeHead(404).end();
});
const io = new Server(http, { serveClient: false });
io.on('connection', (socket) => {
  // Any login is accepted; a non-empty anonymous token names a room, so a burst can target one
  // client among several.
  socket.on('login', (_token, anonymousToken) => {
    if (anonymousToken) socket.join(String(anonymousToken));
    socket.emit('authorized');
  });
});
await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
const rawPort = http.address().port;

// --- the subject: backand-server ---------------------------------------------------------------
let backand = null;
if (withBackand) {
  const { startServer } = await loadBackandServer();
  backand = await startServer({ port: 0, host: '127.0.0.1', db: ':memory:', logLevel: 'silent' });
}

serveCommands(
  {
    rawConnections() {
      return io.engine.clientsCount;
    },
    // A tight, synchronous burst from the bare server, for the dispatch figure.
    async burst({ n, event, room }) {
      const t0 = process.hrtime.bigint();
      const target = room ? io.to(room) : io;
      for (let i = 0; i < n; i++) {
        target.emit(event, { id: String(i), objectName: 'items', event: 'updated' });
        // yield now and then so the websocket writes drain instead of piling up in memory
        if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
      }
      const end = process.hrtime.bigint();
      // doneAt is on the monotonic clock every process of the machine shares
      return { emitMs: Number(end - t0) / 1e6, doneAt: Number(end) / 1e6 };
    },
  },
  async () => {
    io.close();
    if (backand) await backand.close();
  },
);
process.send({
  type: 'ready',
  raw: { url: `http://127.0.0.1:${rawPort}`, port: rawPort },
  backand: backand ? { url: backand.url, port: backand.port } : null,
});
