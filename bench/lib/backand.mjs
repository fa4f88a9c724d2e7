/**
 * Access to backand-server from the benchmarks: its compiled build (projects/backand-server/dist,
 * made by `npm run build:server`, which `npm ci` runs) and small REST helpers.
 */
/* global fetch */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, URLSearchParams } from 'node:url';

const require = createRequire(import.meta.url);
export const SERVER_DIST = fileURLToPath(
  new URL('../../projects/backand-server/dist/index.js', import.meta.url),
);

/** Whether backand-server is built and exports `startServer`. */
export function backandAvailable() {
  if (!existsSync(SERVER_DIST)) return false;
  try {
    return typeof require(SERVER_DIST).startServer === 'function';
  } catch {
    return false;
  }
}

/** The server's programmatic API (`startServer`, `demoApp`, ...). */
export async function loadBackandServer() {
  return require(SERVER_DIST);
}

/** Signs in with the password grant of PROTOCOL.md §2 and returns the token response. */
export async function signIn(url, username, password, appName = 'demo') {
  const body = new URLSearchParams({ username, password, appName, grant_type: 'password' });
  const res = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return res.json();
}

/** POSTs a JSON body and returns the parsed answer; anything but 200/201 throws. */
export async function postJson(url, body, headers = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 200 && res.status !== 201) throw new Error(`${url}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** Creates rows through REST, a few at a time, and returns their ids. */
export async function seedItems(url, token, rows, bodyFor) {
  const ids = [];
  for (let i = 0; i < rows; i += 20) {
    const batch = [];
    for (let j = i; j < Math.min(rows, i + 20); j++) {
      batch.push(
        fetch(`${url}/1/objects/items`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(bodyFor(j)),
        }).then(async (res) => {
          if (res.status !== 200) throw new Error(`seed failed: ${res.status} ${await res.text()}`);
          return (await res.json()).__metadata?.id;
        }),
      );
    }
    ids.push(...(await Promise.all(batch)));
  }
  return ids;
}
