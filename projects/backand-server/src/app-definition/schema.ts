import { z } from 'zod';
import { emailActionSchema } from '../actions/send-email-action';
import { emailSchema, httpSchema } from './outbound-schema';
import { jobSchema } from '../jobs/job-schema';

/** The field types an object may declare. */
export const FIELD_TYPES = [
  'string',
  'text',
  'int',
  'float',
  'boolean',
  'datetime',
  'json',
  'point',
] as const;
/** One of {@link FIELD_TYPES}. */
export type FieldType = (typeof FIELD_TYPES)[number];

/** The triggers an action may run on. */
export const ACTION_TRIGGERS = [
  'beforeCreate',
  'afterCreate',
  'beforeUpdate',
  'afterUpdate',
  'beforeDelete',
  'afterDelete',
  'onDemand',
  // Backand's "During Data Saving": inside the write's transaction, after the row is written.
  'duringCreate',
  'duringUpdate',
  'duringDelete',
] as const;
/** One of {@link ACTION_TRIGGERS}. */
export type ActionTrigger = (typeof ACTION_TRIGGERS)[number];

const IDENTIFIER_RULE =
  'must start with a letter and hold only letters, digits and "_" (at most 63 characters)';
const identifier = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, IDENTIFIER_RULE);

/** A record keyed by identifiers, whose key errors say what a name must look like. */
function namedRecord<T extends z.ZodType>(value: T, what: string) {
  return z.record(identifier, value, {
    error: (issue) =>
      issue.code === 'invalid_key' ? `${what} name ${IDENTIFIER_RULE}` : undefined,
  });
}

const fieldType = z.enum(FIELD_TYPES, {
  error: `must be one of ${FIELD_TYPES.join(', ')}`,
});

/** What deleting a row does to the rows of other objects that point at it. */
export const DELETE_RULES = ['restrict', 'cascade'] as const;
/** One of {@link DELETE_RULES}. */
export type DeleteRule = (typeof DELETE_RULES)[number];

/**
 * A many-to-one field: `{"type": "object", "object": "users"}` (Backand's model writes it without
 * `type`). Stored as the related row's id; `onDelete` says what deleting that row does to this one.
 */
const objectFieldSpec = z
  .strictObject({
    type: z.literal('object').optional(),
    object: identifier,
    required: z.boolean().optional(),
    onDelete: z
      .enum(DELETE_RULES, { error: `must be one of ${DELETE_RULES.join(', ')}` })
      .optional(),
  })
  .transform((s) => ({
    type: 'object' as const,
    object: s.object,
    required: s.required ?? false,
    onDelete: s.onDelete ?? ('restrict' as DeleteRule),
  }));

/**
 * A one-to-many field, virtual: `{"type": "collection", "object": "items", "via": "owner"}`
 * (Backand's model writes `{"collection": "items", "via": "owner"}`). `via` names the object
 * field of the other object that points back.
 */
const collectionFieldSpec = z
  .strictObject({
    type: z.literal('collection').optional(),
    object: identifier.optional(),
    collection: identifier.optional(),
    via: identifier,
  })
  .refine((s) => (s.object === undefined) !== (s.collection === undefined), {
    message: 'a collection field names its object once: "object" (or "collection")',
  })
  .transform((s) => ({
    type: 'collection' as const,
    object: (s.object ?? s.collection)!,
    via: s.via,
  }));

const FIELD_SPEC_RULE =
  `must be a type name (${FIELD_TYPES.join(', ')}), ` +
  '{ "type": …, "required"?: true|false, "defaultValue"?: …, "unique"?: true|false }, ' +
  '{ "type": "object", "object": <object>, "onDelete"?: "restrict"|"cascade" } or ' +
  '{ "type": "collection", "object": <object>, "via": <its object field> }';

const fieldSpec = z.union(
  [
    fieldType,
    z.strictObject({
      type: fieldType,
      required: z.boolean().optional(),
      /** Stored on create when the request leaves the field out (checked against the type). */
      defaultValue: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
      /** No two rows hold the same non-null value (a unique index; a clash answers 409). */
      unique: z.boolean().optional(),
    }),
    objectFieldSpec,
    collectionFieldSpec,
  ],
  { error: FIELD_SPEC_RULE },
);

const access = z.enum(['all', 'own', 'none'], { error: 'must be "all", "own" or "none"' });

const permission = z.union(
  [
    z.string().regex(/^c?r?u?d?$/, 'must be a "crud" shorthand (letters c, r, u, d in that order)'),
    z.strictObject({
      create: access.optional(),
      read: access.optional(),
      update: access.optional(),
      delete: access.optional(),
    }),
  ],
  {
    error:
      'must be a "crud" shorthand (letters c, r, u, d in that order) or { "create"|"read"|"update"|"delete": "all"|"own"|"none" }',
  },
);

