/**
 * The escrow's full access matrix: every function × every consortium actor (test/helpers/
 * accessMatrix.ts, callers from consortium.ts) plus the project's own parties and an enterprise holding every project role
 * that is party to no project. "The project's own party" is what the rows encode: the bank,
 * bureau, developer, contractor, supervisor, project regulator and human-resources department
 * the project names (rivalDepartment holds every department role and is party to no project).
 */
import { id, ZeroHash } from "ethers";
import { network } from "hardhat";

import { describeAccessMatrix } from "../helpers/accessMatrix.js";
import { addMatrixActors, RIVAL } from "../helpers/consortium.js";
import {
  busyProject,
  CONTRACTOR,
  GUARANTEE,
  HOLDING_PERIOD,
  identityHash,
  milestoneTerms,
  projectTerms,
  SUBCONTRACTOR,
  UNIT,
  UNLISTED,
  workerWallets,
} from "./escrow.fixture.js";

const connection = await network.create<"l1">();
const { networkHelpers } = connection;

async function matrixProject() {
  const context = await busyProject(connection);
  const { actors } = await addMatrixActors(connection, context);
  const { developer, contractor, supervisor, subcontractor, outsider } = context.parties;
  return {
    ...context,
    actors: { ...actors, developer, contractor, supervisor, subcontractor, outsider },
  };
}

type Ctx = Awaited<ReturnType<typeof matrixProject>>;
const as = (caller: { address: string }) => caller as never;

