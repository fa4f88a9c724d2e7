import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { ensureServerBuilt, type CliProcess } from '../src/testing/fixtures/cli-process';
import { call, ClusterNodes, printed, REDIS_URL, signIn } from './cluster-nodes';

// A Redis that refuses a node's PUBLISH (a replica turned read-only in a fail-over; here a Redis
// user without the right): the node's messages to the others are lost, and it says so, but it
// keeps serving.

const user = `backand-nopub-${randomBytes(4).toString('hex')}`;
const password = randomBytes(12).toString('hex');
let cluster: ClusterNodes;
let mute: CliProcess;

async function acl(...args: string[]): Promise<void> {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  try {
    await client.sendCommand(['ACL', ...args]);
  } finally {
    await client.close();
  }
}

beforeAll(async () => {
  ensureServerBuilt();
  await acl('SETUSER', user, 'on', `>${password}`, '~*', '&*', '+@all', '-publish', '-spublish');
  cluster = await ClusterNodes.start(1);
  const url = new URL(REDIS_URL);
  url.username = user;
  url.password = password;
  mute = await cluster.launch([], { redisUrl: url.toString() });
  cluster.nodes.push(mute);
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  await acl('DELUSER', user);
});

it('keeps serving when Redis refuses its PUBLISH, and logs the lost message', async () => {
  const token = await signIn(mute.url, 'ada@cluster.test', 'ada-password');
  // Each write is announced to the other nodes with a server-side emit (Redis PUBLISH).
  for (let i = 0; i < 3; i++) {
    const res = await call(mute.url, token, 'POST', '/1/objects/posts', { title: `mute ${i}` });
    expect(res.status).toBe(200);
  }
  await printed(mute, 'Redis PUBLISH failed');
  // After the refusals were handled, the node still answers.
  const listed = await call(mute.url, token, 'GET', '/1/objects/posts?pageSize=100');
  expect(listed.status).toBe(200);
  const settled = await Promise.race([mute.exited.then(() => true), Promise.resolve(false)]);
  expect(settled).toBe(false);
});