const actionSchema = z
  .strictObject({
    name: identifier,
    trigger: z.enum(ACTION_TRIGGERS, { error: `must be one of ${ACTION_TRIGGERS.join(', ')}` }),
    /**
     * `files`: an on-demand file action (upload/remove), no code. `email`: Backand's "Send
     * Email" action, its fields in `email`, no code. Default `code`.
     */
    type: z
      .enum(['code', 'files', 'email'], { error: 'must be "code", "files" or "email"' })
      .optional(),
    /** The mail of an `email` action (send-email-action.ts). */
    email: emailActionSchema.optional(),
    code: z.string().min(1).optional(),
    file: z.string().min(1).optional(),
    roles: z.array(z.string().min(1)).optional(),
    /**
     * Backand's "Where condition": a JavaScript expression over `userInput`, `dbRow`,
     * `parameters` and `userProfile`; the action runs only when it is truthy.
     */
    where: z.string().min(1).optional(),
  })
  .superRefine((a, ctx) => {
    if ((a.type === 'email') !== (a.email !== undefined)) {
      ctx.addIssue({ code: 'custom', message: 'an "email" action has "email", and only it' });
    }
    if (a.type === 'email') {
      if (a.code !== undefined || a.file !== undefined) {
        ctx.addIssue({ code: 'custom', message: 'an email action has no "code" or "file"' });
      }
    } else if (a.type === 'files') {
      if (a.trigger !== 'onDemand') {
        ctx.addIssue({
          code: 'custom',
          path: ['trigger'],
          message: 'a files action is "onDemand"',
        });
      }
      if (a.code !== undefined || a.file !== undefined) {
        ctx.addIssue({ code: 'custom', message: 'a files action has no "code" or "file"' });
      }
    } else if ((a.code === undefined) === (a.file === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'needs exactly one of "code" or "file"' });
    }
  });

const functionSchema = z
  .strictObject({
    name: identifier,
    code: z.string().min(1).optional(),
    file: z.string().min(1).optional(),
    roles: z.array(z.string().min(1)).optional(),
  })
  .refine((a) => (a.code === undefined) !== (a.file === undefined), {
    message: 'needs exactly one of "code" or "file"',
  });

/**
 * An app-level security action (Backand's "Security Actions"): JavaScript like any action, run
 * by the server's sign-in and token routes (auth/security-actions.ts).
 */
const securityActionSchema = z
  .strictObject({
    code: z.string().min(1).optional(),
    file: z.string().min(1).optional(),
    /** A JavaScript condition, as for trigger actions: the action runs only when it holds. */
    where: z.string().min(1).optional(),
  })
  .refine((a) => (a.code === undefined) !== (a.file === undefined), {
    message: 'needs exactly one of "code" or "file"',
  });

/** The security actions an app may define, by Backand's names. */
export const SECURITY_ACTIONS = ['backandAuthOverride', 'accessFilter'] as const;
/** One of {@link SECURITY_ACTIONS}. */
export type SecurityActionName = (typeof SECURITY_ACTIONS)[number];

const objectSchema = z.strictObject({
  fields: namedRecord(fieldSpec, 'a field').default({}),
  realtime: z.boolean().default(false),
  ownerField: identifier.optional(),
  permissions: z.record(z.string().min(1), permission).optional(),
  actions: z.array(actionSchema).default([]),
  /**
   * The pre-defined (data security) filter: a NoSQL expression (`{"q": …}` or the expression
   * itself) or a SQL condition, with `{{sys::username}}`, `{{sys::role}}`, `{{sys::id}}` tokens.
   * See `objects/security-filter.ts`.
   */
  predefinedFilter: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional(),
});

const seedUser = z.strictObject({
  username: z
    .string()
    .min(3)
    .regex(/^[^\s]+$/, 'must not contain spaces'),
  password: z.string().min(1),
  role: z.string().min(1).default('User'),
  firstName: z.string().default(''),
  lastName: z.string().default(''),
  parameters: z.record(z.string(), z.unknown()).optional(),
});

const querySchema = z
  .strictObject({
    /** SQL (`:name` placeholders or `{{name}}` tokens), or a NoSQL query written as JSON text. */
    sql: z.string().min(1).optional(),
    /** A NoSQL query (`{object, q, fields, …}` or `{$union: […]}`). */
    nosql: z.record(z.string(), z.unknown()).optional(),
    roles: z.array(z.string().min(1)).optional(),
  })
  .refine((q) => (q.sql === undefined) !== (q.nosql === undefined), {
    message: 'needs exactly one of "sql" or "nosql"',
  });

