import { preview, PREVIEW_LIMIT, redact, REDACTED } from './redact';

describe('redact', () => {
  it('hides values under secret-looking keys at any depth, keeps the rest', () => {
    expect(
      redact({
        name: 'a',
        password: 'p',
        nested: [{ accessToken: 't', refresh_token: 'r', ok: 1 }],
        Authorization: 'Bearer x',
        passwordHash: 'h',
      }),
    ).toEqual({
      name: 'a',
      password: REDACTED,
      nested: [{ accessToken: REDACTED, refresh_token: REDACTED, ok: 1 }],
      Authorization: REDACTED,
      passwordHash: REDACTED,
    });
  });

  it('elides what is nested too deep instead of recursing for ever', () => {
    let deep: Record<string, unknown> = { secret: 's' };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    expect(JSON.stringify(redact(deep))).not.toContain('"s"');
  });
});

describe('preview', () => {
  it('is redacted JSON cut to the limit', () => {
    expect(preview({ token: 'abc', n: 1 })).toBe(`{"token":"${REDACTED}","n":1}`);
    const long = preview({ text: 'x'.repeat(PREVIEW_LIMIT * 2) });
    expect(long.length).toBe(PREVIEW_LIMIT + 1);
    expect(long.endsWith('…')).toBe(true);
  });

  it('describes values that are not JSON instead of throwing', () => {
    expect(preview({ n: 10n })).toBe('[not JSON]');
    // A cycle is cut by the depth limit, not followed.
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    expect(preview(cycle)).toContain('[…]');
    expect(preview(undefined)).toBe('undefined');
  });
});
