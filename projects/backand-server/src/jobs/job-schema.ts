import { z } from 'zod';

/**
 * One scheduled job of an app definition (Backand's "background jobs"): runs an on-demand action
 * of an object (`object` + `action`) or an app function (`function`) on a cron schedule.
 *
 * @example
 * { "name": "nightly", "schedule": "0 3 * * *", "object": "items", "action": "cleanup",
 *   "parameters": { "type": 1 } }
 */
export const jobSchema = z
  .strictObject({
    /** How the job is named in the log and in `/1/jobs/run/{id}`. */
    name: z
      .string()
      .regex(
        /^[A-Za-z][A-Za-z0-9_]{0,62}$/,
        'must start with a letter and hold only letters, digits and "_" (at most 63 characters)',
      ),
    /** Another id the run endpoints accept (e.g. the numeric id an app used with Backand). */
    id: z
      .union([z.string().regex(/^[A-Za-z0-9_-]{1,63}$/), z.number().int().nonnegative()], {
        error: 'must be a number or letters, digits, "-" and "_"',
      })
      .optional(),
    /** A cron expression (5 fields, or 6 with seconds first), checked at start. */
    schedule: z.string().min(1),
    /** IANA time zone of the schedule (default: the server's). */
    timezone: z.string().min(1).optional(),
    object: z.string().min(1).optional(),
    action: z.string().min(1).optional(),
    function: z.string().min(1).optional(),
    /** The run's `parameters` (Backand's query string `parameters={…}`). */
    parameters: z.record(z.string(), z.unknown()).optional(),
    /** The request method the action sees (`request.method`); default GET. */
    method: z.enum(['GET', 'POST'], { error: 'must be "GET" or "POST"' }).default('GET'),
    /** Request data of a POST job: its fields join `parameters` (which win on a clash). */
    body: z.unknown().optional(),
    /** A disabled job is not scheduled; the run endpoints still run it. Default true. */
    enabled: z.boolean().default(true),
  })
  .superRefine((job, ctx) => {
    const target = job.function !== undefined;
    const onObject = job.object !== undefined || job.action !== undefined;
    if (
      target === onObject ||
      (onObject && (job.object === undefined || job.action === undefined))
    ) {
      ctx.addIssue({
        code: 'custom',
        message: 'needs either "object" and "action" (an on-demand action) or "function"',
      });
    }
  });

/** A validated job of an app definition. */
export type JobDefinition = z.output<typeof jobSchema>;
