// The package-manager task of @angular-devkit/schematics loads `ora` (an ES module jest cannot
// require) for its spinner; the specs record tasks and never run them, so a stand-in suffices.
module.exports = function ora() {
  throw new Error('the schematics specs never run the package manager');
};
