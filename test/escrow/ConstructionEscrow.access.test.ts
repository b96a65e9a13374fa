import { id, ZeroHash } from "ethers";
import { network } from "hardhat";

import { describeAccess } from "../helpers/access.js";
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

async function busy() {
  return busyProject(connection);
}

const fixture = () => networkHelpers.loadFixture(busy);
type Ctx = Awaited<ReturnType<typeof busy>>;
const as = (caller: { address: string }) => caller as never;

describe("ConstructionEscrow", function () {
  describeAccess<Ctx>("ConstructionEscrow", {
    fixture,
    contract: ({ contracts }) => contracts.escrow,
    cases: {
      "createProject((bytes32,bytes32,bytes32,bytes32,bytes32,bytes32,address,uint128,uint16,uint128,uint32,bytes32),(uint128,uint64,bytes32)[],bytes32[])":
        {
          allowed: ({ accounts }) => ({ cons: accounts.cons }),
          denied: ({ accounts, parties }) => ({
            stranger: accounts.stranger,
            tax: accounts.tax,
            bank: accounts.bank,
            developer: parties.developer,
          }),
          call: ({ contracts, tokenAddress }, caller) =>
            contracts.escrow.connect(as(caller)).createProject(projectTerms(tokenAddress), milestoneTerms(), []),
        },
      "addSubcontractor(uint256,bytes32)": {
        allowed: ({ accounts }) => ({ cons: accounts.cons }),
        denied: ({ accounts, parties }) => ({ stranger: accounts.stranger, contractor: parties.contractor }),
        call: ({ contracts }, caller) => contracts.escrow.connect(as(caller)).addSubcontractor(1n, UNLISTED),
      },
      "removeSubcontractor(uint256,bytes32)": {
        allowed: ({ accounts }) => ({ cons: accounts.cons }),
        denied: ({ accounts, parties }) => ({ stranger: accounts.stranger, contractor: parties.contractor }),
        call: ({ contracts }, caller) => contracts.escrow.connect(as(caller)).removeSubcontractor(1n, SUBCONTRACTOR),
      },
      "fund(uint256,uint256)": {
        allowed: ({ parties }) => ({ developer: parties.developer }),
        denied: ({ accounts, parties }) => ({
          stranger: accounts.stranger,
          contractor: parties.contractor,
          bank: accounts.bank,
        }),
        call: ({ contracts }, caller) => contracts.escrow.connect(as(caller)).fund(2n, UNIT),
      },
      "fundWithPermit(uint256,uint256,uint256,uint8,bytes32,bytes32)": {
        // The developer approved the escrow already, so the (invalid) permit is ignored.
        allowed: ({ parties }) => ({ developer: parties.developer }),
        denied: ({ accounts, parties }) => ({ stranger: accounts.stranger, contractor: parties.contractor }),
        call: ({ contracts }, caller) =>
          contracts.escrow.connect(as(caller)).fundWithPermit(2n, UNIT, 0n, 27, ZeroHash, ZeroHash),
      },
      "depositGuarantee(uint256,uint256)": {
        allowed: ({ parties }) => ({ contractor: parties.contractor }),
        denied: ({ accounts, parties }) => ({ stranger: accounts.stranger, developer: parties.developer }),
        call: ({ contracts }, caller) => contracts.escrow.connect(as(caller)).depositGuarantee(2n, GUARANTEE),
      },
      "registerWorkers(uint256,address[],bytes32[])": {
        allowed: ({ parties }) => ({ contractor: parties.contractor }),
        denied: ({ accounts, parties }) => ({ stranger: accounts.stranger, supervisor: parties.supervisor }),
        call: ({ contracts }, caller) => {
          const worker = workerWallets(1, "access")[0].address;
          return contracts.escrow.connect(as(caller)).registerWorkers(1n, [worker], [identityHash(worker)]);
        },
      },
      "submitMilestone(uint256,uint256,bytes32)": {
        allowed: ({ parties }) => ({ contractor: parties.contractor }),
        denied: ({ accounts, parties }) => ({ stranger: accounts.stranger, supervisor: parties.supervisor }),
        call: ({ contracts }, caller) => contracts.escrow.connect(as(caller)).submitMilestone(1n, 2n, id("evidence 2")),
      },
      "orderPayment(uint256,bytes32,uint256,bytes32)": {
        allowed: ({ parties }) => ({ contractor: parties.contractor }),
        denied: ({ accounts, parties }) => ({
          stranger: accounts.stranger,
          subcontractor: parties.subcontractor,
          supervisor: parties.supervisor,
        }),
        call: ({ contracts }, caller) =>
          contracts.escrow.connect(as(caller)).orderPayment(1n, CONTRACTOR, UNIT, id("own")),
      },
      "submitPayroll(uint256,uint64,bytes32,address[],uint256[])": {
        allowed: ({ parties }) => ({ contractor: parties.contractor }),
        denied: ({ accounts }) => ({ stranger: accounts.stranger, bank: accounts.bank, hrss: accounts.hrss }),
        call: ({ contracts, workers }, caller) =>
          contracts.escrow.connect(as(caller)).submitPayroll(1n, 202407n, id("doc"), [workers[0].address], [UNIT]),
      },
      "releaseGuarantee(uint256)": {
        allowed: ({ parties }) => ({ contractor: parties.contractor }),
        denied: ({ accounts, parties }) => ({
          stranger: accounts.stranger,
          developer: parties.developer,
          cons: accounts.cons,
        }),
        call: async ({ contracts, accounts }, caller) => {
          await (await contracts.escrow.connect(accounts.cons).closeProject(2n)).wait();
          await networkHelpers.time.increase(HOLDING_PERIOD);
          return contracts.escrow.connect(as(caller)).releaseGuarantee(2n);
        },
      },
      "approveMilestone(uint256,uint256)": {
        allowed: ({ parties }) => ({ supervisor: parties.supervisor }),
        denied: ({ accounts, parties }) => ({
          stranger: accounts.stranger,
          contractor: parties.contractor,
          cons: accounts.cons,
        }),
        call: ({ contracts }, caller) => contracts.escrow.connect(as(caller)).approveMilestone(1n, 1n),
      },
      "rejectMilestone(uint256,uint256,string)": {
        allowed: ({ parties }) => ({ supervisor: parties.supervisor }),
        denied: ({ accounts, parties }) => ({ stranger: accounts.stranger, contractor: parties.contractor }),
        call: ({ contracts }, caller) => contracts.escrow.connect(as(caller)).rejectMilestone(1n, 1n, "incomplete"),
      },
      "approvePaymentOrder(uint256,uint256)": {
        allowed: ({ parties }) => ({ supervisor: parties.supervisor }),
        denied: ({ accounts, parties }) => ({
          stranger: accounts.stranger,
          contractor: parties.contractor,
          bank: accounts.bank,
        }),
        call: ({ contracts }, caller) => contracts.escrow.connect(as(caller)).approvePaymentOrder(1n, 1n),
      },
      "rejectPaymentOrder(uint256,uint256,string)": {
        allowed: ({ parties }) => ({ supervisor: parties.supervisor }),
        denied: ({ accounts, parties }) => ({ stranger: accounts.stranger, contractor: parties.contractor }),
        call: ({ contracts }, caller) => contracts.escrow.connect(as(caller)).rejectPaymentOrder(1n, 1n, "no invoice"),
      },
      "approvePayroll(uint256,uint256,address[],uint256[])": {
        allowed: ({ accounts }) => ({ bank: accounts.bank }),
        denied: ({ accounts, parties }) => ({
          stranger: accounts.stranger,
          contractor: parties.contractor,
          hrss: accounts.hrss,
        }),
        call: ({ contracts, small }, caller) =>
          contracts.escrow.connect(as(caller)).approvePayroll(1n, small.payrollId, small.workers, small.amounts),
      },
      "rejectPayroll(uint256,uint256,string)": {
        allowed: ({ accounts }) => ({ bank: accounts.bank }),
        denied: ({ accounts, parties }) => ({ stranger: accounts.stranger, contractor: parties.contractor }),
        call: ({ contracts, small }, caller) =>
          contracts.escrow.connect(as(caller)).rejectPayroll(1n, small.payrollId, "unsigned"),
      },
      "cancelPayroll(uint256,uint256,string)": {
        allowed: ({ accounts }) => ({ bank: accounts.bank }),
        denied: ({ accounts, parties }) => ({
          stranger: accounts.stranger,
          contractor: parties.contractor,
          hrss: accounts.hrss,
        }),
        call: ({ contracts, large }, caller) =>
          contracts.escrow.connect(as(caller)).cancelPayroll(1n, large.payrollId, "cannot be paid"),
      },
      "payPayroll(uint256,uint256,address[],uint256[])": {
        allowed: ({ accounts }) => ({ bank: accounts.bank }),
        denied: ({ accounts, parties }) => ({
          stranger: accounts.stranger,
          contractor: parties.contractor,
          hrss: accounts.hrss,
        }),
        call: async ({ contracts, parties, large }, caller) => {
          await (await contracts.escrow.connect(parties.supervisor).approveMilestone(1n, 1n)).wait();
          return contracts.escrow.connect(as(caller)).payPayroll(1n, large.payrollId, large.workers, large.amounts);
        },
      },
      "drawGuarantee(uint256,uint256,address[],uint256[])": {
        allowed: ({ accounts }) => ({ hrss: accounts.hrss }),
        denied: ({ accounts, parties }) => ({
          stranger: accounts.stranger,
          bank: accounts.bank,
          contractor: parties.contractor,
        }),
        call: ({ contracts, large }, caller) =>
          contracts.escrow.connect(as(caller)).drawGuarantee(1n, large.payrollId, large.workers, large.amounts),
      },
      "freezeProject(uint256,string)": {
        allowed: ({ accounts }) => ({ cons: accounts.cons }),
        denied: ({ accounts }) => ({ stranger: accounts.stranger, hrss: accounts.hrss, tax: accounts.tax }),
        call: ({ contracts }, caller) => contracts.escrow.connect(as(caller)).freezeProject(1n, "inspection"),
      },
      "unfreezeProject(uint256)": {
        allowed: ({ accounts }) => ({ cons: accounts.cons }),
        denied: ({ accounts }) => ({ stranger: accounts.stranger, hrss: accounts.hrss }),
        call: async ({ contracts, accounts }, caller) => {
          await (await contracts.escrow.connect(accounts.cons).freezeProject(1n, "inspection")).wait();
          return contracts.escrow.connect(as(caller)).unfreezeProject(1n);
        },
      },
      "closeProject(uint256)": {
        allowed: ({ accounts }) => ({ cons: accounts.cons }),
        denied: ({ accounts, parties }) => ({
          stranger: accounts.stranger,
          bank: accounts.bank,
          developer: parties.developer,
        }),
        call: ({ contracts }, caller) => contracts.escrow.connect(as(caller)).closeProject(2n),
      },
      // ADMIN alone: a passed vote, executed by the governor (the matrix and the hardening tests
      // call it as the governor); no department, not even the project's own parties.
      "replaceParty(uint256,uint8,bytes32)": {
        allowed: () => ({}),
        denied: ({ accounts, parties }) => ({
          deployer: accounts.deployer,
          stranger: accounts.stranger,
          cons: accounts.cons,
          bank: accounts.bank,
          hrss: accounts.hrss,
          audit: accounts.audit,
          developer: parties.developer,
        }),
        call: ({ contracts }, caller) =>
          contracts.escrow.connect(as(caller)).replaceParty(1n, 0, "0x" + "42".repeat(32)),
      },
      "pause()": {
        allowed: ({ accounts }) => ({ tax: accounts.tax, audit: accounts.audit }),
        denied: ({ accounts }) => ({ stranger: accounts.stranger, cons: accounts.cons, bank: accounts.bank }),
        call: ({ contracts }, caller) => contracts.escrow.connect(as(caller)).pause(),
      },
      "unpause()": {
        allowed: () => ({}),
        denied: ({ accounts }) => ({ deployer: accounts.deployer, tax: accounts.tax, audit: accounts.audit }),
        call: async ({ contracts, accounts }, caller) => {
          await (await contracts.escrow.connect(accounts.audit).pause()).wait();
          return contracts.escrow.connect(as(caller)).unpause();
        },
      },
      "setAuthority(address)": {
        allowed: () => ({}),
        denied: ({ accounts }) => ({ deployer: accounts.deployer, cons: accounts.cons }),
        call: ({ contracts, accounts }, caller) =>
          contracts.escrow.connect(as(caller)).setAuthority(accounts.stranger.address),
      },
    },
  });
});
