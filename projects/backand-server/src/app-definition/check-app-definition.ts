import { sendEmailActionCode } from '../actions/send-email-action';
import { canonicalUsername } from '../auth/username';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { defaultValueOf, fieldTypeOf, toStored } from '../objects/fields';
import { SECURITY_ACTIONS, type AppDefinition, type FieldSpec } from './schema';
import { checkJobs } from '../jobs/check-jobs';
import { checkWhere } from '../actions/action-where';

/** The fields every app's built-in `users` object has. */
export const BUILTIN_USER_FIELDS: Readonly<Record<string, FieldSpec>> = {
  email: { type: 'string', required: true },
  firstName: 'string',
  lastName: 'string',
  role: 'string',
};

/** Names an object or field may not take: they are used by the server itself. */
const RESERVED_FIELDS = new Set(['id', '__metadata']);
/** `/1/objects/action/…` is the on-demand action route. */
const RESERVED_OBJECTS = new Set(['action']);

/**
 * Checks what the schema cannot (owner fields, unique names, action code) and completes the
 * definition in place: action `file`s are read into `code`, and the built-in `users` object is
 * added (or completed with its built-in fields). Returns the problems found.
 */
export function checkAppDefinition(
  app: AppDefinition,
  baseDir: string,
): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  addUsersObject(app);

  for (const [objectName, object] of Object.entries(app.objects)) {
    const at = `objects.${objectName}`;
    if (RESERVED_OBJECTS.has(objectName)) {
      problems.push({ path: at, message: `"${objectName}" is reserved by the REST API` });
    }
    for (const [fieldName, spec] of Object.entries(object.fields)) {
      if (RESERVED_FIELDS.has(fieldName)) {
        problems.push({ path: `${at}.fields.${fieldName}`, message: 'is reserved by the server' });
      }
      const problem = defaultValueProblem(objectName, fieldName, spec);
      if (problem)
        problems.push({ path: `${at}.fields.${fieldName}.defaultValue`, message: problem });
    }
    if (object.ownerField !== undefined) {
      const spec = object.fields[object.ownerField];
      const type = typeof spec === 'string' ? spec : spec?.type;
      if (type !== 'string') {
        problems.push({
          path: `${at}.ownerField`,
          message: `"${object.ownerField}" must name a field of type string of this object`,
        });
      }
    }
    const seen = new Set<string>();
    object.actions.forEach((action, i) => {
      if (seen.has(action.name)) {
        problems.push({
          path: `${at}.actions[${i}].name`,
          message: `duplicate action name "${action.name}"`,
        });
      }
      seen.add(action.name);
      if (action.type === 'email') action.code = sendEmailActionCode(action.email!);
      else if (action.type !== 'files')
        resolveCode(action, `${at}.actions[${i}]`, baseDir, problems);
      checkWhere(action, `${at}.actions[${i}].where`, problems);
    });
  }

  checkRelations(app, problems);

  const seenFunctions = new Set<string>();
  app.functions.forEach((fn, i) => {
    if (seenFunctions.has(fn.name)) {
      problems.push({
        path: `functions[${i}].name`,
        message: `duplicate function name "${fn.name}"`,
      });
    }
    seenFunctions.add(fn.name);
    resolveCode(fn, `functions[${i}]`, baseDir, problems);
  });

  for (const name of SECURITY_ACTIONS) {
    const action = app.securityActions[name];
    if (!action) continue;
    resolveCode(action, `securityActions.${name}`, baseDir, problems);
    checkWhere(action, `securityActions.${name}.where`, problems);
  }

  const seenUsers = new Set<string>();
  app.users.forEach((user, i) => {
    const key = canonicalUsername(user.username);
    if (seenUsers.has(key)) {
      problems.push({ path: `users[${i}].username`, message: `duplicate user "${user.username}"` });
    }
    seenUsers.add(key);
  });
  problems.push(...checkJobs(app));
  return problems;
}

/** Why a field's `defaultValue` does not fit its type, or `undefined` when it fits. */
function defaultValueProblem(object: string, field: string, spec: FieldSpec): string | undefined {
  const value = defaultValueOf(spec);
  if (value === undefined || value === null) return undefined;
  if (typeof spec !== 'string' && (spec.type === 'object' || spec.type === 'collection')) {
    return undefined;
  }
  try {
    toStored(object, field, fieldTypeOf(spec), value);
    return undefined;
  } catch (err) {
    return `does not fit the field's type: ${(err as Error).message}`;
  }
}

/**
 * Relations point at declared objects, and a collection's `via` names the many-to-one field of
 * its object that points back at the collection's own object.
 */
function checkRelations(
  app: AppDefinition,
  problems: Array<{ path: string; message: string }>,
): void {
  const has = (name: string) => Object.prototype.hasOwnProperty.call(app.objects, name);
  const known = () => Object.keys(app.objects).join(', ');
  for (const [objectName, object] of Object.entries(app.objects)) {
    for (const [fieldName, spec] of Object.entries(object.fields)) {
      if (typeof spec === 'string' || (spec.type !== 'object' && spec.type !== 'collection')) {
        continue;
      }
      const at = `objects.${objectName}.fields.${fieldName}`;
      if (!has(spec.object)) {
        problems.push({
          path: `${at}.object`,
          message: `names no object: "${spec.object}" (the objects are ${known()})`,
        });
        continue;
      }
      if (spec.type !== 'collection') continue;
      const back = app.objects[spec.object]!.fields[spec.via];
      const backObject =
        back !== undefined && typeof back !== 'string' && back.type === 'object'
          ? back.object
          : undefined;
      if (backObject !== objectName) {
        problems.push({
          path: `${at}.via`,
          message:
            back === undefined
              ? `"${spec.via}" is not a field of "${spec.object}"`
              : `"${spec.object}.${spec.via}" must be { "type": "object", "object": "${objectName}" } to be the other side of this collection`,
        });
      }
    }
  }
}

function addUsersObject(app: AppDefinition): void {
  const declared = app.objects['users'];
  app.objects['users'] = {
    fields: { ...(declared?.fields ?? {}), ...BUILTIN_USER_FIELDS },
    realtime: declared?.realtime ?? false,
    ownerField: 'email',
    // Users see their own row unless the app says otherwise; only admins change users.
    permissions: declared?.permissions ?? { Admin: 'crud', '*': { read: 'own' } },
    actions: declared?.actions ?? [],
    ...(declared?.predefinedFilter !== undefined
      ? { predefinedFilter: declared.predefinedFilter }
      : {}),
  };
}

function resolveCode(
  target: { code?: string | undefined; file?: string | undefined },
  at: string,
  baseDir: string,
  problems: Array<{ path: string; message: string }>,
): void {
  let filename = `${at}.code`;
  if (target.file !== undefined) {
    const file = path.resolve(baseDir, target.file);
    try {
      target.code = readFileSync(file, 'utf8');
      filename = file;
    } catch (err) {
      problems.push({
        path: `${at}.file`,
        message: `cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`,
      });
      return;
    }
  }
  try {
    new vm.Script(target.code ?? '', { filename });
  } catch (err) {
    problems.push({
      path: target.file !== undefined ? `${at}.file` : `${at}.code`,
      message: `does not compile: ${err instanceof Error ? err.message : String(err)}`,
    });
  }
}
