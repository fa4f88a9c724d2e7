import { Cron } from 'croner';
import { actionArgs, onDemandParameters } from '../actions/action-args';
import { PendingEmits } from '../actions/pending-emits';
import type { AppContext, CallInfo } from '../app-context';
import type { Identity } from '../auth/identity';
import { HttpError } from '../http/http-error';
import type { ObjectService } from '../objects/object-service';
import type { JobDefinition } from './job-schema';

/**
 * Runs the app's jobs (Backand's background jobs): each enabled job on its cron schedule
 * (croner), and any job on demand through `/1/jobs/run/{id}[/test]`. A job runs as the app's
 * master key (role `Admin`, no user name), like a Backand job without an `Authorization`
 * header. A job never overlaps itself: a tick that comes while it runs is skipped (and
 * logged), a run asked for meanwhile is refused (`409`). A failing run is logged; the server
 * carries on. Several nodes on one database run each scheduled tick once: the first node to
 * record the tick in `_backand_job_ticks` runs it.
 */
export class JobScheduler {
  private readonly crons: Cron[] = [];
  private readonly running = new Map<string, Promise<unknown>>();
  private apiUrl = '';
  private stopped = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly objects: ObjectService,
  ) {}

  /** Jobs on a schedule (started and not stopped). */
  get scheduled(): number {
    return this.crons.filter((c) => c.isRunning()).length;
  }

  /** Schedules the enabled jobs. `apiUrl`: the server's address, the jobs' `CONSTS.apiUrl`. */
  start(apiUrl: string): void {
    this.apiUrl = apiUrl;
    for (const job of this.ctx.app.jobs) {
      if (!job.enabled) continue;
      this.crons.push(
        new Cron(
          job.schedule,
          // No croner `name`: names are global to the process, which may hold several servers.
          job.timezone ? { timezone: job.timezone } : {},
          (self: Cron) => this.tick(job, self.currentRun()),
        ),
      );
    }
  }

  /** The job a run endpoint names: by `name`, or by its `id`. */
  find(id: string): JobDefinition | undefined {
    return this.ctx.app.jobs.find(
      (j) => j.name === id || (j.id !== undefined && String(j.id) === id),
    );
  }

  /**
   * Runs a job now and resolves with its action's result.
   * @throws HttpError 409 while the job runs; 417 when its action fails; 503 once stopped.
   */
  run(job: JobDefinition, tick?: string): Promise<unknown> {
    if (this.stopped) throw new HttpError(503, 'the server is closing');
    if (this.running.has(job.name)) {
      throw new HttpError(409, `Job "${job.name}" is running; it never runs twice at once`);
    }
    const started = Date.now();
    const run = this.execute(job).finally(() => this.running.delete(job.name));
    this.running.set(job.name, run);
    // A scheduled run names its tick: with several nodes, the log tells which one ran it.
    const of = { job: job.name, ...(tick ? { tick } : {}) };
    run.then(
      () => this.ctx.logger.info({ ...of, ms: Date.now() - started }, `job "${job.name}" ran`),
      (err: unknown) => this.ctx.logger.error({ ...of, err }, `job "${job.name}" failed`),
    );
    return run;
  }

  /** Stops the schedules and waits for the runs in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const cron of this.crons) cron.stop();
    await Promise.allSettled([...this.running.values()]);
  }

  private tick(job: JobDefinition, at: Date | null): void {
    if (this.stopped) return;
    const tick = at ? new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString() : undefined;
    if (tick && !this.claim(job, tick)) return;
    if (this.running.has(job.name)) {
      this.ctx.logger.warn(
        { job: job.name },
        `job "${job.name}" is still running: this run is skipped`,
      );
      return;
    }
    // Failures are logged by run(); a scheduled run has nobody else to tell.
    this.run(job, tick).catch(() => undefined);
  }

  /**
   * Records a scheduled tick of a job for this node; false when another node on the same
   * database took it first. Ticks older than a day are forgotten.
   */
  private claim(job: JobDefinition, tick: string): boolean {
    const { db } = this.ctx;
    try {
      const taken =
        db
          .prepare(
            `INSERT INTO _backand_job_ticks (job, tick) VALUES (?, ?) ON CONFLICT DO NOTHING`,
          )
          .run(job.name, tick).changes === 1;
      if (taken) {
        db.prepare(`DELETE FROM _backand_job_ticks WHERE tick < ?`).run(
          new Date(Date.parse(tick) - 86_400_000).toISOString(),
        );
      }
      return taken;
    } catch (err) {
      // The database does not answer: run here rather than not at all.
      this.ctx.logger.warn({ job: job.name, err }, `job "${job.name}": its tick was not recorded`);
      return true;
    }
  }

  private async execute(job: JobDefinition): Promise<unknown> {
    const call = this.callOf(job);
    if (job.function !== undefined) {
      const fn = this.ctx.app.functions.find((f) => f.name === job.function)!;
      const emits = new PendingEmits();
      const args = actionArgs(this.ctx, call, null, null);
      const result = await this.ctx.actions.runAsync(fn.name, fn.code!, args, emits);
      emits.flush(this.ctx.realtime, this.ctx.logger);
      return result;
    }
    return this.objects.runOnDemand(job.object!, undefined, job.action!, null, call);
  }

  /** The call a job's run makes: the master key, the job's method, parameters and body. */
  private callOf(job: JobDefinition): CallInfo {
    const identity: Identity = {
      kind: 'master',
      username: null,
      role: 'Admin',
      userId: null,
      appName: this.ctx.app.appName,
      token: null,
    };
    const parameters = job.parameters ?? {};
    return {
      identity,
      method: job.method,
      headers: {},
      parameters: onDemandParameters(job.method === 'POST' ? job.body : undefined, parameters),
      origin: this.apiUrl,
      query: { parameters: JSON.stringify(parameters) },
      body: job.method === 'POST' ? (job.body ?? null) : null,
    };
  }
}
