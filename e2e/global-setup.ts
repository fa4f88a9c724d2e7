import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');

/**
 * Builds backand-server, the demo and the console when they are missing or older than their sources
 * (the same check `npm start` makes), and checks that Chromium is there.
 */
export default function globalSetup(): void {
  const chromium = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    throw new Error(
      `${chromium} is missing. Install Debian's Chromium: apt-get install -y chromium`,
    );
  }
  const build = spawnSync(process.execPath, [join(root, 'scripts/start.mjs'), '--build-only'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) {
    throw new Error(`Building the server, the demo and the console failed (exit ${build.status}).`);
  }
}
