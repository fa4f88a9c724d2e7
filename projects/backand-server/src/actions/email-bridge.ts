import { MailRefused, type MailMessage, type Mailer } from '../mail/mailer';

/** What `email.send` answers the action: the receipt, or why it failed (thrown in the action). */
export type EmailAnswer =
  { ok: true; messageId: string; accepted: string[] } | { ok: false; message: string };

/** The longest body (text and html together) an action may send, in characters. */
export const MAX_MAIL_BODY = 1024 * 1024;

/**
 * Sends the mails of actions' `email.send({to, cc, bcc, from, subject, text, html})` calls.
 * `message`, the field of Backand's "Send Email" actions, is accepted as the HTML body. Address
 * lists are arrays or comma-separated strings.
 */
export class EmailBridge {
  constructor(private readonly mailer: Mailer) {}

  /** Sends one mail. Never rejects: failures are answers that the action throws. */
  async send(raw: unknown): Promise<EmailAnswer> {
    let mail: MailMessage;
    try {
      mail = parseMail(raw);
    } catch (err) {
      return { ok: false, message: `email.send: ${(err as Error).message}` };
    }
    try {
      const receipt = await this.mailer.send(mail);
      return { ok: true, messageId: receipt.messageId, accepted: receipt.accepted };
    } catch (err) {
      const why = err instanceof MailRefused ? err.message : `not sent (${(err as Error).message})`;
      return { ok: false, message: `email.send: ${why}` };
    }
  }
}

function addresses(value: unknown, field: string): string[] {
  if (value === undefined || value === null || value === '') return [];
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : null;
  if (!list || !list.every((a) => typeof a === 'string')) {
    throw new Error(`"${field}" must be an address, a comma-separated list or an array`);
  }
  return (list as string[]).map((a) => a.trim()).filter((a) => a !== '');
}

function optionalText(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new Error(`"${field}" must be a string`);
  return value;
}

/** Checks an action's mail: addresses, a one-line subject, a body within the limit. */
export function parseMail(raw: unknown): MailMessage {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new Error('expects {to, subject, text, html}');
  }
  const m = raw as Record<string, unknown>;
  const subject = optionalText(m['subject'], 'subject') ?? '';
  const text = optionalText(m['text'], 'text');
  const html = optionalText(m['html'], 'html') ?? optionalText(m['message'], 'message');
  const from = optionalText(m['from'], 'from');
  if ((text ?? '').length + (html ?? '').length > MAX_MAIL_BODY) {
    throw new Error(`the body is over ${MAX_MAIL_BODY} characters`);
  }
  if (subject.length > 998) throw new Error('the subject is over 998 characters');
  return {
    to: addresses(m['to'], 'to'),
    cc: addresses(m['cc'], 'cc'),
    bcc: addresses(m['bcc'], 'bcc'),
    subject,
    ...(from !== undefined ? { from } : {}),
    ...(text !== undefined ? { text } : {}),
    ...(html !== undefined ? { html } : {}),
  };
}
