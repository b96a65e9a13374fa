/**
 * Access matrix tests: every external state-changing function of a contract × every kind of
 * caller. A table names the callers (the columns: each role holder, a second department or
 * participant holding the same role, a suspended department or participant that still holds the
 * role in the AccessManager, the party of the record and another party with the same role, and
 * accounts with no role), and for each function (the rows) which callers succeed and the custom
 * error each other caller gets (default: AccessManagedUnauthorized on the table's contract).
 *
 * Every cell runs from a fresh fixture. The suite fails when a function of the ABI has no row,
 * when a row names a caller the table does not have, and when any cell does not do what the row
 * says, so a new function or a new kind of caller cannot land without its whole row or column.
 * Generic: nothing here knows a contract of this project.
 */
import { expect } from "chai";
import type { BaseContract, ContractTransactionResponse } from "ethers";

import { mutatingFunctions } from "./access.js";

type Signer = { address: string };

/** The error a denied caller gets: a custom error name on the table's contract, or on another. */
export type MatrixError<Ctx> = string | ((ctx: Ctx) => { contract: BaseContract; name: string });

export interface MatrixRow<Ctx> {
  /** Makes the call as `caller`, after any setup it needs (from a fresh fixture). */
  call: (ctx: Ctx, caller: Signer) => Promise<ContractTransactionResponse>;
  /** Callers (labels) for which the call must succeed. */
  allowed: string[];
  /** Denied callers whose error is not AccessManagedUnauthorized on the table's contract. */
  errors?: Record<string, MatrixError<Ctx>>;
}

export interface AccessMatrix<Ctx> {
  /** Fresh state for every cell (wrap the deployment in loadFixture). */
  fixture: () => Promise<Ctx>;
  /** The contract whose ABI the rows must cover. */
  contract: (ctx: Ctx) => BaseContract;
  /** Every caller kind, by label. */
  callers: (ctx: Ctx) => Record<string, Signer>;
  /** Function signature (e.g. "pause()") → its row. */
  rows: Record<string, MatrixRow<Ctx>>;
}

function errorOf<Ctx>(ctx: Ctx, matrix: AccessMatrix<Ctx>, error: MatrixError<Ctx> | undefined) {
  if (error === undefined) return { contract: matrix.contract(ctx), name: "AccessManagedUnauthorized" };
  if (typeof error === "string") return { contract: matrix.contract(ctx), name: error };
  return error(ctx);
}

export function describeAccessMatrix<Ctx>(name: string, matrix: AccessMatrix<Ctx>): void {
  describe(`${name} access matrix`, function () {
    it("has a row for every state-changing function, naming only callers of the table", async function () {
      const ctx = await matrix.fixture();
      expect(Object.keys(matrix.rows).sort()).to.deep.equal(mutatingFunctions(matrix.contract(ctx)));
      const labels = new Set(Object.keys(matrix.callers(ctx)));
      for (const [signature, row] of Object.entries(matrix.rows)) {
        for (const label of [...row.allowed, ...Object.keys(row.errors ?? {})]) {
          expect(labels.has(label), `${signature} names unknown caller ${label}`).to.equal(true);
        }
        for (const label of row.allowed) {
          expect(row.errors?.[label], `${signature}: ${label} both allowed and denied`).to.equal(undefined);
        }
      }
    });

    for (const [signature, row] of Object.entries(matrix.rows)) {
      it(`${signature}: every caller succeeds or gets its error`, async function () {
        const labels = Object.keys(matrix.callers(await matrix.fixture()));
        for (const label of labels) {
          const ctx = await matrix.fixture();
          const caller = matrix.callers(ctx)[label];
          if (row.allowed.includes(label)) {
            try {
              await (await row.call(ctx, caller)).wait();
            } catch (error) {
              throw new Error(`${label} may call ${signature}, but the call failed: ${(error as Error).message}`);
            }
          } else {
            const { contract, name: errorName } = errorOf(ctx, matrix, row.errors?.[label]);
            await expect(row.call(ctx, caller), `${label} may not call ${signature}`).to.be.revertedWithCustomError(
              contract,
              errorName,
            );
          }
        }
      });
    }
  });
}
