import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context';
import { isAdmin } from '../auth/identity';
import type { UserRecord } from '../auth/user-store';
import { HttpError } from './http-error';
import { isJsonObject } from './json-object';

/**
 * The user whose token a call is about: the caller, or (admins only) the user named by
 * `username` in the body.
 */
async function subjectOf(ctx: AppContext, request: FastifyRequest): Promise<UserRecord> {
  const identity = await ctx.resolver.fromHeaders(request.headers);
  const body = isJsonObject(request.body) ? request.body : {};
  const named = body['username'];
  if (named !== undefined && typeof named !== 'string') {
    throw new HttpError(400, '"username" must be a string', { field: 'username' });
  }
  if (named !== undefined && named !== '') {
    if (!isAdmin(identity)) {
      throw new HttpError(403, "Only an admin may handle another user's token");
    }
    const user = ctx.users.findByUsername(named);
    if (!user) throw new HttpError(404, `No user "${named}"`, { field: 'username' });
    return user;
  }
  const user = identity.userId === null ? undefined : ctx.users.findById(identity.userId);
  if (identity.kind !== 'user' || !user) {
    throw new HttpError(403, 'A user token belongs to a signed-in user (an admin may name one)');
  }
  return user;
}

/**
 * **(ext)** Per-user tokens for `Authorization: Basic base64(masterToken:userToken)`:
 * `POST /api/account/userToken` issues the caller's token (an admin may name `{username}`),
 * replacing the previous one, and answers it once as `{userToken}`; `DELETE` revokes it.
 * Sockets logged in with a replaced or revoked token lose that user's audience.
 */
export function registerUserTokenRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  fastify.post('/api/account/userToken', async (request) => {
    const user = await subjectOf(ctx, request);
    const userToken = ctx.users.userTokens.issue(user.id);
    ctx.realtime.recheckUser(user.id);
    return { username: user.email, userToken };
  });

  fastify.delete('/api/account/userToken', async (request) => {
    const user = await subjectOf(ctx, request);
    const revoked = ctx.users.userTokens.revoke(user.id);
    ctx.realtime.recheckUser(user.id);
    return { username: user.email, revoked };
  });
}
