/**
 * `npm test`: every browserless suite of the workspace (server, SDK unit + integration).
 * @type {import('jest').Config}
 */
module.exports = {
  // A global option (ignored in a project's own config): specs start real servers, processes
  // and browsers' peers, which take longer on a busy machine than jest's 5 s default.
  testTimeout: 30000,
  projects: [
    '<rootDir>/projects/backand-server',
    '<rootDir>/projects/ngx-backand/jest/zoneless.config.js',
    '<rootDir>/projects/ngx-backand/jest/zone.config.js',
    '<rootDir>/projects/ngx-backand/jest/integration.config.js',
    '<rootDir>/projects/ngx-backand/schematics/jest.config.js',
    '<rootDir>/projects/demo/jest.config.js',
    '<rootDir>/projects/console/jest.config.js',
    '<rootDir>/scripts/jest.config.js',
  ],
};
