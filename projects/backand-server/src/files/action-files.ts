import type { AppContext, CallInfo } from '../app-context';
import type { ObjectDefinition } from '../app-definition/schema';
import type { FileCalls } from '../actions/host-services';
import { HttpError } from '../http/http-error';
import { accessFor, inRoles } from '../objects/permissions';
import { mayReadFile } from './file-access';
import { mayTouch } from './file-action';
import { FileOwners } from './file-owners';
import { decodeFileData } from './file-store';

/**
 * The `files` global of an object's actions (Backand's `files.upload(filename, filedata)` →
 * url, `files.delete(filename)`), on the server's file store of that object
 * (`/files/<object>/<filename>`) with the rules of a file action, for the caller who runs the
 * action: uploading needs create permission on the object (or one of the action's `roles`),
 * removing needs delete; replacing or removing another user's file needs `all` update/delete
 * access. Every call is synchronous, so it also serves actions that run inside a write.
 */
export function actionFiles(
  ctx: AppContext,
  call: CallInfo,
  objectName: string,
  object: ObjectDefinition,
  roles?: readonly string[],
): FileCalls {
  return (kind, raw) => {
    const args = (raw ?? {}) as { filename?: unknown; filedata?: unknown };
    if (kind !== 'files.upload' && kind !== 'files.delete') throw new Error(`unknown call ${kind}`);
    const op = kind === 'files.upload' ? 'create' : 'delete';
    const allowed = roles
      ? inRoles(call.identity, roles)
      : accessFor(object, call.identity, op) !== 'none';
    if (!allowed) {
      throw new HttpError(403, `${kind}: no permission to ${op} files of "${objectName}"`);
    }
    const owners = new FileOwners(ctx.db);
    const filename = args.filename;
    if (kind === 'files.delete') {
      if (ctx.files.exists(objectName, filename)) {
        mayTouch(owners, object, objectName, String(filename), call, 'delete');
      }
      ctx.files.remove(objectName, filename);
      owners.forget(objectName, String(filename));
      return {};
    }
    const data = decodeFileData(args.filedata);
    if (ctx.files.exists(objectName, filename)) {
      mayTouch(owners, object, objectName, String(filename), call, 'update');
    }
    const relative = ctx.files.save(objectName, filename, data);
    const uploader = call.identity.username;
    const uploadId = owners.record(objectName, String(filename), uploader);
    const origin = call.origin ?? '';
    return mayReadFile(object, call.identity, { uploader, uploadId })
      ? { url: ctx.fileLinks.url(origin, objectName, String(filename), uploadId) }
      : { url: `${origin}/files/${relative}` };
  };
}
