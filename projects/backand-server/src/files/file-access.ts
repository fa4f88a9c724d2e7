import type { AppContext } from '../app-context';
import type { ObjectDefinition } from '../app-definition/schema';
import type { Identity } from '../auth/identity';
import { HttpError } from '../http/http-error';
import { accessFor } from '../objects/permissions';
import { ownedBy } from '../auth/username';
import { FileOwners, type FileRecord } from './file-owners';
import { isPlainName } from './file-store';

/**
 * Whether a caller may read a stored file: read `all` on its object, or read `own` and the
 * file's recorded uploader is the caller (a file with no recorded uploader is nobody's).
 */
export function mayReadFile(
  object: ObjectDefinition,
  identity: Identity,
  record: FileRecord | undefined,
): boolean {
  const access = accessFor(object, identity, 'read');
  return access === 'all' || (access === 'own' && ownedBy(record?.uploader, identity.username));
}

/**
 * The answer for a missing file, and for one the caller may not read: the same, on purpose, and
 * without the name, so that answers for different names can be compared byte for byte.
 */
export function noSuchFile(objectName: string): HttpError {
  return new HttpError(404, `No such file in "${objectName.slice(0, 63)}"`);
}

/**
 * Checks that a caller may read a stored file (by their credentials) and returns its record.
 * The answers do not tell whether a file the caller may not read exists.
 * @throws HttpError 403 when the caller may read no file of the object (whether or not this one
 *   exists); 404 when there is no such file, or it is another user's and the caller has `own`
 *   access; 400 for a name that is not plain (404 with `badNameIsMissing`, for download paths).
 */
export function requireReadableFile(
  ctx: AppContext,
  objectName: string,
  object: ObjectDefinition,
  filename: unknown,
  identity: Identity,
  badNameIsMissing = false,
): FileRecord | undefined {
  if (accessFor(object, identity, 'read') === 'none') {
    throw new HttpError(403, `No permission to read files of "${objectName}"`);
  }
  if (badNameIsMissing && !isPlainName(filename)) throw noSuchFile(objectName);
  if (!ctx.files.exists(objectName, filename)) throw noSuchFile(objectName);
  const record = new FileOwners(ctx.db).entry(objectName, String(filename));
  if (!mayReadFile(object, identity, record)) throw noSuchFile(objectName);
  return record;
}
