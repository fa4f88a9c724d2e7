import { startTestRun } from './test-store';

/** Jest global setup of `test:postgres`: names the run, whose schemas carry its name. */
export default function setUp(): void {
  startTestRun();
}
