import { PendingEmits } from '../actions/pending-emits';
import { userProfileOf, type AppContext, type CallInfo } from '../app-context';
import type { ActionTrigger, ObjectDefinition } from '../app-definition/schema';

/**
 * The trigger actions of writes. They run outside the write's transaction (a worker round trip
 * cannot happen inside SQLite's synchronous transaction): before* actions before it, after*
 * actions once it has committed.
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
    object: ObjectDefinition,
    trigger: ActionTrigger,
    userInput: Record<string, unknown>,
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
        { userInput: input, dbRow, parameters: call.parameters, userProfile: userProfileOf(call) },
        { userInput: true },
      );
      input = (outcome.userInput ?? {}) as Record<string, unknown>;
      emits.add(outcome.emits);
    }
    return { input, emits };
  }

  /**
   * Runs the after* actions of a committed write, in order. The write stands whatever they do:
   * a failing one is logged at error level with its name and its emits are dropped; the emits of
   * the others are delivered as each one ends.
   */
  async after(
    object: ObjectDefinition,
    trigger: ActionTrigger,
    userInput: Record<string, unknown>,
    dbRow: Record<string, unknown> | null,
    call: CallInfo,
  ): Promise<void> {
    for (const action of object.actions) {
      if (action.trigger !== trigger) continue;
      const args = {
        userInput,
        dbRow,
        parameters: call.parameters,
        userProfile: userProfileOf(call),
      };
      try {
        const outcome = await this.ctx.actions.run(action.name, action.code!, args);
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
}
