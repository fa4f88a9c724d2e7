import type { AppDefinition, FieldSpec, PermissionSpec } from '../app-definition/schema';

/** One object of the app as the console shows it. */
export interface ObjectSummary {
  name: string;
  fields: Record<string, FieldSpec>;
  realtime: boolean;
  ownerField: string | null;
  permissions: Record<string, PermissionSpec>;
  actions: {
    name: string;
    trigger: string;
    type: string;
    roles: string[] | null;
    code: string | null;
    file: string | null;
  }[];
}

/** The app definition without any secret, for the console's definition panel. */
export interface AppSummary {
  appName: string;
  anonymousRole: string;
  signUpRole: string;
  /** Whether guests can use the app (without saying its anonymous token). */
  hasAnonymousToken: boolean;
  hasSignUpToken: boolean;
  hasMasterToken: boolean;
  tokenTtlSeconds: number;
  objects: ObjectSummary[];
  queries: { name: string; sql: string; roles: string[] | null }[];
  functions: { name: string; roles: string[] | null; code: string | null; file: string | null }[];
}

/**
 * Describes an app for an admin. Built field by field from what may be shown (never a copy
 * of the definition minus known secrets): tokens, the signing secret, seeded passwords, SMTP and
 * HTTP settings are simply not read.
 *
 * @example
 * const summary = summarizeApp(server.app);
 */
export function summarizeApp(app: AppDefinition): AppSummary {
  return {
    appName: app.appName,
    anonymousRole: app.anonymousRole,
    signUpRole: app.signUpRole,
    hasAnonymousToken: app.anonymousToken !== undefined,
    hasSignUpToken: app.signUpToken !== undefined,
    hasMasterToken: app.masterToken !== undefined,
    tokenTtlSeconds: app.tokenTtlSeconds,
    objects: Object.entries(app.objects).map(([name, object]) => ({
      name,
      fields: object.fields,
      realtime: object.realtime,
      ownerField: object.ownerField ?? null,
      permissions: object.permissions ?? {},
      actions: object.actions.map((action) => ({
        name: action.name,
        trigger: action.trigger,
        type: action.type ?? 'code',
        roles: action.roles ?? null,
        code: action.code ?? null,
        file: action.file ?? null,
      })),
    })),
    queries: Object.entries(app.queries).map(([name, query]) => ({
      name,
      // A saved NoSQL query is shown as its JSON.
      sql: query.sql ?? JSON.stringify(query.nosql, null, 2),
      roles: query.roles ?? null,
    })),
    functions: app.functions.map((fn) => ({
      name: fn.name,
      roles: fn.roles ?? null,
      code: fn.code ?? null,
      file: fn.file ?? null,
    })),
  };
}
