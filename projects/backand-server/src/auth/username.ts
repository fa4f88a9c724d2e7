/** Code points that render as nothing (zero-width spaces and joiners, soft hyphens, BOM…). */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * The one form of a user name that the server stores, compares, looks up, owns rows by, routes
 * events by and limits sign-ins by: Unicode NFKC, invisible characters removed, full case
 * folding, trimmed. Two names that a person reads as the same account (`SDK@x.test`,
 * `sd\u212A@x.test` with KELVIN SIGN, `ＳＤＫ@x.test` in full width, `JÖRG` with a combining
 * diaeresis) have the same canonical form, so they can never be two accounts.
 *
 * Case folding is JavaScript's Unicode upper- then lower-casing, which folds what lower-casing
 * alone does not (`ß`→`ss`, final `ς`→`σ`, `ﬁ`→`fi`); it is repeated until the form no longer
 * changes, so the function is idempotent.
 *
 * Look-alikes from other scripts (Cyrillic `ѕ` beside Latin `s`) are different characters and
 * stay different names: they are distinct accounts everywhere, never one here and two there.
 *
 * @example
 * canonicalUsername(' Sd\u212A@Backand.com ') === 'sdk@backand.com'
 */
export function canonicalUsername(name: string): string {
  let current = name;
  for (let i = 0; i < 4; i++) {
    const next = current
      .normalize('NFKC')
      .replace(INVISIBLE, '')
      .toUpperCase()
      .toLowerCase()
      .normalize('NFKC')
      .trim();
    if (next === current) return next;
    current = next;
  }
  return current;
}

/**
 * Whether a stored owner (an owner field, a file's uploader) is the user `username`. Owners are
 * stored in canonical form and compared exactly, as SQL lists compare them; a guest (`null`) and
 * an unrecorded owner are nobody.
 *
 * @example
 * ownedBy(row.owner, call.identity.username)
 */
export function ownedBy(stored: unknown, username: string | null | undefined): boolean {
  return (
    typeof stored === 'string' &&
    typeof username === 'string' &&
    stored === canonicalUsername(username)
  );
}
