/**
 * `npm run test:postgres`: the server's suites against PostgreSQL (`DATABASE_URL`, default
 * postgres://postgres@127.0.0.1:5432/test). Each test server gets a schema of its own. Not
 * part of `npm test`, which needs only Node.
 * @type {import('jest').Config}
 */
const base = require('./jest.config.js');

process.env.BACKAND_TEST_DATABASE_URL ||=
  process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

module.exports = {
  ...base,
  displayName: 'backand-server (PostgreSQL)',
  globalSetup: '<rootDir>/src/testing/postgres-setup.ts',
  globalTeardown: '<rootDir>/src/testing/postgres-teardown.ts',
  testPathIgnorePatterns: [
    '/node_modules/',
    // What only a SQLite file has: upgrades of files made by older versions of the server (user
    // names, file records).
    '/auth/migrate-usernames\\.spec\\.ts$',
    '/files/file-owners\\.spec\\.ts$',
  ],
};
