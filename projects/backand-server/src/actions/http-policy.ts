import { BlockList, isIP } from 'node:net';

/**
 * Which URLs `$http` may reach: hosts of the app's `http.allowedHosts`, http(s) only, and no
 * listed host name that resolves to an internal address unless the app allows it.
 */
export class HttpPolicy {
  private readonly entries: Array<{ wildcard: boolean; host: string; port?: number }>;

  constructor(
    allowedHosts: readonly string[],
    private readonly allowPrivateNetworks: boolean,
  ) {
    this.entries = allowedHosts.map((entry) => {
      const m = /^(\*\.)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry.toLowerCase())!;
      return { wildcard: !!m[1], host: m[2]!, ...(m[3] ? { port: Number(m[3]) } : {}) };
    });
  }

  /**
   * Why a URL is refused, or undefined when it may be requested.
   * @param url a parsed absolute URL.
   */
  refusal(url: URL): string | undefined {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return `only http and https URLs are allowed, not "${url.protocol}"`;
    }
    if (url.username || url.password) return 'credentials in the URL are not allowed';
    const host = url.hostname.toLowerCase();
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    const allowed = this.entries.some((e) => {
      const portOk = e.port === undefined ? port === 80 || port === 443 : e.port === port;
      const hostOk = e.wildcard ? host.endsWith(`.${e.host}`) : host === e.host;
      return hostOk && portOk;
    });
    if (!allowed) {
      const shown = url.port ? `${url.hostname}:${url.port}` : url.hostname;
      return `the host "${shown}" is not in the app's http.allowedHosts`;
    }
    return undefined;
  }

  /**
   * Whether a connection to `address` (what `hostname` resolved to) is allowed: an IP literal
   * that was listed is; a name resolving to an internal address is not, unless the app allows
   * private networks. Checked at connect time on the address actually used (DNS rebinding).
   */
  addressRefusal(hostname: string, address: string): string | undefined {
    if (this.allowPrivateNetworks || isIP(unbracket(hostname))) return undefined;
    if (isInternal(address)) {
      return `the host "${hostname}" resolves to an internal address (${address}); set http.allowPrivateNetworks to allow it`;
    }
    return undefined;
  }
}

const unbracket = (h: string) => (h.startsWith('[') ? h.slice(1, -1) : h);

const internal = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  internal.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  internal.addSubnet(net, bits, 'ipv6');
}

/** Loopback, private, link-local, shared, multicast or reserved (IPv4-mapped IPv6 included). */
export function isInternal(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return internal.check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return internal.check(address, family === 4 ? 'ipv4' : 'ipv6');
}
