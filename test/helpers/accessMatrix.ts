/**
 * Access matrices: every external state-changing function of a contract (the rows) called by
 * every kind of caller (the columns), each call from a fresh fixture. The columns are what
 * per-function tables tend to forget (issue 12: findings 6 and 7 slipped through because no test
 * called as "the same role, another party"): each role holder, a second department or
 * participant holding the same role, a suspended department or participant whose roles were
 * granted back in the AccessManager behind the registry's back, the party of the record and
 * another party with the same role, and accounts with no role (test/helpers/consortium.ts builds
 * them).
 *
 * A caller the row allows must succeed. Every other caller must be refused: with the error the
 * row names for it, else with the table's `refusal`, else with any error of REFUSALS (an error
 * that refuses a caller for who it is; a state error would mean the call got past the access
 * checks and failed only by luck of the fixture). The suite fails when a function of the ABI has
 * no row, when a row names a caller the table does not have, and when any cell does not do what
 * its row says, so a new function or a new kind of caller cannot land without its whole row or
 * column. Generic: nothing here knows a contract of this project.
 */
import { expect } from "chai";
import { type BaseContract, type ContractTransactionResponse, Interface, type InterfaceAbi } from "ethers";
import { artifacts } from "hardhat";

import { mutatingFunctions } from "./access.js";

type Signer = { address: string };

/** Errors that refuse a caller for who it is, not for the state it finds. */
export const REFUSALS = new Set([
  "AccessManagedUnauthorized",
  "ConsortiumCallerNotDepartment",
  "ConsortiumCallerNotParticipant",
  "EscrowCallerNotParty",
  "GovernorOnlyGovernance",
  "GovernorCallerNotMember",
  "GovernorNotEligible",
  "GovernorNotProposer",
  "RegistryCallerNotDepartment",
  "RegistryNotRegistrar",
  "RegistryNotRoleAdministrator",
  "ValidatorSetCallerNotRegistry",
]);

export interface MatrixRow<Ctx> {
  /** Makes the call as `caller`, after any setup it needs (from a fresh fixture). */
  call: (ctx: Ctx, caller: Signer) => Promise<ContractTransactionResponse>;
  /** Callers (labels) for which the call must succeed. */
  allowed: string[];
  /** Denied callers (labels) and the custom error each must get, by name. */
  errors?: Record<string, string>;
}

export interface AccessMatrix<Ctx> {
  /** Fresh state for every cell (wrap the deployment in loadFixture). */
  fixture: () => Promise<Ctx>;
  /** The contract whose ABI the rows must cover. */
  contract: (ctx: Ctx) => BaseContract;
  /** Every caller kind, by label. */
  callers: (ctx: Ctx) => Record<string, Signer>;
  /** The error a denied caller gets when its row names none (default: any of REFUSALS). */
  refusal?: string;
  /** Function signature (e.g. "pause()") → its row. */
  rows: Record<string, MatrixRow<Ctx>>;
}

let errorInterface: Interface | undefined;

/** One interface holding the custom errors of every compiled contract, to name any revert. */
async function errors(): Promise<Interface> {
  if (errorInterface !== undefined) return errorInterface;
  const seen = new Map<string, unknown>();
  for (const name of await artifacts.getAllFullyQualifiedNames()) {
    const { abi } = await artifacts.readArtifact(name);
    for (const item of abi as { type: string; name: string; inputs: { type: string }[] }[]) {
      if (item.type !== "error") continue;
      seen.set(`${item.name}(${item.inputs.map((input) => input.type).join(",")})`, item);
    }
  }
  errorInterface = new Interface([...seen.values()] as InterfaceAbi);
  return errorInterface;
}

/** The revert data somewhere in a provider or ethers error, if any. */
function revertData(error: unknown): string | undefined {
  const queue: unknown[] = [error];
  for (let i = 0; i < queue.length && i < 20; i++) {
    const item = queue[i] as Record<string, unknown> | undefined;
    if (item === null || typeof item !== "object") continue;
    const data = item.data;
    if (typeof data === "string" && /^0x[0-9a-fA-F]{8}/.test(data)) return data;
    if (data !== null && typeof data === "object") queue.push(data);
    for (const key of ["error", "cause", "info", "data"]) if (key in item) queue.push(item[key]);
  }
  return undefined;
}

/** The name of the custom error a failed call reverted with ("?" if none could be decoded). */
export async function refusalOf(error: unknown): Promise<string> {
  const data = revertData(error);
  if (data === undefined) return `? (${(error as Error).message?.split("\n")[0]})`;
  try {
    return (await errors()).parseError(data)?.name ?? `? (${data.slice(0, 10)})`;
  } catch {
    return `? (${data.slice(0, 10)})`;
  }
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
      const who = row.allowed.length === 0 ? "no caller" : row.allowed.join(", ");
      it(`${signature}: ${who} may call, every other caller is refused`, async function () {
        const failures: string[] = [];
        for (const label of Object.keys(matrix.callers(await matrix.fixture()))) {
          const ctx = await matrix.fixture();
          let outcome: string;
          try {
            await (await row.call(ctx, matrix.callers(ctx)[label])).wait();
            outcome = "succeeded";
          } catch (error) {
            outcome = await refusalOf(error);
          }
          const expected = row.errors?.[label] ?? matrix.refusal;
          if (row.allowed.includes(label)) {
            if (outcome !== "succeeded") failures.push(`${label} may call it but got ${outcome}`);
          } else if (expected !== undefined ? outcome !== expected : !REFUSALS.has(outcome)) {
            failures.push(`${label} may not call it but got ${outcome}${expected ? ` (expected ${expected})` : ""}`);
          }
        }
        expect(failures, signature).to.deep.equal([]);
      });
    }
  });
}
