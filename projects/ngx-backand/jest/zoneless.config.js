/** SDK unit tests, zoneless change detection. @type {import('jest').Config} */
module.exports = require('./shared.config')({
  displayName: 'ngx-backand (zoneless)',
  roots: ['<rootDir>/src', '<rootDir>/testing'],
  testMatch: ['**/*.spec.ts'],
  setupFilesAfterEnv: ['<rootDir>/jest/setup-zoneless.ts'],
});
