import { FailureLimiter } from './rate-limiter';

describe('FailureLimiter', () => {
  let now = 0;
  const limiter = () => new FailureLimiter(3, 60_000, () => now);

  beforeEach(() => {
    now = 1_000_000;
  });

  it('blocks a key after the maximum number of failures, until the window ends', () => {
    const l = limiter();
    l.fail('a');
    l.fail('a');
    expect(l.blockedFor('a')).toBe(0);
    l.fail('a');
    expect(l.blockedFor('a')).toBe(60);
    now += 30_000;
    expect(l.blockedFor('a')).toBe(30);
    now += 30_000;
    expect(l.blockedFor('a')).toBe(0);
  });

  it('counts keys separately and forgets a key on reset', () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) l.fail('a');
    expect(l.blockedFor('b')).toBe(0);
    l.reset('a');
    expect(l.blockedFor('a')).toBe(0);
  });

  it('leaves no room while the attempts in flight could reach the limit; a success is taken back', () => {
    const l = limiter();
    l.begin('a');
    l.begin('a');
    expect(l.hasRoom('a')).toBe(true);
    l.begin('a');
    expect(l.hasRoom('a')).toBe(false);
    // Not blocked: none of them has failed yet.
    expect(l.blockedFor('a')).toBe(0);
    l.end('a', false);
    expect(l.hasRoom('a')).toBe(true);
    l.end('a', true);
    l.end('a', true);
    expect(l.hasRoom('a')).toBe(true);
    expect(l.blockedFor('a')).toBe(0);
    l.fail('a');
    expect(l.hasRoom('a')).toBe(false);
    expect(l.blockedFor('a')).toBe(60);
  });

  it('keeps attempts in flight counted when the failures are reset', () => {
    const l = limiter();
    l.fail('a');
    l.begin('a');
    l.begin('a');
    expect(l.hasRoom('a')).toBe(false);
    l.reset('a');
    expect(l.hasRoom('a')).toBe(true);
    l.begin('a');
    expect(l.hasRoom('a')).toBe(false);
    l.end('a', false);
    expect(l.hasRoom('a')).toBe(true);
  });

  it('starts a new window after the old one ended', () => {
    const l = limiter();
    l.fail('a');
    l.fail('a');
    now += 61_000;
    l.fail('a');
    expect(l.blockedFor('a')).toBe(0);
  });
});
