import * as path from 'node:path';
import demoJson from '../demo/demo-app.json';
import { validateAppDefinition } from './load-app-definition';
import type { AppDefinition } from './schema';

/** Absolute path of the built-in demo app's definition file. */
export const DEMO_APP_FILE = path.join(__dirname, '..', 'demo', 'demo-app.json');

/**
 * The built-in demo app (appName `demo`), validated. Served when no app is given.
 * A fresh deep copy is returned on every access so callers may change it freely.
 */
export function demoAppDefinition(): AppDefinition {
  return validateAppDefinition(structuredClone(demoJson), DEMO_APP_FILE);
}
