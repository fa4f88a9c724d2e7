import { chain, type Rule, SchematicsException } from '@angular-devkit/schematics';
import {
  addRootImport,
  addRootProvider,
  type ProjectDefinition,
  readWorkspace,
  type WorkspaceDefinition,
} from '@schematics/angular/utility';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { type AppShape, detectAppShape } from './app-shape';
import { addLocalServer } from './local-server';
import type { NgAddOptions } from './schema';
import { type BackandSettings, readSettings } from './settings';
import { relativeSpecifier, type SettingsLocation, writeSettings } from './settings-file';

/** This package's version: `--server` adds the backand-server of the same release. */
function ownVersion(): string {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
  return String(manifest.version);
}

/** The application to set up: the one named, else the only application of the workspace. */
function pickProject(
  workspace: WorkspaceDefinition,
  name: string | undefined,
): { name: string; project: ProjectDefinition } {
  const applications = [...workspace.projects]
    .filter(([, project]) => project.extensions['projectType'] === 'application')
    .map(([projectName]) => projectName);
  if (name) {
    const project = workspace.projects.get(name);
    if (!project) {
      throw new SchematicsException(
        `No project "${name}" in angular.json; applications: ${applications.join(', ') || 'none'}.`,
      );
    }
    if (project.extensions['projectType'] !== 'application') {
      throw new SchematicsException(
        `"${name}" is a library: ng add ngx-backand sets up an application (--project <app>).`,
      );
    }
    return { name, project };
  }
  if (applications.length === 1) {
    const [only] = applications;
    return { name: only, project: workspace.projects.get(only) as ProjectDefinition };
  }
  throw new SchematicsException(
    applications.length === 0
      ? 'This workspace has no application for ng add ngx-backand to set up.'
      : `Name the application to set up with --project (one of: ${applications.join(', ')}).`,
  );
}

/** What to write by hand when the app's shape is not one ng add can edit. */
function manualSteps(location: SettingsLocation, shape: AppShape & { kind: 'unknown' }): string {
  const value = location.member ? `${location.symbol}.${location.member}` : location.symbol;
  return [
    `ng add ngx-backand could not change the app's providers: ${shape.reason}.`,
    'Add these by hand:',
    `  import { provideHttpClient } from '@angular/common/http';`,
    `  import { provideBackand } from 'ngx-backand';`,
    `  import { ${location.symbol} } from '<path to ${location.file.replace(/\.ts$/, '')}>';`,
    '  standalone app, in the providers of bootstrapApplication() / app.config.ts:',
    `    provideHttpClient(), provideBackand(${value})`,
    '  NgModule app, in the root module: imports: [BackandModule.forRoot(' +
      `${value})], providers: [provideHttpClient()]`,
  ].join('\n');
}

/** Adds provideHttpClient() when missing, then provideBackand() / BackandModule.forRoot(). */
function wireProviders(
  projectName: string,
  shape: AppShape & { kind: 'standalone' | 'ngmodule' },
  location: SettingsLocation,
): Rule {
  const specifier = relativeSpecifier(shape.rootFile, location.file);
  const member = location.member ? `.${location.member}` : '';
  const rules: Rule[] = [];
  if (!shape.usage.http) {
    rules.push(
      addRootProvider(
        projectName,
        ({ code, external }) => code`${external('provideHttpClient', '@angular/common/http')}()`,
      ),
    );
  }
  if (shape.kind === 'standalone') {
    rules.push(
      addRootProvider(
        projectName,
        ({ code, external }) =>
          code`${external('provideBackand', 'ngx-backand')}(${external(location.symbol, specifier)}${member})`,
      ),
    );
  } else {
    rules.push(
      addRootImport(
        projectName,
        ({ code, external }) =>
          code`${external('BackandModule', 'ngx-backand')}.forRoot(${external(location.symbol, specifier)}${member})`,
      ),
    );
  }
  rules.push((_tree, context) => {
    const added = shape.kind === 'standalone' ? 'provideBackand()' : 'BackandModule.forRoot()';
    context.logger.info(
      `Added ${shape.usage.http ? '' : 'provideHttpClient() and '}${added} to ${shape.rootFile}.`,
    );
  });
  return chain(rules);
}

/**
 * `ng add ngx-backand`: writes the Backand settings where the app keeps its settings, wires
 * provideBackand() (standalone) or BackandModule.forRoot() (NgModule) and provideHttpClient() into
 * the app's root, and with `--server` adds a local backand-server. A second run changes nothing.
 */
export function ngAdd(options: NgAddOptions): Rule {
  return async (tree, context) => {
    const settings: BackandSettings = readSettings(options);
    const workspace = await readWorkspace(tree);
    const { name, project } = pickProject(workspace, options.project);
    const sourceRoot = project.sourceRoot ?? posix.join(project.root, 'src');
    const shape = detectAppShape(tree, project);
    const location = writeSettings(tree, sourceRoot, settings, context.logger);
    const rules: Rule[] = [];
    if (shape.kind === 'unknown') {
      context.logger.warn(manualSteps(location, shape));
    } else if (shape.usage.backand) {
      context.logger.info(`${shape.rootFile} already sets up Backand: providers left as they are.`);
    } else {
      rules.push(wireProviders(name, shape, location));
    }
    if (options.server) rules.push(addLocalServer(settings, ownVersion(), options.skipInstall));
    return chain(rules);
  };
}