describe("ConstructionEscrow", function () {
  describeAccessMatrix<Ctx>("ConstructionEscrow", {
    fixture: () => networkHelpers.loadFixture(matrixProject),
    contract: ({ contracts }) => contracts.escrow,
    callers: ({ actors }) => actors,
    rows: {
      "createProject((bytes32,bytes32,bytes32,bytes32,bytes32,bytes32,address,uint128,uint16,uint128,uint32,bytes32),(uint128,uint64,bytes32)[],bytes32[])":
        {
          allowed: ["cons", "rivalDepartment"],
          call: ({ contracts, tokenAddress }, caller) =>
            contracts.escrow.connect(as(caller)).createProject(projectTerms(tokenAddress), milestoneTerms(), []),
        },
      "addSubcontractor(uint256,bytes32)": {
        allowed: ["cons"],
        call: ({ contracts }, caller) => contracts.escrow.connect(as(caller)).addSubcontractor(1n, UNLISTED),
      },
      "removeSubcontractor(uint256,bytes32)": {
        allowed: ["cons"],
        call: ({ contracts }, caller) => contracts.escrow.connect(as(caller)).removeSubcontractor(1n, SUBCONTRACTOR),
      },
      "fund(uint256,uint256)": {
        allowed: ["developer"],
        call: ({ contracts }, caller) => contracts.escrow.connect(as(caller)).fund(2n, UNIT),
      },
      "fundWithPermit(uint256,uint256,uint256,uint8,bytes32,bytes32)": {
        allowed: ["developer"],
        call: ({ contracts }, caller) =>
          contracts.escrow.connect(as(caller)).fundWithPermit(2n, UNIT, 0n, 27, ZeroHash, ZeroHash),
      },
      "depositGuarantee(uint256,uint256)": {
        allowed: ["contractor"],
        call: ({ contracts }, caller) => contracts.escrow.connect(as(caller)).depositGuarantee(2n, GUARANTEE),
      },
      "registerWorkers(uint256,address[],bytes32[])": {
        allowed: ["contractor"],
        call: ({ contracts }, caller) => {
          const worker = workerWallets(1, "matrix")[0].address;
          return contracts.escrow.connect(as(caller)).registerWorkers(1n, [worker], [identityHash(worker)]);
        },
      },
      "submitMilestone(uint256,uint256,bytes32)": {
        allowed: ["contractor"],
        call: ({ contracts }, caller) => contracts.escrow.connect(as(caller)).submitMilestone(1n, 2n, id("evidence 2")),
      },
      "orderPayment(uint256,bytes32,uint256,bytes32)": {
        allowed: ["contractor"],
        call: ({ contracts }, caller) =>
          contracts.escrow.connect(as(caller)).orderPayment(1n, CONTRACTOR, UNIT, id("own")),
      },
      "submitPayroll(uint256,uint64,bytes32,address[],uint256[])": {
        allowed: ["contractor"],
        call: ({ contracts, workers }, caller) =>
          contracts.escrow.connect(as(caller)).submitPayroll(1n, 202407n, id("doc"), [workers[0].address], [UNIT]),
      },
      "releaseGuarantee(uint256)": {
        allowed: ["contractor"],
        call: async ({ contracts, accounts }, caller) => {
          await (await contracts.escrow.connect(accounts.cons).closeProject(2n)).wait();
          await networkHelpers.time.increase(HOLDING_PERIOD);
          return contracts.escrow.connect(as(caller)).releaseGuarantee(2n);
        },
      },
      "approveMilestone(uint256,uint256)": {
        allowed: ["supervisor"],
        call: ({ contracts }, caller) => contracts.escrow.connect(as(caller)).approveMilestone(1n, 1n),
      },
      "rejectMilestone(uint256,uint256,string)": {
        allowed: ["supervisor"],
        call: ({ contracts }, caller) => contracts.escrow.connect(as(caller)).rejectMilestone(1n, 1n, "incomplete"),
      },
      "approvePaymentOrder(uint256,uint256)": {
        allowed: ["supervisor"],
        call: ({ contracts }, caller) => contracts.escrow.connect(as(caller)).approvePaymentOrder(1n, 1n),
      },
      "rejectPaymentOrder(uint256,uint256,string)": {
        allowed: ["supervisor"],
        call: ({ contracts }, caller) => contracts.escrow.connect(as(caller)).rejectPaymentOrder(1n, 1n, "no invoice"),
      },
      "approvePayroll(uint256,uint256,address[],uint256[])": {
        allowed: ["bank"],
        call: ({ contracts, small }, caller) =>
          contracts.escrow.connect(as(caller)).approvePayroll(1n, small.payrollId, small.workers, small.amounts),
      },
      "rejectPayroll(uint256,uint256,string)": {
        allowed: ["bank"],
        call: ({ contracts, small }, caller) =>
          contracts.escrow.connect(as(caller)).rejectPayroll(1n, small.payrollId, "unsigned"),
      },
      "cancelPayroll(uint256,uint256,string)": {
        allowed: ["bank"],
        call: ({ contracts, large }, caller) =>
          contracts.escrow.connect(as(caller)).cancelPayroll(1n, large.payrollId, "cannot be paid"),
      },
      "payPayroll(uint256,uint256,address[],uint256[])": {
        allowed: ["bank"],
        call: async ({ contracts, parties, large }, caller) => {
          await (await contracts.escrow.connect(parties.supervisor).approveMilestone(1n, 1n)).wait();
          return contracts.escrow.connect(as(caller)).payPayroll(1n, large.payrollId, large.workers, large.amounts);
        },
      },
      "drawGuarantee(uint256,uint256,address[],uint256[])": {
        // Only the human-resources department the project names: rivalDepartment holds
        // HUMAN_RESOURCES too and is refused with EscrowCallerNotParty.
        allowed: ["hrss"],
        errors: { rivalDepartment: "EscrowCallerNotParty" },
        call: ({ contracts, large }, caller) =>
          contracts.escrow.connect(as(caller)).drawGuarantee(1n, large.payrollId, large.workers, large.amounts),
      },
      // The project's own regulator alone (rivalDepartment holds PROJECT_REGULATOR too).
      "freezeProject(uint256,string)": {
        allowed: ["cons"],
        errors: { rivalDepartment: "EscrowCallerNotParty" },
        call: ({ contracts }, caller) => contracts.escrow.connect(as(caller)).freezeProject(1n, "inspection"),
      },
      "unfreezeProject(uint256)": {
        allowed: ["cons"],
        errors: { rivalDepartment: "EscrowCallerNotParty" },
        call: async ({ contracts, accounts }, caller) => {
          await (await contracts.escrow.connect(accounts.cons).freezeProject(1n, "inspection")).wait();
          return contracts.escrow.connect(as(caller)).unfreezeProject(1n);
        },
      },
      "closeProject(uint256)": {
        allowed: ["cons"],
        errors: { rivalDepartment: "EscrowCallerNotParty" },
        call: ({ contracts }, caller) => contracts.escrow.connect(as(caller)).closeProject(2n),
      },
      // ADMIN alone (wired to no role): a vote, the governor executing it.
      "replaceParty(uint256,uint8,bytes32)": {
        allowed: ["governor"],
        call: ({ contracts }, caller) => contracts.escrow.connect(as(caller)).replaceParty(1n, 1, RIVAL),
      },
      "pause()": {
        allowed: ["tax", "audit", "rivalDepartment"],
        call: ({ contracts }, caller) => contracts.escrow.connect(as(caller)).pause(),
      },
      "unpause()": {
        allowed: ["governor"],
        call: async ({ contracts, accounts }, caller) => {
          await (await contracts.escrow.connect(accounts.audit).pause()).wait();
          return contracts.escrow.connect(as(caller)).unpause();
        },
      },
      // Only the AccessManager calls it (AccessManager.updateAuthority, ADMIN: a vote).
      "setAuthority(address)": {
        allowed: [],
        call: ({ contracts, summary }, caller) =>
          contracts.escrow.connect(as(caller)).setAuthority(summary.contracts.manager.address),
      },
    },
  });
});
