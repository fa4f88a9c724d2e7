/**
 * SDK integration tests: real HTTP (fetch) and a real socket.io-client against a real
 * backand-server, in Node. @type {import('jest').Config}
 */
module.exports = require('./shared.config')({
  displayName: 'ngx-backand (integration)',
  testEnvironment: 'node',
  // zone.js (zone.integration.spec.ts) keeps references to globals past the file's teardown.
  testEnvironmentOptions: { globalsCleanup: 'off' },
  roots: ['<rootDir>/integration'],
  testMatch: ['**/*.integration.spec.ts'],
  testTimeout: 30000,
  setupFiles: ['<rootDir>/integration/setup.ts'],
});
