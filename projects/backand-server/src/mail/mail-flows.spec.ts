import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { AppDefinitionInput } from '../app-definition/schema';
import type { RunningServer } from '../server-options';
import { api } from '../testing/http-client';
import { startTestServer } from '../testing/test-server';
import { startTestSmtpServer, type TestSmtpServer } from '../testing/test-smtp-server';

const app: AppDefinitionInput = {
  appName: 'mailapp',
  anonymousToken: 'anon-m',
  signUpToken: 'signup-m',
  masterToken: 'master-m',
  userToken: 'user-m',
  users: [{ username: 'ann@m.test', password: 'ann-password', role: 'User' }],
  email: {
    from: 'Mail App <no-reply@m.test>',
    signUpVerification: true,
    verifiedEmailUrl: 'https://app.m.test/verified',
    resetPasswordUrl: 'https://app.m.test/reset',
    maxPerRun: 2,
    maxPerRecipientPerHour: 3,
  },
  objects: {
    items: {
      fields: { name: 'string' },
      permissions: { Public: 'r', User: 'crud' },
      actions: [
        {
          name: 'announce',
          trigger: 'afterCreate',
          type: 'email',
          email: {
            to: 'news@m.test',
            cc: '{{sys::username}}',
            subject: 'New item {{name}}',
            message: '<p>{{sys::username}} added {{ name }} ({{missing}})</p>',
          },
        },
        {
          name: 'mailer',
          trigger: 'onDemand',
          code: `function backandCallback(userInput, dbRow, parameters) {
            var out = [];
            for (var i = 0; i < parameters.mails.length; i++) {
              try { out.push(email.send(parameters.mails[i]).accepted); } catch (e) { out.push(e.message); }
            }
            return out;
          }`,
        },
      ],
    },
  },
};

/** Log lines of a server, and a wait for one that matches. */
function logCapture() {
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<{ test: (l: Record<string, unknown>) => boolean; done(): void }> = [];
  return {
    lines,
    stream: {
      write(line: string) {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        lines.push(parsed);
        for (const w of waiters.splice(0)) (w.test(parsed) ? w.done : () => waiters.push(w))();
      },
    },
    waitFor(test: (l: Record<string, unknown>) => boolean): Promise<void> {
      if (lines.some(test)) return Promise.resolve();
      return new Promise((done) => waiters.push({ test, done }));
    },
  };
}

const signUp = (url: string, email: string) =>
  api(
    url,
    'POST',
    '/1/user/signup',
    null,
    {
      firstName: 'New',
      lastName: 'User',
      email,
      password: 'secret-pw',
      confirmPassword: 'secret-pw',
    },
    { SignUpToken: 'signup-m' },
  );

const token = (url: string, username: string, password: string) =>
  api(url, 'POST', '/token', null, {
    username,
    password,
    appName: 'mailapp',
    grant_type: 'password',
  });

