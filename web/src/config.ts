/**
 * The dashboard's configuration, from the environment. Bad values stop the start with one line
 * (ConfigError), before anything listens.
 */
import { randomBytes } from "node:crypto";

import { ConfigError } from "../../indexer/src/errors.js";

export interface DashboardConfig {
  /** 127.0.0.1 port; 0 picks a free one. */
  port: number;
  /** An owner's URL: migrations run and the web role's password is set through it, then closed. */
  databaseUrl?: string;
  /** The non-owner login role's URL (govledger_web); derived from databaseUrl when absent. */
  webDatabaseUrl?: string;
  /** HMAC key of the session cookie. Random per process unless set (then sessions end at restart). */
  sessionSecret: string;
  sessionSeconds: number;
  /** How long a sign-in message (and its nonce) stays valid. */
  signInSeconds: number;
  timeZone: string;
  /** A JSON-RPC node, to verify signatures of contract accounts (ERC-1271); EOAs need none. */
  rpcUrl?: string;
  /** Largest page size a table accepts. */
  maxPageSize: number;
}

function integer(env: Record<string, string | undefined>, name: string, fallback: number, min: number): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min)
    throw new ConfigError(`${name} must be an integer >= ${min}, not "${text}"`);
  return Number(text);
}

export function loadDashboardConfig(env: Record<string, string | undefined> = process.env): DashboardConfig {
  const port = integer(env, "GOVLEDGER_DASHBOARD_PORT", 8088, 0);
  if (port > 65535) throw new ConfigError(`GOVLEDGER_DASHBOARD_PORT must be a port number, not ${port}`);
  const databaseUrl = env.DATABASE_URL || undefined;
  const webDatabaseUrl = env.GOVLEDGER_DASHBOARD_DATABASE_URL || undefined;
  if (!databaseUrl && !webDatabaseUrl) {
    throw new ConfigError(
      "set DATABASE_URL (an indexer database) or GOVLEDGER_DASHBOARD_DATABASE_URL (role govledger_web)",
    );
  }
  for (const [name, url] of [
    ["DATABASE_URL", databaseUrl],
    ["GOVLEDGER_DASHBOARD_DATABASE_URL", webDatabaseUrl],
  ]) {
    if (url && !/^postgres(ql)?:\/\//.test(url)) throw new ConfigError(`${name} must be a postgres:// URL`);
  }
  const secret = env.GOVLEDGER_SESSION_SECRET;
  if (secret !== undefined && secret !== "" && secret.length < 32) {
    throw new ConfigError("GOVLEDGER_SESSION_SECRET must be at least 32 characters");
  }
  const timeZone = env.GOVLEDGER_TIME_ZONE || "Asia/Shanghai";
  try {
    new Intl.DateTimeFormat("en", { timeZone });
  } catch {
    throw new ConfigError(`GOVLEDGER_TIME_ZONE "${timeZone}" is not a time zone`);
  }
  return {
    port,
    databaseUrl,
    webDatabaseUrl,
    sessionSecret: secret || randomBytes(32).toString("hex"),
    sessionSeconds: integer(env, "GOVLEDGER_SESSION_HOURS", 8, 1) * 3600,
    signInSeconds: integer(env, "GOVLEDGER_SIGN_IN_SECONDS", 300, 10),
    timeZone,
    rpcUrl: env.GOVLEDGER_RPC_URL || undefined,
    maxPageSize: integer(env, "GOVLEDGER_MAX_PAGE_SIZE", 100, 1),
  };
}
