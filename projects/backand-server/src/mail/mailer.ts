import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createTransport, type Transporter } from 'nodemailer';
import { redactUrl } from '../redact-url';
import { RecipientLimiter } from './recipient-limiter';

/** One mail. Addresses are plain `user@domain` (a display name is allowed in `from`). */
export interface MailMessage {
  to: string[];
  cc?: string[];
  bcc?: string[];
  from?: string;
  subject: string;
  text?: string;
  html?: string;
}

/** What became of a mail. */
export interface MailReceipt {
  messageId: string;
  /** The addresses the SMTP server accepted (all of them for a mail written to a file). */
  accepted: string[];
  /** The `.eml` file, when no SMTP server is configured. */
  file?: string;
}

/** Options of a {@link Mailer}. */
export interface MailerOptions {
  /** `smtp://user:pass@host:587`, `smtps://…:465`; none: mails are written to `dir`. */
  smtpUrl?: string;
  /** Where mails go without SMTP (`.eml` files, one a mail); default a new temporary folder. */
  dir: string | undefined;
  /** The default sender. */
  from: string;
  /** Mails to one address in an hour. */
  maxPerRecipientPerHour: number;
  logger: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}

/** A mail that may not be sent (a limit, a bad address); the message says why. */
export class MailRefused extends Error {
  override readonly name = 'MailRefused';
}

/** The most recipients of one mail (to, cc and bcc together). */
export const MAX_RECIPIENTS = 50;
const ADDRESS = /^[^\s@<>()",;:\\[\]\p{C}]+@[^\s@<>()",;:\\[\]\p{C}]+\.[^\s@<>()",;:\\[\]\p{C}]+$/u;

/**
 * Sends the server's mail through SMTP (nodemailer) or, with no SMTP server configured, writes
 * each mail to a `.eml` file and logs where: no mail is ever dropped silently. Every recipient is
 * held to `maxPerRecipientPerHour`.
 *
 * @example
 * const mailer = new Mailer({ smtpUrl: 'smtp://127.0.0.1:2525', dir, from, maxPerRecipientPerHour: 10, logger });
 * await mailer.send({ to: ['ann@example.com'], subject: 'Hi', text: 'Hello' });
 */
export class Mailer {
  private readonly transport: Transporter;
  private readonly limiter: RecipientLimiter;
  private dir: string | undefined;

  constructor(private readonly options: MailerOptions) {
    this.transport = options.smtpUrl
      ? createTransport(options.smtpUrl)
      : createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    this.limiter = new RecipientLimiter(options.maxPerRecipientPerHour, 3600_000);
  }

  /** Where mails go, for the start-up banner. */
  get destination(): string {
    if (this.options.smtpUrl) return `SMTP ${redact(this.options.smtpUrl)}`;
    return (
      this.options.dir ?? 'a temporary folder (made on the first mail; each mail logs its file)'
    );
  }

  /**
   * Sends a mail (or writes it to the folder).
   * @throws MailRefused for a bad address or a recipient over its hourly limit;
   *   the transport's error when the SMTP server refuses it.
   */
  async send(mail: MailMessage): Promise<MailReceipt> {
    const all = [...mail.to, ...(mail.cc ?? []), ...(mail.bcc ?? [])].map((a) => a.trim());
    if (mail.to.length === 0) throw new MailRefused('a mail needs at least one "to" address');
    if (all.length > MAX_RECIPIENTS) {
      throw new MailRefused(`a mail may have at most ${MAX_RECIPIENTS} recipients`);
    }
    for (const a of all) {
      if (!ADDRESS.test(a)) throw new MailRefused(`"${a.slice(0, 100)}" is not an e-mail address`);
    }
    if (/[\r\n]/.test(mail.subject) || /[\r\n]/.test(mail.from ?? '')) {
      throw new MailRefused('the subject and sender must be one line');
    }
    const over = this.limiter.take(all.map((a) => a.toLowerCase()));
    if (over) {
      throw new MailRefused(
        `too many mails to ${over} (at most ${this.options.maxPerRecipientPerHour} an hour)`,
      );
    }
    const info = (await this.transport.sendMail({
      from: mail.from ?? this.options.from,
      to: mail.to,
      ...(mail.cc?.length ? { cc: mail.cc } : {}),
      ...(mail.bcc?.length ? { bcc: mail.bcc } : {}),
      subject: mail.subject,
      ...(mail.text !== undefined ? { text: mail.text } : {}),
      ...(mail.html !== undefined ? { html: mail.html } : {}),
    })) as { messageId: string; accepted?: unknown[]; message?: Buffer };
    if (this.options.smtpUrl) {
      const accepted = (info.accepted ?? []).map(String);
      this.options.logger.info({ to: mail.to, subject: mail.subject }, 'mail sent');
      return { messageId: info.messageId, accepted };
    }
    const file = this.write(info.message ?? Buffer.alloc(0));
    this.options.logger.info(
      { to: mail.to, subject: mail.subject, file },
      'mail written to a file (no SMTP server configured: --smtp-url)',
    );
    return { messageId: info.messageId, accepted: all, file };
  }

  /** Closes the SMTP connections. */
  close(): void {
    this.transport.close();
  }

  private write(message: Buffer): string {
    if (!this.dir) {
      if (this.options.dir) mkdirSync(this.options.dir, { recursive: true, mode: 0o700 });
      this.dir = this.options.dir ?? mkdtempSync(path.join(tmpdir(), 'backand-mail-'));
    }
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = path.join(this.dir, `${stamp}-${randomBytes(4).toString('hex')}.eml`);
    writeFileSync(file, message, { mode: 0o600 });
    return file;
  }
}

/**
 * Checks an SMTP URL (`smtp://` or `smtps://`, a host, no path).
 * @returns the URL as given. @throws TypeError naming `what` when it is not one.
 */
export function checkSmtpUrl(value: string, what: string): string {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || !url.hostname) {
    throw new TypeError(
      `${what} must be smtp://[user:pass@]host[:port] or smtps://…, got "${redact(value)}"`,
    );
  }
  return value;
}

/** An SMTP URL without its password, for logs. */
export function redact(smtpUrl: string): string {
  return redactUrl(smtpUrl, 'smtp://…');
}
