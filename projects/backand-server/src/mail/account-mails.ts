import type { MailMessage } from './mailer';

/** What the account mails need to know about the app. */
export interface AccountMailContext {
  appName: string;
  /** The server's public base URL (no trailing slash). */
  linkBase: string;
  /** Backand's "Custom Password Reset URL". */
  resetPasswordUrl?: string;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The link a verification token is followed at. */
export function verificationLink(ctx: AccountMailContext, token: string): string {
  const url = new URL(`${ctx.linkBase}/1/user/verify`);
  url.searchParams.set('appName', ctx.appName);
  url.searchParams.set('token', token);
  return url.toString();
}

/** The sign-up confirmation mail ("newUserVerification" in Backand). */
export function verificationMail(
  ctx: AccountMailContext,
  to: string,
  firstName: string,
  token: string,
): MailMessage {
  const link = verificationLink(ctx, token);
  const hello = firstName ? `Hello ${firstName},` : 'Hello,';
  return {
    to: [to],
    subject: `Confirm your e-mail address for ${ctx.appName}`,
    text: `${hello}\n\nTo finish signing up to ${ctx.appName}, open this link:\n\n${link}\n\nIf you did not sign up, ignore this mail.\n`,
    html: `<p>${escape(hello)}</p><p>To finish signing up to ${escape(ctx.appName)}, follow this link:</p><p><a href="${escape(link)}">${escape(link)}</a></p><p>If you did not sign up, ignore this mail.</p>`,
  };
}

/** The password-reset mail ("requestResetPassword" in Backand): a link with the token, or the token. */
export function resetPasswordMail(ctx: AccountMailContext, to: string, token: string): MailMessage {
  let how: string;
  let howHtml: string;
  if (ctx.resetPasswordUrl) {
    const url = new URL(ctx.resetPasswordUrl);
    url.searchParams.set('token', token);
    how = `open this link to choose a new password:\n\n${url}\n`;
    howHtml = `<p>Follow this link to choose a new password:</p><p><a href="${escape(url.toString())}">${escape(url.toString())}</a></p>`;
  } else {
    how = `use this reset token to choose a new password:\n\n${token}\n`;
    howHtml = `<p>Use this reset token to choose a new password:</p><p><code>${escape(token)}</code></p>`;
  }
  return {
    to: [to],
    subject: `Reset your ${ctx.appName} password`,
    text: `Hello,\n\nSomeone asked to reset the password of this address for ${ctx.appName}. To go ahead, ${how}\nThe token works once, for one hour. If you did not ask for this, ignore this mail.\n`,
    html: `<p>Hello,</p><p>Someone asked to reset the password of this address for ${escape(ctx.appName)}.</p>${howHtml}<p>The token works once, for one hour. If you did not ask for this, ignore this mail.</p>`,
  };
}