describe('mail: sign-up confirmation, password reset, email.send (real SMTP server)', () => {
  let smtp: TestSmtpServer;
  let server: RunningServer;
  const log = logCapture();

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    server = await startTestServer(app, {
      smtpUrl: smtp.url,
      logLevel: 'info',
      logStream: log.stream,
    });
  });
  afterAll(async () => {
    await server.close();
    await smtp.close();
  });

  it('holds a new user at status 2 until the link in the mail is followed', async () => {
    const res = await signUp(server.url, 'Zoe@M.test');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      username: 'zoe@m.test',
      currentStatus: 2,
      message: 'The system is now waiting for the user to responed a verification email.',
      listOfPossibleStatus: [
        { status: 1, message: 'The user is ready to sign in' },
        { status: 2, message: expect.any(String) },
        { status: 3, message: expect.any(String) },
      ],
    });
    const mail = await smtp.waitFor((m) => m.rcpt.includes('zoe@m.test'));
    expect(mail.parsed.from?.text).toBe('"Mail App" <no-reply@m.test>');
    const link = /http:\/\/\S+\/1\/user\/verify\?\S+/.exec(mail.parsed.text ?? '')![0];
    expect(link.startsWith(server.url)).toBe(true);

    const refused = await token(server.url, 'zoe@m.test', 'secret-pw');
    expect(refused.status).toBe(400);
    expect(refused.body.error_description).toMatch(/not verified the e-mail address/);
    // A wrong password still says only that the credentials are wrong.
    const wrong = await token(server.url, 'zoe@m.test', 'not-the-password');
    expect(wrong.body.error_description).toBe('The user name or password is incorrect.');

    const followed = await fetch(link, { redirect: 'manual' });
    expect(followed.status).toBe(302);
    expect(followed.headers.get('location')).toBe('https://app.m.test/verified');
    expect((await token(server.url, 'zoe@m.test', 'secret-pw')).status).toBe(200);
    // The link works once.
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(400);
    expect((await fetch(`${server.url}/1/user/verify?token=made-up`)).status).toBe(400);
  });

  it('mails a reset link, answers the same for an unknown address, and verifies by reset', async () => {
    const unknown = await api(server.url, 'POST', '/1/user/requestResetPassword', null, {
      appName: 'mailapp',
      username: 'nobody@m.test',
    });
    const known = await api(server.url, 'POST', '/1/user/requestResetPassword', null, {
      appName: 'mailapp',
      username: 'ann@m.test',
    });
    expect(known.status).toBe(unknown.status);
    expect(known.body).toEqual(unknown.body);
    const mail = await smtp.waitFor((m) => m.rcpt.includes('ann@m.test'));
    expect(smtp.mails.some((m) => m.rcpt.includes('nobody@m.test'))).toBe(false);
    const link = /https:\/\/app\.m\.test\/reset\?token=(\S+)/.exec(mail.parsed.text ?? '')!;
    const resetToken = decodeURIComponent(link[1]!);
    const reset = await api(server.url, 'POST', '/1/user/resetPassword', null, {
      resetToken,
      newPassword: 'ann-new-password',
    });
    expect(reset.status).toBe(200);
    expect((await token(server.url, 'ann@m.test', 'ann-new-password')).status).toBe(200);

    // A pending sign-up whose link was lost is verified by a password reset.
    await signUp(server.url, 'lost@m.test');
    await smtp.waitFor((m) => m.rcpt.includes('lost@m.test'));
    await api(server.url, 'POST', '/1/user/requestResetPassword', null, {
      username: 'lost@m.test',
    });
    const resetMail = await smtp.waitFor(
      (m) => m.rcpt.includes('lost@m.test') && /reset/i.test(m.parsed.subject ?? ''),
    );
    const lostToken = /token=(\S+)/.exec(resetMail.parsed.text ?? '')![1]!;
    await api(server.url, 'POST', '/1/user/resetPassword', null, {
      resetToken: decodeURIComponent(lostToken),
      newPassword: 'lost-new-password',
    });
    expect((await token(server.url, 'lost@m.test', 'lost-new-password')).status).toBe(200);
  });

  it('holds each recipient to its hourly limit, with the same answer', async () => {
    const answers = [];
    for (let i = 0; i < 4; i++) {
      answers.push(
        await api(server.url, 'POST', '/1/user/requestResetPassword', null, {
          username: 'kim@m.test',
        }),
      );
    }
    expect(new Set(answers.map((a) => JSON.stringify([a.status, a.body]))).size).toBe(1);
    // kim does not exist: no mail at all. A signed-up address gets at most 3 an hour.
    await signUp(server.url, 'lim@m.test'); // mail 1
    for (let i = 0; i < 3; i++) {
      await api(server.url, 'POST', '/1/user/requestResetPassword', null, {
        username: 'lim@m.test',
      });
    }
    await log.waitFor((l) => l['msg'] === 'the password-reset mail was not sent');
    const warned = log.lines.find((l) => l['msg'] === 'the password-reset mail was not sent')!;
    expect(JSON.stringify(warned['err'])).toMatch(/too many mails to lim@m.test/);
    await smtp.waitFor(
      (m) => m.rcpt.includes('lim@m.test') && /reset/i.test(m.parsed.subject ?? ''),
    );
    expect(smtp.mails.filter((m) => m.rcpt.includes('kim@m.test'))).toHaveLength(0);
  });

  it('sends mail from actions with email.send, within the per-run limit', async () => {
    const { body: session } = await token(server.url, 'ann@m.test', 'ann-new-password');
    const res = await api(
      server.url,
      'POST',
      '/1/objects/action/items?name=mailer',
      { bearer: session.access_token },
      {
        mails: [
          { to: 'a1@m.test', subject: 'Text', text: 'plain body' },
          { to: ['a2@m.test'], cc: 'a3@m.test', subject: 'Backand style', message: '<b>hi</b>' },
          { to: 'a4@m.test', subject: 'third' },
        ],
      },
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      ['a1@m.test'],
      ['a2@m.test', 'a3@m.test'],
      expect.stringMatching(/more than 2 mails/),
    ]);
    const first = await smtp.waitFor((m) => m.rcpt.includes('a1@m.test'));
    expect(first.parsed.subject).toBe('Text');
    expect(first.parsed.text?.trim()).toBe('plain body');
    const second = await smtp.waitFor((m) => m.rcpt.includes('a2@m.test'));
    expect(second.parsed.html).toContain('<b>hi</b>');

    const bad = await api(
      server.url,
      'POST',
      '/1/objects/action/items?name=mailer',
      { bearer: session.access_token },
      {
        mails: [
          { to: 'x@m.test\r\nBcc: victim@m.test', subject: 's' },
          { to: 'nope', subject: 's' },
        ],
      },
    );
    expect(bad.body).toEqual([
      expect.stringMatching(/is not an e-mail address/),
      expect.stringMatching(/is not an e-mail address/),
    ]);
  });
});

