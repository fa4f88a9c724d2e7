/**
 * backand-server: a self-hosted, Backand-compatible REST + realtime server.
 *
 * @example
 * import { startServer } from 'backand-server';
 * const server = await startServer({ app: './backand.app.json' });
 */
export { startServer } from './server';
export type { ServerOptions, RunningServer } from './server-options';
export { loadAppDefinition } from './app-definition/load-app-definition';
export { AppDefinitionError } from './app-definition/app-definition-error';
export {
  appDefinitionSchema,
  FIELD_TYPES,
  ACTION_TRIGGERS,
  type AppDefinition,
  type AppDefinitionInput,
  type ObjectDefinition,
  type ActionDefinition,
  type FunctionDefinition,
  type FieldSpec,
  type FieldType,
  type ObjectFieldSpec,
  type CollectionFieldSpec,
  type DeleteRule,
  DELETE_RULES,
  type PermissionSpec,
  type ActionTrigger,
} from './app-definition/schema';
import { demoAppDefinition } from './app-definition/demo-app';
export { DEMO_APP_FILE } from './app-definition/demo-app';

/** The built-in demo app (appName `demo`), validated. See src/demo/demo-app.json. */
export const demoApp = demoAppDefinition();
