import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context';
import { sameSecret, isAdmin } from '../auth/identity';
import type { UserRecord } from '../auth/user-store';
import { signUpAnswer } from '../auth/sign-up-status';
import { canonicalUsername } from '../auth/username';
import { afterSignUp, mailResetToken, NOT_VERIFIED, registerVerifyRoute } from './account-mail';
import { HttpError, RetryLaterError } from './http-error';
import { isJsonObject } from './json-object';
import { registerUserTokenRoutes } from './user-token-routes';
import { hashPassword } from '../auth/passwords';
import type { SecurityVerdict } from '../auth/security-actions';
import type { ObjectService } from '../objects/object-service';
import {
  callOf,
  filterAccess,
  overrideSignIn,
  registerUser,
  signUpInput,
  tokenParameters,
} from './auth-security';

/** The shortest password accepted on sign-up, change and reset. */
export const MIN_PASSWORD_LENGTH = 6;

type Body = Record<string, unknown>;

/** The JSON (or form) body of a request as an object; `{}` for anything else. */
export function bodyOf(request: FastifyRequest): Body {
  const body = request.body;
  return isJsonObject(body) ? body : {};
}

/** The first of `names` that holds a string in `body`. */
export function str(body: Body, ...names: string[]): string | undefined {
  for (const name of names) {
    const v = body[name];
    if (typeof v === 'string') return v;
  }
  return undefined;
}

/** A new password, at least {@link MIN_PASSWORD_LENGTH} characters. @throws HttpError 400 */
export function checkPassword(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length < MIN_PASSWORD_LENGTH) {
    throw new HttpError(
      400,
      `"${field}" must be a string of at least ${MIN_PASSWORD_LENGTH} characters`,
      { field },
    );
  }
  return value;
}

/**
 * The e-mail address and password of a new user, in canonical form and checked.
 * @throws HttpError 400 naming the field.
 */
export function newCredentials(body: Body): { email: string; password: string } {
  const email = canonicalUsername(str(body, 'email') ?? '');
  // No spaces, control, private-use or unassigned characters; one @ between two parts.
  if (!/^[^\s@\p{C}]+@[^\s@\p{C}]+$/u.test(email)) {
    throw new HttpError(400, '"email" must be an email address', { field: 'email' });
  }
  const password = checkPassword(body['password'], 'password');
  if (body['confirmPassword'] !== undefined && body['confirmPassword'] !== password) {
    throw new HttpError(400, '"confirmPassword" does not match "password"', {
      field: 'confirmPassword',
    });
  }
  return { email, password };
}

/** A bearer access token for `user` in a new session (sign-up answers carry one). */
async function accessTokenFor(ctx: AppContext, user: UserRecord): Promise<string> {
  const { sessionId } = ctx.users.openSession(user.id);
  return ctx.tokens.sign({
    userId: String(user.id),
    username: user.email,
    role: user.role,
    appName: ctx.app.appName,
    sessionId,
  });
}

/** The user details shared by the token response and the profile. */
export function userDetails(ctx: AppContext, user: UserRecord): Record<string, unknown> {
  const firstName = user.firstName ?? '';
  const lastName = user.lastName ?? '';
  return {
    appName: ctx.app.appName,
    username: user.email,
    role: user.role,
    firstName,
    lastName,
    fullName: `${firstName} ${lastName}`.trim(),
    regId: 0,
    userId: String(user.id),
  };
}

function grantError(reply: FastifyReply, status: number, description: string) {
  return reply.status(status).send({ error: 'invalid_grant', error_description: description });
}

/** The `error_description` of a denial by `accessFilter`. */
function denial(verdict: SecurityVerdict): string {
  return verdict.message ?? 'Access denied';
}

/** A security action's failure (417), as the error it is, for the route to answer. */
function failed(err: unknown): HttpError {
  if (err instanceof HttpError && err.status === 417) return err;
  throw err;
}

/** `417` on `/token`: a security action failed; in `/token`'s shape, naming the action. */
function actionFailed(reply: FastifyReply, err: HttpError) {
  return reply.status(417).send({
    error: 'invalid_grant',
    error_description: err.message,
    action: err.extra['action'],
  });
}

