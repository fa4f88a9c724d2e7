import { parseArgs } from 'node:util';
import { parseCorsOrigin } from './http/cors-policy';
import { checkSmtpUrl } from './mail/mailer';
import { checkRedisUrl } from './cluster/redis-link';
import { checkTrustProxy } from './http/trust-proxy';

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
  /** `--cors-origin`, each checked and in its canonical form; absent = any origin. */
  corsOrigins?: string[];
  /** `--smtp-url` (the `BACKAND_SMTP_URL` environment variable is read by the CLI too). */
  smtpUrl?: string;
  /** `--files-dir`. */
  filesDir?: string;
  mailDir?: string;
  /** `--redis` (the `BACKAND_REDIS_URL` environment variable is read by the CLI too). */
  redis?: string;
  redisPrefix?: string;
  /** `--trust-proxy`, every occurrence split at commas and checked. */
  trustProxy?: string[];
  /** `--no-console`: no admin console at /_console. */
  noConsole?: boolean;
  help: boolean;
}

/** The `--help` text. */
export const USAGE = `Usage: backand-server [options]

A self-hosted, Backand-compatible REST + realtime server.

Options:
  --app <file>        app definition (.json, .js or .ts); default: the built-in demo app
  --port <n>          port to listen on (default 4000; 0 = any free port)
  --host <host>       interface to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
  --db <file|url>     SQLite file or :memory: (default: <app>.db next to the app file;
                      ./backand-demo.db for the demo app), or a PostgreSQL database:
                      postgres://user:pass@host:5432/db[?schema=name]; or set
                      BACKAND_DATABASE_URL (keeps the password out of the process list)
  --files-dir <dir>   where uploads are kept (default: <db>-files next to the database;
                      ./<appName>-files with PostgreSQL). Several nodes share one folder
  --tls-cert <file>   PEM certificate: serve HTTPS and WSS (needs --tls-key)
  --tls-key <file>    PEM private key
  --static <dir>      serve a built single-page app from /
  --cors-origin <o>   allow browser pages of this origin (scheme://host[:port]) to call the
                      API and open the socket; repeat for each origin (default: any origin)
  --smtp-url <url>    SMTP server of the app's mail (sign-up confirmation, password reset,
                      email.send in actions): smtp://user:pass@host:587 or smtps://…:465;
                      or set BACKAND_SMTP_URL (keeps the password out of the process list)
  --mail-dir <dir>    without SMTP, each mail is written here as a .eml file and logged
                      (default: <db>-mail next to the database; a temp folder for :memory:)
  --redis <url>       scale out: several servers on one database and one Redis serve
                      the app together (redis://[user:pass@]host:6379); or set
                      BACKAND_REDIS_URL. See "Scale out" in the README
  --redis-prefix <p>  prefix of this app's Redis keys (default backand:<appName>:)
  --trust-proxy <a>   a reverse proxy (load balancer) whose X-Forwarded-For/-Proto/-Host
                      headers are believed: IP address, address/prefix, or loopback;
                      comma-separated or repeated (default: none)
  --no-console        do not serve the admin console at /_console (nor its API)
  --log-level <lvl>   fatal, error, warn, info, debug, trace or silent (default info)
  -h, --help          show this help
`;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Thrown for a bad command line; the message says what is wrong. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

const OPTIONS = {
  app: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  db: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  static: { type: 'string' },
  'cors-origin': { type: 'string', multiple: true },
  'smtp-url': { type: 'string' },
  'mail-dir': { type: 'string' },
  'files-dir': { type: 'string' },
  redis: { type: 'string' },
  'redis-prefix': { type: 'string' },
  'trust-proxy': { type: 'string', multiple: true },
  'log-level': { type: 'string' },
  'no-console': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Parses `argv` (without node and script). Accepts `--opt value` and `--opt=value`. */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  let values: ReturnType<typeof parseOptions>;
  try {
    values = parseOptions(argv);
  } catch (err) {
    throw new CliUsageError(usageMessage(err as NodeJS.ErrnoException));
  }
  for (const [name, value] of Object.entries(values)) {
    if (value === '' || (Array.isArray(value) && value.includes(''))) {
      throw new CliUsageError(`--${name} needs a value`);
    }
  }
  const options: CliOptions = {
    port: 4000,
    host: values.host ?? '127.0.0.1',
    logLevel: values['log-level'] ?? 'info',
    help: values.help ?? false,
  };
  if (values.port !== undefined) {
    if (!/^\d+$/.test(values.port) || Number(values.port) > 65535) {
      throw new CliUsageError(`--port must be a number from 0 to 65535, got "${values.port}"`);
    }
    options.port = Number(values.port);
  }
  if (!LOG_LEVELS.includes(options.logLevel)) {
    throw new CliUsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  }
  if (values.app !== undefined) options.app = values.app;
  if (values.db !== undefined) options.db = values.db;
  if (values['tls-cert'] !== undefined) options.tlsCert = values['tls-cert'];
  if (values['tls-key'] !== undefined) options.tlsKey = values['tls-key'];
  if (values.static !== undefined) options.staticDir = values.static;
  if (values['mail-dir'] !== undefined) options.mailDir = values['mail-dir'];
  if (values['files-dir'] !== undefined) options.filesDir = values['files-dir'];
  if (values['redis-prefix'] !== undefined) options.redisPrefix = values['redis-prefix'];
  if (values.redis !== undefined) {
    try {
      options.redis = checkRedisUrl(values.redis, '--redis');
    } catch (err) {
      throw new CliUsageError((err as Error).message);
    }
  }
  if (values['trust-proxy'] !== undefined) {
    try {
      options.trustProxy = checkTrustProxy(
        values['trust-proxy'].flatMap((v) => v.split(',')),
        '--trust-proxy',
      );
    } catch (err) {
      throw new CliUsageError((err as Error).message);
    }
  }
  if (values['no-console']) options.noConsole = true;
  if (values['smtp-url'] !== undefined) {
    try {
      options.smtpUrl = checkSmtpUrl(values['smtp-url'], '--smtp-url');
    } catch (err) {
      throw new CliUsageError((err as Error).message);
    }
  }
  if (values['cors-origin'] !== undefined) {
    try {
      options.corsOrigins = values['cors-origin'].map((o) => parseCorsOrigin(o, '--cors-origin'));
    } catch (err) {
      throw new CliUsageError((err as Error).message);
    }
  }
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
    throw new CliUsageError('--tls-cert and --tls-key go together');
  }
  return options;
}

function parseOptions(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false })
    .values;
}

/** Rewords `node:util` parseArgs errors in the CLI's own terms. */
function usageMessage(err: NodeJS.ErrnoException): string {
  const option = /'(-[^' ]+)/.exec(err.message)?.[1] ?? '';
  switch (err.code) {
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return `${option} needs a value`;
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `Unknown option "${option}" (see --help)`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `Unexpected argument ${/'([^']+)'/.exec(err.message)?.[1] ?? ''} (see --help)`;
    default:
      return err.message;
  }
}
