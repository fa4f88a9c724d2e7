/*
 * Public API of ngx-backand/testing: test doubles for apps that use ngx-backand.
 */
export {
  FakeBackandSocket,
  type FakeBackandSocketEmit,
  type FakeBackandSocketOptions,
} from './fake-backand-socket';
export { provideBackandTesting } from './provide-backand-testing';
