/** @type {import('jest').Config} */
module.exports = {
  displayName: 'backand-server',
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/src'],
  testMatch: ['**/*.spec.ts'],
  // *.pg.spec.ts need a PostgreSQL server: `npm run test:postgres` runs them.
  testPathIgnorePatterns: ['/node_modules/', '\\.pg\\.spec\\.ts$'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  testTimeout: 30000,
};
