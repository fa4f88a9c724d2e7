import { dropAllTestDbs } from './test-store';

/** Jest global setup and teardown of `test:postgres`: no schema of an earlier run is left. */
export default async function dropTestSchemas(): Promise<void> {
  await dropAllTestDbs();
}
