const { createCjsPreset } = require('jest-preset-angular/presets');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

/** Settings shared by the SDK's jest projects. */
module.exports = function sharedConfig(overrides) {
  return {
    ...createCjsPreset({ tsconfig: path.join(root, 'tsconfig.spec.json') }),
    rootDir: root,
    moduleNameMapper: {
      '^ngx-backand$': '<rootDir>/src/public-api.ts',
      '^ngx-backand/testing$': '<rootDir>/testing/src/public-api.ts',
    },
    ...overrides,
  };
};
