/**
 * `npm run indexer`: mirrors the deployment into PostgreSQL and follows the chain until Ctrl-C.
 * Bad configuration is one line on stderr and exit code 1; nothing is written then.
 */
import { BaseError } from "../errors.js";
import { startIndexer } from "../indexer.js";
import { loadConfig } from "./config.js";
import { createLogger } from "./log.js";

const log = createLogger();
const controller = new AbortController();
process.once("SIGINT", () => controller.abort());
process.once("SIGTERM", () => controller.abort());

try {
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
  log.info("indexer stopped");
} catch (error) {
  const message = error instanceof BaseError ? error.shortMessage : ((error as Error).stack ?? String(error));
  log.error(`indexer: ${message}`);
  process.exitCode = 1;
}
