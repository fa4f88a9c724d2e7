import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { HttpSettings } from '../app-definition/outbound-schema';
import { HttpPolicy } from './http-policy';

/** What a `$http` call answers the action: the data, or why it failed (thrown in the action). */
export type HttpAnswer =
  | { ok: true; status: number; headers: Record<string, string>; data: unknown }
  | {
      ok: false;
      message: string;
      status?: number;
      headers?: Record<string, string>;
      data?: unknown;
    };

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];
/** Headers the bridge sets itself: an action's own values are dropped. */
const OWN_HEADERS = ['host', 'content-length', 'transfer-encoding', 'connection', 'upgrade'];
/** Left this much of the action's time after a request fails, to handle the error. */
const MARGIN_MS = 50;

class Refused extends Error {}

interface Request {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: Buffer;
}

/**
 * Makes the HTTP requests of actions' `$http` calls for one app: Backand's call shape
 * `{method, url, headers, data, params}`, only to the app's `http.allowedHosts` (redirects
 * included), each connection checked on the address it really uses, within the size limits and
 * the smaller of `http.timeoutMs` and the time the action has left.
 */
export class HttpBridge {
  private readonly policy: HttpPolicy;

  constructor(
    private readonly settings: HttpSettings,
    private readonly resolve: typeof dnsLookup = dnsLookup,
  ) {
    this.policy = new HttpPolicy(settings.allowedHosts, settings.allowPrivateNetworks);
  }

