import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context';
import type { Headers } from '../auth/identity';
import { HttpError } from '../http/http-error';
import { noSuchFile, requireReadableFile } from './file-access';
import { FileOwners } from './file-owners';
import type { FileLinkQuery } from './file-links';
import { isPlainName } from './file-store';

/** The answer for a link whose signature is missing a part, forged, expired or out of date. */
export const INVALID_FILE_LINK = 'Invalid or expired file link';

/**
 * Serves `GET /files/<object>/<filename>` to callers who may read the file, who show it either
 * with REST credentials (`Authorization`, `AnonymousToken`) or with a signed link
 * (`?v=&expires=&sig=`, see `FileLinks`). Without either: `401`; a bad link: `403`.
 * Files are always downloads (attachment, nosniff, a sandboxing CSP) and never cached by
 * shared caches.
 */
export async function registerFileDownloads(
  fastify: FastifyInstance,
  ctx: AppContext,
): Promise<void> {
  await fastify.register(async (child) => {
    // Only for `reply.sendFile` (ranges, ETags, content types): the route below decides access.
    await child.register(fastifyStatic, {
      serve: false,
      index: false,
      dotfiles: 'deny',
      cacheControl: false,
      // Uploads are anyone's content on the app's origin: never rendered or run as a page of
      // it (no stored script through an uploaded .html or .svg), always downloaded.
      setHeaders: (res) => {
        res.setHeader('Content-Disposition', 'attachment');
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
        // Private: a shared cache must not hand a file fetched with credentials to others.
        res.setHeader('Cache-Control', 'private, no-cache');
      },
    });
    child.get('/files/:object/*', async (request, reply) => {
      const params = request.params as Record<string, string | undefined>;
      const objectName = params['object'] ?? '';
      const filename = params['*'] ?? '';
      await authorize(ctx, objectName, filename, request.headers, request.query as FileLinkQuery);
      return reply.sendFile(`${objectName}/${filename}`, ctx.files.root);
    });
  });
}

/**
 * Lets a download through, or throws. A valid link is enough; otherwise the request's
 * credentials must allow reading the file.
 * @throws HttpError 401 without link or credentials; 403 for a bad link without credentials,
 *   or when the caller may read no file of the object; 404 when there is no such file or the
 *   caller may not read it (the same answer).
 */
async function authorize(
  ctx: AppContext,
  objectName: string,
  filename: string,
  headers: Headers,
  query: FileLinkQuery,
): Promise<void> {
  const object = Object.prototype.hasOwnProperty.call(ctx.app.objects, objectName)
    ? ctx.app.objects[objectName]
    : undefined;
  const known = object !== undefined && isPlainName(filename);
  if (query.v !== undefined || query.expires !== undefined || query.sig !== undefined) {
    const record = known ? new FileOwners(ctx.db).entry(objectName, filename) : undefined;
    if (record && ctx.fileLinks.verify(objectName, filename, record.uploadId, query)) {
      if (!ctx.files.exists(objectName, filename)) throw noSuchFile(objectName);
      return;
    }
    // A link that does not hold says nothing of the file, whether it exists or not.
    if (!hasCredentials(headers)) throw new HttpError(403, INVALID_FILE_LINK);
  }
  const identity = await ctx.resolver.fromHeaders(headers);
  if (!object) throw noSuchFile(objectName);
  requireReadableFile(ctx, objectName, object, filename, identity, true);
}

function hasCredentials(headers: Headers): boolean {
  return !!headers['authorization'] || !!headers['anonymoustoken'];
}
