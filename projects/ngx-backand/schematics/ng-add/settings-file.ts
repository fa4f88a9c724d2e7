import type { SchematicContext, Tree } from '@angular-devkit/schematics';
import ts from '@schematics/angular/third_party/github.com/Microsoft/TypeScript/lib/typescript';
import { posix } from 'node:path';
import { parse } from './app-shape';
import { type BackandSettings, settingsLiteral } from './settings';

/** Where the settings live: `import { <symbol> } from <file>`, used as `<symbol>[.<member>]`. */
export interface SettingsLocation {
  file: string;
  symbol: string;
  member?: string;
}

/** The object literal of `export const environment = {…}` in a file, if it has that shape. */
function environmentObject(file: ts.SourceFile): ts.ObjectLiteralExpression | null {
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (!ts.isIdentifier(declaration.name) || declaration.name.text !== 'environment') continue;
      let init = declaration.initializer;
      while (init && (ts.isAsExpression(init) || ts.isSatisfiesExpression(init))) {
        init = init.expression;
      }
      return init && ts.isObjectLiteralExpression(init) ? init : null;
    }
  }
  return null;
}

function hasProperty(object: ts.ObjectLiteralExpression, name: string): boolean {
  return object.properties.some(
    (property) =>
      property.name !== undefined &&
      (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) &&
      property.name.text === name,
  );
}

/** Adds `backand: {…}` to the environment object of `path`, unless it has one. */
function addToEnvironment(tree: Tree, path: string, settings: BackandSettings): boolean {
  const source = parse(tree, path);
  const object = environmentObject(source);
  if (!object || hasProperty(object, 'backand')) return false;
  const text = source.text;
  const properties = object.properties;
  const recorder = tree.beginUpdate(path);
  if (properties.length === 0) {
    recorder.remove(object.getStart(), object.getWidth());
    recorder.insertLeft(object.getStart(), `{\n  backand: ${settingsLiteral(settings, 4)},\n}`);
  } else {
    const last = properties[properties.length - 1];
    const lineStart = text.lastIndexOf('\n', last.getStart()) + 1;
    const indent = /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '  ';
    const entry = `backand: ${settingsLiteral(settings, indent.length + 2)}`;
    if (properties.hasTrailingComma) {
      recorder.insertRight(text.indexOf(',', last.getEnd()) + 1, `\n${indent}${entry},`);
    } else {
      recorder.insertRight(last.getEnd(), `,\n${indent}${entry}`);
    }
  }
  tree.commitUpdate(recorder);
  return true;
}

function backandConfigFile(settings: BackandSettings): string {
  return `import type { BackandConfig } from 'ngx-backand';

/**
 * The Backand app this application talks to, given to provideBackand() or
 * BackandModule.forRoot(). See the ngx-backand README for every option.
 */
export const backandConfig: BackandConfig = ${settingsLiteral(settings)};
`;
}

/**
 * Writes the settings where the app keeps such values and returns where they are:
 * - with `src/environments/environment.ts` (`ng generate environments`), a `backand` entry in
 *   the `environment` object of each `environment*.ts`;
 * - otherwise `src/app/backand.config.ts`, exporting `backandConfig`.
 * Existing settings are kept as they are.
 */
export function writeSettings(
  tree: Tree,
  sourceRoot: string,
  settings: BackandSettings,
  logger: SchematicContext['logger'],
): SettingsLocation {
  const environments = posix.join(sourceRoot, 'environments');
  const environmentFile = posix.join(environments, 'environment.ts');
  if (tree.exists(environmentFile)) {
    if (environmentObject(parse(tree, environmentFile))) {
      for (const name of tree.getDir(environments).subfiles) {
        if (!/^environment(\.[\w-]+)?\.ts$/.test(name)) continue;
        const path = posix.join(environments, name);
        if (addToEnvironment(tree, path, settings))
          logger.info(`Backand settings added to ${path}.`);
        else
          logger.info(
            `${path}: left as it is (it has a "backand" entry or no environment object).`,
          );
      }
      return { file: environmentFile, symbol: 'environment', member: 'backand' };
    }
    logger.warn(
      `${environmentFile} has no "export const environment = {…}" object; ` +
        'the Backand settings go to backand.config.ts instead.',
    );
  }
  const file = posix.join(sourceRoot, 'app', 'backand.config.ts');
  if (tree.exists(file)) {
    logger.info(`${file} exists: left as it is.`);
  } else {
    tree.create(file, backandConfigFile(settings));
    logger.info(`Backand settings written to ${file}.`);
  }
  return { file, symbol: 'backandConfig' };
}

/** The import specifier of `target` (a .ts file) from the file `from`. */
export function relativeSpecifier(from: string, target: string): string {
  const path = posix.relative(posix.dirname(from), target.replace(/\.ts$/, ''));
  return path.startsWith('.') ? path : `./${path}`;
}
