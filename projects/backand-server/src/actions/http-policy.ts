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
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215): an operator's own translation
  ['2001::', 32], // Teredo: tunnels to IPv4 addresses
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10], // site-local (deprecated, still routed by some networks)
  ['ff00::', 8],
] as const) {
  internal.addSubnet(net, bits, 'ipv6');
}

/** The 16 bytes of an IPv6 address (as `isIP` accepts it), or `undefined`. */
function ipv6Bytes(address: string): number[] | undefined {
  let text = address.replace(/%.*$/, '');
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  let tail: number[] = [];
  if (dotted) {
    tail = dotted.slice(1, 5).map(Number);
    text = text.slice(0, dotted.index) + '0:0';
  }
  const [head = '', rest] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const groups =
    rest === undefined
      ? left
      : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  if (groups.length !== 8) return undefined;
  const bytes = groups.flatMap((g) => {
    const n = parseInt(g || '0', 16);
    return [n >> 8, n & 0xff];
  });
  if (dotted) bytes.splice(12, 4, ...tail);
  return bytes;
}

/**
 * The IPv4 address an IPv6 address stands for, when it embeds one that reaches an IPv4 network:
 * IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::/96`) and 6to4
 * (`2002:AABB:CCDD::/48`), in any spelling (hexadecimal or dotted).
 */
function embeddedIpv4(address: string): string | undefined {
  const b = ipv6Bytes(address);
  if (!b) return undefined;
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const last = b.slice(12, 16).join('.');
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return last; // ::ffff:0:0/96
  if (zeros(0, 12) && !zeros(12, 16) && !(zeros(12, 15) && b[15] === 1)) return last; // ::/96
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) {
    return last; // 64:ff9b::/96
  }
  if (b[0] === 0x20 && b[1] === 0x02) return b.slice(2, 6).join('.'); // 2002::/16
  return undefined;
}

/**
 * Loopback, private, link-local, shared, multicast or reserved, IPv4 or IPv6, including every
 * IPv6 form that embeds an internal IPv4 address (mapped, compatible, NAT64, 6to4). Anything
 * that is not an IP address counts as internal.
 */
export function isInternal(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 4) return internal.check(address, 'ipv4');
  const v4 = embeddedIpv4(address);
  if (v4 !== undefined) return internal.check(v4, 'ipv4');
  return internal.check(address, 'ipv6');
}
