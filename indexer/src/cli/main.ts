/**
 * `npm run indexer`: mirrors the deployment into PostgreSQL and follows the chain until Ctrl-C.
 * Bad configuration is one line on stderr and exit code 1; nothing is written then. So is any
 * error that retrying cannot fix. Ctrl-C stops in order; a second Ctrl-C exits at once.
 */
import { existsSync } from "node:fs";

import { BaseError } from "../errors.js";
import { createLogger } from "./log.js";

const log = createLogger();
const controller = new AbortController();
let signals = 0;
const onSignal = (name: string) => {
  if (++signals > 1) {
    log.error(`indexer: ${name} again: exiting without a clean stop`);
    process.exit(130);
  }
  log.info(`${name}: stopping (again to force)`);
  controller.abort();
};
process.on("SIGINT", () => onSignal("SIGINT"));
process.on("SIGTERM", () => onSignal("SIGTERM"));

const oneLine = (error: unknown) =>
  (error instanceof BaseError ? error.shortMessage : ((error as Error)?.message ?? String(error))).split("\n")[0];

let failed = false;
const fail = (message: string) => {
  if (failed) return;
  failed = true;
  log.error(`indexer: ${message}`);
  process.exitCode = 1;
  controller.abort();
  // Whatever is still open (a server that never started, a pool that never connected) must not
  // keep a failed process alive.
  setTimeout(() => process.exit(1), 5_000).unref();
};
// Faults are handled where they happen; anything that still escapes ends the process cleanly,
// with one line, rather than with Node's stack dump.
const unexpected = (error: unknown) => {
  if (process.env.GOVLEDGER_DEBUG) console.error(error);
  fail(`unexpected error: ${oneLine(error)}`);
};
process.on("unhandledRejection", unexpected);
process.on("uncaughtException", unexpected);

try {
  // The ABIs are generated into @govledger/contracts when the contracts are compiled (npm install
  // does), not here.
  if (!existsSync(new URL("../../../packages/contracts/src/generated/abis.ts", import.meta.url))) {
    throw new Error(
      "no generated ABIs (packages/contracts/src/generated/abis.ts): compile the contracts first (npx hardhat compile)",
    );
  }
  const { loadConfig } = await import("./config.js");
  const { startIndexer } = await import("../indexer.js");
  const config = loadConfig();
  log.info("indexer starting", {
    rpc: config.rpcUrl,
    chainId: config.chainId,
    deployment: config.deploymentFile,
    database: config.databaseUrl === undefined ? `embedded (${config.dataDir})` : "DATABASE_URL",
  });
  if (process.env.GOVLEDGER_DEBUG_MEMORY) {
    setInterval(() => {
      (globalThis as { gc?: () => void }).gc?.();
      const m = process.memoryUsage();
      const mb = (n: number) => Math.round(n / 1048576);
      log.info("memory", {
        rss: mb(m.rss),
        heapUsed: mb(m.heapUsed),
        heapTotal: mb(m.heapTotal),
        external: mb(m.external),
        arrayBuffers: mb(m.arrayBuffers),
      });
    }, 500).unref();
  }
  const indexer = await startIndexer(config, {
    log,
    signal: controller.signal,
    onProgress: (metrics) => log.progress(metrics),
  });
  try {
    await indexer.done;
  } finally {
    await indexer.close();
  }
  if (!failed) log.info("indexer stopped");
} catch (error) {
  fail(oneLine(error));
}
