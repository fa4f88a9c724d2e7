import { z } from 'zod';

/**
 * The mail fields of a Backand "Send Email" action (`"type": "email"`): To, Cc, Bcc, From,
 * Subject and Message. Each may hold `{{name}}` tokens, filled from the call's `userInput`, then
 * the row (`dbRow`), then `parameters`; `{{sys::username}}` and `{{sys::role}}` name the caller.
 */
export const emailActionSchema = z.strictObject({
  to: z.string().min(1),
  cc: z.string().optional(),
  bcc: z.string().optional(),
  from: z.string().optional(),
  subject: z.string().default(''),
  /** The HTML body; token values are HTML-escaped in it. */
  message: z.string().default(''),
});

/** The fields of a Send Email action. */
export type EmailActionSpec = z.output<typeof emailActionSchema>;

/**
 * The action code a Send Email action runs as: an ordinary action that fills the tokens and
 * calls `email.send`, so it has every limit and path of code actions.
 */
export function sendEmailActionCode(spec: EmailActionSpec): string {
  return `var MAIL = ${JSON.stringify(spec)};
function backandCallback(userInput, dbRow, parameters, userProfile) {
  function lookup(name) {
    if (name === 'sys::username') return userProfile.username;
    if (name === 'sys::role') return userProfile.role;
    var sources = [userInput, dbRow, parameters];
    for (var i = 0; i < sources.length; i++) {
      var s = sources[i];
      if (s && typeof s === 'object' && Object.prototype.hasOwnProperty.call(s, name)) return s[name];
    }
    return '';
  }
  function text(v) {
    return v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  function fill(template, html) {
    if (template === undefined) return undefined;
    return template.replace(/\\{\\{\\s*([A-Za-z0-9_:]+)\\s*\\}\\}/g, function (_m, name) {
      var v = text(lookup(name));
      return html ? v.replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }) : v;
    });
  }
  var mail = { to: fill(MAIL.to), subject: fill(MAIL.subject), html: fill(MAIL.message, true) };
  if (MAIL.cc !== undefined) mail.cc = fill(MAIL.cc);
  if (MAIL.bcc !== undefined) mail.bcc = fill(MAIL.bcc);
  if (MAIL.from !== undefined) mail.from = fill(MAIL.from);
  return email.send(mail);
}
`;
}