  /** Performs one call. Never rejects: failures are answers that the action throws. */
  async request(config: unknown, deadline: number): Promise<HttpAnswer> {
    let req: Request;
    try {
      req = this.parse(config);
    } catch (err) {
      return { ok: false, message: `$http: ${(err as Error).message}` };
    }
    const what = `$http ${req.method} ${req.url.origin}${req.url.pathname}`;
    const left = Math.min(this.settings.timeoutMs, deadline - Date.now() - MARGIN_MS);
    if (left <= 0) return { ok: false, message: `${what}: the action has no time left` };
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), left);
    try {
      for (let hops = 0; ; hops++) {
        const res = await this.send(req, abort.signal);
        const location = res.headers.location;
        if ([301, 302, 303, 307, 308].includes(res.statusCode ?? 0) && location) {
          res.resume();
          if (hops >= this.settings.maxRedirects) {
            return { ok: false, message: `${what}: more than ${hops} redirects` };
          }
          req = this.redirect(req, res.statusCode!, location);
          continue;
        }
        const status = res.statusCode ?? 0;
        const headers = headersOf(res);
        const data = decode(await this.read(res), headers['content-type']);
        if (status >= 200 && status < 300) return { ok: true, status, headers, data };
        return {
          ok: false,
          message: `${what} answered ${status} ${res.statusMessage ?? ''}`.trim(),
          status,
          headers,
          data,
        };
      }
    } catch (err) {
      if (abort.signal.aborted) return { ok: false, message: `${what} timed out after ${left} ms` };
      return { ok: false, message: `${what}: ${(err as Error).message}` };
    } finally {
      clearTimeout(timer);
    }
  }

  private parse(config: unknown): Request {
    if (!config || typeof config !== 'object' || Array.isArray(config)) {
      throw new Error('expects {method, url, headers, data, params}');
    }
    const c = config as Record<string, unknown>;
    const method = String(c['method'] ?? 'GET').toUpperCase();
    if (!METHODS.includes(method)) throw new Error(`unsupported method "${method}"`);
    if (typeof c['url'] !== 'string' || !URL.canParse(c['url'])) {
      throw new Error('"url" must be an absolute http(s) URL');
    }
    const url = new URL(c['url']);
    const why = this.policy.refusal(url);
    if (why) throw new Error(why);
    const params = c['params'];
    if (params && typeof params === 'object') {
      for (const [k, v] of Object.entries(params as Record<string, unknown>)) {
        if (v === undefined || v === null) continue;
        url.searchParams.append(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
      }
    }
    const headers: Record<string, string> = {};
    const given = c['headers'];
    if (given && typeof given === 'object') {
      for (const [k, v] of Object.entries(given as Record<string, unknown>)) {
        if (v === undefined || v === null || OWN_HEADERS.includes(k.toLowerCase())) continue;
        headers[k.toLowerCase()] = String(v);
      }
    }
    const data = c['data'];
    let body: Buffer | undefined;
    if (data !== undefined && data !== null && method !== 'GET' && method !== 'HEAD') {
      body = Buffer.from(typeof data === 'string' ? data : JSON.stringify(data));
      headers['content-type'] ??= 'application/json;charset=utf-8';
      if (body.length > this.settings.maxRequestBytes) {
        throw new Error(
          `the request body (${body.length} bytes) is over http.maxRequestBytes (${this.settings.maxRequestBytes})`,
        );
      }
    }
    headers['accept'] ??= 'application/json, text/plain, */*';
    return { method, url, headers, ...(body ? { body } : {}) };
  }

  private redirect(req: Request, status: number, location: string): Request {
    const url = new URL(location, req.url);
    const why = this.policy.refusal(url);
    if (why) throw new Refused(`redirected to ${url.origin}: ${why}`);
    const headers = { ...req.headers };
    if (url.origin !== req.url.origin) {
      delete headers['authorization'];
      delete headers['cookie'];
    }
    const toGet = status === 303 || ((status === 301 || status === 302) && req.method === 'POST');
    if (toGet) {
      delete headers['content-type'];
      return { method: req.method === 'HEAD' ? 'HEAD' : 'GET', url, headers };
    }
    return { ...req, url, headers };
  }

  private send(req: Request, signal: AbortSignal): Promise<IncomingMessage> {
    const options: RequestOptions = {
      method: req.method,
      headers: {
        ...req.headers,
        ...(req.body ? { 'content-length': String(req.body.length) } : {}),
      },
      signal,
      agent: false,
      lookup: this.lookupFor(req.url.hostname),
    };
    const make = req.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const r = make(req.url, options, resolve);
      r.on('error', reject);
      r.end(req.body);
    });
  }

  /** Resolves the name and checks every address before the socket connects to one of them. */
  private lookupFor(hostname: string): LookupFunction {
    return (name, options, callback) => {
      this.resolve(name, { ...options, all: true }, (err, found) => {
        if (err) return callback(err, '', 0);
        const list = found as unknown as LookupAddress[];
        for (const a of list) {
          const why = this.policy.addressRefusal(hostname, a.address);
          if (why) return callback(new Refused(why), '', 0);
        }
        if (options.all) {
          return (callback as unknown as (e: null, l: LookupAddress[]) => void)(null, list);
        }
        const first = list[0];
        if (!first) return callback(new Error(`no address for "${name}"`), '', 0);
        callback(null, first.address, first.family);
      });
    };
  }

  private read(res: IncomingMessage): Promise<Buffer> {
    const max = this.settings.maxResponseBytes;
    return new Promise((resolve, reject) => {
      const declared = Number(res.headers['content-length']);
      const tooBig = () => new Error(`the response is over http.maxResponseBytes (${max} bytes)`);
      if (declared > max) {
        res.destroy();
        return reject(tooBig());
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > max) {
          res.destroy();
          reject(tooBig());
        } else chunks.push(chunk);
      });
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('the response was cut off')));
    });
  }
}

function headersOf(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** JSON when it says or looks so (as Angular's $http reads it), else text. */
function decode(body: Buffer, contentType: string | undefined): unknown {
  const text = body.toString('utf8');
  const trimmed = text.trim();
  if (/json/i.test(contentType ?? '') || /^[[{]/.test(trimmed)) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return text;
    }
  }
  return text;
}
