import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten-core';

/**
 * The globals of Backand's action template besides `socket` and `console`, set up in each
 * QuickJS context after the guest prelude: `btoa`/`atob`, `security.hash`/`security.compare`,
 * and per run `CONSTS`, `Config` (also `config`) and `request` (`$http`, `email` and `files`
 * are host calls, see guest-host-calls.ts). The script is a function of two host functions
 * (scrypt runs in the worker) and returns `setup(envJson, argsJson, where)`,
 * which the worker calls before the action's code is evaluated: it sets the run's globals and
 * answers whether the action's `where` condition holds (true without one).
 */
export const GUEST_GLOBALS = String.raw`(function (hostHash, hostCompare) {
  'use strict';
  var parse = JSON.parse;
  var toText = String;
  var Failure = Error;
  var FunctionCtor = Function;
  var fromCharCode = String.fromCharCode;
  var ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

  /** Host answers are JSON {ok, value} / {ok: false, message}: errors are thrown in here. */
  function answer(text) {
    var a = parse(text);
    if (!a.ok) throw new Failure(a.message);
    return a.value;
  }

  globalThis.btoa = function btoa(data) {
    var s = toText(data);
    var out = '';
    for (var i = 0; i < s.length; i += 3) {
      var a = s.charCodeAt(i);
      var b = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      var c = i + 2 < s.length ? s.charCodeAt(i + 2) : 0;
      if (a > 255 || b > 255 || c > 255) {
        throw new Failure('btoa: the string holds characters outside Latin-1');
      }
      var n = (a << 16) | (b << 8) | c;
      out += ALPHABET.charAt((n >> 18) & 63) + ALPHABET.charAt((n >> 12) & 63) +
        (i + 1 < s.length ? ALPHABET.charAt((n >> 6) & 63) : '=') +
        (i + 2 < s.length ? ALPHABET.charAt(n & 63) : '=');
    }
    return out;
  };
  globalThis.atob = function atob(data) {
    var s = toText(data).replace(/[\t\n\f\r ]+/g, '');
    if (s.length % 4 === 0) s = s.replace(/==?$/, '');
    if (s.length % 4 === 1 || /[^A-Za-z0-9+\/]/.test(s)) {
      throw new Failure('atob: the string is not correctly encoded');
    }
    var out = '';
    var bits = 0;
    var count = 0;
    for (var i = 0; i < s.length; i++) {
      bits = (bits << 6) | ALPHABET.indexOf(s.charAt(i));
      count += 6;
      if (count >= 8) {
        count -= 8;
        out += fromCharCode((bits >> count) & 255);
      }
    }
    return out;
  };

  globalThis.security = {
    hash: function hash(text, salt) {
      if (text === undefined || text === null) throw new Failure('security.hash needs a text');
      return answer(hostHash(toText(text), salt === undefined || salt === null ? undefined : toText(salt)));
    },
    compare: function compare(text, hashed) {
      if (text === undefined || text === null || typeof hashed !== 'string') return false;
      return answer(hostCompare(toText(text), hashed));
    },
  };

  return function setup(envJson, argsJson, where) {
    var env = parse(envJson);
    globalThis.CONSTS = env.consts || {};
    globalThis.Config = env.config || {};
    globalThis.config = globalThis.Config;
    globalThis.request = env.request || null;
    if (where === undefined) return true;
    var args = parse(argsJson);
    var test = new FunctionCtor('userInput', 'dbRow', 'parameters', 'userProfile',
      'return (' + where + '\n);');
    return !!test(args.userInput, args.dbRow, args.parameters, args.userProfile);
  };
})`;

/** scrypt settings of `security.hash` (those of the server's own password hashes). */
const COST = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 32;

/**
 * `security.hash(text[, salt])`: scrypt, as `scrypt$N$r$p$<salt base64>$<hash base64>`. Without
 * a salt a random one is made (two hashes of one text differ); with one, the same text and salt
 * give the same string.
 */
export function securityHash(text: string, salt?: string): string {
  const bytes = salt === undefined ? randomBytes(16) : Buffer.from(salt, 'utf8');
  const key = scryptSync(text, bytes, KEY_LENGTH, COST);
  return ['scrypt', COST.N, COST.r, COST.p, bytes.toString('base64'), key.toString('base64')].join(
    '$',
  );
}

/**
 * `security.compare(text, hashed)`: whether `hashed` (made by {@link securityHash}) is a hash of
 * `text`, compared in constant time. Anything else, and costs beyond the server's bounds (the
 * hash may come from user data), is false.
 */
export function securityCompare(text: string, hashed: string): boolean {
  const parts = hashed.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const valid = (n: number, max: number) => Number.isInteger(n) && n >= 1 && n <= max;
  if (!valid(N, 1 << 17) || (N & (N - 1)) !== 0 || N < 2 || !valid(r, 16) || !valid(p, 4)) {
    return false;
  }
  const expected = Buffer.from(parts[5]!, 'base64');
  if (expected.length < 16 || expected.length > 64) return false;
  try {
    const key = scryptSync(text, Buffer.from(parts[4]!, 'base64'), expected.length, {
      N,
      r,
      p,
      maxmem: 256 * N * r,
    });
    return timingSafeEqual(key, expected);
  } catch {
    return false;
  }
}

/**
 * Sets up {@link GUEST_GLOBALS} in a context. Returns the `setup` function.
 * @param keep keeps a handle alive until the context is disposed.
 */
export function installGuestGlobals(
  ctx: QuickJSContext,
  keep: (handle: QuickJSHandle) => QuickJSHandle,
): QuickJSHandle {
  const text = (h: QuickJSHandle) => (ctx.typeof(h) === 'string' ? ctx.getString(h) : undefined);
  const reply = (fn: () => unknown) => {
    let json: string;
    try {
      json = JSON.stringify({ ok: true, value: fn() });
    } catch (err) {
      json = JSON.stringify({
        ok: false,
        message: err instanceof Error ? err.message : String(err),
      });
    }
    return ctx.newString(json);
  };
  const hash = keep(
    ctx.newFunction('hash', (t, s) => reply(() => securityHash(text(t) ?? '', text(s)))),
  );
  const compare = keep(
    ctx.newFunction('compare', (t, h) =>
      reply(() => securityCompare(text(t) ?? '', text(h) ?? '')),
    ),
  );
  const made = ctx.evalCode(GUEST_GLOBALS, 'backand:globals');
  const factory = keep(ctx.unwrapResult(made));
  const setup = ctx.callFunction(factory, ctx.undefined, hash, compare);
  return keep(ctx.unwrapResult(setup));
}
