/** What a gas suite gets and returns: a fresh deployment, and operation name → gas used. */
import type { NetworkConnection } from "hardhat/types/network";
import type { ContractTransactionResponse } from "ethers";

import type { System } from "../../deploy/lib/system.js";

export interface GasContext {
  connection: NetworkConnection<"l1">;
  system: System;
}

export type GasSuite = (context: GasContext) => Promise<Record<string, number>>;

/** The gas a transaction used, from its receipt. */
export async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("transaction has no receipt");
  return Number(receipt.gasUsed);
}
