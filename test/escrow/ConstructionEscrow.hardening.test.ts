/**
 * Findings 4, 6 and 7 of the security review (issue 12): an approved payroll that can never be
 * paid must not lock a project; only the project's own bureau manages its subcontractors; a
 * removed or suspended subcontractor, or a suspended developer, is never paid. And the review's
 * leftover (issue 15): only the regulator and the human-resources department the project names
 * freeze, close and draw on its guarantee, not any department holding those roles.
 */
import { expect } from "chai";
import { id } from "ethers";
import { network } from "hardhat";

import { codeToId, ROLES } from "../../deploy/lib/consortium.js";
import { BANK, CONS, HRSS, impersonate, passProposal } from "../fixtures.js";
import { admitDepartmentCalls } from "../helpers/proposals.js";
import {
  BUDGET,
  DEVELOPER,
  escrowParties,
  type EscrowParties,
  GUARANTEE,
  HOLDING_PERIOD,
  identityHash,
  milestoneTerms,
  projectTerms,
  releasedProject,
  SUBCONTRACTOR,
  submitPayroll,
  UNIT,
  UNLISTED,
} from "./escrow.fixture.js";

const connection = await network.create<"l1">();
const { ethers, networkHelpers } = connection;

const PAYROLL_CANCELLED = 5n;
const PARTY = { Bank: 0, Regulator: 1, HumanResources: 2 } as const;
const CONS2 = codeToId("CONS2");
const BANK2 = codeToId("BANK2");

/**
 * A second construction bureau (also a project regulator and a human-resources department, as a
 * district bureau may be) and a second bank, admitted by vote: same roles, other parties.
 */
async function withRivals(context: EscrowParties) {
  const [cons2, bank2] = [context.accounts.newcomer, context.accounts.stranger];
  const calls = await admitDepartmentCalls(context.contracts.registry, [
    {
      id: CONS2,
      name: "District Construction Bureau",
      kind: "ConstructionBureau",
      operator: cons2.address,
      roles: [ROLES.CONSTRUCTION_BUREAU, ROLES.PROJECT_REGULATOR, ROLES.HUMAN_RESOURCES],
    },
    { id: BANK2, name: "Second Bank", kind: "Bank", operator: bank2.address, roles: [ROLES.BANK] },
  ]);
  await (await passProposal(context, calls)).wait();
  return { ...context, cons2, bank2 };
}

async function released() {
  return withRivals(await releasedProject(connection));
}

/**
 * Project 1 in a token that refuses blacklisted accounts (as USDC does): funded, guarantee
 * deposited, workers registered, milestone 0 released (60,000 in the wage account).
 */
async function blacklistProject() {
  const context = await withRivals(await escrowParties(connection));
  const { escrow } = context.contracts;
  const { developer, contractor, supervisor } = context.parties;
  const token = await ethers.deployContract("BlacklistTestToken");
  const tokenAddress = await token.getAddress();
  await (
    await escrow.connect(context.accounts.cons).createProject(projectTerms(tokenAddress), milestoneTerms(), [])
  ).wait();
  for (const holder of [developer, contractor]) {
    await (await token.mint(holder.address, BUDGET)).wait();
    await (await token.connect(holder).approve(context.escrowAddress, BUDGET)).wait();
  }
  await (await escrow.connect(developer).fund(1n, BUDGET)).wait();
  await (await escrow.connect(contractor).depositGuarantee(1n, GUARANTEE)).wait();
  const workers = context.workers.map((worker) => worker.address);
  await (await escrow.connect(contractor).registerWorkers(1n, workers, workers.map(identityHash))).wait();
  await (await escrow.connect(contractor).submitMilestone(1n, 0n, id("evidence 0"))).wait();
  await (await escrow.connect(supervisor).approveMilestone(1n, 0n)).wait();
  return { ...context, token, tokenAddress };
}

