/** Options of `ng add ngx-backand` (see schema.json for their prompts and defaults). */
export interface NgAddOptions {
  /** The application to set up. */
  project?: string;
  /** The Backand app name. */
  appName: string;
  /** The base URL of the Backand API. */
  apiUrl: string;
  /** The anonymous token; empty for none. */
  anonymousToken?: string;
  /** Whether the SDK connects its socket on the first subscription. */
  runSocket: boolean;
  /** Also add backand-server and a `backand` npm script. */
  server: boolean;
  /** With `server`: do not run the package manager. */
  skipInstall: boolean;
}
