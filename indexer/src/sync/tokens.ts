/**
 * The decimals of the tokens escrow projects are paid in, for the read model's scaled amounts
 * (escrow.token, migrations/0030_escrow_state.sql). No event carries them, so the indexer asks
 * each token's `decimals()` once: the settlement token when it starts, any other token before
 * writing the first batch with a ProjectCreated that names it. Tokens already in escrow.token are
 * never asked again, so the write path pays one RPC call per new token, not per batch.
 */
import type { Sql } from "postgres";
import { decodeFunctionResult, encodeFunctionData, erc20Abi } from "viem";

import type { Batch } from "../db/store.js";
import { eth_call, type Hex, type Rpc } from "../rpc/client.js";

const PROJECT_CREATED = "escrow.project_created";

/** Tokens named by the batch's ProjectCreated rows (lower-case hex with 0x). */
export function projectTokens(batch: Batch): Hex[] {
  const tokens = new Set<Hex>();
  for (const [table, rows] of batch.tables) {
    if (table.name !== PROJECT_CREATED) continue;
    for (const row of rows) {
      const token = row.terms === null ? undefined : (JSON.parse(row.terms) as { token?: string }).token;
      if (token !== undefined) tokens.add(token.toLowerCase() as Hex);
    }
  }
  return [...tokens];
}

/**
 * A token's `decimals()`, or null when it has none: a revert or an answer that is not a uint8
 * (the scaled columns stay null). A node that cannot be reached throws, to be retried.
 */
export async function readDecimals(rpc: Rpc, token: Hex): Promise<number | null> {
  let data: Hex;
  try {
    data = await eth_call(rpc, { to: token, data: encodeFunctionData({ abi: erc20Abi, functionName: "decimals" }) });
  } catch (error) {
    if (/revert/i.test(String((error as Error).message))) return null;
    throw error;
  }
  try {
    return decodeFunctionResult({ abi: erc20Abi, functionName: "decimals", data });
  } catch {
    return null;
  }
}

/** Keeps escrow.token current with the tokens of `candidates` not known yet. */
export class TokenDecimals {
  private readonly known = new Set<Hex>();
  private loaded = false;

  constructor(
    private readonly rpc: Rpc,
    private readonly sql: Sql,
  ) {}

  async record(candidates: Hex[]): Promise<void> {
    if (candidates.length === 0) return;
    if (!this.loaded) {
      const rows = await this.sql`select encode(token, 'hex') as token from escrow.token`;
      for (const row of rows) this.known.add(`0x${row.token as string}` as Hex);
      this.loaded = true;
    }
    for (const token of candidates) {
      if (this.known.has(token)) continue;
      const decimals = await readDecimals(this.rpc, token);
      await this.sql`insert into escrow.token (token, decimals) values (decode(${token.slice(2)}, 'hex'), ${decimals})
        on conflict (token) do update set decimals = excluded.decimals, read_at = now()`;
      this.known.add(token);
    }
  }
}
