/**
 * The API's configuration, from the environment. Bad values stop the start with one line
 * (ConfigError), before anything listens.
 */
import { randomBytes } from "node:crypto";

import { ConfigError } from "../../../indexer/src/errors.js";
import { type WebRolePassword, webRolePassword } from "../config.js";
import type { QueryLimits } from "./limits.js";

export interface ApiConfig {
  /** 127.0.0.1 port; 0 picks a free one. */
  port: number;
  /** An owner's URL: migrations run and govledger_web's password is set through it, then closed. */
  databaseUrl?: string;
  /** govledger_web's URL; derived from databaseUrl when absent. */
  webDatabaseUrl?: string;
  /** govledger_web's password, the dashboard's (web/src/config.ts): both log in with it. */
  webRolePassword: WebRolePassword;
  /** The dashboard's session key: the API accepts the dashboard's cookie only when they share it. */
  sessionSecret: string;
  limits: QueryLimits;
}

function integer(env: Record<string, string | undefined>, name: string, fallback: number, min: number, max: number) {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max)
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, not "${text}"`);
  return Number(text);
}

export function loadApiConfig(env: Record<string, string | undefined> = process.env): ApiConfig {
  const databaseUrl = env.DATABASE_URL || undefined;
  const webDatabaseUrl = env.GOVLEDGER_API_DATABASE_URL || env.GOVLEDGER_DASHBOARD_DATABASE_URL || undefined;
  if (!databaseUrl && !webDatabaseUrl) {
    throw new ConfigError("set DATABASE_URL (an indexer database) or GOVLEDGER_API_DATABASE_URL (role govledger_web)");
  }
  for (const [name, url] of [
    ["DATABASE_URL", databaseUrl],
    ["GOVLEDGER_API_DATABASE_URL", webDatabaseUrl],
  ]) {
    if (url && !/^postgres(ql)?:\/\//.test(url)) throw new ConfigError(`${name} must be a postgres:// URL`);
  }
  const secret = env.GOVLEDGER_SESSION_SECRET;
  if (secret !== undefined && secret !== "" && secret.length < 32) {
    throw new ConfigError("GOVLEDGER_SESSION_SECRET must be at least 32 characters");
  }
  return {
    port: integer(env, "GOVLEDGER_API_PORT", 8089, 0, 65535),
    databaseUrl,
    webDatabaseUrl,
    webRolePassword: webRolePassword(env),
    // Without the dashboard's secret no cookie verifies: tokens only.
    sessionSecret: secret || randomBytes(32).toString("hex"),
    limits: {
      maxDepth: integer(env, "GOVLEDGER_API_MAX_DEPTH", 10, 2, 100),
      maxCost: integer(env, "GOVLEDGER_API_MAX_COST", 20_000, 1, 10_000_000),
      maxPage: integer(env, "GOVLEDGER_API_MAX_PAGE", 100, 1, 10_000),
    },
  };
}
