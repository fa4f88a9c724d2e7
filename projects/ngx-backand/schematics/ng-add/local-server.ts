import { chain, type Rule, type Tree } from '@angular-devkit/schematics';
import {
  addDependency,
  DependencyType,
  ExistingBehavior,
  InstallBehavior,
} from '@schematics/angular/utility';
import { JSONFile } from '@schematics/angular/utility/json-file';
import type { BackandSettings } from './settings';

/** The app name of backand-server's built-in demo app, served when no `--app` is given. */
const DEMO_APP = 'demo';
/** backand-server's default port. */
const DEFAULT_PORT = '4000';
/** The app definition `--server` writes for an app other than the demo. */
export const APP_DEFINITION_FILE = 'backand.app.json';
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** A first app definition for backand-server: the app's name and token, one realtime object. */
function appDefinition(settings: BackandSettings): string {
  const definition = {
    appName: settings.appName,
    ...(settings.anonymousToken ? { anonymousToken: settings.anonymousToken } : {}),
    objects: {
      items: {
        fields: { name: { type: 'string', required: true }, owner: 'string' },
        realtime: true,
        ownerField: 'owner',
        permissions: {
          Admin: 'crud',
          User: { create: 'all', read: 'all', update: 'own', delete: 'own' },
          Public: { read: 'all' },
        },
      },
    },
  };
  return `${JSON.stringify(definition, null, 2)}\n`;
}

/** The `backand` npm script: the demo app, or the app definition, on the apiUrl's local port. */
export function serverCommand(settings: BackandSettings): string {
  const url = new URL(settings.apiUrl);
  const args = ['backand-server'];
  if (settings.appName !== DEMO_APP) args.push('--app', APP_DEFINITION_FILE);
  if (LOCAL_HOSTS.has(url.hostname) && url.port && url.port !== DEFAULT_PORT) {
    args.push('--port', url.port);
  }
  return args.join(' ');
}

/**
 * `--server`: backand-server as a dev dependency (the same release as this package), a `backand`
 * npm script that starts it and, for an app other than the demo, a first `backand.app.json`.
 * Whatever exists already is kept.
 */
export function addLocalServer(
  settings: BackandSettings,
  version: string,
  skipInstall: boolean,
): Rule {
  const addScript: Rule = (tree: Tree, context) => {
    const { logger } = context;
    if (!tree.exists('package.json')) {
      logger.warn('No package.json at the workspace root: the "backand" script was not added.');
      return;
    }
    const url = new URL(settings.apiUrl);
    if (!LOCAL_HOSTS.has(url.hostname)) {
      logger.warn(
        `The apiUrl ${settings.apiUrl} is not on this machine: "npm run backand" starts a local ` +
          'server that the app only uses once apiUrl points to it.',
      );
    }
    const packageJson = new JSONFile(tree, 'package.json');
    const command = serverCommand(settings);
    const existing = packageJson.get(['scripts', 'backand']);
    if (existing !== undefined) {
      // Set up before (by a first run or by hand): the script and its app definition stay.
      logger.info(`package.json has a "backand" script already: left as it is.`);
      return;
    }
    packageJson.modify(['scripts', 'backand'], command);
    logger.info(`Added the npm script "backand": "${command}".`);
    if (settings.appName !== DEMO_APP && !tree.exists(APP_DEFINITION_FILE)) {
      tree.create(APP_DEFINITION_FILE, appDefinition(settings));
      logger.info(`Wrote ${APP_DEFINITION_FILE}, a first app definition for backand-server.`);
    }
  };
  return chain([
    addDependency('backand-server', `^${version}`, {
      type: DependencyType.Dev,
      existing: ExistingBehavior.Skip,
      install: skipInstall ? InstallBehavior.None : InstallBehavior.Auto,
    }),
    addScript,
  ]);
}
