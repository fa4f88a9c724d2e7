import type { AppContext } from '../app-context';
import { isAdmin, type Identity } from '../auth/identity';
import type { SavedIdentity } from '../realtime/user-sockets';

/**
 * The admin behind a console socket's `login(token, anonymousToken, appName)`, or a reason to
 * refuse it. Only a token counts (the anonymous token never opens the console).
 */
export async function consoleLogin(
  ctx: Pick<AppContext, 'resolver'>,
  token: unknown,
  appName: unknown,
): Promise<SavedIdentity | { refused: string }> {
  if (typeof appName !== 'string' || !ctx.resolver.isThisApp(appName)) {
    return { refused: 'unknown app' };
  }
  if (typeof token !== 'string' || token.trim() === '') return { refused: 'no token' };
  let identity: Identity | null;
  try {
    const value = token.trim();
    const bearer = /^bearer\s+(.+)$/i.exec(value);
    identity = bearer
      ? await ctx.resolver.fromBearer(bearer[1]!, value)
      : await ctx.resolver.fromHeaders({ authorization: value });
  } catch {
    identity = null;
  }
  if (!identity) return { refused: 'invalid or expired token' };
  if (!isAdmin(identity)) return { refused: 'the console is for admins only' };
  const saved: SavedIdentity = {
    kind: identity.kind,
    username: identity.username,
    role: identity.role,
    userId: identity.userId,
  };
  if (identity.sessionId !== undefined) saved.sessionId = identity.sessionId;
  if (identity.expiresAt !== undefined) saved.expiresAt = identity.expiresAt;
  if (identity.userTokenId !== undefined) saved.userTokenId = identity.userTokenId;
  return saved;
}

/** Whether a console socket's admin still holds: the master key, or a live Admin credential. */
export function stillAdmin(ctx: Pick<AppContext, 'resolver'>, saved: SavedIdentity): boolean {
  if (saved.kind === 'master') return true;
  if (saved.expiresAt !== undefined && saved.expiresAt <= Date.now()) return false;
  return ctx.resolver.currentUser(saved)?.role === 'Admin';
}