describe("ConstructionEscrow", function () {
  describe("cancelPayroll", function () {
    it("frees a project locked by a worker the token refuses, keeping the claims on record", async function () {
      const context = await networkHelpers.loadFixture(blacklistProject);
      const { escrow } = context.contracts;
      const { bank, hrss, cons } = context.accounts;
      const { contractor } = context.parties;
      // Owed: 70,000 against a 60,000 wage account; then worker 0's account is blacklisted.
      const owed = await submitPayroll(context, [35_000n * UNIT, 35_000n * UNIT]);
      await (await escrow.connect(bank).approvePayroll(1n, owed.payrollId, owed.workers, owed.amounts)).wait();
      await (await context.token.setBlacklisted(owed.workers[0], true)).wait();

      // Every way to pay it fails, so nothing could close the project before the fix.
      await expect(
        escrow.connect(hrss).drawGuarantee(1n, owed.payrollId, owed.workers, owed.amounts),
      ).to.be.revertedWithCustomError(context.token, "BlacklistedAccount");
      await expect(escrow.connect(cons).closeProject(1n))
        .to.be.revertedWithCustomError(escrow, "EscrowWagesOwed")
        .withArgs(1n, 70_000n * UNIT);

      await expect(escrow.connect(bank).cancelPayroll(1n, owed.payrollId, "worker 0's account refused"))
        .to.emit(escrow, "PayrollCancelled")
        .withArgs(1n, owed.payrollId, BANK, 70_000n * UNIT, "worker 0's account refused");
      const payroll = await escrow.getPayroll(1n, owed.payrollId);
      expect(payroll.state).to.equal(PAYROLL_CANCELLED);
      expect(payroll.total, "the claim stays on record").to.equal(70_000n * UNIT);
      expect((await escrow.getLedger(1n)).wagesOwed).to.equal(0n);

      // The contractor resubmits what can be paid; the project closes and the guarantee returns.
      const payable = { workers: [owed.workers[1]], amounts: [35_000n * UNIT] };
      await (
        await escrow.connect(contractor).submitPayroll(1n, 202407n, id("payroll"), payable.workers, payable.amounts)
      ).wait();
      await (await escrow.connect(bank).approvePayroll(1n, 2n, payable.workers, payable.amounts)).wait();
      expect(await context.token.balanceOf(owed.workers[1])).to.equal(35_000n * UNIT);
      await (await escrow.connect(cons).closeProject(1n)).wait();
      await networkHelpers.time.increase(HOLDING_PERIOD);
      await (await escrow.connect(contractor).releaseGuarantee(1n)).wait();
      expect(await context.token.balanceOf(context.escrowAddress)).to.equal(0n);
    });

    it("frees a project whose bank approved more than it can ever hold", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow } = context.contracts;
      // 200,000 labour share in all (20% of 1,000,000) plus a 20,000 guarantee: 300,000 never fits.
      const owed = await submitPayroll(context, [150_000n * UNIT, 150_000n * UNIT]);
      await (
        await escrow.connect(context.accounts.bank).approvePayroll(1n, owed.payrollId, owed.workers, owed.amounts)
      ).wait();
      await (await escrow.connect(context.accounts.bank).cancelPayroll(1n, owed.payrollId, "over-approved")).wait();
      await (await escrow.connect(context.accounts.cons).closeProject(1n)).wait();
      expect((await escrow.getProject(1n)).state).to.equal(2n);
    });

    it("takes only approved payrolls, and only from the project's own bank", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow } = context.contracts;
      const submitted = await submitPayroll(context, [UNIT]);
      await expect(escrow.connect(context.accounts.bank).cancelPayroll(1n, submitted.payrollId, "x"))
        .to.be.revertedWithCustomError(escrow, "EscrowPayrollUnexpectedState")
        .withArgs(1n, submitted.payrollId, 1n);
      await (
        await escrow
          .connect(context.accounts.bank)
          .approvePayroll(1n, submitted.payrollId, submitted.workers, submitted.amounts)
      ).wait();
      await expect(escrow.connect(context.accounts.bank).cancelPayroll(1n, submitted.payrollId, "x"))
        .to.be.revertedWithCustomError(escrow, "EscrowPayrollUnexpectedState")
        .withArgs(1n, submitted.payrollId, 3n);
      const owed = await submitPayroll(context, [70_000n * UNIT]);
      await (
        await escrow.connect(context.accounts.bank).approvePayroll(1n, owed.payrollId, owed.workers, owed.amounts)
      ).wait();
      await expect(escrow.connect(context.bank2).cancelPayroll(1n, owed.payrollId, "x"))
        .to.be.revertedWithCustomError(escrow, "EscrowCallerNotParty")
        .withArgs(1n, BANK2);
      await expect(
        escrow.connect(context.parties.contractor).cancelPayroll(1n, owed.payrollId, "x"),
      ).to.be.revertedWithCustomError(escrow, "AccessManagedUnauthorized");
    });
  });

  describe("addSubcontractor", function () {
    it("records the bureau that opened the project and refuses any other bureau", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow } = context.contracts;
      expect((await escrow.getProject(1n)).bureau).to.equal(CONS);
      await expect(escrow.connect(context.cons2).addSubcontractor(1n, UNLISTED))
        .to.be.revertedWithCustomError(escrow, "EscrowCallerNotParty")
        .withArgs(1n, CONS2);
    });
  });

  describe("removeSubcontractor", function () {
    it("stops new orders to the subcontractor and the approval of its pending ones", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow } = context.contracts;
      const { contractor, supervisor } = context.parties;
      await (await escrow.connect(contractor).orderPayment(1n, SUBCONTRACTOR, UNIT, id("inv"))).wait();
      await expect(escrow.connect(context.cons2).removeSubcontractor(1n, SUBCONTRACTOR))
        .to.be.revertedWithCustomError(escrow, "EscrowCallerNotParty")
        .withArgs(1n, CONS2);
      await expect(escrow.connect(context.accounts.cons).removeSubcontractor(1n, SUBCONTRACTOR))
        .to.emit(escrow, "SubcontractorRemoved")
        .withArgs(1n, SUBCONTRACTOR, CONS);
      expect(await escrow.isSubcontractor(1n, SUBCONTRACTOR)).to.equal(false);
      await expect(escrow.connect(context.accounts.cons).removeSubcontractor(1n, SUBCONTRACTOR))
        .to.be.revertedWithCustomError(escrow, "EscrowSubcontractorUnknown")
        .withArgs(1n, SUBCONTRACTOR);
      await expect(escrow.connect(contractor).orderPayment(1n, SUBCONTRACTOR, UNIT, id("inv 2")))
        .to.be.revertedWithCustomError(escrow, "EscrowPayeeNotRegistered")
        .withArgs(1n, SUBCONTRACTOR);
      await expect(escrow.connect(supervisor).approvePaymentOrder(1n, 1n))
        .to.be.revertedWithCustomError(escrow, "EscrowPayeeNotRegistered")
        .withArgs(1n, SUBCONTRACTOR);
      await (await escrow.connect(supervisor).rejectPaymentOrder(1n, 1n, "subcontractor removed")).wait();
      expect((await escrow.getProject(1n)).pending).to.equal(0n);
    });
  });

  describe("the project's own regulator and human-resources department", function () {
    it("records them and refuses another department holding the same role", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow } = context.contracts;
      const project = await escrow.getProject(1n);
      expect([project.regulator, project.humanResources]).to.deep.equal([CONS, HRSS]);
      await expect(escrow.connect(context.cons2).freezeProject(1n, "not mine"))
        .to.be.revertedWithCustomError(escrow, "EscrowCallerNotParty")
        .withArgs(1n, CONS2);
      await (await escrow.connect(context.accounts.cons).freezeProject(1n, "inspection")).wait();
      await expect(escrow.connect(context.cons2).unfreezeProject(1n))
        .to.be.revertedWithCustomError(escrow, "EscrowCallerNotParty")
        .withArgs(1n, CONS2);
      await (await escrow.connect(context.accounts.cons).unfreezeProject(1n)).wait();
      await expect(escrow.connect(context.cons2).closeProject(1n))
        .to.be.revertedWithCustomError(escrow, "EscrowCallerNotParty")
        .withArgs(1n, CONS2);
      const owed = await submitPayroll(context, [70_000n * UNIT]);
      await (
        await escrow.connect(context.accounts.bank).approvePayroll(1n, owed.payrollId, owed.workers, owed.amounts)
      ).wait();
      await expect(escrow.connect(context.cons2).drawGuarantee(1n, owed.payrollId, owed.workers, owed.amounts))
        .to.be.revertedWithCustomError(escrow, "EscrowCallerNotParty")
        .withArgs(1n, CONS2);
      await expect(escrow.connect(context.accounts.hrss).drawGuarantee(1n, owed.payrollId, owed.workers, owed.amounts))
        .to.emit(escrow, "PayrollPaid")
        .withArgs(1n, owed.payrollId, HRSS, 60_000n * UNIT, 10_000n * UNIT);
    });

    it("lets the departments a project names act on it, and no other", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow } = context.contracts;
      const terms = projectTerms(context.tokenAddress, { regulator: CONS2, humanResources: CONS2 });
      await (await escrow.connect(context.accounts.cons).createProject(terms, milestoneTerms(), [])).wait();
      await expect(escrow.connect(context.accounts.cons).freezeProject(2n, "not mine"))
        .to.be.revertedWithCustomError(escrow, "EscrowCallerNotParty")
        .withArgs(2n, CONS);
      await expect(escrow.connect(context.cons2).freezeProject(2n, "inspection"))
        .to.emit(escrow, "ProjectFrozen")
        .withArgs(2n, CONS2, "inspection");
      await expect(escrow.connect(context.cons2).unfreezeProject(2n))
        .to.emit(escrow, "ProjectUnfrozen")
        .withArgs(2n, CONS2);
      await expect(escrow.connect(context.accounts.cons).closeProject(2n))
        .to.be.revertedWithCustomError(escrow, "EscrowCallerNotParty")
        .withArgs(2n, CONS);
      await expect(escrow.connect(context.cons2).closeProject(2n)).to.emit(escrow, "ProjectClosed");
    });
  });

  describe("replaceParty", function () {
    // Nine departments after withRivals: passProposal's four votes are no majority any more.
    async function replaceByVote(context: Awaited<ReturnType<typeof released>>, party: number, newParty: string) {
      const { escrow, governor } = context.contracts;
      const { tax, samr, cons, fire, bank, hrss } = context.accounts;
      const data = escrow.interface.encodeFunctionData("replaceParty", [1n, party, newParty]);
      const calls = [{ target: await escrow.getAddress(), data }];
      await (await governor.connect(tax).propose(calls, "replace a party of project 1")).wait();
      const proposalId = await governor.proposalCount();
      const SUCCEEDED = 3n;
      for (const voter of [tax, samr, cons, fire, bank, hrss]) {
        if ((await governor.state(proposalId)) === SUCCEEDED) break;
        await (await governor.connect(voter).castVote(proposalId, true)).wait();
      }
      return governor.connect(tax).execute(proposalId);
    }

    it("by vote, hands a frozen project to another regulator: the old one is refused, the new one unfreezes it", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow, governor } = context.contracts;
      const { cons } = context.accounts;
      await (await escrow.connect(cons).freezeProject(1n, "inspection")).wait();

      const execution = await replaceByVote(context, PARTY.Regulator, CONS2);
      await expect(execution).to.emit(escrow, "ProjectPartyReplaced").withArgs(1n, CONS, CONS2, PARTY.Regulator);
      // The executing department, for the indexer: the same transaction's ProposalExecuted.
      await expect(execution)
        .to.emit(governor, "ProposalExecuted")
        .withArgs(await governor.proposalCount(), codeToId("TAX"), context.accounts.tax.address);
      expect((await escrow.getProject(1n)).regulator).to.equal(CONS2);

      await expect(escrow.connect(cons).unfreezeProject(1n))
        .to.be.revertedWithCustomError(escrow, "EscrowCallerNotParty")
        .withArgs(1n, CONS);
      await expect(escrow.connect(context.cons2).unfreezeProject(1n))
        .to.emit(escrow, "ProjectUnfrozen")
        .withArgs(1n, CONS2);
      await expect(escrow.connect(cons).freezeProject(1n, "again"))
        .to.be.revertedWithCustomError(escrow, "EscrowCallerNotParty")
        .withArgs(1n, CONS);
    });

    it("hands the bank's and the human-resources department's parts over, and nothing else", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow } = context.contracts;
      const { bank, hrss } = context.accounts;
      const governor = await impersonate(connection, await context.contracts.governor.getAddress());
      const before = await escrow.getProject(1n);
      await expect(escrow.connect(governor).replaceParty(1n, PARTY.Bank, BANK2))
        .to.emit(escrow, "ProjectPartyReplaced")
        .withArgs(1n, BANK, BANK2, PARTY.Bank);
      await expect(escrow.connect(governor).replaceParty(1n, PARTY.HumanResources, CONS2))
        .to.emit(escrow, "ProjectPartyReplaced")
        .withArgs(1n, HRSS, CONS2, PARTY.HumanResources);
      const after = await escrow.getProject(1n);
      expect([...after]).to.deep.equal(
        [...before].map((value, i) => (i === 3 ? BANK2 : i === after.length - 1 ? CONS2 : value)),
      );
      expect(after.bank).to.equal(BANK2);
      expect(after.humanResources).to.equal(CONS2);

      const owed = await submitPayroll(context, [70_000n * UNIT]);
      await expect(escrow.connect(bank).approvePayroll(1n, owed.payrollId, owed.workers, owed.amounts))
        .to.be.revertedWithCustomError(escrow, "EscrowCallerNotParty")
        .withArgs(1n, BANK);
      await expect(escrow.connect(context.bank2).approvePayroll(1n, owed.payrollId, owed.workers, owed.amounts))
        .to.emit(escrow, "PayrollApproved")
        .withArgs(1n, owed.payrollId, BANK2, 70_000n * UNIT);
      await expect(escrow.connect(hrss).drawGuarantee(1n, owed.payrollId, owed.workers, owed.amounts))
        .to.be.revertedWithCustomError(escrow, "EscrowCallerNotParty")
        .withArgs(1n, HRSS);
      await expect(escrow.connect(context.cons2).drawGuarantee(1n, owed.payrollId, owed.workers, owed.amounts))
        .to.emit(escrow, "PayrollPaid")
        .withArgs(1n, owed.payrollId, CONS2, 60_000n * UNIT, 10_000n * UNIT);
    });

    it("refuses a no-op, an unknown or settled project and a department without the role", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow, registry } = context.contracts;
      const governor = await impersonate(connection, await context.contracts.governor.getAddress());
      const replace = (projectId: bigint, party: number, newParty: string) =>
        escrow.connect(governor).replaceParty(projectId, party, newParty);

      await expect(replace(1n, PARTY.Regulator, CONS))
        .to.be.revertedWithCustomError(escrow, "EscrowPartyUnchanged")
        .withArgs(1n, PARTY.Regulator, CONS);
      await expect(replace(1n, PARTY.Bank, BANK))
        .to.be.revertedWithCustomError(escrow, "EscrowPartyUnchanged")
        .withArgs(1n, PARTY.Bank, BANK);
      await expect(replace(99n, PARTY.Regulator, CONS2))
        .to.be.revertedWithCustomError(escrow, "EscrowProjectUnexpectedState")
        .withArgs(99n, 0n);
      // The second bank is no regulator, the second bureau no bank, HRSS no regulator.
      await expect(replace(1n, PARTY.Regulator, BANK2))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidParty")
        .withArgs(BANK2, ROLES.PROJECT_REGULATOR);
      await expect(replace(1n, PARTY.Bank, CONS2))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidParty")
        .withArgs(CONS2, ROLES.BANK);
      await expect(replace(1n, PARTY.HumanResources, BANK2))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidParty")
        .withArgs(BANK2, ROLES.HUMAN_RESOURCES);
      // A participant id and an unknown id are no department; a suspended department holds no role.
      await expect(replace(1n, PARTY.Regulator, DEVELOPER))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidParty")
        .withArgs(DEVELOPER, ROLES.PROJECT_REGULATOR);
      await (await registry.connect(governor).suspendDepartment(BANK2)).wait();
      await expect(replace(1n, PARTY.Bank, BANK2))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidParty")
        .withArgs(BANK2, ROLES.BANK);

      const terms = projectTerms(context.tokenAddress);
      await (await escrow.connect(context.accounts.cons).createProject(terms, milestoneTerms(), [])).wait();
      await (await escrow.connect(context.accounts.cons).closeProject(2n)).wait();
      await networkHelpers.time.increase(HOLDING_PERIOD);
      await (await escrow.connect(context.parties.contractor).releaseGuarantee(2n)).wait();
      await expect(replace(2n, PARTY.Regulator, CONS2))
        .to.be.revertedWithCustomError(escrow, "EscrowProjectUnexpectedState")
        .withArgs(2n, 3n);
      expect((await escrow.getProject(1n)).regulator).to.equal(CONS);
      expect((await escrow.getProject(2n)).regulator).to.equal(CONS);
    });

    it("hands a closed project's late wage claims to a new bank and human-resources department", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow } = context.contracts;
      const { bank, hrss, cons } = context.accounts;
      const governor = await impersonate(connection, await context.contracts.governor.getAddress());
      await (await escrow.connect(cons).closeProject(1n)).wait();
      const late = await submitPayroll(context, [3_000n * UNIT, 4_000n * UNIT], 1n, 202408n);

      await expect(escrow.connect(governor).replaceParty(1n, PARTY.Bank, BANK2))
        .to.emit(escrow, "ProjectPartyReplaced")
        .withArgs(1n, BANK, BANK2, PARTY.Bank);
      await expect(escrow.connect(governor).replaceParty(1n, PARTY.HumanResources, CONS2))
        .to.emit(escrow, "ProjectPartyReplaced")
        .withArgs(1n, HRSS, CONS2, PARTY.HumanResources);
      const project = await escrow.getProject(1n);
      expect(project.state, "still closed").to.equal(2n);
      expect([project.bank, project.humanResources]).to.deep.equal([BANK2, CONS2]);

      // The closed project's wage account is empty: the approval leaves the claim owed, and the new
      // human-resources department pays it from the guarantee.
      await expect(escrow.connect(bank).approvePayroll(1n, late.payrollId, late.workers, late.amounts))
        .to.be.revertedWithCustomError(escrow, "EscrowCallerNotParty")
        .withArgs(1n, BANK);
      await (await escrow.connect(context.bank2).approvePayroll(1n, late.payrollId, late.workers, late.amounts)).wait();
      expect((await escrow.getLedger(1n)).wagesOwed).to.equal(7_000n * UNIT);
      await expect(escrow.connect(hrss).drawGuarantee(1n, late.payrollId, late.workers, late.amounts))
        .to.be.revertedWithCustomError(escrow, "EscrowCallerNotParty")
        .withArgs(1n, HRSS);
      await expect(escrow.connect(context.cons2).drawGuarantee(1n, late.payrollId, late.workers, late.amounts))
        .to.emit(escrow, "PayrollPaid")
        .withArgs(1n, late.payrollId, CONS2, 0n, 7_000n * UNIT);
      expect((await escrow.getLedger(1n)).wagesOwed).to.equal(0n);
    });
  });

  describe("a suspended party", function () {
    it("cannot be ordered payments or paid while suspended", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow, registry, settlementToken } = context.contracts;
      const { contractor, supervisor, subcontractor } = context.parties;
      await (await escrow.connect(contractor).orderPayment(1n, SUBCONTRACTOR, UNIT, id("inv"))).wait();
      await (await registry.connect(context.accounts.cons).suspendParticipant(SUBCONTRACTOR)).wait();
      await expect(escrow.connect(contractor).orderPayment(1n, SUBCONTRACTOR, UNIT, id("inv 2")))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidParty")
        .withArgs(SUBCONTRACTOR, ROLES.SUBCONTRACTOR);
      await expect(escrow.connect(supervisor).approvePaymentOrder(1n, 1n))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidParty")
        .withArgs(SUBCONTRACTOR, ROLES.SUBCONTRACTOR);
      await (await registry.connect(context.accounts.cons).reinstateParticipant(SUBCONTRACTOR)).wait();
      await expect(escrow.connect(supervisor).approvePaymentOrder(1n, 1n)).to.changeTokenBalance(
        ethers,
        settlementToken,
        subcontractor,
        UNIT,
      );
    });

    it("closing waits for a suspended developer to be reinstated", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow, registry } = context.contracts;
      await (await registry.connect(context.accounts.cons).suspendParticipant(DEVELOPER)).wait();
      await expect(escrow.connect(context.accounts.cons).closeProject(1n))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidParty")
        .withArgs(DEVELOPER, ROLES.DEVELOPER);
      await (await registry.connect(context.accounts.cons).reinstateParticipant(DEVELOPER)).wait();
      await expect(escrow.connect(context.accounts.cons).closeProject(1n)).to.emit(escrow, "ProjectClosed");
    });
  });
});
