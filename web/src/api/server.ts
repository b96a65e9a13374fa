/**
 * Starts the API: database (as govledger_web, twice: the session and token checks through the
 * `postgres` package like the dashboard, GraphQL through PostGraphile's `pg` pool), the GraphQL
 * schema (introspected once) and the HTTP server on 127.0.0.1. `close()` stops them in reverse
 * order. Used by `npm run api` (cli.ts) and by `npm start`.
 */
import type { AddressInfo } from "node:net";

import { serve, type ServerType } from "@hono/node-server";
import pg from "pg";
import type { GraphQLSchema } from "postgraphile/graphql";

import { ConfigError } from "../../../indexer/src/errors.js";
import { openWebDatabase, webRoleUrl } from "../db.js";
import { createApiApp } from "./app.js";
import type { ApiConfig } from "./config.js";
import { createGraphql, tableNames } from "./graphql.js";

export interface ApiHandle {
  url: string;
  port: number;
  /** The GraphQL schema served (docs/schema.graphql prints it). */
  schema: GraphQLSchema;
  close(): Promise<void>;
}

export async function startApi(
  config: ApiConfig,
  options: { log?: (message: string) => void } = {},
): Promise<ApiHandle> {
  const log = options.log ?? ((message: string) => console.error(message));
  const webDatabaseUrl = config.webDatabaseUrl ?? (await webRoleUrl(config.databaseUrl!, config.webRolePassword, log));
  const db = await openWebDatabase({ webDatabaseUrl, webRolePassword: config.webRolePassword }, log);
  const tables = await tableNames(db.sql).catch(async (error: unknown) => {
    await db.end();
    throw error;
  });
  // The pool is ours to end: PostGraphile's release() leaves a pool it was given open.
  const pool = new pg.Pool({
    connectionString: webDatabaseUrl,
    max: 8,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client whose server went away (a restart) is dropped, not a crash.
  pool.on("error", (error) => log(`api: database connection lost: ${error.message}`));
  const graphql = createGraphql({ pool, tables, log });
  try {
    const app = await createApiApp({
      db,
      graphql,
      sessionSecret: config.sessionSecret,
      limits: config.limits,
      log,
    }).catch((error: unknown) => {
      throw new ConfigError(`could not build the GraphQL schema: ${(error as Error).message}`, { cause: error });
    });
    const server: ServerType = await new Promise((resolve, reject) => {
      const created = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: config.port }, () => resolve(created));
      created.once("error", (error: NodeJS.ErrnoException) =>
        reject(
          error.code === "EADDRINUSE"
            ? new ConfigError(`port ${config.port} on 127.0.0.1 is taken: set GOVLEDGER_API_PORT`)
            : error,
        ),
      );
    });
    const port = (server.address() as AddressInfo).port;
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      schema: await graphql.getSchema(),
      async close() {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await graphql.release();
        await pool.end();
        await db.end();
      },
    };
  } catch (error) {
    await Promise.resolve(graphql.release()).catch(() => {});
    await pool.end();
    await db.end();
    throw error;
  }
}
