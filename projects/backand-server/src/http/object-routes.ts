import type { AppContext } from '../app-context';
import { parseExclude, parseListParams } from '../objects/list-params';
import { parseRelationParams } from '../objects/relation-params';
import type { Created, ObjectService } from '../objects/object-service';
import { parseId } from '../objects/rows';
import type { ApiRoute } from './api-route';
import { callInfo } from './call-info';

const isTrue = (v: string | undefined) => v === 'true' || v === '1';

/**
 * `GET/POST /1/objects/{name}`, `GET/PUT/DELETE /1/objects/{name}/{id}` (docs/PROTOCOL.md §5) and
 * `GET /1/objects/{name}/{id}/{collection}` (a collection of one row).
 */
export function objectRoutes(ctx: AppContext, objects: ObjectService): ApiRoute[] {
  /** The object (404 when unknown) and the row id (400 when malformed), in that order. */
  const target = (params: Record<string, string>) => {
    const name = params['name']!;
    objects.definition(name);
    return { name, id: params['id'] === undefined ? 0 : parseId(name, params['id']) };
  };
  return [
    {
      method: 'GET',
      path: '/1/objects/:name',
      handler: async (request) => {
        const call = await callInfo(ctx, request);
        const params = parseListParams(request.query);
        const relations = parseRelationParams(request.query, !params.excludeMetadata);
        return objects.list(request.params['name']!, call, params, relations);
      },
    },
    {
      method: 'GET',
      path: '/1/objects/:name/:id',
      handler: async (request) => {
        const call = await callInfo(ctx, request);
        const { name, id } = target(request.params);
        const withMetadata = !parseExclude(request.query).has('metadata');
        const relations = parseRelationParams(request.query, withMetadata);
        return objects.getOne(name, id, call, withMetadata, relations);
      },
    },
    {
      method: 'GET',
      path: '/1/objects/:name/:id/:collection',
      handler: async (request) => {
        const call = await callInfo(ctx, request);
        const { name, id } = target(request.params);
        const params = parseListParams(request.query);
        const relations = parseRelationParams(request.query, !params.excludeMetadata);
        return objects.listCollection(
          name,
          id,
          request.params['collection']!,
          call,
          params,
          relations,
        );
      },
    },
    {
      method: 'POST',
      path: '/1/objects/:name',
      handler: async (request) => {
        const call = await callInfo(ctx, request);
        const answer = ({ id, row }: Created) =>
          isTrue(request.query['returnObject']) ? row : { __metadata: { id: String(id) } };
        // Objects without create actions write synchronously: no extra await per write.
        const created = objects.create(request.params['name']!, request.body, call);
        return created instanceof Promise ? created.then(answer) : answer(created);
      },
    },
    {
      method: 'PUT',
      path: '/1/objects/:name/:id',
      handler: async (request) => {
        const call = await callInfo(ctx, request);
        const { name, id } = target(request.params);
        const answer = (row: Record<string, unknown>) =>
          isTrue(request.query['returnObject']) ? row : {};
        const updated = objects.update(name, id, request.body, call);
        return updated instanceof Promise ? updated.then(answer) : answer(updated);
      },
    },
    {
      method: 'DELETE',
      path: '/1/objects/:name/:id',
      handler: async (request) => {
        const call = await callInfo(ctx, request);
        const { name, id } = target(request.params);
        const answer = { __metadata: { id: String(id) } };
        const removed = objects.remove(name, id, call);
        return removed instanceof Promise ? removed.then(() => answer) : answer;
      },
    },
  ];
}
