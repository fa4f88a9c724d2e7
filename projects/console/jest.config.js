/**
 * The console's unit tests: its pure helpers (field values, event filter). Its components are
 * tested in a real browser by the e2e suite (e2e/console.e2e.ts).
 * @type {import('jest').Config}
 */
module.exports = {
  displayName: 'console',
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/src'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
};
