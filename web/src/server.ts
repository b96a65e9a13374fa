/**
 * Starts the dashboards: database (as govledger_web), browser bundle, live-update listener and
 * the HTTP server on 127.0.0.1. `close()` stops them in reverse order. Used by `npm run
 * dashboard` (web/src/cli.ts) and by `npm start`.
 */
import type { AddressInfo } from "node:net";

import { serve, type ServerType } from "@hono/node-server";

import { ConfigError } from "../../indexer/src/errors.js";
import { createApp } from "./app.js";
import { createSignIn } from "./auth/siwe.js";
import { buildBundle, type Bundle } from "./bundle.js";
import { cityTimeZone, type DashboardConfig } from "./config.js";
import { openWebDatabase } from "./db.js";
import { createLiveHub } from "./live.js";

export interface DashboardHandle {
  url: string;
  port: number;
  bundle: Bundle;
  close(): Promise<void>;
}

export async function startDashboard(
  config: DashboardConfig,
  options: { log?: (message: string) => void; info?: (message: string) => void } = {},
): Promise<DashboardHandle> {
  const log = options.log ?? ((message: string) => console.error(message));
  // What an operator wants to know but is no fault (stdout; stderr stays for faults).
  const info = options.info ?? ((message: string) => console.log(message));
  const db = await openWebDatabase(config, info);
  let live: Awaited<ReturnType<typeof createLiveHub>> | undefined;
  try {
    const [source] = await db.as(
      null,
      (tx) =>
        tx`select chain_id::int as chain_id, (select utc_offset from indexer.settings) as utc_offset from indexer.source`,
    );
    if (!source)
      throw new ConfigError("the database has no indexed chain yet (indexer.source is empty): start the indexer first");
    // Days on the pages are the chain's days, as in report.* (see cityTimeZone).
    config = { ...config, timeZone: cityTimeZone(source.utc_offset, config.timeZone) };
    const bundle = await buildBundle();
    live = await createLiveHub(db);
    const signIn = createSignIn({
      db,
      chainId: source.chain_id,
      signInSeconds: config.signInSeconds,
      rpcUrl: config.rpcUrl,
    });
    const app = createApp({ config, db, signIn, bundle, live, log });
    const server: ServerType = await new Promise((resolve, reject) => {
      const created = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: config.port }, () => resolve(created));
      created.once("error", (error: NodeJS.ErrnoException) =>
        reject(
          error.code === "EADDRINUSE"
            ? new ConfigError(`port ${config.port} on 127.0.0.1 is taken: set GOVLEDGER_DASHBOARD_PORT`)
            : error,
        ),
      );
    });
    const port = (server.address() as AddressInfo).port;
    const hub = live;
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      bundle,
      async close() {
        await hub.close();
        // Open event streams would keep close() waiting forever: end them.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await db.end();
      },
    };
  } catch (error) {
    await live?.close();
    await db.end();
    throw error;
  }
}
