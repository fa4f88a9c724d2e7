import { actionArgs } from '../actions/action-args';
import { PendingEmits } from '../actions/pending-emits';
import type { AppContext, CallInfo } from '../app-context';
import type { ActionDefinition, ActionTrigger, ObjectDefinition } from '../app-definition/schema';
import { actionFiles } from '../files/action-files';

/**
 * The trigger actions of writes. before* actions run before the write's transaction and after*
 * actions once it has committed (a worker round trip cannot happen inside SQLite's synchronous
 * transaction); during* actions run inside it, while the server waits for them (see
 * during-runner.ts). An action whose `where` condition is falsy does not run.
 */
export class TriggerActions {
  constructor(private readonly ctx: AppContext) {}

  /** Whether the object has an action on any of these triggers. */
  has(object: ObjectDefinition, ...triggers: ActionTrigger[]): boolean {
    return object.actions.some((a) => triggers.includes(a.trigger));
  }

  /**
   * Runs the before* actions in order, each on the input as the previous one left it. Returns
   * the final input and their emits (to deliver once the write commits).
   * @throws HttpError 417 of the first action that fails: the write must not happen.
   */
  async before(
    objectName: string,
    object: ObjectDefinition,
    trigger: ActionTrigger,
    userInput: Record<string, unknown> | null,
    dbRow: Record<string, unknown> | null,
    call: CallInfo,
  ): Promise<{ input: Record<string, unknown>; emits: PendingEmits }> {
    const emits = new PendingEmits();
    let input = userInput;
    for (const action of object.actions) {
      if (action.trigger !== trigger) continue;
      const outcome = await this.ctx.actions.run(
        action.name,
        action.code!,
        actionArgs(this.ctx, call, input, dbRow),
        { userInput: true },
        this.options(objectName, object, action, call),
      );
      if (!outcome.skipped) input = (outcome.userInput ?? null) as Record<string, unknown> | null;
      emits.add(outcome.emits);
    }
    return { input: input ?? {}, emits };
  }

  /** Prepares the worker of during* actions, when the object has any on these triggers. */
  async prepareDuring(object: ObjectDefinition, trigger: ActionTrigger): Promise<void> {
    if (this.has(object, trigger)) await this.ctx.actions.readyInline();
  }

  /**
   * Runs the during* actions, in order, inside the caller's transaction; their emits are added
   * to `emits` (delivered once the write commits). Changes they make to `userInput` are ignored:
   * the row is already written.
   * @throws HttpError 417 of the first one that fails: the caller's transaction rolls back.
   */
  during(
    objectName: string,
    object: ObjectDefinition,
    trigger: ActionTrigger,
    userInput: Record<string, unknown> | null,
    dbRow: Record<string, unknown> | null,
    call: CallInfo,
    emits: PendingEmits,
  ): void {
    for (const action of object.actions) {
      if (action.trigger !== trigger) continue;
      const outcome = this.ctx.actions.runInline(
        action.name,
        action.code!,
        actionArgs(this.ctx, call, userInput, dbRow),
        this.options(objectName, object, action, call),
      );
      emits.add(outcome.emits);
    }
  }

  /**
   * Runs the after* actions of a committed write, in order. The write stands whatever they do:
   * a failing one is logged at error level with its name and its emits are dropped; the emits of
   * the others are delivered as each one ends.
   */
  async after(
    objectName: string,
    object: ObjectDefinition,
    trigger: ActionTrigger,
    userInput: Record<string, unknown> | null,
    dbRow: Record<string, unknown> | null,
    call: CallInfo,
  ): Promise<void> {
    for (const action of object.actions) {
      if (action.trigger !== trigger) continue;
      try {
        const outcome = await this.ctx.actions.run(
          action.name,
          action.code!,
          actionArgs(this.ctx, call, userInput, dbRow),
          {},
          this.options(objectName, object, action, call),
        );
        const emits = new PendingEmits();
        emits.add(outcome.emits);
        emits.flush(this.ctx.realtime, this.ctx.logger);
      } catch (err) {
        this.ctx.logger.error(
          { action: action.name, trigger, err },
          `${trigger} action "${action.name}" failed; the write it follows stands`,
        );
      }
    }
  }

  private options(
    objectName: string,
    object: ObjectDefinition,
    action: ActionDefinition,
    call: CallInfo,
  ) {
    return {
      where: action.where,
      files: actionFiles(
        this.ctx,
        call,
        objectName,
        object,
        action.trigger === 'onDemand' ? action.roles : undefined,
      ),
    };
  }
}
