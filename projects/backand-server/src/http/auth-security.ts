import type { FastifyRequest } from 'fastify';
import type { AppContext, CallInfo } from '../app-context';
import { BUILTIN_USER_FIELDS } from '../app-definition/check-app-definition';
import type { Identity } from '../auth/identity';
import { runAccessFilter, runAuthOverride, type SecurityVerdict } from '../auth/security-actions';
import type { UserRecord } from '../auth/user-store';
import { canonicalUsername } from '../auth/username';
import { parseParameters } from '../objects/list-params';
import type { ObjectService } from '../objects/object-service';
import { isRelation } from '../objects/relations';
import { authCall } from './call-info';
import { HttpError } from './http-error';
import { isJsonObject } from './json-object';

/** The Fastify request as the calls of security actions read it. */
export function callOf(
  request: FastifyRequest,
  identity: Identity,
  parameters: Record<string, unknown>,
): CallInfo {
  return authCall(
    {
      method: request.method,
      headers: request.headers,
      query: request.query as Record<string, string | undefined>,
      body: request.body,
      origin: `${request.protocol}://${request.host}`,
      ip: request.ip,
    },
    identity,
    parameters,
  );
}

/**
 * The `parameters` of a `/token` request: the query string's, and the body's `parameters` (an
 * object, or JSON text in a form), which win on a clash.
 * @throws HttpError 400 when either is not a JSON object.
 */
export function tokenParameters(request: FastifyRequest): Record<string, unknown> {
  const fromQuery = parseParameters(request.query as Record<string, unknown>);
  const body = isJsonObject(request.body) ? request.body : {};
  let value = body['parameters'];
  if (typeof value === 'string') {
    try {
      value = value === '' ? undefined : (JSON.parse(value) as unknown);
    } catch {
      value = [];
    }
  }
  if (value === undefined || value === null) return fromQuery;
  if (!isJsonObject(value)) throw new HttpError(400, '"parameters" must be a JSON object');
  return { ...fromQuery, ...value };
}

/**
 * The `userInput` of a sign-up's `users` actions: the user's `email`, `firstName`, `lastName`
 * and `role` (the app's `signUpRole`), and the `parameters` that name other declared fields of
 * `users` (not relations; never one spelled like a built-in field, in any case).
 */
export function signUpInput(
  ctx: AppContext,
  user: { email: string; firstName: string; lastName: string },
  parameters: Record<string, unknown>,
): Record<string, unknown> {
  const fields = ctx.app.objects['users']?.fields ?? {};
  const builtIn = new Set(Object.keys(BUILTIN_USER_FIELDS).map((n) => n.toLowerCase()));
  const input: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(parameters)) {
    if (!Object.prototype.hasOwnProperty.call(fields, name) || builtIn.has(name.toLowerCase())) {
      continue;
    }
    if (isRelation(fields[name]!)) continue;
    input[name] = value;
  }
  return { ...input, ...user, role: ctx.app.signUpRole };
}

/**
 * Registers a user through the `users` object (its create actions run with `call`); `hash`, a
 * password hash, becomes the user's credentials (none: a user who cannot sign in with a password).
 * @throws HttpError as {@link ObjectService.createUser}.
 */
export async function registerUser(
  ctx: AppContext,
  objects: ObjectService,
  call: CallInfo,
  input: Record<string, unknown>,
  hash?: string,
): Promise<UserRecord> {
  const { id } = await objects.createUser(input, call, (userId) => {
    if (hash !== undefined) ctx.users.storeCredentials(userId, hash);
  });
  return ctx.users.findById(id)!;
}

/** User names an override may let in: no spaces, no control or unassigned characters. */
const USERNAME = /^[^\s\p{C}]+$/u;

/** What `backandAuthOverride` made of a sign-in attempt. */
export type OverrideOutcome =
  | { result: 'ignore' }
  | { result: 'deny'; message: string }
  | { result: 'allow'; user: UserRecord; additionalTokenInfo?: Record<string, unknown> };

/**
 * Runs `backandAuthOverride` on a password sign-in. `allow` signs in the user the action names
 * in `userInput.username` (registered first when unknown: no password, `signUpRole`, through the
 * `users` object's create actions).
 * @throws HttpError 417 when the action (or a `users` action of the registration) fails or
 *   returns junk, or names no usable user.
 */
export async function overrideSignIn(
  ctx: AppContext,
  objects: ObjectService,
  call: CallInfo,
  input: { username: string; password: string },
): Promise<OverrideOutcome> {
  const { verdict, username: named } = await runAuthOverride(ctx, call, input);
  if (verdict.result === 'ignore') return { result: 'ignore' };
  if (verdict.result === 'deny')
    return { result: 'deny', message: verdict.message ?? 'Access denied' };
  const username = canonicalUsername(named);
  if (!USERNAME.test(username)) {
    throw new HttpError(
      417,
      `backandAuthOverride allowed an invalid user name "${named.slice(0, 60)}"`,
      {
        action: 'backandAuthOverride',
      },
    );
  }
  let user = ctx.users.findByUsername(username);
  if (!user) {
    try {
      user = await registerUser(ctx, objects, call, {
        email: username,
        firstName: '',
        lastName: '',
        role: ctx.app.signUpRole,
      });
    } catch (err) {
      // Registered meanwhile (the name is taken: 409) by a sign-in or sign-up of the same name.
      const now = ctx.users.findByUsername(username);
      if (!now) throw err;
      user = now;
    }
  }
  return {
    result: 'allow',
    user,
    ...(verdict.additionalTokenInfo ? { additionalTokenInfo: verdict.additionalTokenInfo } : {}),
  };
}

/**
 * Runs `accessFilter` for a user about to get a bearer token: the user's profile, the user's
 * `users` row as `dbRow`. `allow` without the action.
 * @throws HttpError 417 when the action fails or returns junk.
 */
export function filterAccess(
  ctx: AppContext,
  objects: ObjectService,
  request: FastifyRequest,
  user: UserRecord,
  parameters: Record<string, unknown>,
): Promise<SecurityVerdict> {
  if (!ctx.app.securityActions.accessFilter) return Promise.resolve({ result: 'allow' });
  const identity: Identity = {
    kind: 'user',
    username: user.email,
    role: user.role,
    userId: String(user.id),
    appName: ctx.app.appName,
    token: null,
  };
  return runAccessFilter(
    ctx,
    callOf(request, identity, parameters),
    objects.plainRow('users', user.id),
  );
}
