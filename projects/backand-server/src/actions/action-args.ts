import { userProfileOf, type AppContext, type CallInfo } from '../app-context';
import { actionEnv } from './action-env';
import type { ActionArgs } from './action-runner';

/**
 * The arguments of a run for a call: `backandCallback`'s four, and the run's globals
 * (`CONSTS`, `Config`, `request`).
 */
export function actionArgs(
  ctx: Pick<AppContext, 'app'>,
  call: CallInfo,
  userInput: unknown,
  dbRow: Record<string, unknown> | null,
): ActionArgs {
  return {
    userInput,
    dbRow,
    parameters: call.parameters,
    userProfile: userProfileOf(call),
    env: actionEnv(ctx.app, call),
  };
}

/**
 * The `parameters` of an on-demand action or a function: the fields of a JSON-object body
 * (Backand's clients post `{filename, filedata}` and the action reads `parameters.filename`),
 * then the query string's `parameters`, which win on a clash.
 */
export function onDemandParameters(
  body: unknown,
  query: Record<string, unknown>,
): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return query;
  return { ...(body as Record<string, unknown>), ...query };
}
