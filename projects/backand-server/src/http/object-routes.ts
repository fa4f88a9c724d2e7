import type { AppContext } from '../app-context';
import { parseExclude, parseListParams } from '../objects/list-params';
import type { ObjectService } from '../objects/object-service';
import { parseId } from '../objects/rows';
import type { ApiRoute } from './api-route';
import { callInfo } from './call-info';

const isTrue = (v: string | undefined) => v === 'true' || v === '1';

/** `GET/POST /1/objects/{name}` and `GET/PUT/DELETE /1/objects/{name}/{id}` (PROTOCOL §3). */
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
        return objects.list(request.params['name']!, call, parseListParams(request.query));
      },
    },
    {
      method: 'GET',
      path: '/1/objects/:name/:id',
      handler: async (request) => {
        const call = await callInfo(ctx, request);
        const { name, id } = target(request.params);
        return objects.getOne(name, id, call, !parseExclude(request.query).has('metadata'));
      },
    },
    {
      method: 'POST',
      path: '/1/objects/:name',
      handler: async (request) => {
        const call = await callInfo(ctx, request);
        const { id, row } = objects.create(request.params['name']!, request.body, call);
        return isTrue(request.query['returnObject']) ? row : { __metadata: { id: String(id) } };
      },
    },
    {
      method: 'PUT',
      path: '/1/objects/:name/:id',
      handler: async (request) => {
        const call = await callInfo(ctx, request);
        const { name, id } = target(request.params);
        const row = objects.update(name, id, request.body, call);
        return isTrue(request.query['returnObject']) ? row : {};
      },
    },
    {
      method: 'DELETE',
      path: '/1/objects/:name/:id',
      handler: async (request) => {
        const call = await callInfo(ctx, request);
        const { name, id } = target(request.params);
        objects.remove(name, id, call);
        return { __metadata: { id: String(id) } };
      },
    },
  ];
}
