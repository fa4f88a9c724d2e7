import { actionArgs } from '../actions/action-args';
import { PendingEmits } from '../actions/pending-emits';
import type { AppContext, CallInfo } from '../app-context';
import type { SecurityActionName } from '../app-definition/schema';
import { HttpError } from '../http/http-error';

/** What a security action decided. */
export interface SecurityVerdict {
  result: 'allow' | 'deny' | 'ignore';
  /** Why (a denial's message is the client's `error_description`). */
  message?: string;
  /** Fields added to the `/token` answer of an allowed sign-in (`backandAuthOverride`). */
  additionalTokenInfo?: Record<string, unknown>;
}

const RESULTS = new Set(['allow', 'deny', 'ignore']);

/**
 * Reads what a security action returned: `"allow"`, `"deny"`, `"ignore"`, or
 * `{result, message?, additionalTokenInfo?}`; nothing at all (`undefined`/`null`) is `ignore`.
 * @throws HttpError 417 `{Message, action}` for anything else.
 */
export function verdictOf(name: SecurityActionName, value: unknown): SecurityVerdict {
  if (value === undefined || value === null) return { result: 'ignore' };
  if (typeof value === 'string' && RESULTS.has(value)) {
    return { result: value as SecurityVerdict['result'] };
  }
  const junk = () =>
    new HttpError(
      417,
      `${name} must return "allow", "deny", "ignore" or {result: "allow"|"deny"|"ignore", message?, additionalTokenInfo?}`,
      { action: name },
    );
  if (typeof value !== 'object' || Array.isArray(value)) throw junk();
  const v = value as Record<string, unknown>;
  const result = v['result'];
  const message = v['message'];
  const info = v['additionalTokenInfo'];
  if (typeof result !== 'string' || !RESULTS.has(result)) throw junk();
  if (message !== undefined && message !== null && typeof message !== 'string') throw junk();
  if (info !== undefined && info !== null && (typeof info !== 'object' || Array.isArray(info))) {
    throw junk();
  }
  return {
    result: result as SecurityVerdict['result'],
    ...(typeof message === 'string' && message !== '' ? { message } : {}),
    ...(info ? { additionalTokenInfo: info as Record<string, unknown> } : {}),
  };
}

/**
 * Runs a security action of the app, when it has one: `undefined` without one, or when its
 * `where` condition is false. Its emits are delivered once it succeeds.
 * @throws HttpError 417 when it fails or returns something else than a verdict.
 */
async function runSecurityAction(
  ctx: AppContext,
  name: SecurityActionName,
  call: CallInfo,
  userInput: unknown,
  dbRow: Record<string, unknown> | null,
): Promise<{ verdict: SecurityVerdict; userInput: unknown } | undefined> {
  const action = ctx.app.securityActions[name];
  if (!action) return undefined;
  const outcome = await ctx.actions.run(
    name,
    action.code!,
    actionArgs(ctx, call, userInput, dbRow),
    { result: true, userInput: true },
    { where: action.where },
  );
  if (outcome.skipped) return undefined;
  const verdict = verdictOf(name, outcome.result);
  const emits = new PendingEmits();
  emits.add(outcome.emits);
  emits.flush(ctx.realtime, ctx.logger);
  return { verdict, userInput: outcome.userInput };
}

/**
 * `backandAuthOverride`, run on a password sign-in: `userInput` is `{username, password}` (the
 * action may change them), `parameters` the request's, `userProfile` a guest's. Answers the
 * verdict (`ignore` without the action) and the user name it leaves, canonical form not yet
 * applied.
 * @throws HttpError 417 when the action fails, returns junk, or leaves no user name.
 */
export async function runAuthOverride(
  ctx: AppContext,
  call: CallInfo,
  input: { username: string; password: string },
): Promise<{ verdict: SecurityVerdict; username: string }> {
  const run = await runSecurityAction(ctx, 'backandAuthOverride', call, { ...input }, null);
  if (!run) return { verdict: { result: 'ignore' }, username: input.username };
  const left = run.userInput as Record<string, unknown> | null;
  const username = left && typeof left === 'object' ? left['username'] : undefined;
  if (typeof username !== 'string') {
    throw new HttpError(417, 'backandAuthOverride left userInput.username that is not a string', {
      action: 'backandAuthOverride',
    });
  }
  return { verdict: run.verdict, username };
}

/**
 * `accessFilter`, run before a bearer token is issued to a user (sign-in, refresh, sign-up):
 * `userProfile` is the user's (no token yet), `dbRow` the user's row of `users`, `userInput`
 * null. Answers `allow` without the action; `ignore` counts as `allow`.
 * @throws HttpError 417 when the action fails or returns junk.
 */
export async function runAccessFilter(
  ctx: AppContext,
  call: CallInfo,
  dbRow: Record<string, unknown> | null,
): Promise<SecurityVerdict> {
  const run = await runSecurityAction(ctx, 'accessFilter', call, null, dbRow);
  if (!run || run.verdict.result === 'ignore') return { result: 'allow' };
  return run.verdict;
}
