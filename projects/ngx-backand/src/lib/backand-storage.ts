import type { BackandStorageOption } from './backand-config';

/**
 * A key/value store for the SDK's session, shaped like the Web Storage API so that
 * `localStorage`, `sessionStorage` or any custom store (Capacitor, IndexedDB wrapper…) fits.
 *
 * @example
 * const cookieStorage: BackandStorage = {
 *   getItem: (key) => readCookie(key),
 *   setItem: (key, value) => writeCookie(key, value),
 *   removeItem: (key) => deleteCookie(key),
 * };
 * provideBackand({ appName: 'demo', storage: cookieStorage });
 */
export interface BackandStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * A `BackandStorage` that lives as long as the page (or the server request).
 *
 * @example
 * provideBackand({ appName: 'demo', storage: new MemoryBackandStorage() });
 */
export class MemoryBackandStorage implements BackandStorage {
  readonly #entries = new Map<string, string>();

  getItem(key: string): string | null {
    return this.#entries.get(key) ?? null;
  }

  setItem(key: string, value: string): void {
    this.#entries.set(key, value);
  }

  removeItem(key: string): void {
    this.#entries.delete(key);
  }
}

/** Picks the store for a `storage` option; Web Storage only in a browser that has it. */
export function createBackandStorage(
  option: BackandStorageOption | null,
  platformId: unknown,
): BackandStorage {
  if (option !== null && typeof option === 'object') return option;
  // `PLATFORM_ID` is the string 'browser' in browsers (what isPlatformBrowser compares to).
  const browser = platformId === 'browser';
  const wanted = option ?? (browser ? 'local' : 'memory');
  if (wanted === 'memory' || !browser) return new MemoryBackandStorage();
  const web = webStorage(wanted);
  // Private browsing modes and sandboxed frames may deny Web Storage; keep working in memory.
  return web ?? new MemoryBackandStorage();
}

function webStorage(kind: 'local' | 'session'): Storage | null {
  try {
    const store = kind === 'local' ? globalThis.localStorage : globalThis.sessionStorage;
    if (!store) return null;
    const probe = '__ngx_backand_probe__';
    store.setItem(probe, probe);
    store.removeItem(probe);
    return store;
  } catch {
    return null;
  }
}
