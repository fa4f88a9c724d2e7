import type { AppContext } from '../app-context';
import { isAdmin } from '../auth/identity';
import type { ApiRoute } from '../http/api-route';
import { HttpError } from '../http/http-error';
import type { JobScheduler } from './job-scheduler';

/**
 * `GET`/`POST /1/jobs/run/{id}`: starts a job and answers at once `{name, status: "started"}`
 * (its outcome goes to the log); `GET`/`POST /1/jobs/run/{id}/test`: runs it and answers its
 * action's result, or the action's `417`. Admins only (the `Admin` role or the master key);
 * `{id}` is the job's `name` or its `id`.
 */
export function jobRoutes(ctx: AppContext, jobs: JobScheduler): ApiRoute[] {
  const target = async (request: Parameters<ApiRoute['handler']>[0]) => {
    const identity = await ctx.resolver.fromHeaders(request.headers);
    if (!isAdmin(identity)) throw new HttpError(403, 'Only an admin may run jobs');
    const id = request.params['id']!;
    const job = jobs.find(id);
    if (!job) throw new HttpError(404, `Unknown job "${id.slice(0, 63)}"`);
    return job;
  };
  const run: ApiRoute['handler'] = async (request) => {
    const job = await target(request);
    jobs.run(job).catch(() => undefined); // logged by the scheduler
    return { name: job.name, status: 'started' };
  };
  const test: ApiRoute['handler'] = async (request) => jobs.run(await target(request));
  return [
    { method: 'GET', path: '/1/jobs/run/:id', handler: run },
    { method: 'POST', path: '/1/jobs/run/:id', handler: run },
    { method: 'GET', path: '/1/jobs/run/:id/test', handler: test },
    { method: 'POST', path: '/1/jobs/run/:id/test', handler: test },
  ];
}
