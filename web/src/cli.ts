/**
 * `npm run dashboard`: the dashboards alone, against the indexer database at DATABASE_URL (or
 * as govledger_web at GOVLEDGER_DASHBOARD_DATABASE_URL). Ctrl-C stops it; a bad configuration is
 * one line and exit code 1.
 */
import { BaseError } from "../../indexer/src/errors.js";
import { loadDashboardConfig } from "./config.js";
import { startDashboard } from "./server.js";

try {
  const dashboard = await startDashboard(loadDashboardConfig());
  console.log(`dashboard listening on ${dashboard.url}`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    dashboard.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
} catch (error) {
  console.error(`dashboard: ${error instanceof BaseError ? error.shortMessage : (error as Error).message}`);
  process.exit(1);
}
