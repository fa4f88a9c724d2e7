import type { FastifyInstance, FastifyReply } from 'fastify';
import { PendingEmits } from '../actions/pending-emits';
import { userProfileOf, type AppContext } from '../app-context';
import { isAdmin } from '../auth/identity';
import type { ObjectService } from '../objects/object-service';
import { parseId } from '../objects/rows';
import type { NamedQueries } from '../queries/named-queries';
import { callInfo } from './call-info';
import { HttpError } from './http-error';

type ActionParams = { object: string; id?: string };
type Query = Record<string, string | undefined>;

/**
 * On-demand actions (`/1/objects/action/{object}[/{id}]?name=`), named queries
 * (`/1/query/data/{name}`) and app functions (`/1/function/general/{name}`), PROTOCOL §4.
 */
export function registerActionRoutes(
  fastify: FastifyInstance,
  ctx: AppContext,
  objects: ObjectService,
  queries: NamedQueries,
): void {
  const onDemand = async (
    request: { params: ActionParams; query: Query; body: unknown; method: string },
    call: Awaited<ReturnType<typeof callInfo>>,
  ) => {
    const { object, id } = request.params;
    objects.definition(object);
    const name = request.query['name'];
    if (!name) throw new HttpError(400, 'Query parameter "name" (the action) is required');
    const rowId = id === undefined ? undefined : parseId(object, id);
    const userInput = request.method === 'GET' ? {} : request.body;
    return objects.runOnDemand(object, rowId, name, userInput, call);
  };
  for (const url of ['/1/objects/action/:object', '/1/objects/action/:object/:id']) {
    fastify.get<{ Params: ActionParams; Querystring: Query }>(url, async (request, reply) =>
      sendJson(reply, await onDemand(request, await callInfo(ctx, request))),
    );
    fastify.post<{ Params: ActionParams; Querystring: Query }>(url, async (request, reply) =>
      sendJson(reply, await onDemand(request, await callInfo(ctx, request))),
    );
  }

  fastify.get<{ Params: { name: string } }>('/1/query/data/:name', async (request) => {
    const call = await callInfo(ctx, request);
    return queries.run(request.params.name, call);
  });
  fastify.post<{ Params: { name: string } }>('/1/query/data/:name', async (request) => {
    const call = await callInfo(ctx, request, true);
    return queries.run(request.params.name, call);
  });

  const runFunction = async (
    request: { params: { name: string }; body: unknown; method: string },
    call: Awaited<ReturnType<typeof callInfo>>,
  ) => {
    const fn = ctx.app.functions.find((f) => f.name === request.params.name);
    if (!fn)
      throw new HttpError(404, `Unknown function "${String(request.params.name).slice(0, 60)}"`);
    if (fn.roles && !isAdmin(call.identity) && !fn.roles.includes(call.identity.role)) {
      throw new HttpError(403, `No permission to run function "${fn.name}"`);
    }
    const emits = new PendingEmits();
    const userInput = request.method === 'GET' ? {} : (request.body ?? {});
    const args = {
      userInput,
      dbRow: null,
      parameters: call.parameters,
      userProfile: userProfileOf(call),
    };
    const result = await ctx.actions.runAsync(fn.name, fn.code!, args, emits);
    emits.flush(ctx.realtime);
    return result;
  };
  fastify.get<{ Params: { name: string } }>('/1/function/general/:name', async (request, reply) =>
    sendJson(reply, await runFunction(request, await callInfo(ctx, request))),
  );
  fastify.post<{ Params: { name: string } }>('/1/function/general/:name', async (request, reply) =>
    sendJson(reply, await runFunction(request, await callInfo(ctx, request))),
  );
}

/**
 * Sends an action's return value as JSON. Fastify would send a bare string as text and
 * `undefined` as an empty body; `undefined` becomes `{}`.
 */
function sendJson(reply: FastifyReply, result: unknown): FastifyReply {
  const text = result === undefined ? '{}' : (JSON.stringify(result) ?? 'null');
  return reply.type('application/json; charset=utf-8').send(text);
}
