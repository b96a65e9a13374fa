/**
 * Indexer configuration: environment variables, optionally a JSON file ($GOVLEDGER_INDEXER_CONFIG)
 * with the same keys in camelCase; the environment wins. Every mistake is one clear line.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { abis, type ContractName } from "@govledger/contracts";
import { ConfigError } from "../errors.js";
import type { Hex } from "../rpc/client.js";

export interface IndexerConfig {
  rpcUrl: string;
  wsUrl?: string;
  /** The chain id the node must report; default: the deployment's. */
  chainId: number;
  deploymentFile: string;
  contracts: { key: string; contractName: ContractName; address: Hex; startBlock: bigint }[];
  startBlock: bigint;
  /** Absent: start an embedded PostgreSQL under dataDir. */
  databaseUrl?: string;
  dataDir: string;
  embeddedPort: number;
  confirmations: number;
  pollIntervalMs: number;
  httpPort: number;
  /** department id (bytes32 hex) → webhook URL notified of events for that department. */
  webhooks: Record<string, string>;
  workerConcurrency: number;
  /** Most blocks fetched and written as one batch. */
  maxSpan: number;
  /** eth_getLogs answers over this many bytes are refused unread and the range narrowed. */
  logsResponseLimit: number;
}

/** The repository root (not from deploy/lib: that would load ethers into the indexer). */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

const DEFAULT_DEPLOYMENT = path.join(ROOT, "deploy", "deployments", "localhost", "govledger.json");

function integer(name: string, value: string | number | undefined, fallback: number, min = 0): number {
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min)
    throw new ConfigError(`${name} must be an integer >= ${min}, got "${value}"`);
  return parsed;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): IndexerConfig {
  let file: Record<string, unknown> = {};
  if (env.GOVLEDGER_INDEXER_CONFIG) {
    try {
      file = JSON.parse(readFileSync(env.GOVLEDGER_INDEXER_CONFIG, "utf8"));
    } catch (error) {
      throw new ConfigError(
        `cannot read GOVLEDGER_INDEXER_CONFIG ${env.GOVLEDGER_INDEXER_CONFIG}: ${(error as Error).message}`,
      );
    }
  }
  const pick = (envName: string, key: string): string | undefined => env[envName] ?? (file[key] as string | undefined);

  const rpcUrl = pick("GOVLEDGER_RPC_URL", "rpcUrl") ?? "http://127.0.0.1:8545";
  if (!/^https?:\/\//.test(rpcUrl)) throw new ConfigError(`GOVLEDGER_RPC_URL must be an http(s) URL, got "${rpcUrl}"`);
  const wsUrl = pick("GOVLEDGER_WS_URL", "wsUrl");
  if (wsUrl !== undefined && !/^wss?:\/\//.test(wsUrl))
    throw new ConfigError(`GOVLEDGER_WS_URL must be a ws(s) URL, got "${wsUrl}"`);

  const deploymentFile = path.resolve(pick("GOVLEDGER_DEPLOYMENT", "deployment") ?? DEFAULT_DEPLOYMENT);
  if (!existsSync(deploymentFile)) {
    // `npm start` on another port writes localhost-<port>: name what exists, so the fix is a copy.
    const deployments = path.dirname(path.dirname(deploymentFile));
    const found = existsSync(deployments)
      ? readdirSync(deployments)
          .map((id) => path.join(deployments, id, path.basename(deploymentFile)))
          .filter((file) => existsSync(file))
      : [];
    throw new ConfigError(
      `no deployment at ${deploymentFile}: ` +
        (found.length > 0
          ? `set GOVLEDGER_DEPLOYMENT to one that exists: ${found.join(", ")}`
          : "deploy first (npm start or npm run deploy), or set GOVLEDGER_DEPLOYMENT"),
    );
  }
  let deployment: {
    chainId?: number;
    contracts?: Record<string, { contractName?: string; address?: string; startBlock?: number }>;
  };
  try {
    deployment = JSON.parse(readFileSync(deploymentFile, "utf8"));
  } catch (error) {
    throw new ConfigError(`cannot read the deployment ${deploymentFile}: ${(error as Error).message}`);
  }
  const contracts: IndexerConfig["contracts"] = [];
  for (const [key, entry] of Object.entries(deployment.contracts ?? {})) {
    if (!entry.contractName || !(entry.contractName in abis)) {
      throw new ConfigError(
        `deployment ${deploymentFile}: contract "${key}" has no known contractName (${entry.contractName})`,
      );
    }
    if (typeof entry.address !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(entry.address)) {
      throw new ConfigError(`deployment ${deploymentFile}: contract "${key}" has no valid address`);
    }
    contracts.push({
      key,
      contractName: entry.contractName as ContractName,
      address: entry.address.toLowerCase() as Hex,
      startBlock: BigInt(entry.startBlock ?? 0),
    });
  }
  if (contracts.length === 0) throw new ConfigError(`deployment ${deploymentFile} lists no contracts`);
  const chainId = integer("GOVLEDGER_CHAIN_ID", pick("GOVLEDGER_CHAIN_ID", "chainId") ?? deployment.chainId, 0, 1);
  if (chainId === 0)
    throw new ConfigError("GOVLEDGER_CHAIN_ID is required when the deployment does not give a chain id");

  const databaseUrl = env.DATABASE_URL ?? (file.databaseUrl as string | undefined);
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must be a postgres:// URL, got "${databaseUrl}"`);
  }
  let webhooks: Record<string, string> = {};
  const rawWebhooks =
    env.GOVLEDGER_WEBHOOKS ?? (file.webhooks === undefined ? undefined : JSON.stringify(file.webhooks));
  if (rawWebhooks !== undefined) {
    try {
      webhooks = JSON.parse(rawWebhooks);
    } catch {
      throw new ConfigError("GOVLEDGER_WEBHOOKS must be a JSON object of department id → URL");
    }
  }
  return {
    rpcUrl,
    wsUrl,
    chainId,
    deploymentFile,
    contracts,
    startBlock: contracts.reduce((min, c) => (c.startBlock < min ? c.startBlock : min), contracts[0].startBlock),
    databaseUrl,
    dataDir: path.resolve(pick("GOVLEDGER_DATA_DIR", "dataDir") ?? path.join(ROOT, ".govledger", "postgres")),
    embeddedPort: integer("GOVLEDGER_EMBEDDED_PG_PORT", pick("GOVLEDGER_EMBEDDED_PG_PORT", "embeddedPort"), 54329, 1),
    confirmations: integer("GOVLEDGER_CONFIRMATIONS", pick("GOVLEDGER_CONFIRMATIONS", "confirmations"), 12),
    pollIntervalMs: integer("GOVLEDGER_POLL_MS", pick("GOVLEDGER_POLL_MS", "pollIntervalMs"), 100, 10),
    httpPort: integer("GOVLEDGER_HTTP_PORT", pick("GOVLEDGER_HTTP_PORT", "httpPort"), 9464),
    webhooks,
    maxSpan: integer("GOVLEDGER_MAX_SPAN", pick("GOVLEDGER_MAX_SPAN", "maxSpan"), 2_000, 1),
    logsResponseLimit: integer(
      "GOVLEDGER_LOGS_RESPONSE_LIMIT",
      pick("GOVLEDGER_LOGS_RESPONSE_LIMIT", "logsResponseLimit"),
      16 * 1024 * 1024,
      1024,
    ),
    workerConcurrency: integer(
      "GOVLEDGER_WORKER_CONCURRENCY",
      pick("GOVLEDGER_WORKER_CONCURRENCY", "workerConcurrency"),
      2,
      1,
    ),
  };
}
