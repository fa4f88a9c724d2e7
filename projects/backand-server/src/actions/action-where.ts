import * as vm from 'node:vm';

/**
 * Checks that an action's `where` condition (Backand's "Where condition") is one JavaScript
 * expression. It is evaluated in the action's sandbox, not here: this only reports a condition
 * that cannot compile, at start, with its path.
 */
export function checkWhere(
  action: { where?: string | undefined },
  at: string,
  problems: Array<{ path: string; message: string }>,
): void {
  if (action.where === undefined) return;
  try {
    // Parsed as the body of the function the sandbox builds (see guest-globals.ts).
    new vm.Script(
      `(function (userInput, dbRow, parameters, userProfile) { return (${action.where}\n); })`,
    );
  } catch (err) {
    problems.push({
      path: at,
      message: `is not a JavaScript expression: ${err instanceof Error ? err.message : String(err)}`,
    });
  }
}
