import { isIP } from 'node:net';

/** Named address ranges a `trustProxy` entry may be (as in Fastify's `trustProxy`). */
const RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * Checks the addresses of trusted reverse proxies: each an IP address, an address with a
 * prefix length (`10.0.0.0/8`, `fd00::/8`), or `loopback`, `linklocal`, `uniquelocal`.
 * Returns them trimmed. @throws TypeError naming the bad entry
 *
 * @example
 * checkTrustProxy(['127.0.0.1', '10.0.0.0/8'], '--trust-proxy');
 */
export function checkTrustProxy(entries: readonly string[], label: string): string[] {
  const out = entries.map((e) => e.trim());
  if (!out.length) throw new TypeError(`${label} needs at least one address`);
  for (const entry of out) {
    if (RANGES.includes(entry)) continue;
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const max = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= max);
    if (!family || !prefixOk || extra !== undefined) {
      throw new TypeError(
        `${label} takes IP addresses, address/prefix ranges or ${RANGES.join(', ')}; got "${entry}"`,
      );
    }
  }
  return out;
}
