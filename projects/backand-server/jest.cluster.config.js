/**
 * `npm run test:cluster`: several real server processes on one database file and one Redis
 * (`REDIS_URL`, default redis://127.0.0.1:6379). Not part of `npm test`, which needs only Node.
 * @type {import('jest').Config}
 */
module.exports = {
  displayName: 'cluster',
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/cluster-tests'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  testTimeout: 60000,
  maxWorkers: 1,
};
