/**
 * The dashboard's configuration, from the environment. Bad values stop the start with one line
 * (ConfigError), before anything listens.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";

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
  /**
   * The city's time zone (IANA name, for PostgreSQL and Intl alike). From GOVLEDGER_TIME_ZONE
   * when set ("" when not); at start it is checked against, or derived from, the chain's day
   * boundary (cityTimeZone), so a day on a page is the day of report.*.
   */
  timeZone: string;
  /**
   * govledger_web's password with an owner URL: the operator's own (GOVLEDGER_DASHBOARD_DB_PASSWORD;
   * no file is read or written), or a file the dashboard keeps (webRolePassword).
   */
  webRolePassword: WebRolePassword;
  /** A JSON-RPC node, to verify signatures of contract accounts (ERC-1271); EOAs need none. */
  rpcUrl?: string;
  /** Largest page size a table accepts. */
  maxPageSize: number;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** govledger_web's password: given by the operator, or kept in a file (random on the first start). */
export type WebRolePassword = { password: string } | { file: string };

/**
 * Where govledger_web's password comes from, for the dashboard and the API alike (they log in as
 * one role). A password the operator gives (GOVLEDGER_DASHBOARD_DB_PASSWORD, from a vault or a
 * secret store) is used as it is and nothing is written. Otherwise a file: GOVLEDGER_DASHBOARD_PASSWORD_FILE,
 * or dashboard-db-password in the indexer's state directory, the one holding its embedded
 * PostgreSQL (the parent of GOVLEDGER_DATA_DIR, `.govledger/` by default), as `npm start` does:
 * one setting places both on a volume of the operator's choosing, outside the code.
 */
export function webRolePassword(env: Record<string, string | undefined>): WebRolePassword {
  const password = env.GOVLEDGER_DASHBOARD_DB_PASSWORD;
  if (password) {
    if (password.length < 16 || password.length > 128)
      throw new ConfigError("GOVLEDGER_DASHBOARD_DB_PASSWORD must be 16-128 characters");
    return { password };
  }
  if (env.GOVLEDGER_DASHBOARD_PASSWORD_FILE) return { file: path.resolve(env.GOVLEDGER_DASHBOARD_PASSWORD_FILE) };
  const dataDir = path.resolve(env.GOVLEDGER_DATA_DIR || path.join(ROOT, ".govledger", "postgres"));
  return { file: path.join(path.dirname(dataDir), "dashboard-db-password") };
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
  const timeZone = env.GOVLEDGER_TIME_ZONE || "";
  if (timeZone) {
    try {
      new Intl.DateTimeFormat("en", { timeZone });
    } catch {
      throw new ConfigError(`GOVLEDGER_TIME_ZONE "${timeZone}" is not a time zone`);
    }
  }
  return {
    port,
    databaseUrl,
    webDatabaseUrl,
    sessionSecret: secret || randomBytes(32).toString("hex"),
    sessionSeconds: integer(env, "GOVLEDGER_SESSION_HOURS", 8, 1) * 3600,
    signInSeconds: integer(env, "GOVLEDGER_SIGN_IN_SECONDS", 300, 10),
    timeZone,
    webRolePassword: webRolePassword(env),
    rpcUrl: env.GOVLEDGER_RPC_URL || undefined,
    maxPageSize: integer(env, "GOVLEDGER_MAX_PAGE_SIZE", 100, 1),
  };
}

/** UTC offset of `timeZone` at `at`, in seconds. */
function offsetAt(timeZone: string, at: Date): number {
  const name = new Intl.DateTimeFormat("en", { timeZone, timeZoneName: "longOffset" })
    .formatToParts(at)
    .find((part) => part.type === "timeZoneName")!.value;
  const match = /GMT([+-])(\d{2}):(\d{2})(?::(\d{2}))?/.exec(name);
  if (!match) return 0; // "GMT": UTC itself
  const seconds = Number(match[2]) * 3600 + Number(match[3]) * 60 + Number(match[4] ?? 0);
  return match[1] === "-" ? -seconds : seconds;
}

export function offsetText(seconds: number): string {
  const abs = Math.abs(seconds);
  const hh = String(Math.floor(abs / 3600)).padStart(2, "0");
  const mm = String(Math.floor((abs % 3600) / 60)).padStart(2, "0");
  return `UTC${seconds < 0 ? "-" : "+"}${hh}:${mm}`;
}

/**
 * The city's time zone, one source of truth: the chain's day boundary, InvoiceLedger.utcOffset()
 * (indexer.settings.utc_offset, which report.* days, invoice quota periods and the indexer use).
 * Unset, it is that fixed offset as an IANA name (Etc/GMT-8 for UTC+08:00); set, the named zone
 * must have that offset all year (a zone with daylight saving time would put half the year's
 * evenings on another day than the reports).
 */
export function cityTimeZone(utcOffsetSeconds: number, configured: string): string {
  if (configured) {
    for (let month = 0; month < 24; month++) {
      const offset = offsetAt(configured, new Date(Date.UTC(2026, month, 15)));
      if (offset !== utcOffsetSeconds) {
        throw new ConfigError(
          `GOVLEDGER_TIME_ZONE ${configured} is ${offsetText(offset)} at times, but the chain's day boundary ` +
            `(InvoiceLedger.utcOffset) is ${offsetText(utcOffsetSeconds)}: pages and reports would disagree on days; unset it`,
        );
      }
    }
    return configured;
  }
  if (utcOffsetSeconds % 3600 !== 0) {
    throw new ConfigError(
      `the chain's day boundary is ${offsetText(utcOffsetSeconds)}, not whole hours: set GOVLEDGER_TIME_ZONE to the city's zone`,
    );
  }
  const hours = utcOffsetSeconds / 3600;
  // IANA's Etc zones count the other way round (POSIX): Etc/GMT-8 is UTC+08:00.
  return hours === 0 ? "Etc/UTC" : `Etc/GMT${hours > 0 ? "-" : "+"}${Math.abs(hours)}`;
}

/** How exports and pages name the zone: its offset, after its name when the city chose one. */
export function zoneLabel(timeZone: string): string {
  const offset = offsetText(offsetAt(timeZone, new Date()));
  return timeZone.startsWith("Etc/") ? offset : `${timeZone}, ${offset}`;
}
