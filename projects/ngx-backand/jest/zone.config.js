/** SDK unit tests again, with zone.js change detection. @type {import('jest').Config} */
module.exports = require('./shared.config')({
  displayName: 'ngx-backand (zone.js)',
  roots: ['<rootDir>/src', '<rootDir>/testing'],
  testMatch: ['**/*.spec.ts'],
  setupFilesAfterEnv: ['<rootDir>/jest/setup-zone.ts'],
});
