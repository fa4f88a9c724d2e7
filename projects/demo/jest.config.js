/**
 * The demo's unit tests: its pure helpers (URL, chart geometry, log formatting). Its components
 * are tested in a real browser by the e2e suite (e2e/).
 * @type {import('jest').Config}
 */
module.exports = {
  displayName: 'demo',
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/src'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
};
