/**
 * backand-server alone in a child process (for the REST throughput figure): the built-in demo
 * app on an in-memory database, logging off.
 */
import { loadBackandServer } from '../lib/backand.mjs';
import { serveCommands } from '../lib/child.mjs';

const { startServer } = await loadBackandServer();
const server = await startServer({
  port: 0,
  host: '127.0.0.1',
  db: ':memory:',
  logLevel: 'silent',
});

serveCommands({}, () => server.close());
process.send({ type: 'ready', url: server.url, port: server.port });