/** The zod schema of an app definition (DESIGN.md §4). */
export const appDefinitionSchema = z.strictObject({
  $schema: z.string().optional(),
  appName: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, 'must hold only letters, digits, "-" and "_"'),
  anonymousToken: z.string().min(1).optional(),
  signUpToken: z.string().min(1).optional(),
  anonymousRole: z.string().min(1).default('Public'),
  signUpRole: z.string().min(1).default('User'),
  masterToken: z.string().min(1).optional(),
  userToken: z.string().min(1).optional(),
  secret: z.string().min(16, 'must be at least 16 characters').optional(),
  tokenTtlSeconds: z.number().int().positive().default(86400),
  /**
   * How long a signed file link (the `{url}` of an upload, or one asked for later) works.
   * At most a year: a link keeps the authority of whoever asked for it until it expires.
   */
  fileUrlTtlSeconds: z
    .number()
    .int()
    .min(1)
    .max(365 * 86400, 'must be at most 31536000 (a year)')
    .default(3600),
  /**
   * The longest an action's code may run (wall-clock ms, its promise jobs included). Generous by
   * default so that a busy machine does not stop a short action.
   */
  actionTimeoutMs: z.number().int().min(10).max(60000).default(5000),
  /** The most memory one run of an action may allocate (MB). */
  actionMemoryLimitMb: z.number().int().min(8).max(1024).default(64),
  /** How long a sign-in (its refresh token) lasts, however often it is refreshed. */
  refreshTokenTtlSeconds: z
    .number()
    .int()
    .positive()
    .default(30 * 86400),
  signInLimits: z
    .strictObject({
      windowSeconds: z.number().int().positive().default(900),
      /** Failures of one username from one address. */
      maxFailuresPerUser: z.number().int().positive().default(10),
      /** Failures of one address, whatever the usernames. */
      maxFailuresPerAddress: z.number().int().positive().default(100),
      /** Failures of one username from every address together. */
      maxFailuresPerUserAllAddresses: z.number().int().positive().default(100),
      /**
       * Password hashes (scrypt) run at once: sign-ins, sign-ups, password changes and resets.
       * Default: the size of libuv's threadpool, where scrypt runs (4, or `UV_THREADPOOL_SIZE`),
       * at most the CPUs the process may use — so file I/O keeps threads and the event loop a core.
       */
      maxConcurrentHashes: z.number().int().positive().max(1_000_000).optional(),
      /** Password hashes that may wait for a thread; beyond them the server answers 503 at once. */
      maxQueuedHashes: z.number().int().nonnegative().max(1_000_000).default(64),
    })
    .default({
      windowSeconds: 900,
      maxFailuresPerUser: 10,
      maxFailuresPerAddress: 100,
      maxFailuresPerUserAllAddresses: 100,
      maxQueuedHashes: 64,
    }),
  users: z.array(seedUser).default([]),
  objects: namedRecord(objectSchema, 'an object').default({}),
  queries: namedRecord(querySchema, 'a query').default({}),
  functions: z.array(functionSchema).default([]),
  /** What `$http` in actions may reach (outbound-schema.ts). */
  http: httpSchema,
  /** Mail: sender, links, sign-up verification, limits (outbound-schema.ts). */
  email: emailSchema,
  /** Backand's global configuration, the `Config` global of actions (never sent to clients). */
  config: z.record(z.string(), z.unknown()).optional(),
  /**
   * `backandAuthOverride` (runs on password sign-ins) and `accessFilter` (runs whenever a bearer
   * token is issued): see auth/security-actions.ts.
   */
  securityActions: z
    .strictObject({
      backandAuthOverride: securityActionSchema.optional(),
      accessFilter: securityActionSchema.optional(),
    })
    .default({}),
  /** Scheduled actions (Backand's background jobs), see `jobs/job-schema.ts`. */
  jobs: z.array(jobSchema).default([]),
});

/** An app definition as written in a file (defaults not yet applied). */
export type AppDefinitionInput = z.input<typeof appDefinitionSchema>;
/** A validated app definition, defaults applied and action files read into `code`. */
export type AppDefinition = z.output<typeof appDefinitionSchema>;
/** One object (table) of an app definition. */
export type ObjectDefinition = AppDefinition['objects'][string];
/** One action of an object. */
export type ActionDefinition = ObjectDefinition['actions'][number];
/** One security action of the app. */
export type SecurityActionDefinition = NonNullable<
  AppDefinition['securityActions'][SecurityActionName]
>;
/** One app-level function. */
export type FunctionDefinition = AppDefinition['functions'][number];
/** A field spec: a type name, `{type, required}`, or a relation (object or collection). */
export type FieldSpec = ObjectDefinition['fields'][string];
/** A many-to-one field (stored as the related row's id). */
export type ObjectFieldSpec = Extract<FieldSpec, { type: 'object' }>;
/** A one-to-many field (virtual: no column). */
export type CollectionFieldSpec = Extract<FieldSpec, { type: 'collection' }>;
/** A field that has a column: a scalar or a many-to-one field. */
export type StoredFieldSpec = Exclude<FieldSpec, CollectionFieldSpec>;
/** A permission entry: "crud" shorthand or per-operation access. */
export type PermissionSpec = NonNullable<ObjectDefinition['permissions']>[string];
