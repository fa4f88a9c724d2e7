import { Cron } from 'croner';
import type { AppDefinition } from '../app-definition/schema';

/**
 * Checks the jobs of an app definition: a cron expression and time zone croner accepts, a
 * target that exists (an on-demand code action of an object, or a function), unique names and
 * ids. Returns the problems found, each with its path.
 */
export function checkJobs(app: AppDefinition): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  const ids = new Set<string>();
  app.jobs.forEach((job, i) => {
    const at = `jobs[${i}]`;
    for (const [key, value] of [
      ['name', job.name],
      ['id', job.id],
    ] as const) {
      if (value === undefined) continue;
      if (ids.has(String(value))) {
        problems.push({ path: `${at}.${key}`, message: `duplicate job id "${value}"` });
      }
      ids.add(String(value));
    }
    const why = cronProblem(job.schedule, job.timezone);
    if (why) {
      problems.push({
        path: `${at}.${why.inZone ? 'timezone' : 'schedule'}`,
        message: why.message,
      });
    }
    if (job.function !== undefined) {
      if (!app.functions.some((f) => f.name === job.function)) {
        problems.push({ path: `${at}.function`, message: `no function "${job.function}"` });
      }
      return;
    }
    const object = job.object === undefined ? undefined : ownEntry(app.objects, job.object);
    if (!object) {
      problems.push({ path: `${at}.object`, message: `no object "${job.object}"` });
      return;
    }
    const action = object.actions.find((a) => a.name === job.action);
    if (!action || action.trigger !== 'onDemand' || action.type === 'files') {
      problems.push({
        path: `${at}.action`,
        message: `"${job.object}" has no on-demand code action "${job.action}"`,
      });
    }
  });
  return problems;
}

/** Why croner refuses a schedule (or its time zone), or undefined when it takes it. */
function cronProblem(
  schedule: string,
  timezone: string | undefined,
): { message: string; inZone: boolean } | undefined {
  if (timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    } catch {
      return { message: `unknown time zone "${timezone}"`, inZone: true };
    }
  }
  try {
    const cron = new Cron(schedule, { paused: true, ...(timezone ? { timezone } : {}) });
    const next = cron.nextRun();
    cron.stop();
    if (!next) return { message: `"${schedule}" never runs`, inZone: false };
    return undefined;
  } catch (err) {
    return {
      message: `is not a cron expression croner accepts ("${schedule}": ${(err as Error).message})`,
      inZone: false,
    };
  }
}

function ownEntry<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}
