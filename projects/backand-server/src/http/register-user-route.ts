import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context';
import { isAdmin } from '../auth/identity';
import { bodyOf, newCredentials, str, userDetails } from './auth-routes';
import { HttpError } from './http-error';

/**
 * `POST /1/user`: Backand's "Create Backand Register User", which its documented sync action
 * calls (`$http({method: "POST", url: CONSTS.apiUrl + "1/user", data: backandUser, …})`) after
 * a row was added to the app's `users` object. Admins (or the master key) only.
 *
 * Body: `{email, password, confirmPassword?, firstName?, lastName?, role?}`.
 * - No user with that e-mail: the user is registered (role `role`, else the app's default role).
 * - A `users` row with that e-mail but no password (made through the object): it gets the password
 *   and can sign in; its other fields stay as they are.
 * - A user who already has a password: `409`.
 *
 * Answers the user's details (the profile's shape).
 */
export function registerRegisterUserRoute(fastify: FastifyInstance, ctx: AppContext): void {
  fastify.post('/1/user', async (request) => {
    const identity = await ctx.resolver.fromHeaders(request.headers);
    if (!isAdmin(identity)) {
      throw new HttpError(403, 'Only an admin may register users (POST /1/user)');
    }
    const body = bodyOf(request);
    const { email, password } = newCredentials(body);
    const role = str(body, 'role') || ctx.app.signUpRole;
    const existing = ctx.users.findByUsername(email);
    if (existing && ctx.users.hasPassword(existing.id)) {
      throw new HttpError(409, `The user "${email}" already exists`);
    }
    const user = existing
      ? (await ctx.hashing.run(() => ctx.users.setPassword(existing.id, password)), existing)
      : await ctx.hashing.run(() =>
          ctx.users.create({
            email,
            password,
            role,
            firstName: str(body, 'firstName') ?? '',
            lastName: str(body, 'lastName') ?? '',
          }),
        );
    return userDetails(ctx, user);
  });
}