/** `429` on `/token`: too many failed attempts for the name, the address or the pair. */
function tooManyFailures(reply: FastifyReply, seconds: number) {
  reply.header('Retry-After', String(seconds));
  return grantError(
    reply,
    429,
    `Too many failed sign-in attempts. Try again in ${seconds} seconds.`,
  );
}

/** `503` on `/token`: the password-hash queue is full. */
function busy(reply: FastifyReply, seconds: number) {
  reply.header('Retry-After', String(seconds));
  return reply.status(503).send({
    error: 'temporarily_unavailable',
    error_description: `The server is busy checking passwords. Try again in ${seconds} seconds.`,
  });
}

/** `/token`, sign-up, sign-out, passwords and profile (docs/PROTOCOL.md §4). */
export function registerAuthRoutes(
  fastify: FastifyInstance,
  ctx: AppContext,
  objects: ObjectService,
): void {
  const { users, tokens } = ctx;

  fastify.post('/token', async (request, reply) => {
    const body = bodyOf(request);
    const appName = str(body, 'appName', 'appname', 'AppName');
    if (!ctx.resolver.isThisApp(appName)) {
      return grantError(reply, 400, `Unknown app "${appName ?? ''}"`);
    }
    const grant = str(body, 'grant_type') ?? 'password';
    if (grant !== 'password' && grant !== 'refresh_token') {
      return grantError(reply, 400, `Unsupported grant_type "${grant}"`);
    }
    const parameters = tokenParameters(request);
    const rawUsername = str(body, 'username', 'userName') ?? '';
    const username = canonicalUsername(rawUsername);
    const refreshToken = str(body, 'refreshToken', 'refresh_token');
    let user: UserRecord | undefined;
    let sessionId: number | undefined;
    let newRefreshToken: string | undefined;
    let additional: Record<string, unknown> = {};
    if (refreshToken !== undefined) {
      const wait = await ctx.signIn.refreshBlockedFor(request.ip);
      if (wait > 0) return tooManyFailures(reply, wait);
      // Redeeming is one synchronous step. The access filter is awaited, so it runs first, on
      // the session's user, and the redemption then insists on the user it saw.
      const filtering = ctx.app.securityActions.accessFilter !== undefined;
      let filtered: number | undefined;
      const peek = filtering && username ? users.findByUsername(username) : undefined;
      if (peek && users.findSession(peek.id, refreshToken) !== undefined) {
        const verdict = await filterAccess(ctx, objects, request, peek, parameters).catch(failed);
        if (verdict instanceof HttpError) return actionFailed(reply, verdict);
        if (verdict.result === 'deny') return grantError(reply, 400, denial(verdict));
        filtered = peek.id;
      }
      // A token its session already rotated away from: someone else holds the session too.
      const replayed = users.revokeReplayedSession(refreshToken);
      if (replayed) ctx.realtime.recheckUser(replayed.userId);
      else {
        user = username ? users.findByUsername(username) : undefined;
        sessionId = user ? users.findSession(user.id, refreshToken) : undefined;
        if (filtering && user?.id !== filtered) sessionId = undefined;
        // Rotation: each refresh token works once; the answer carries its successor.
        if (sessionId !== undefined) newRefreshToken = users.rotateRefreshToken(sessionId);
      }
      if (!user || sessionId === undefined || newRefreshToken === undefined) {
        await ctx.signIn.refreshFailed(request.ip);
        return grantError(reply, 400, 'The refresh token is invalid or was revoked.');
      }
    } else {
      const password = str(body, 'password') ?? '';
      const found: {
        user?: UserRecord;
        denied?: string;
        failed?: HttpError;
        additional?: Record<string, unknown>;
      } = {};
      const override = ctx.app.securityActions.backandAuthOverride;
      const call = override ? callOf(request, ctx.resolver.guest(null), parameters) : undefined;
      const check = await ctx.signIn.attempt(username, request.ip, async (inSlot) => {
        if (call) {
          // At the attempt's turn, counted like a password check: a deny or a failure is one.
          try {
            const outcome = await overrideSignIn(ctx, objects, call, {
              username: rawUsername,
              password,
            });
            if (outcome.result === 'deny') found.denied = outcome.message;
            if (outcome.result === 'allow') {
              found.user = outcome.user;
              found.additional = outcome.additionalTokenInfo;
            }
            if (outcome.result !== 'ignore') return outcome.result === 'allow';
          } catch (err) {
            if (!(err instanceof HttpError) || err.status !== 417) throw err;
            found.failed = err;
            return false;
          }
        }
        return inSlot(async () => {
          // Looked up at the attempt's turn: a user deleted while it waited does not sign in.
          found.user = username ? users.findByUsername(username) : undefined;
          // Checked even for an unknown user (against a dummy hash): timing tells nothing.
          return (await users.checkPassword(found.user?.id, password)) && found.user !== undefined;
        });
      });
      if (check.outcome === 'blocked') return tooManyFailures(reply, check.retryAfter);
      if (check.outcome === 'busy') return busy(reply, check.retryAfter);
      if (found.failed) return actionFailed(reply, found.failed);
      if (found.denied !== undefined) return grantError(reply, 400, found.denied);
      user = found.user;
      if (!check.ok || !user) {
        return grantError(reply, 400, 'The user name or password is incorrect.');
      }
      if (ctx.verification.isPending(user.id)) return grantError(reply, 400, NOT_VERIFIED);
      const verdict = await filterAccess(ctx, objects, request, user, parameters).catch(failed);
      if (verdict instanceof HttpError) return actionFailed(reply, verdict);
      if (verdict.result === 'deny') return grantError(reply, 400, denial(verdict));
      // The user may have been deleted while the filter ran.
      if (!users.findById(user.id)) {
        return grantError(reply, 400, 'The user name or password is incorrect.');
      }
      ({ sessionId, refreshToken: newRefreshToken } = users.openSession(user.id));
      additional = found.additional ?? {};
    }
    const accessToken = await tokens.sign({
      userId: String(user.id),
      username: user.email,
      role: user.role,
      appName: ctx.app.appName,
      sessionId,
    });
    // The action's extra fields never replace the standard ones.
    return {
      ...additional,
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: tokens.ttlSeconds,
      ...userDetails(ctx, user),
      refresh_token: newRefreshToken,
    };
  });

  fastify.post('/1/user/signup', async (request) => {
    const token = request.headers['signuptoken'];
    if (!ctx.app.signUpToken) throw new HttpError(403, 'Sign-up is not enabled for this app');
    if (typeof token !== 'string' || !sameSecret(token, ctx.app.signUpToken)) {
      throw new HttpError(401, 'Invalid or missing SignUpToken header');
    }
    const body = bodyOf(request);
    const { email, password } = newCredentials(body);
    const parameters = body['parameters'];
    if (
      parameters !== undefined &&
      parameters !== null &&
      (typeof parameters !== 'object' || Array.isArray(parameters))
    ) {
      throw new HttpError(400, '"parameters" must be an object', { field: 'parameters' });
    }
    if (users.findByUsername(email)) throw new HttpError(409, `The user "${email}" already exists`);
    const params = (parameters ?? {}) as Record<string, unknown>;
    // The users object's create actions run as for any create; the caller is a guest.
    const input = signUpInput(
      ctx,
      { email, firstName: str(body, 'firstName') ?? '', lastName: str(body, 'lastName') ?? '' },
      params,
    );
    const hash = await ctx.hashing.run(() => hashPassword(password));
    const user = await registerUser(
      ctx,
      objects,
      callOf(request, ctx.resolver.guest(null), params),
      input,
      hash,
    );
    const status = await afterSignUp(ctx, user);
    // A bearer token only for a user who may sign in now (not one who must verify first), and
    // whom the access filter lets in.
    const verdict =
      status === 1
        ? await filterAccess(ctx, objects, request, user, params).catch(failed)
        : undefined;
    // The user is stored: a failing filter is logged, and the answer carries no token.
    if (verdict instanceof HttpError) {
      request.log.error({ err: verdict, action: 'accessFilter' }, 'accessFilter failed on sign-up');
    }
    const ready =
      verdict !== undefined && !(verdict instanceof HttpError) && verdict.result !== 'deny';
    return signUpAnswer(user.email, status, ready ? await accessTokenFor(ctx, user) : undefined);
  });

  fastify.get('/1/user/signout', async (request) => {
    const identity = await ctx.resolver.fromHeaders(request.headers);
    if (identity.sessionId !== undefined) users.revokeSession(identity.sessionId);
    if (identity.userId !== null) ctx.realtime.recheckUser(identity.userId);
    return {};
  });

  fastify.post('/1/user/changePassword', async (request) => {
    const identity = await ctx.resolver.fromHeaders(request.headers);
    if (identity.kind !== 'user' || identity.userId === null) {
      throw new HttpError(403, 'Changing a password needs a signed-in user');
    }
    const body = bodyOf(request);
    const newPassword = checkPassword(body['newPassword'], 'newPassword');
    const oldPassword = str(body, 'oldPassword') ?? '';
    const userId = Number(identity.userId);
    // Guessing the old password is held by the sign-in limits, and counts against them.
    const check = await ctx.signIn.check(identity.username ?? '', request.ip, async () => {
      if (!(await users.checkPassword(userId, oldPassword))) return false;
      // In the same place in the queue: a change whose old password was right is not refused
      // halfway. Other sessions (other devices, a thief) end; the caller's own stays signed in.
      await users.setPassword(userId, newPassword, identity.sessionId);
      return true;
    });
    if (check.outcome === 'blocked') {
      throw new RetryLaterError(
        429,
        `Too many failed password attempts. Try again in ${check.retryAfter} seconds.`,
        check.retryAfter,
      );
    }
    if (check.outcome === 'busy') throw ctx.hashing.busyError(check.retryAfter);
    if (!check.ok) {
      throw new HttpError(400, 'The old password is incorrect', { field: 'oldPassword' });
    }
    ctx.realtime.recheckUser(identity.userId);
    return {};
  });

  fastify.post('/1/user/requestResetPassword', async (request, reply) => {
    const body = bodyOf(request);
    const appName = str(body, 'appName', 'appname');
    if (appName !== undefined && !ctx.resolver.isThisApp(appName)) {
      throw new HttpError(400, `Unknown app "${appName}"`);
    }
    const username = str(body, 'username', 'userName') ?? '';
    if (!username) throw new HttpError(400, '"username" is required', { field: 'username' });
    const user = users.findByUsername(username);
    // The token goes by mail (SMTP or the mail folder), and to an admin caller.
    const admin = await callerIsAdmin(ctx, request);
    // Backand answered an empty body: its clients compare the answer with ''.
    if (!user) return reply.send('');
    const resetToken = users.issueResetToken(user.id);
    request.log.info({ username: user.email }, 'password reset requested');
    mailResetToken(ctx, user, resetToken);
    return admin ? { resetToken } : reply.send('');
  });

  fastify.post('/1/user/resetPassword', async (request) => {
    const body = bodyOf(request);
    const newPassword = checkPassword(body['newPassword'], 'newPassword');
    const token = str(body, 'resetToken') ?? '';
    // A place in the hash queue first: a busy server must not use the one-time token up.
    const ticket = ctx.hashing.admit();
    if (!ticket) throw ctx.hashing.busyError();
    const userId = token ? users.consumeResetToken(token) : undefined;
    if (userId === undefined) {
      ticket.release();
      throw new HttpError(400, 'The reset token is invalid or expired', { field: 'resetToken' });
    }
    await ticket.run(() => users.setPassword(userId, newPassword));
    // The token came by mail: the address is proven, a pending sign-up is verified.
    ctx.verification.verified(userId);
    ctx.realtime.recheckUser(userId);
    return {};
  });

  registerVerifyRoute(fastify, ctx);

  fastify.get('/api/account/profile', async (request) => {
    const identity = await ctx.resolver.fromHeaders(request.headers);
    // A guest's details, as Backand answered them (its clients merge them into their own).
    if (identity.kind === 'anonymous') return guestDetails(ctx);
    const user = identity.userId === null ? undefined : users.findById(identity.userId);
    if (identity.kind !== 'user' || !user) {
      throw new HttpError(403, 'The master key has no profile (use a user token)');
    }
    return userDetails(ctx, user);
  });

  registerUserTokenRoutes(fastify, ctx);
}

/** The profile of a guest (the anonymous token). */
export function guestDetails(ctx: AppContext): Record<string, unknown> {
  return {
    appName: ctx.app.appName,
    username: 'Guest',
    role: ctx.app.anonymousRole,
    firstName: 'anonymous',
    lastName: 'anonymous',
    fullName: '',
    regId: 0,
    userId: null,
  };
}

async function callerIsAdmin(ctx: AppContext, request: FastifyRequest): Promise<boolean> {
  try {
    return isAdmin(await ctx.resolver.fromHeaders(request.headers));
  } catch {
    return false;
  }
}
