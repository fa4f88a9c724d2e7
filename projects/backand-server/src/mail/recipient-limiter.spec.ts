import { RecipientLimiter } from './recipient-limiter';

describe('RecipientLimiter', () => {
  it('counts each address over a sliding window, all or nothing per mail', () => {
    let now = 0;
    const limiter = new RecipientLimiter(2, 1000, () => now);
    expect(limiter.take(['a', 'b'])).toBeUndefined();
    expect(limiter.take(['a'])).toBeUndefined();
    // a is at its limit: the mail to a and c counts for neither.
    expect(limiter.take(['c', 'a'])).toBe('a');
    expect(limiter.take(['c'])).toBeUndefined();
    expect(limiter.take(['c'])).toBeUndefined();
    expect(limiter.take(['c'])).toBe('c');
    // A repeated address counts once.
    expect(limiter.take(['b', 'b'])).toBeUndefined();
    now = 1001;
    expect(limiter.take(['a', 'c'])).toBeUndefined();
  });
});
