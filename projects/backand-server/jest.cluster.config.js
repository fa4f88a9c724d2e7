/**
 * `npm run test:cluster`: several real server processes on one PostgreSQL database
 * (`DATABASE_URL`, default postgres://postgres@127.0.0.1:5432/test; `BACKAND_CLUSTER_STORE=sqlite`
 * for one SQLite file instead) and one Redis (`REDIS_URL`, default redis://127.0.0.1:6379), with
 * nginx in front for the load-balancer tests. Not part of `npm test`, which needs only Node.
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