describe('a Backand "Send Email" action', () => {
  let smtp: TestSmtpServer;
  let server: RunningServer;
  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    server = await startTestServer(app, { smtpUrl: smtp.url });
  });
  afterAll(async () => {
    await server.close();
    await smtp.close();
  });

  it('fills its tokens from the row and the caller, HTML-escaped in the message', async () => {
    const { body: session } = await token(server.url, 'ann@m.test', 'ann-password');
    const created = await api(
      server.url,
      'POST',
      '/1/objects/items',
      { bearer: session.access_token },
      { name: 'Tea <b>&</b> cake' },
    );
    expect(created.status).toBe(200);
    const mail = await smtp.waitFor((m) => m.rcpt.includes('news@m.test'));
    expect(mail.rcpt).toEqual(['news@m.test', 'ann@m.test']);
    expect(mail.parsed.subject).toBe('New item Tea <b>&</b> cake');
    expect(mail.parsed.html).toContain(
      '<p>ann@m.test added Tea &#60;b&#62;&#38;&#60;/b&#62; cake ()</p>',
    );
  });
});

describe('mail without an SMTP server', () => {
  it('writes each mail to the mail folder and logs where', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mail-dir-test-'));
    const log = logCapture();
    const server = await startTestServer(app, {
      mailDir: dir,
      logLevel: 'info',
      logStream: log.stream,
    });
    try {
      await log.waitFor((l) => String(l['msg']).includes(`mails are written to ${dir}`));
      await signUp(server.url, 'folder@m.test');
      await log.waitFor((l) => String(l['msg']).startsWith('mail written to a file'));
      const files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
      expect(files).toHaveLength(1);
      const eml = readFileSync(path.join(dir, files[0]!), 'utf8');
      expect(eml).toMatch(/^To: folder@m\.test$/m);
      expect(eml).toMatch(/^Subject: Confirm your e-mail address for mailapp$/m);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an email action without its mail, or with code', async () => {
    for (const action of [
      { name: 'a', trigger: 'onDemand' as const, type: 'email' as const },
      {
        name: 'a',
        trigger: 'onDemand' as const,
        type: 'email' as const,
        email: { to: 'x@m.test' },
        code: 'x',
      },
      { name: 'a', trigger: 'onDemand' as const, code: 'x', email: { to: 'x@m.test' } },
    ]) {
      await expect(
        startTestServer({ appName: 'bad', objects: { x: { actions: [action] } } }),
      ).rejects.toThrow(/an "?email"? action has/);
    }
  });

  it('refuses a malformed SMTP URL at start', async () => {
    await expect(startTestServer(app, { smtpUrl: 'http://mail.example.com' })).rejects.toThrow(
      /smtpUrl must be smtp:\/\//,
    );
  });
});
