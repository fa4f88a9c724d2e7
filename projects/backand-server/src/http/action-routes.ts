import { PendingEmits } from '../actions/pending-emits';
import type { AppContext, CallInfo } from '../app-context';
import { actionArgs, onDemandParameters } from '../actions/action-args';
import type { ObjectService } from '../objects/object-service';
import { inRoles } from '../objects/permissions';
import { parseId } from '../objects/rows';
import type { NamedQueries } from '../queries/named-queries';
import type { ApiRequest, ApiRoute } from './api-route';
import { callInfo } from './call-info';
import { BODY_LIMIT } from './error-handler';
import { HttpError } from './http-error';
import { decodeTwiceEncoded } from './legacy-encoding';
import { MAX_UPLOAD_BODY, runFileAction } from '../files/file-action';

/**
 * On-demand actions (`/1/objects/action/{object}[/{id}]?name=`), named queries
 * (`/1/query/data/{name}`) and app functions (`/1/function/general/{name}`), docs/PROTOCOL.md §6.
 */
export function actionRoutes(
  ctx: AppContext,
  objects: ObjectService,
  queries: NamedQueries,
): ApiRoute[] {
  const onDemand = async (request: ApiRequest) => {
    const call = await callInfo(ctx, request);
    const object = request.params['object']!;
    const definition = objects.definition(object);
    const name = decodeTwiceEncoded(request.query['name'] ?? '');
    if (!name) throw new HttpError(400, 'Query parameter "name" (the action) is required');
    const fileAction = definition.actions.find((a) => a.name === name && a.type === 'files');
    if (fileAction) return runFileAction(ctx, request, call, object, definition, fileAction);
    // DELETE reaches code actions too: Backand's storage action template branches on
    // `request.method` ("POST" uploads, "DELETE" deletes).
    const id = request.params['id'];
    const rowId = id === undefined ? undefined : parseId(object, id);
    // As in Backand: the body's fields reach `parameters`, and `userInput` is null.
    call.parameters = onDemandParameters(request.body, call.parameters);
    return objects.runOnDemand(object, rowId, name, null, call);
  };

  const isFileAction = (request: Pick<ApiRequest, 'params' | 'query'>): boolean => {
    const object = request.params['object'] ?? '';
    const definition = Object.prototype.hasOwnProperty.call(ctx.app.objects, object)
      ? ctx.app.objects[object]
      : undefined;
    const name = decodeTwiceEncoded(request.query['name'] ?? '');
    return !!definition?.actions.some((a) => a.name === name && a.type === 'files');
  };

  const runFunction = async (request: ApiRequest) => {
    const call: CallInfo = await callInfo(ctx, request);
    const name = request.params['name']!;
    const fn = ctx.app.functions.find((f) => f.name === name);
    if (!fn) throw new HttpError(404, `Unknown function "${name.slice(0, 60)}"`);
    if (fn.roles && !inRoles(call.identity, fn.roles)) {
      throw new HttpError(403, `No permission to run function "${fn.name}"`);
    }
    const emits = new PendingEmits();
    call.parameters = onDemandParameters(request.body, call.parameters);
    const args = actionArgs(ctx, call, null, null);
    const result = await ctx.actions.runAsync(fn.name, fn.code!, args, emits);
    emits.flush(ctx.realtime, ctx.logger);
    return result;
  };

  const query = (fromBody: boolean) => async (request: ApiRequest) =>
    queries.run(request.params['name']!, await callInfo(ctx, request, fromBody));

  return [
    { method: 'GET', path: '/1/objects/action/:object', handler: onDemand },
    {
      method: 'POST',
      path: '/1/objects/action/:object',
      handler: onDemand,
      // Only uploads to a file action may be large.
      bodyLimit: MAX_UPLOAD_BODY,
      bodyLimitFor: (request) => (isFileAction(request) ? MAX_UPLOAD_BODY : BODY_LIMIT),
    },
    { method: 'DELETE', path: '/1/objects/action/:object', handler: onDemand },
    { method: 'GET', path: '/1/objects/action/:object/:id', handler: onDemand },
    { method: 'POST', path: '/1/objects/action/:object/:id', handler: onDemand },
    { method: 'GET', path: '/1/query/data/:name', handler: query(false) },
    { method: 'POST', path: '/1/query/data/:name', handler: query(true) },
    { method: 'GET', path: '/1/function/general/:name', handler: runFunction },
    { method: 'POST', path: '/1/function/general/:name', handler: runFunction },
  ];
}
