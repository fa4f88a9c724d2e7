import { readFileSync } from 'node:fs';
import { AppDefinitionError } from './app-definition/app-definition-error';
import { CliUsageError, parseCliArgs, USAGE, type CliOptions } from './cli-args';
import { checkSmtpUrl } from './mail/mailer';
import { checkRedisUrl } from './cluster/redis-link';
import { startServer } from './server';
import type { RunningServer, ServerOptions } from './server-options';

/** Where the CLI writes; replaceable in tests. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  exit: (code: number) => void;
}

const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  exit: (code) => process.exit(code),
};

/**
 * The `backand-server` command. Starts the server, prints its URL and credentials, and shuts
 * down gracefully on SIGINT/SIGTERM. Exits 1 with a message on a bad command line or app
 * definition. Resolves with the running server (or undefined when it did not start).
 */
export async function main(
  argv: readonly string[],
  io: CliIo = processIo,
): Promise<RunningServer | undefined> {
  if (io === processIo) {
    // A closed pipe (`backand-server | head`) must not crash the server or its shutdown.
    process.stdout.on('error', () => undefined);
    process.stderr.on('error', () => undefined);
  }
  let cli: CliOptions;
  try {
    cli = parseCliArgs(argv);
  } catch (err) {
    io.err(`backand-server: ${(err as Error).message}\n`);
    io.exit(1);
    return undefined;
  }
  if (cli.help) {
    io.out(USAGE);
    return undefined;
  }
  let server: RunningServer;
  try {
    server = await startServer(toServerOptions(cli));
  } catch (err) {
    const message =
      err instanceof AppDefinitionError || err instanceof CliUsageError
        ? err.message
        : `Could not start: ${err instanceof Error ? err.message : String(err)}`;
    io.err(`backand-server: ${message}\n`);
    io.exit(1);
    return undefined;
  }
  io.out(banner(server, cli));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    io.out(`backand-server: ${signal}, shutting down…\n`);
    server.close().then(
      () => io.exit(0),
      (err: unknown) => {
        io.err(`backand-server: shutdown failed: ${String(err)}\n`);
        io.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  return server;
}

function toServerOptions(cli: CliOptions): ServerOptions {
  const options: ServerOptions = { port: cli.port, host: cli.host, logLevel: cli.logLevel };
  if (cli.app !== undefined) options.app = cli.app;
  const db = cli.db ?? process.env['BACKAND_DATABASE_URL'];
  if (db) options.db = db;
  if (cli.filesDir !== undefined) options.filesDir = cli.filesDir;
  if (cli.staticDir !== undefined) options.staticDir = cli.staticDir;
  if (cli.corsOrigins !== undefined) options.corsOrigins = cli.corsOrigins;
  if (cli.mailDir !== undefined) options.mailDir = cli.mailDir;
  if (cli.noConsole) options.console = false;
  if (cli.trustProxy !== undefined) options.trustProxy = cli.trustProxy;
  const smtpUrl = cli.smtpUrl ?? process.env['BACKAND_SMTP_URL'];
  if (smtpUrl) {
    try {
      options.smtpUrl = checkSmtpUrl(smtpUrl, cli.smtpUrl ? '--smtp-url' : 'BACKAND_SMTP_URL');
    } catch (err) {
      throw new CliUsageError((err as Error).message);
    }
  }
  if (cli.redisPrefix !== undefined) options.redisPrefix = cli.redisPrefix;
  const redis = cli.redis ?? process.env['BACKAND_REDIS_URL'];
  if (redis) {
    try {
      options.redis = checkRedisUrl(redis, cli.redis ? '--redis' : 'BACKAND_REDIS_URL');
    } catch (err) {
      throw new CliUsageError((err as Error).message);
    }
  }
  if (cli.tlsCert !== undefined && cli.tlsKey !== undefined) {
    try {
      options.tls = { cert: readFileSync(cli.tlsCert), key: readFileSync(cli.tlsKey) };
    } catch (err) {
      throw new CliUsageError(`Cannot read TLS files: ${(err as Error).message}`);
    }
  }
  return options;
}

/** What the server prints on start: URL, app, tokens and (for seeded apps) the users. */
export function banner(
  server: RunningServer,
  cli: Pick<CliOptions, 'app' | 'corsOrigins'>,
): string {
  const { app } = server;
  const lines = [
    '',
    `backand-server is running at ${server.url}`,
    `  app name:        ${app.appName}${cli.app ? ` (${cli.app})` : ' (built-in demo app)'}`,
  ];
  if (app.anonymousToken) lines.push(`  anonymous token: ${app.anonymousToken}`);
  if (app.signUpToken) lines.push(`  sign-up token:   ${app.signUpToken}`);
  if (app.masterToken && app.userToken) {
    lines.push(`  master / user:   ${app.masterToken} / ${app.userToken}`);
  }
  if (app.users.length) {
    // Passwords are shown for the built-in demo only; an app's own file already has them.
    const demo = !cli.app;
    lines.push(demo ? '  demo users (username, password, role):' : '  seeded users:');
    for (const user of app.users) {
      lines.push(
        `    ${user.username.padEnd(24)} ${demo ? user.password.padEnd(16) + ' ' : ''}${user.role}`,
      );
    }
  }
  lines.push(`  objects:         ${Object.keys(app.objects).join(', ')}`);
  const origins = cli.corsOrigins?.includes('*') ? undefined : cli.corsOrigins;
  lines.push(
    origins
      ? `  browser origins: ${origins.join(', ')}`
      : "  browser origins: any (list your app's with --cors-origin in production)",
    '',
  );
  return lines.join('\n') + '\n';
}
