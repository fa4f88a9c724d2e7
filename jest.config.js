/**
 * `npm test`: every browserless suite of the workspace (server, SDK unit + integration).
 * @type {import('jest').Config}
 */
module.exports = {
  projects: [
    '<rootDir>/projects/backand-server',
    '<rootDir>/projects/ngx-backand/jest/zoneless.config.js',
    '<rootDir>/projects/ngx-backand/jest/zone.config.js',
    '<rootDir>/projects/ngx-backand/jest/integration.config.js',
    '<rootDir>/projects/demo/jest.config.js',
  ],
};
