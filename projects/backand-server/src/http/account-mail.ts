import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context';
import type { UserRecord } from '../auth/user-store';
import {
  resetPasswordMail,
  verificationMail,
  type AccountMailContext,
} from '../mail/account-mails';

/** The `/token` refusal for a user whose address is not verified yet. */
export const NOT_VERIFIED =
  'The user has not verified the e-mail address yet: follow the link in the verification e-mail.';

function mailContext(ctx: AppContext): AccountMailContext {
  return {
    appName: ctx.app.appName,
    linkBase: ctx.linkBase(),
    ...(ctx.app.email.resetPasswordUrl ? { resetPasswordUrl: ctx.app.email.resetPasswordUrl } : {}),
  };
}

/**
 * After a sign-up: with `email.signUpVerification`, marks the user pending and mails the link.
 * @returns the sign-up status (1 ready, 2 waiting for the verification).
 */
export async function afterSignUp(ctx: AppContext, user: UserRecord): Promise<1 | 2> {
  if (!ctx.app.email.signUpVerification) return 1;
  const token = ctx.verification.issue(user.id, ctx.app.email.verificationTtlSeconds);
  try {
    await ctx.mailer.send(
      verificationMail(mailContext(ctx), user.email, user.firstName ?? '', token),
    );
  } catch (err) {
    // The account stays pending: a password reset (a mailed token) verifies it too.
    ctx.logger.error({ err, username: user.email }, 'the verification mail was not sent');
  }
  return 2;
}

/**
 * Mails a password-reset token. Runs after the answer is decided and never reports back, so the
 * caller cannot tell from the answer or its timing whether the address exists.
 */
export function mailResetToken(ctx: AppContext, user: UserRecord, token: string): void {
  ctx.mailer.send(resetPasswordMail(mailContext(ctx), user.email, token)).then(
    () => undefined,
    (err: unknown) =>
      ctx.logger.warn({ err, username: user.email }, 'the password-reset mail was not sent'),
  );
}

const page = (title: string, text: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`;

/**
 * `GET /1/user/verify?token=…`: the link of the verification mail. Verifies the user once, then
 * redirects to `email.verifiedEmailUrl` (Backand's "Custom Verified Email Page") or shows a
 * short page.
 */
export function registerVerifyRoute(fastify: FastifyInstance, ctx: AppContext): void {
  fastify.get('/1/user/verify', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const token = typeof query['token'] === 'string' ? query['token'] : '';
    const userId = token ? ctx.verification.consume(token) : undefined;
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    if (userId === undefined) {
      return reply
        .status(400)
        .type('text/html; charset=utf-8')
        .send(
          page(
            'Link not valid',
            'This verification link is unknown, used or expired. Ask for a password reset to verify your address.',
          ),
        );
    }
    const target = ctx.app.email.verifiedEmailUrl;
    if (target) return reply.redirect(target, 302);
    return reply
      .type('text/html; charset=utf-8')
      .send(
        page('E-mail address verified', 'Your e-mail address is verified. You can sign in now.'),
      );
  });
}
