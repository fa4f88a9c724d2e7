/**
 * Thrown when an app definition is invalid. The message names the file (when there is one),
 * the path inside the definition and the problem, e.g.
 * `Invalid app definition in app.json: objects.items.fields.qty: must be one of string, …`.
 */
export class AppDefinitionError extends Error {
  override readonly name = 'AppDefinitionError';

  constructor(
    message: string,
    /** Each problem as `{path, message}`; `path` is dotted, with `[n]` for array entries. */
    readonly problems: ReadonlyArray<{ path: string; message: string }> = [],
  ) {
    super(message);
  }

  /** Builds the error from a list of problems found in `source` (a file path or "object"). */
  static fromProblems(
    source: string | undefined,
    problems: ReadonlyArray<{ path: string; message: string }>,
  ): AppDefinitionError {
    const where = source ? ` in ${source}` : '';
    const lines = problems.map((p) => `  ${p.path || '(root)'}: ${p.message}`);
    return new AppDefinitionError(`Invalid app definition${where}:\n${lines.join('\n')}`, problems);
  }
}

/** Formats a path of keys and indexes as `objects.items.actions[0].code`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}
