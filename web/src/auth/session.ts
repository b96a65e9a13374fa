/**
 * The session: a signed cookie (HMAC-SHA256, hono/cookie) holding the account, its department
 * and an expiry, HttpOnly and SameSite=Strict. The cookie is only a claim: every request checks
 * the registry again (operator still listed, department still active), so a suspension or an
 * operator's removal ends access at the next request.
 */
import type { Context } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";

import type { WebDatabase } from "../db.js";
import { operatorDepartment } from "../queries/session.js";
import { SignInError } from "./siwe.js";

export const COOKIE = "govledger_session";

export interface Session {
  account: string;
  department: string;
  expires: number; // unix seconds
}

export async function startSession(
  c: Context,
  secret: string,
  seconds: number,
  who: { account: string; department: string },
): Promise<void> {
  const expires = Math.floor(Date.now() / 1000) + seconds;
  await setSignedCookie(c, COOKIE, `${who.account}|${who.department}|${expires}`, secret, {
    httpOnly: true,
    sameSite: "Strict",
    secure: new URL(c.req.url).protocol === "https:",
    path: "/",
    maxAge: seconds,
    expires: new Date(expires * 1000),
  });
}

export function endSession(c: Context): void {
  deleteCookie(c, COOKIE, { path: "/" });
}

/** The request's session, or null without a cookie; throws 401/403 SignInErrors otherwise. */
export async function currentSession(c: Context, secret: string, db: WebDatabase): Promise<Session | null> {
  const value = await getSignedCookie(c, secret, COOKIE);
  if (value === undefined) return null;
  if (value === false) throw new SignInError(401, "session cookie is not valid; sign in again");
  const match = /^(0x[0-9a-fA-F]{40})\|([^|]{1,31})\|(\d{1,12})$/.exec(value);
  if (!match) throw new SignInError(401, "session cookie is not valid; sign in again");
  const session = { account: match[1], department: match[2], expires: Number(match[3]) };
  if (session.expires <= Date.now() / 1000) throw new SignInError(401, "session expired; sign in again");
  const department = await db.as(null, (tx) => operatorDepartment(tx, session.account));
  if (!department || department.code !== session.department) {
    throw new SignInError(403, `account ${session.account} is no longer an operator of ${session.department}`);
  }
  if (!department.active) throw new SignInError(403, `department ${department.code} is suspended`);
  return session;
}
