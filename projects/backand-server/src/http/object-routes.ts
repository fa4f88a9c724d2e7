import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context';
import { parseListParams } from '../objects/list-params';
import type { ObjectService } from '../objects/object-service';
import { parseId } from '../objects/rows';
import { callInfo } from './call-info';

type Params = { name: string; id?: string };
type Query = Record<string, string | undefined>;

const isTrue = (v: string | undefined) => v === 'true' || v === '1';
const excludes = (q: Query, what: string) =>
  (q['exclude'] ?? '')
    .toLowerCase()
    .split(',')
    .map((s) => s.trim())
    .includes(what);

/** `GET/POST /1/objects/{name}` and `GET/PUT/DELETE /1/objects/{name}/{id}` (PROTOCOL §3). */
export function registerObjectRoutes(
  fastify: FastifyInstance,
  ctx: AppContext,
  objects: ObjectService,
): void {
  fastify.get<{ Params: Params; Querystring: Query }>('/1/objects/:name', async (request) => {
    const call = await callInfo(ctx, request);
    return objects.list(request.params.name, call, parseListParams(request.query));
  });

  fastify.get<{ Params: Params; Querystring: Query }>('/1/objects/:name/:id', async (request) => {
    const call = await callInfo(ctx, request);
    const { name, id } = request.params;
    objects.definition(name);
    return objects.getOne(name, parseId(name, id!), call, !excludes(request.query, 'metadata'));
  });

  fastify.post<{ Params: Params; Querystring: Query }>('/1/objects/:name', async (request) => {
    const call = await callInfo(ctx, request);
    const { id, row } = objects.create(request.params.name, request.body, call);
    return isTrue(request.query['returnObject']) ? row : { __metadata: { id: String(id) } };
  });

  fastify.put<{ Params: Params; Querystring: Query }>('/1/objects/:name/:id', async (request) => {
    const call = await callInfo(ctx, request);
    const { name, id } = request.params;
    objects.definition(name);
    const row = objects.update(name, parseId(name, id!), request.body, call);
    return isTrue(request.query['returnObject']) ? row : {};
  });

  fastify.delete<{ Params: Params; Querystring: Query }>(
    '/1/objects/:name/:id',
    async (request) => {
      const call = await callInfo(ctx, request);
      const { name, id } = request.params;
      objects.definition(name);
      const rowId = parseId(name, id!);
      objects.remove(name, rowId, call);
      return { __metadata: { id: String(rowId) } };
    },
  );
}
