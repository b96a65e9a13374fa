/**
 * Operations endpoint on 127.0.0.1: GET /health (200 when the database answers and the indexer
 * keeps up, 503 otherwise, JSON either way), GET /ready (503 until the backfill has reached the
 * head once, 200 from then on, as Ponder's: for a load balancer or a deploy script to wait on)
 * and GET /metrics (Prometheus text format).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

import type { Sql } from "postgres";

import { ConfigError } from "../errors.js";
import { type Metrics, RATE_WINDOW_MS, rate } from "../sync/metrics.js";

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

export function metricsText(metrics: Metrics, now: number = Date.now()): string {
  const lag = metrics.head > metrics.indexed ? metrics.head - metrics.indexed : 0n;
  const lines: [string, string, string, string | number | bigint][] = [
    ["govledger_indexer_head_block", "gauge", "Newest block number the node reported.", metrics.head],
    ["govledger_indexer_indexed_block", "gauge", "Newest block whose rows are committed.", metrics.indexed],
    ["govledger_indexer_lag_blocks", "gauge", "Blocks between the head and the indexed block.", lag],
    ["govledger_indexer_events_total", "counter", "Events written since start.", metrics.events],
    ["govledger_indexer_blocks_total", "counter", "Blocks written since start.", metrics.blocks],
    [
      "govledger_indexer_events_per_second",
      "gauge",
      `Events written per second over the last ${RATE_WINDOW_MS / 1000} s.`,
      rate(metrics, "events", now).toFixed(1),
    ],
    [
      "govledger_indexer_failed_transactions_total",
      "counter",
      "Reverted transactions recorded.",
      metrics.failedTransactions,
    ],
    ["govledger_indexer_reorgs_total", "counter", "Chain reorganisations rolled back.", metrics.reorgs],
    [
      "govledger_indexer_absent_indexes",
      "gauge",
      "Deferred secondary indexes not built yet (absent during a first backfill, built at the head).",
      metrics.absentIndexes,
    ],
    ["govledger_indexer_retries_total", "counter", "RPC or database calls retried.", metrics.retries],
    [
      "govledger_indexer_ranges_narrowed_total",
      "counter",
      "Log ranges narrowed: refused by the node or over the size limit.",
      metrics.rangesNarrowed,
    ],
  ];
  return lines
    .map(([name, type, help, value]) => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`)
    .join("");
}

export async function startOpsServer(options: {
  port: number;
  sql: Sql;
  metrics: Metrics;
  confirmations: number;
}): Promise<OpsServer> {
  const server = http.createServer(async (request, response) => {
    if (request.url === "/metrics") {
      response.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      return response.end(metricsText(options.metrics));
    }
    if (request.url === "/ready") {
      const { metrics } = options;
      response.writeHead(metrics.caughtUp ? 200 : 503, { "content-type": "application/json" });
      return response.end(
        JSON.stringify({
          status: metrics.caughtUp ? "ready" : "backfilling",
          head: metrics.head.toString(),
          indexed: metrics.indexed.toString(),
          absentIndexes: metrics.absentIndexes,
        }),
      );
    }
    if (request.url === "/health") {
      const { metrics } = options;
      const lag = metrics.head > metrics.indexed ? Number(metrics.head - metrics.indexed) : 0;
      let database = true;
      try {
        await options.sql`select 1`;
      } catch {
        database = false;
      }
      const keepingUp = lag <= options.confirmations + 1 || Date.now() - metrics.lastWriteAt < 30_000;
      const ok = database && keepingUp;
      response.writeHead(ok ? 200 : 503, { "content-type": "application/json" });
      return response.end(
        JSON.stringify({
          status: ok ? "ok" : "unhealthy",
          database,
          head: metrics.head.toString(),
          indexed: metrics.indexed.toString(),
          lag,
        }),
      );
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const why = error.code === "EADDRINUSE" ? "the port is taken" : error.message;
      reject(
        new ConfigError(
          `cannot serve the operations endpoint on 127.0.0.1:${options.port}: ${why} (set GOVLEDGER_HTTP_PORT, 0 for any free port)`,
        ),
      );
    });
    server.listen(options.port, "127.0.0.1", resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
