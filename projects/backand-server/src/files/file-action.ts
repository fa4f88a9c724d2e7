import type { ActionDefinition, ObjectDefinition } from '../app-definition/schema';
import type { AppContext, CallInfo } from '../app-context';
import type { ApiRequest } from '../http/api-route';
import { HttpError } from '../http/http-error';
import { jsonObjectBody } from '../http/json-object';
import { accessFor, inRoles } from '../objects/permissions';
import { decodeTwiceEncoded } from '../http/legacy-encoding';
import { mayReadFile, requireReadableFile } from './file-access';
import { ownedBy } from '../auth/username';
import { FileOwners } from './file-owners';
import { decodeFileData } from './file-store';

/** The largest upload request accepted (base64 makes files a third larger): 10 MiB. */
export const MAX_UPLOAD_BODY = 10 * 1024 * 1024;

/**
 * Runs a file action (`"type": "files"`): `POST {filename, filedata}` stores the file and answers
 * `{url}`; `DELETE {filename}` removes it; `GET ?filename=` answers `{url}`, a fresh signed link
 * to a stored file. Uploads and removals are allowed to the action's `roles` when it lists them,
 * else to callers who may create (upload) or delete (remove) rows of the object; links to callers
 * who may read the file (see `requireReadableFile`).
 */
export function runFileAction(
  ctx: AppContext,
  request: ApiRequest,
  call: CallInfo,
  objectName: string,
  object: ObjectDefinition,
  action: ActionDefinition,
): unknown {
  if (request.method === 'GET') return linkTo(ctx, request, call, objectName, object, action);
  if (request.method !== 'POST' && request.method !== 'DELETE') {
    throw new HttpError(
      400,
      `File action "${action.name}": POST uploads a file, DELETE removes one, GET ?filename= links to one`,
    );
  }
  const op = request.method === 'POST' ? 'create' : 'delete';
  const allowed = action.roles
    ? inRoles(call.identity, action.roles)
    : accessFor(object, call.identity, op) !== 'none';
  if (!allowed) throw new HttpError(403, `No permission to run file action "${action.name}"`);
  const body = jsonObjectBody(request.body, 'The body must be a JSON object {filename, filedata}');
  const filename = body['filename'];
  const owners = new FileOwners(ctx.db);
  if (request.method === 'DELETE') {
    if (ctx.files.exists(objectName, filename)) {
      mayTouch(owners, object, objectName, String(filename), call, 'delete');
    }
    ctx.files.remove(objectName, filename);
    owners.forget(objectName, String(filename));
    return {};
  }
  const data = decodeFileData(body['filedata']);
  if (ctx.files.exists(objectName, filename)) {
    mayTouch(owners, object, objectName, String(filename), call, 'update');
  }
  const relative = ctx.files.save(objectName, filename, data);
  const uploader = call.identity.username;
  const uploadId = owners.record(objectName, String(filename), uploader);
  // A signed link only for an uploader who may read the file (an upload-only role gets the plain
  // path, which needs credentials that may read it).
  return mayReadFile(object, call.identity, { uploader, uploadId })
    ? { url: ctx.fileLinks.url(request.origin, objectName, String(filename), uploadId) }
    : { url: `${request.origin}/files/${relative}` };
}

/** `GET ?filename=`: a fresh signed link for a caller who may read the file. */
function linkTo(
  ctx: AppContext,
  request: ApiRequest,
  call: CallInfo,
  objectName: string,
  object: ObjectDefinition,
  action: ActionDefinition,
): { url: string } {
  const raw = request.query['filename'];
  if (typeof raw !== 'string' || raw === '') {
    throw new HttpError(
      400,
      `File action "${action.name}": GET needs ?filename= (POST uploads a file, DELETE removes one)`,
      { field: 'filename' },
    );
  }
  const filename = decodeTwiceEncoded(raw);
  requireReadableFile(ctx, objectName, object, filename, call.identity);
  const uploadId = new FileOwners(ctx.db).uploadIdOf(objectName, filename);
  return { url: ctx.fileLinks.url(request.origin, objectName, filename, uploadId) };
}

/**
 * Replacing or removing a stored file is like updating or deleting a row: with "own" access
 * (or none, for callers let in by the action's `roles`) only the uploader's own files.
 * @throws HttpError 403 for another caller's file (or one whose uploader is not recorded).
 */
export function mayTouch(
  owners: FileOwners,
  object: ObjectDefinition,
  objectName: string,
  filename: string,
  call: CallInfo,
  op: 'update' | 'delete',
): void {
  if (accessFor(object, call.identity, op) === 'all') return;
  if (!ownedBy(owners.uploader(objectName, filename), call.identity.username)) {
    throw new HttpError(
      403,
      `No permission to ${op === 'update' ? 'replace' : 'remove'} "${filename}": another user's file`,
    );
  }
}
