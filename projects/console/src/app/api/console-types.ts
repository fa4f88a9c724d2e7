/** Shapes of the console API (`backand-server` `src/console/`). */

/** A field of an object: a type name, or a spec with `type` and options. */
export type FieldSpec =
  string | ({ type?: string; object?: string; collection?: string } & Record<string, unknown>);

/** Per role: a `crud` shorthand or `{create, read, update, delete}`. */
export type PermissionSpec = string | Record<string, string>;

/** One object of the app. */
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

/** The app definition, without secrets. */
export interface AppSummary {
  appName: string;
  anonymousRole: string;
  signUpRole: string;
  hasAnonymousToken: boolean;
  hasSignUpToken: boolean;
  hasMasterToken: boolean;
  tokenTtlSeconds: number;
  objects: ObjectSummary[];
  queries: { name: string; sql: string; roles: string[] | null }[];
  functions: { name: string; roles: string[] | null; code: string | null; file: string | null }[];
}

/** An app socket. */
export interface SocketSummary {
  id: string;
  node: string;
  kind: string | null;
  username: string | null;
  role: string | null;
  audiences: string[];
  transport: string;
  connectedAt: string;
  address: string;
}

/** The app sockets of one node (`_console.sockets`). */
export interface SocketsSnapshot {
  node: string;
  sockets: SocketSummary[];
}

/** An app event as the server's event tap reports it (`_console.event`). */
export interface TapEvent {
  seq: number;
  at: string;
  node: string;
  event: string;
  kind: 'all' | 'role' | 'users' | 'row';
  audience: string;
  delivered: number;
  data: string;
}

/** A test event to send. */
export type ConsoleEmit =
  | { kind: 'all'; event: string; data: unknown }
  | { kind: 'role'; event: string; data: unknown; role: string }
  | { kind: 'users'; event: string; data: unknown; users: string[] };

/** A row of the built-in `users` object. */
export interface UserRow {
  id: number | string;
  email: string;
  firstName: string;
  lastName: string;
  role: string;
}
