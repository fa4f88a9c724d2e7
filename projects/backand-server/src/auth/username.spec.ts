import fc from 'fast-check';
import { canonicalUsername, ownedBy } from './username';

/** Characters that render as nothing; each may be slipped into a name. */
const INVISIBLES = ['\u200B', '\u200C', '\u200D', '\u2060', '\u00AD', '\uFEFF', '\uFE0F', '\u180E'];

/** Names with letters that case-fold, decompose or have compatibility forms. */
const name = fc
  .array(
    fc.constantFrom(
      ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+@',
      ...'öÖüÜßẞçÇéÉåÅσΣςкКіІſK\u212AﬁＡａ①ǅİı',
    ),
    { minLength: 1, maxLength: 24 },
  )
  .map((chars) => chars.join(''));

/** Spelling changes that must not make another account. */
const respell = fc.constantFrom<Array<(s: string) => string>>(
  [(s) => s.toUpperCase()],
  [(s) => s.toLowerCase()],
  [(s) => s.normalize('NFD')],
  [(s) => s.normalize('NFKD')],
  [(s) => s.normalize('NFC')],
  [(s) => ` ${s}\t`],
  [(s) => s.replace(/k/g, '\u212A')],
  // Full-width Latin letters and digits (U+FF01…U+FF5E), which NFKC maps back.
  [(s) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))],
);

describe('canonicalUsername', () => {
  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), (s) => {
        const once = canonicalUsername(s);
        expect(canonicalUsername(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(name, (s) => {
        expect(canonicalUsername(canonicalUsername(s))).toBe(canonicalUsername(s));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives every spelling of a name one form: case, normalisation forms, compatibility letters, spaces', () => {
    fc.assert(
      fc.property(name, respell, (s, [change]) => {
        expect(canonicalUsername(change!(s))).toBe(canonicalUsername(s));
      }),
      { numRuns: 3000 },
    );
  });

  it('ignores invisible characters wherever they are slipped in', () => {
    fc.assert(
      fc.property(
        name,
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(...INVISIBLES)), { maxLength: 4 }),
        (s, inserts) => {
          let t = s;
          for (const [at, ch] of inserts) {
            const i = at % (t.length + 1);
            t = t.slice(0, i) + ch + t.slice(i);
          }
          expect(canonicalUsername(t)).toBe(canonicalUsername(s));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('folds case fully, not only as toLowerCase does', () => {
    expect(canonicalUsername('sd\u212A@backand.com')).toBe('sdk@backand.com');
    expect(canonicalUsername('JÖRG@x.test')).toBe('jörg@x.test');
    expect(canonicalUsername('JO\u0308RG@x.test')).toBe('jörg@x.test');
    expect(canonicalUsername('Straße@x.test')).toBe(canonicalUsername('STRASSE@x.test'));
    expect(canonicalUsername('ΟΔΟΣ@x.test')).toBe(canonicalUsername('οδος@x.test'));
    expect(canonicalUsername('οδoς@x.test')).toBe(canonicalUsername('οδoσ@x.test'));
    expect(canonicalUsername('ﬁ@x.test')).toBe('fi@x.test');
    expect(canonicalUsername('ｓｄｋ＠ｘ．ｔｅｓｔ')).toBe('sdk@x.test');
  });

  it('keeps look-alikes from other scripts apart: they are other names', () => {
    // Cyrillic dze, Cyrillic ka, Greek kappa, Cyrillic o: they look like s, k, k, o.
    for (const lookalike of [
      '\u0455dk@x.test',
      'sd\u043Ak@x.test',
      'sd\u03BA@x.test',
      'b\u043Eb@x.test',
    ]) {
      expect(canonicalUsername(lookalike)).not.toBe(
        canonicalUsername(
          lookalike.replace(
            /[^a-z@.]/g,
            (c) => ({ '\u0455': 's', '\u043A': 'k', '\u03BA': 'k', '\u043E': 'o' })[c] ?? c,
          ),
        ),
      );
    }
  });

  it('ownedBy compares a stored (canonical) owner with any spelling of the user; guests own nothing', () => {
    fc.assert(
      fc.property(name, respell, (s, [change]) => {
        expect(ownedBy(canonicalUsername(s), change!(s))).toBe(true);
      }),
    );
    expect(ownedBy('uma@v.test', 'oli@v.test')).toBe(false);
    // A stored owner not in canonical form (written by a query's own SQL) is compared as written.
    expect(ownedBy('Uma@v.test', 'uma@v.test')).toBe(false);
    expect(ownedBy(null, null)).toBe(false);
    expect(ownedBy(undefined, null)).toBe(false);
    expect(ownedBy(null, 'uma@v.test')).toBe(false);
    expect(ownedBy('uma@v.test', undefined)).toBe(false);
  });
});
