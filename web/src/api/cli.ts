/**
 * `npm run api`: GraphQL and the read API alone, against the indexer database at DATABASE_URL
 * (or as govledger_web at GOVLEDGER_API_DATABASE_URL). Ctrl-C stops it; a bad configuration is
 * one line and exit code 1.
 */
import { BaseError } from "../../../indexer/src/errors.js";
import { loadApiConfig } from "./config.js";
import { startApi } from "./server.js";

try {
  const api = await startApi(loadApiConfig());
  console.log(`GraphQL on ${api.url}/graphql (GraphiQL in a browser), read API on ${api.url}/api`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    api.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
} catch (error) {
  console.error(`api: ${error instanceof BaseError ? error.shortMessage : (error as Error).message}`);
  process.exit(1);
}
