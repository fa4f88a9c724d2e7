/**
 * The repository scripts' own tests (scripts/*.spec.js), run by `npm test`.
 * @type {import('jest').Config}
 */
module.exports = {
  displayName: 'scripts',
  testEnvironment: 'node',
  rootDir: __dirname,
  testMatch: ['<rootDir>/*.spec.js'],
};
