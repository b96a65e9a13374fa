/**
 * Table-driven access tests: for every external state-changing function of a contract, the
 * accounts that may call it succeed and the accounts that may not revert with the expected error.
 * A function of the ABI missing from the table fails the suite, so a new function cannot land
 * without its access cases.
 */
import { expect } from "chai";
import type { BaseContract, ContractTransactionResponse } from "ethers";

type Signer = { address: string };

export interface AccessCase<Ctx> {
  /** Accounts (by label) that may call: the call must succeed from a fresh fixture. */
  allowed: (ctx: Ctx) => Record<string, Signer>;
  /** Accounts (by label) that may not call: the call must revert with `error`. */
  denied: (ctx: Ctx) => Record<string, Signer>;
  /** Makes the call as `caller`, after any setup it needs. */
  call: (ctx: Ctx, caller: Signer) => Promise<ContractTransactionResponse>;
  /** The custom error a denied caller (by label) gets, on which contract. Default:
   * AccessManagedUnauthorized on the table's contract. */
  error?: (ctx: Ctx, label: string) => { contract: BaseContract; name: string };
}

export interface AccessTable<Ctx> {
  /** The contract whose ABI the table must cover. */
  contract: (ctx: Ctx) => BaseContract;
  /** Fresh state for every case (wrap in loadFixture). */
  fixture: () => Promise<Ctx>;
  /** Function signature (e.g. "pause()") → its case. */
  cases: Record<string, AccessCase<Ctx>>;
}

/** State-changing function signatures of a contract's ABI. */
export function mutatingFunctions(contract: BaseContract): string[] {
  const signatures: string[] = [];
  contract.interface.forEachFunction((fn) => {
    if (fn.stateMutability !== "view" && fn.stateMutability !== "pure") signatures.push(fn.format("sighash"));
  });
  return signatures.sort();
}

export function describeAccess<Ctx>(name: string, table: AccessTable<Ctx>): void {
  describe(`${name} access`, function () {
    it("has a case for every state-changing function", async function () {
      const ctx = await table.fixture();
      expect(Object.keys(table.cases).sort()).to.deep.equal(mutatingFunctions(table.contract(ctx)));
    });

    for (const [signature, accessCase] of Object.entries(table.cases)) {
      describe(signature, function () {
        it("succeeds for every account that may call it", async function () {
          for (const [label, caller] of Object.entries(accessCase.allowed(await table.fixture()))) {
            const ctx = await table.fixture();
            try {
              await (await accessCase.call(ctx, caller)).wait();
            } catch (error) {
              throw new Error(`${label} may call ${signature}, but the call failed: ${(error as Error).message}`);
            }
          }
        });

        it("reverts for every account that may not call it", async function () {
          for (const [label, caller] of Object.entries(accessCase.denied(await table.fixture()))) {
            const ctx = await table.fixture();
            const error = accessCase.error?.(ctx, label) ?? {
              contract: table.contract(ctx),
              name: "AccessManagedUnauthorized",
            };
            await expect(
              accessCase.call(ctx, caller),
              `${label} may not call ${signature}`,
            ).to.be.revertedWithCustomError(error.contract, error.name);
          }
        });
      });
    }
  });
}
