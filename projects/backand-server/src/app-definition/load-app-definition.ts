import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppDefinitionError, formatPath } from './app-definition-error';
import { appDefinitionSchema, type AppDefinition, type AppDefinitionInput } from './schema';
import { checkAppDefinition } from './check-app-definition';

/**
 * Loads and validates an app definition.
 *
 * @param source an app-definition object, or the path of a `.json`, `.js`/`.cjs`/`.mjs` or
 *   `.ts`/`.cts`/`.mts` file (a module exports the definition as `module.exports` or `default`).
 * @returns the definition with defaults applied and every action `file` read into `code`.
 * @throws AppDefinitionError naming the path in the definition and the problem.
 *
 * @example
 * const app = await loadAppDefinition('./backand.app.json');
 */
export async function loadAppDefinition(
  source: AppDefinitionInput | AppDefinition | string,
): Promise<AppDefinition> {
  if (typeof source === 'string') {
    const file = path.resolve(source);
    const raw = await readDefinitionFile(file);
    return validateAppDefinition(raw, file);
  }
  return validateAppDefinition(source, undefined);
}

/**
 * Validates an already-read definition. `file` (absolute) is used in messages and to resolve
 * action `file` entries; without it they resolve against the current directory.
 */
export function validateAppDefinition(raw: unknown, file: string | undefined): AppDefinition {
  const label = file ? path.relative(process.cwd(), file) || file : undefined;
  const parsed = appDefinitionSchema.safeParse(raw);
  if (!parsed.success) {
    throw AppDefinitionError.fromProblems(
      label,
      parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
    );
  }
  const baseDir = file ? path.dirname(file) : process.cwd();
  const problems = checkAppDefinition(parsed.data, baseDir);
  if (problems.length) throw AppDefinitionError.fromProblems(label, problems);
  return parsed.data;
}

async function readDefinitionFile(file: string): Promise<unknown> {
  const label = path.relative(process.cwd(), file) || file;
  const ext = path.extname(file).toLowerCase();
  let text: string | undefined;
  if (ext === '.json' || ext === '') {
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new AppDefinitionError(`Cannot read app definition ${label}: ${errorText(err)}`);
    }
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new AppDefinitionError(
        `Invalid app definition in ${label}: not valid JSON: ${errorText(err)}`,
      );
    }
  }
  try {
    if (ext === '.ts' || ext === '.cts' || ext === '.mts') {
      // tsx compiles TypeScript on require; registered only for this load.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { register } = require('tsx/cjs/api') as { register: () => () => void };
      const unregister = register();
      try {
        return moduleValue(freshRequire(file));
      } finally {
        unregister();
      }
    }
    if (ext === '.mjs') {
      return moduleValue(await import(pathToFileURL(file).href));
    }
    return moduleValue(freshRequire(file));
  } catch (err) {
    throw new AppDefinitionError(`Cannot load app definition ${label}: ${errorText(err)}`);
  }
}

function freshRequire(file: string): unknown {
  // A restart in the same process (tests) must see the file as it is now.
  delete require.cache[require.resolve(file)];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file);
}

function moduleValue(mod: unknown): unknown {
  if (mod && typeof mod === 'object' && 'default' in mod) {
    const def = (mod as { default: unknown }).default;
    if (def && typeof def === 'object') return def;
  }
  return mod;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
