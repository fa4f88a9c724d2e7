import { dropAllTestDbs } from './test-store';

/** Jest global teardown of `test:postgres`: drops the schemas the run made. */
export default async function tearDown(): Promise<void> {
  await dropAllTestDbs();
}
