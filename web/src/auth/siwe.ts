/**
 * Sign-In with Ethereum (EIP-4361) with viem/siwe: the server writes the message (its nonce
 * stored in PostgreSQL with an expiry, so any of several servers can check it), the operator's
 * wallet signs it, and the server verifies it and spends the nonce. No password exists anywhere.
 * Each refusal is a SignInError carrying the HTTP status and a message that names the problem
 * and nothing else (no stack, no SQL, no internal state).
 */
import { createPublicClient, custom, getAddress, http, isAddress, type PublicClient } from "viem";
import { createSiweMessage, generateSiweNonce, parseSiweMessage, verifySiweMessage } from "viem/siwe";

import type { WebDatabase } from "../db.js";
import { operatorDepartment } from "../queries/session.js";

export class SignInError extends Error {
  override name = "SignInError";
  constructor(
    readonly status: 400 | 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

export interface SignInDeps {
  db: WebDatabase;
  chainId: number;
  signInSeconds: number;
  rpcUrl?: string;
}

const STATEMENT = "Sign in to the govledger dashboard as your department's operator.";

export function createSignIn({ db, chainId, signInSeconds, rpcUrl }: SignInDeps) {
  // EOAs are verified by recovery (no node needed); a node, when configured, also lets contract
  // accounts (ERC-1271) sign in.
  const client: PublicClient = createPublicClient({
    transport: rpcUrl
      ? http(rpcUrl)
      : custom({
          request: async () => {
            throw new Error("no JSON-RPC node configured for contract-account signatures");
          },
        }),
  });

  return {
    /** A fresh message for `address` to sign at `origin` (scheme://host[:port]). */
    async message(address: unknown, origin: URL): Promise<string> {
      if (typeof address !== "string" || !isAddress(address, { strict: false })) {
        throw new SignInError(400, "address must be a 0x-prefixed 20-byte hex account");
      }
      const nonce = generateSiweNonce();
      const issuedAt = new Date();
      const expirationTime = new Date(issuedAt.getTime() + signInSeconds * 1000);
      await db.sql`delete from web.siwe_nonces where expires_at < now()`;
      await db.sql`insert into web.siwe_nonces (nonce, expires_at) values (${nonce}, ${expirationTime})`;
      return createSiweMessage({
        address: getAddress(address),
        chainId,
        domain: origin.host,
        nonce,
        uri: origin.origin,
        version: "1",
        statement: STATEMENT,
        issuedAt,
        expirationTime,
      });
    },

    /** Verifies a signed message; returns the account and its department's code. */
    async verify(message: unknown, signature: unknown, origin: URL): Promise<{ account: string; department: string }> {
      if (typeof message !== "string" || message.length === 0 || message.length > 4000) {
        throw new SignInError(400, "message must be the EIP-4361 text the server issued");
      }
      if (typeof signature !== "string" || !/^0x[0-9a-fA-F]{130,4000}$/.test(signature)) {
        throw new SignInError(400, "signature must be 0x-prefixed hex");
      }
      let parsed: ReturnType<typeof parseSiweMessage>;
      try {
        parsed = parseSiweMessage(message);
      } catch {
        throw new SignInError(400, "message is not an EIP-4361 sign-in message");
      }
      if (!parsed.address || !parsed.nonce || !parsed.domain || !parsed.expirationTime || !parsed.chainId) {
        throw new SignInError(400, "message is not an EIP-4361 sign-in message issued by this server");
      }
      if (parsed.domain !== origin.host || parsed.uri !== origin.origin) {
        throw new SignInError(401, "message was issued for another site");
      }
      if (parsed.chainId !== chainId)
        throw new SignInError(401, `message is for chain ${parsed.chainId}, not ${chainId}`);
      const now = new Date();
      if (parsed.expirationTime.getTime() <= now.getTime()) {
        throw new SignInError(401, "sign-in message expired; sign a new one");
      }
      let valid = false;
      try {
        valid = await verifySiweMessage(client, {
          message,
          signature: signature as `0x${string}`,
          domain: origin.host,
          time: now,
          mode: "eoa",
        } as Parameters<typeof verifySiweMessage>[1]);
      } catch {
        valid = false;
      }
      if (!valid) throw new SignInError(401, "signature does not match the message and its account");
      // Spent here, once, and only by a valid signature: a replay finds no row.
      const spent =
        await db.sql`delete from web.siwe_nonces where nonce = ${parsed.nonce} and expires_at > now() returning nonce`;
      if (spent.length === 0) throw new SignInError(401, "nonce unknown, expired or already used; sign a new message");
      const account = getAddress(parsed.address);
      const department = await db.as(null, (tx) => operatorDepartment(tx, account));
      if (!department) throw new SignInError(403, `account ${account} is not an operator of any member department`);
      if (!department.active) throw new SignInError(403, `department ${department.code} is suspended`);
      return { account, department: department.code };
    },
  };
}

export type SignIn = ReturnType<typeof createSignIn>;
