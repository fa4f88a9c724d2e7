/**
 * Production builds of the bundle fixtures through the Angular CLI's builder API
 * (`@angular-devkit/architect`, the same `@angular/build:application` builder `ng build` runs),
 * several projects in one process so the CLI starts once.
 */
import { Architect } from '@angular-devkit/architect';
import { WorkspaceNodeModulesArchitectHost } from '@angular-devkit/architect/node/index.js';
import { logging, schema, workspaces } from '@angular-devkit/core';
import { NodeJsSyncHost } from '@angular-devkit/core/node/index.js';

/** Builds `projects` of the workspace in `dir` one after another; rejects with the build log. */
export async function buildProjects(dir, projects) {
  const { workspace } = await workspaces.readWorkspace(
    dir,
    workspaces.createWorkspaceHost(new NodeJsSyncHost()),
  );
  const registry = new schema.CoreSchemaRegistry();
  registry.addPostTransform(schema.transforms.addUndefinedDefaults);
  const architect = new Architect(new WorkspaceNodeModulesArchitectHost(workspace, dir), registry);
  for (const project of projects) {
    const logger = new logging.Logger(project);
    const log = [];
    logger.subscribe((entry) => log.push(entry.message));
    const run = await architect.scheduleTarget({ project, target: 'build' }, {}, { logger });
    const output = await run.result;
    await run.stop();
    if (!output.success) throw new Error(`build of ${project} failed:\n${log.join('\n')}`);
  }
}
