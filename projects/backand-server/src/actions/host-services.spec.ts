import type { EmailBridge } from './email-bridge';
import type { HttpBridge } from './http-bridge';
import { runCallHandler, type HostServices } from './host-services';

describe('runCallHandler (the host calls of one run)', () => {
  const requests: unknown[] = [];
  const mails: unknown[] = [];
  const services: HostServices = {
    http: {
      request: (args: unknown) => {
        requests.push(args);
        return Promise.resolve({ ok: true, status: 200, headers: {}, data: 'pong' });
      },
    } as unknown as HttpBridge,
    email: {
      send: (args: unknown) => {
        mails.push(args);
        return Promise.resolve({ ok: true, messageId: 'm1', accepted: ['a@b.test'] });
      },
    } as unknown as EmailBridge,
    maxRequestsPerRun: 1,
    maxMailsPerRun: 1,
  };
  const deadline = Date.now() + 60_000;
  beforeEach(() => {
    requests.length = 0;
    mails.length = 0;
  });

  it('serves $http and email.send, within the per-run limits', async () => {
    const call = runCallHandler(services, 'act');
    expect(JSON.parse(await call('http', '{"url":"http://x.test/"}', deadline))).toMatchObject({
      ok: true,
      data: 'pong',
    });
    expect(JSON.parse(await call('http', '{}', deadline)).message).toMatch(/more than 1 requests/);
    expect(JSON.parse(await call('email', '{}', deadline))).toMatchObject({ ok: true });
    expect(requests).toHaveLength(1);
    expect(mails).toHaveLength(1);
  });

  it('answers a during action at once: $http and email.send refused before any work', () => {
    const call = runCallHandler(services, 'act', { during: true });
    for (const [kind, name] of [
      ['http', '$http'],
      ['email', 'email.send'],
    ] as const) {
      const answer = call(kind, '{"url":"http://x.test/"}', deadline);
      expect(typeof answer).toBe('string');
      expect(JSON.parse(answer as string)).toEqual({
        ok: false,
        message: expect.stringMatching(new RegExp(`^\\${name} is not available in a "during"`)),
      });
    }
    expect(requests).toHaveLength(0);
    expect(mails).toHaveLength(0);
  });

  it('serves files.* synchronously, in during actions too, and turns errors into answers', () => {
    const files = (kind: string, args: unknown) => {
      if ((args as { filename: string }).filename === 'bad') throw new Error(`${kind}: refused`);
      return kind === 'files.upload' ? { url: 'http://h/files/o/a.txt' } : {};
    };
    const call = runCallHandler(undefined, 'act', { files, during: true });
    expect(call('files.upload', '{"filename":"a.txt"}', deadline)).toBe(
      JSON.stringify({ ok: true, url: 'http://h/files/o/a.txt' }),
    );
    expect(call('files.delete', '{"filename":"bad"}', deadline)).toBe(
      JSON.stringify({ ok: false, message: 'files.delete: refused' }),
    );
    expect(
      JSON.parse(runCallHandler(undefined, 'fn')('files.upload', '{}', deadline) as string),
    ).toEqual({ ok: false, message: 'files.upload is only available in the actions of an object' });
  });
});
