import { SchematicsException } from '@angular-devkit/schematics';
import type { NgAddOptions } from './schema';

/** The values written into the app: a subset of `BackandConfig`. */
export interface BackandSettings {
  appName: string;
  anonymousToken?: string;
  apiUrl: string;
  runSocket: boolean;
}

/** The rule of backand-server's app definitions, so that `--server` can serve the same name. */
const APP_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Checks the options and returns the settings to write; a bad value throws a
 * `SchematicsException` naming the option, before anything is changed.
 */
export function readSettings(options: NgAddOptions): BackandSettings {
  const appName = (options.appName ?? '').trim();
  if (!APP_NAME.test(appName)) {
    throw new SchematicsException(
      `Invalid --app-name "${options.appName ?? ''}": use letters, digits, "-" and "_" ` +
        '(at most 63, starting with a letter or digit).',
    );
  }
  const rawUrl = (options.apiUrl ?? '').trim();
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new SchematicsException(
      `Invalid --api-url "${rawUrl}": expected an absolute http(s) URL such as http://localhost:4000.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SchematicsException(
      `Invalid --api-url "${rawUrl}": the protocol must be http or https.`,
    );
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new SchematicsException(
      `Invalid --api-url "${rawUrl}": no query, fragment or credentials; the SDK adds its own paths.`,
    );
  }
  const anonymousToken = (options.anonymousToken ?? '').trim();
  if (CONTROL.test(anonymousToken)) {
    throw new SchematicsException('Invalid --anonymous-token: it holds control characters.');
  }
  return {
    appName,
    ...(anonymousToken ? { anonymousToken } : {}),
    apiUrl: url.href.replace(/\/+$/, ''),
    runSocket: options.runSocket !== false,
  };
}

/** A TypeScript string literal in single quotes. */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * The settings as an object literal, its properties indented by `indent` spaces and its
 * closing brace by `indent - 2`.
 */
export function settingsLiteral(settings: BackandSettings, indent = 2): string {
  const pad = ' '.repeat(indent);
  const lines = [`${pad}appName: ${quote(settings.appName)},`];
  if (settings.anonymousToken)
    lines.push(`${pad}anonymousToken: ${quote(settings.anonymousToken)},`);
  lines.push(`${pad}apiUrl: ${quote(settings.apiUrl)},`, `${pad}runSocket: ${settings.runSocket},`);
  return `{\n${lines.join('\n')}\n${' '.repeat(indent - 2)}}`;
}
