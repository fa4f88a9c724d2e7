import type { Tree } from '@angular-devkit/schematics';
import ts from '@schematics/angular/third_party/github.com/Microsoft/TypeScript/lib/typescript';
import type { ProjectDefinition } from '@schematics/angular/utility';
import {
  findBootstrapModuleCall,
  getAppModulePath,
} from '@schematics/angular/utility/ng-ast-utils';
import { posix } from 'node:path';

/** Names whose use in the root files means the app already has what ng add would add. */
export interface RootUsage {
  /** `provideHttpClient` or `HttpClientModule` is used. */
  http: boolean;
  /** `provideBackand` or `BackandModule` is used. */
  backand: boolean;
}

/** How the application boots, and the file where its root providers live. */
export type AppShape =
  | { kind: 'standalone' | 'ngmodule'; mainFile: string; rootFile: string; usage: RootUsage }
  | { kind: 'unknown'; mainFile: string | null; reason: string };

/** Reads a TypeScript file of the tree. */
export function parse(tree: Tree, path: string): ts.SourceFile {
  const text = tree.readText(path);
  return ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
}

/** The browser entry file of an application project, from its build target. */
function mainFileOf(project: ProjectDefinition): string | null {
  const options = project.targets.get('build')?.options;
  const main = options?.['browser'] ?? options?.['main'];
  return typeof main === 'string' ? main : null;
}

function calleeName(call: ts.CallExpression): string | null {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return null;
}

function findCall(file: ts.SourceFile, name: string): ts.CallExpression | null {
  let found: ts.CallExpression | null = null;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(node) && calleeName(node) === name) found = node;
    else ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** The `.ts` file a relative import of `from` names, if it is in the tree. */
function resolveImport(tree: Tree, from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = posix.join(posix.dirname(from), specifier);
  return [`${base}.ts`, `${base}/index.ts`].find((path) => tree.exists(path)) ?? null;
}

/**
 * The file that holds the standalone app's config: the module `appConfig` is imported from, or
 * the main file itself when the config is written there (or missing, then Angular's
 * `addRootProvider` adds it); null when the second argument is something else.
 */
function standaloneRootFile(
  tree: Tree,
  main: ts.SourceFile,
  mainFile: string,
  call: ts.CallExpression,
): string | null {
  const config = call.arguments[1];
  if (!config || ts.isObjectLiteralExpression(config)) return mainFile;
  if (ts.isCallExpression(config) && calleeName(config) === 'mergeApplicationConfig') {
    return mainFile;
  }
  if (!ts.isIdentifier(config)) return null;
  for (const statement of main.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) {
      continue;
    }
    const named = statement.importClause?.namedBindings;
    if (named && ts.isNamedImports(named)) {
      if (named.elements.some((element) => element.name.text === config.text)) {
        return resolveImport(tree, mainFile, statement.moduleSpecifier.text);
      }
    }
  }
  return mainFile;
}

/** Which of the names ng add cares about the files use (outside import declarations). */
function usageIn(tree: Tree, files: string[]): RootUsage {
  const names = new Set<string>();
  for (const path of new Set(files)) {
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node)) return;
      if (ts.isIdentifier(node)) names.add(node.text);
      ts.forEachChild(node, visit);
    };
    visit(parse(tree, path));
  }
  return {
    http: names.has('provideHttpClient') || names.has('HttpClientModule'),
    backand: names.has('provideBackand') || names.has('BackandModule'),
  };
}

/** Finds how the application boots; never throws, an unrecognised shape says why. */
export function detectAppShape(tree: Tree, project: ProjectDefinition): AppShape {
  const mainFile = mainFileOf(project);
  if (!mainFile) {
    return { kind: 'unknown', mainFile, reason: 'its build target names no browser entry file' };
  }
  if (!tree.exists(mainFile)) {
    return { kind: 'unknown', mainFile, reason: `its entry file ${mainFile} does not exist` };
  }
  const main = parse(tree, mainFile);
  const bootstrap = findCall(main, 'bootstrapApplication');
  if (bootstrap) {
    const rootFile = standaloneRootFile(tree, main, mainFile, bootstrap);
    if (!rootFile) {
      return {
        kind: 'unknown',
        mainFile,
        reason: `the config given to bootstrapApplication() in ${mainFile} could not be followed`,
      };
    }
    return { kind: 'standalone', mainFile, rootFile, usage: usageIn(tree, [mainFile, rootFile]) };
  }
  try {
    if (findBootstrapModuleCall(tree, mainFile)) {
      const rootFile = getAppModulePath(tree, mainFile).replace(/^\//, '');
      if (!tree.exists(rootFile)) {
        return { kind: 'unknown', mainFile, reason: `its root module ${rootFile} does not exist` };
      }
      return { kind: 'ngmodule', mainFile, rootFile, usage: usageIn(tree, [mainFile, rootFile]) };
    }
  } catch (error) {
    return {
      kind: 'unknown',
      mainFile,
      reason: `its root module could not be found (${error instanceof Error ? error.message : error})`,
    };
  }
  return {
    kind: 'unknown',
    mainFile,
    reason: `${mainFile} calls neither bootstrapApplication() nor bootstrapModule()`,
  };
}
