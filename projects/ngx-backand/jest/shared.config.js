const { createCjsPreset } = require('jest-preset-angular/presets');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

/** Settings shared by the SDK's jest projects. */
module.exports = function sharedConfig(overrides) {
  return {
    // Type-checking is `tsc -p tsconfig.spec.json`; jest only transpiles (tsconfig.jest.json).
    ...createCjsPreset({ tsconfig: path.join(root, 'tsconfig.jest.json') }),
    rootDir: root,
    moduleNameMapper: {
      '^ngx-backand$': '<rootDir>/src/public-api.ts',
      '^ngx-backand/testing$': '<rootDir>/testing/src/public-api.ts',
    },
    ...overrides,
  };
};
