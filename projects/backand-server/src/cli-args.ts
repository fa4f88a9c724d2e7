/** Parsed command-line options of `backand-server`. */
export interface CliOptions {
  app?: string;
  port: number;
  host: string;
  db?: string;
  tlsCert?: string;
  tlsKey?: string;
  logLevel: string;
  staticDir?: string;
  help: boolean;
}

/** The `--help` text. */
export const USAGE = `Usage: backand-server [options]

A self-hosted, Backand-compatible REST + realtime server.

Options:
  --app <file>        app definition (.json, .js or .ts); default: the built-in demo app
  --port <n>          port to listen on (default 4000; 0 = any free port)
  --host <host>       interface to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
  --db <file>         SQLite file or :memory: (default: <app>.db next to the app file;
                      ./backand-demo.db for the demo app)
  --tls-cert <file>   PEM certificate: serve HTTPS and WSS (needs --tls-key)
  --tls-key <file>    PEM private key
  --static <dir>      serve a built single-page app from /
  --log-level <lvl>   fatal, error, warn, info, debug, trace or silent (default info)
  -h, --help          show this help
`;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Thrown for a bad command line; the message says what is wrong. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

/** Parses `argv` (without node and script). Accepts `--opt value` and `--opt=value`. */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = { port: 4000, host: '127.0.0.1', logLevel: 'info', help: false };
  const args = [...argv];
  while (args.length) {
    const arg = args.shift()!;
    if (arg === '-h' || arg === '--help') {
      options.help = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      const v = eq > 0 ? arg.slice(eq + 1) : args.shift();
      if (v === undefined || v === '') throw new CliUsageError(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '--app':
        options.app = value();
        break;
      case '--port': {
        const v = value();
        if (!/^\d+$/.test(v) || Number(v) > 65535) {
          throw new CliUsageError(`--port must be a number from 0 to 65535, got "${v}"`);
        }
        options.port = Number(v);
        break;
      }
      case '--host':
        options.host = value();
        break;
      case '--db':
        options.db = value();
        break;
      case '--tls-cert':
        options.tlsCert = value();
        break;
      case '--tls-key':
        options.tlsKey = value();
        break;
      case '--static':
        options.staticDir = value();
        break;
      case '--log-level': {
        const v = value();
        if (!LOG_LEVELS.includes(v)) {
          throw new CliUsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
        }
        options.logLevel = v;
        break;
      }
      default:
        throw new CliUsageError(`Unknown option "${arg}" (see --help)`);
    }
  }
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
    throw new CliUsageError('--tls-cert and --tls-key go together');
  }
  return options;
}
