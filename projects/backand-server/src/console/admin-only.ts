import type { AppContext } from '../app-context';
import { isAdmin, type Headers, type Identity } from '../auth/identity';
import { HttpError } from '../http/http-error';

/**
 * The caller of a console request, who must be an admin (the `Admin` role or the master key).
 * @throws HttpError 401 without valid credentials, 403 for anyone else.
 */
export async function requireAdmin(
  ctx: Pick<AppContext, 'resolver'>,
  headers: Headers,
): Promise<Identity> {
  const identity = await ctx.resolver.fromHeaders(headers);
  if (!isAdmin(identity)) throw new HttpError(403, 'The console is for admins only');
  return identity;
}
