import { expect } from "chai";
import { id, ZeroAddress } from "ethers";
import { network } from "hardhat";
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";

import { ROLES } from "../../deploy/lib/consortium.js";
import { signPermit } from "@govledger/contracts/ethers";
import { BANK, CONS, HRSS, passProposal, TAX } from "../fixtures.js";
import {
  BUDGET,
  CONTRACTOR,
  DEVELOPER,
  entriesHash,
  escrowParties,
  type EscrowParties,
  fundedProject,
  GUARANTEE,
  HOLDING_PERIOD,
  identityHash,
  LABOUR_SHARE_BPS,
  milestoneTerms,
  MILESTONES,
  openedProject,
  OUTSIDER,
  projectTerms,
  releasedProject,
  SUBCONTRACTOR,
  submitPayroll,
  SUPERVISOR,
  UNIT,
  UNLISTED,
  workerWallets,
} from "./escrow.fixture.js";

const connection = await network.create<"l1">();
const { ethers, networkHelpers } = connection;

async function parties() {
  return escrowParties(connection);
}
async function opened() {
  return openedProject(connection);
}
async function funded() {
  return fundedProject(connection);
}
async function released() {
  return releasedProject(connection);
}

enum ProjectState {
  None,
  Open,
  Closed,
  Settled,
}
enum MilestoneState {
  None,
  Pending,
  Submitted,
  Rejected,
  Released,
}
enum PaymentOrderState {
  None,
  Ordered,
  Paid,
  Rejected,
}
enum PayrollState {
  None,
  Submitted,
  Approved,
  Paid,
  Rejected,
}

/** Money in = money out + balance for one project, and the escrow holds the balances. */
async function expectBalanced(context: EscrowParties, projectIds: bigint[] = [1n]) {
  const { escrow, settlementToken } = context.contracts;
  let held = 0n;
  for (const projectId of projectIds) {
    const l = await escrow.getLedger(projectId);
    const moneyIn = l.funded + l.guaranteeDeposited;
    const moneyOut = l.wagesPaid + l.guaranteePaidOut + l.paidOut + l.refunded + l.guaranteeReturned;
    const balance = l.unreleased + l.wageBalance + l.payableBalance + l.guaranteeBalance;
    expect(moneyIn, `project ${projectId}: money in = money out + balance`).to.equal(moneyOut + balance);
    expect(l.wagesPaid, "wages paid within the wage account's credits").to.be.lte(l.wageCredited);
    held += balance;
  }
  expect(await settlementToken.balanceOf(context.escrowAddress)).to.equal(held);
}

describe("ConstructionEscrow", function () {
  describe("createProject", function () {
    it("opens a project with its parties, terms, milestones and subcontractors", async function () {
      const context = await networkHelpers.loadFixture(parties);
      const { escrow } = context.contracts;
      const terms = projectTerms(context.tokenAddress);
      await expect(escrow.connect(context.accounts.cons).createProject(terms, milestoneTerms(), [SUBCONTRACTOR]))
        .to.emit(escrow, "ProjectCreated")
        .withArgs(1n, CONS, CONTRACTOR, anyValue, anyValue)
        .and.to.emit(escrow, "SubcontractorAdded")
        .withArgs(1n, SUBCONTRACTOR, CONS);
      const project = await escrow.getProject(1n);
      expect(project.state).to.equal(ProjectState.Open);
      expect([
        project.developer,
        project.contractor,
        project.supervisor,
        project.bank,
        project.regulator,
        project.humanResources,
      ]).to.deep.equal([DEVELOPER, CONTRACTOR, SUPERVISOR, BANK, CONS, HRSS]);
      expect(project.token).to.equal(context.tokenAddress);
      expect(project.budget).to.equal(BUDGET);
      expect(project.labourShareBps).to.equal(LABOUR_SHARE_BPS);
      expect(project.guaranteeAmount).to.equal(GUARANTEE);
      expect(project.guaranteeHoldingPeriod).to.equal(HOLDING_PERIOD);
      expect(project.milestoneCount).to.equal(3n);
      expect(project.frozen).to.equal(false);
      const milestone = await escrow.getMilestone(1n, 2n);
      expect(milestone.amount).to.equal(MILESTONES[2]);
      expect(milestone.state).to.equal(MilestoneState.Pending);
      expect(milestone.descriptionHash).to.equal(id("milestone 2"));
      expect(await escrow.isSubcontractor(1n, SUBCONTRACTOR)).to.equal(true);
      expect(await escrow.isSubcontractor(1n, UNLISTED)).to.equal(false);
      expect(await escrow.projectCount()).to.equal(1n);
      expect(await escrow.settlementToken()).to.equal(context.tokenAddress);
    });

    it("rejects milestones that do not add up to the budget", async function () {
      const context = await networkHelpers.loadFixture(parties);
      const { escrow } = context.contracts;
      const create = (terms: ReturnType<typeof projectTerms>, milestones = milestoneTerms()) =>
        escrow.connect(context.accounts.cons).createProject(terms, milestones, []);
      const terms = projectTerms(context.tokenAddress);
      await expect(create({ ...terms, budget: BUDGET + 1n }))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidTerms")
        .withArgs(BUDGET + 1n, BUDGET, LABOUR_SHARE_BPS);
      await expect(create({ ...terms, budget: 0n }, []))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidTerms")
        .withArgs(0n, 0n, LABOUR_SHARE_BPS);
      await expect(create({ ...terms, budget: BUDGET }, milestoneTerms([BUDGET, 0n])))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidTerms")
        .withArgs(BUDGET, BUDGET, LABOUR_SHARE_BPS);
      await expect(create({ ...terms, labourShareBps: 10_001 }))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidTerms")
        .withArgs(BUDGET, BUDGET, 10_001);
      const many = milestoneTerms(Array.from({ length: 65 }, () => UNIT));
      await expect(create({ ...terms, budget: 65n * UNIT }, many))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidTerms")
        .withArgs(65n * UNIT, 65n * UNIT, LABOUR_SHARE_BPS);
    });

    it("rejects parties without their role, unknown or repeated, and a bank that is no bank", async function () {
      const context = await networkHelpers.loadFixture(parties);
      const { escrow } = context.contracts;
      const create = (overrides: Parameters<typeof projectTerms>[1]) =>
        escrow
          .connect(context.accounts.cons)
          .createProject(projectTerms(context.tokenAddress, overrides), milestoneTerms(), []);
      await expect(create({ developer: CONTRACTOR }))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidParty")
        .withArgs(CONTRACTOR, ROLES.DEVELOPER);
      await expect(create({ contractor: id("nobody") }))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidParty")
        .withArgs(id("nobody"), ROLES.CONTRACTOR);
      await expect(create({ supervisor: SUBCONTRACTOR }))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidParty")
        .withArgs(SUBCONTRACTOR, ROLES.SUPERVISOR);
      await expect(create({ developer: OUTSIDER, contractor: OUTSIDER }))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidParty")
        .withArgs(OUTSIDER, ROLES.DEVELOPER);
      await expect(create({ contractor: OUTSIDER, supervisor: OUTSIDER }))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidParty")
        .withArgs(OUTSIDER, ROLES.SUPERVISOR);
      await expect(create({ bank: TAX }))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidParty")
        .withArgs(TAX, ROLES.BANK);
      await expect(create({ bank: id("no such department") }))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidParty")
        .withArgs(id("no such department"), ROLES.BANK);
      await expect(create({ regulator: BANK }))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidParty")
        .withArgs(BANK, ROLES.PROJECT_REGULATOR);
      await expect(create({ humanResources: CONS }))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidParty")
        .withArgs(CONS, ROLES.HUMAN_RESOURCES);
      await expect(create({ humanResources: id("no such department") }))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidParty")
        .withArgs(id("no such department"), ROLES.HUMAN_RESOURCES);
      await expect(create({ token: context.accounts.stranger.address }))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidToken")
        .withArgs(context.accounts.stranger.address);
    });

    it("rejects a suspended participant", async function () {
      const context = await networkHelpers.loadFixture(parties);
      const { escrow, registry } = context.contracts;
      await (await registry.connect(context.accounts.cons).suspendParticipant(DEVELOPER)).wait();
      await expect(
        escrow.connect(context.accounts.cons).createProject(projectTerms(context.tokenAddress), milestoneTerms(), []),
      )
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidParty")
        .withArgs(DEVELOPER, ROLES.DEVELOPER);
    });

    it("rejects a subcontractor listed twice or without the role", async function () {
      const context = await networkHelpers.loadFixture(parties);
      const { escrow } = context.contracts;
      const create = (subcontractors: string[]) =>
        escrow
          .connect(context.accounts.cons)
          .createProject(projectTerms(context.tokenAddress), milestoneTerms(), subcontractors);
      await expect(create([SUBCONTRACTOR, SUBCONTRACTOR]))
        .to.be.revertedWithCustomError(escrow, "EscrowSubcontractorExists")
        .withArgs(1n, SUBCONTRACTOR);
      await expect(create([CONTRACTOR]))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidParty")
        .withArgs(CONTRACTOR, ROLES.SUBCONTRACTOR);
    });
  });

  describe("addSubcontractor", function () {
    it("registers a subcontractor on an open project", async function () {
      const context = await networkHelpers.loadFixture(opened);
      const { escrow } = context.contracts;
      await expect(escrow.connect(context.accounts.cons).addSubcontractor(1n, UNLISTED))
        .to.emit(escrow, "SubcontractorAdded")
        .withArgs(1n, UNLISTED, CONS);
      expect(await escrow.isSubcontractor(1n, UNLISTED)).to.equal(true);
    });

    it("rejects an unknown project", async function () {
      const context = await networkHelpers.loadFixture(opened);
      const { escrow } = context.contracts;
      await expect(escrow.connect(context.accounts.cons).addSubcontractor(9n, UNLISTED))
        .to.be.revertedWithCustomError(escrow, "EscrowProjectUnexpectedState")
        .withArgs(9n, ProjectState.None);
    });
  });

  describe("registerWorkers", function () {
    it("registers workers with the hash of their identity", async function () {
      const context = await networkHelpers.loadFixture(opened);
      const { escrow } = context.contracts;
      const [a, b] = context.workers;
      await expect(
        escrow
          .connect(context.parties.contractor)
          .registerWorkers(1n, [a.address, b.address], [identityHash(a.address), identityHash(b.address)]),
      )
        .to.emit(escrow, "WorkerRegistered")
        .withArgs(1n, a.address, CONTRACTOR, identityHash(a.address))
        .and.to.emit(escrow, "WorkerRegistered")
        .withArgs(1n, b.address, CONTRACTOR, identityHash(b.address));
      expect(await escrow.workerIdentity(1n, a.address)).to.equal(identityHash(a.address));
      expect(await escrow.workerIdentity(1n, context.workers[2].address)).to.equal(ethers.ZeroHash);
    });

    it("rejects the zero address, a department's or enterprise's account, the escrow, a zero hash, a repeat", async function () {
      const context = await networkHelpers.loadFixture(opened);
      const { escrow } = context.contracts;
      const register = (worker: string, hash = identityHash(worker)) =>
        escrow.connect(context.parties.contractor).registerWorkers(1n, [worker], [hash]);
      for (const account of [
        ZeroAddress,
        context.accounts.bank.address,
        context.parties.contractor.address,
        context.parties.subcontractor.address,
        context.escrowAddress,
      ]) {
        await expect(register(account))
          .to.be.revertedWithCustomError(escrow, "EscrowInvalidWorker")
          .withArgs(1n, account);
      }
      const worker = context.workers[0].address;
      await expect(register(worker, ethers.ZeroHash))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidWorker")
        .withArgs(1n, worker);
      await (await register(worker)).wait();
      await expect(register(worker)).to.be.revertedWithCustomError(escrow, "EscrowInvalidWorker").withArgs(1n, worker);
    });

    it("rejects lists of different lengths and a contractor of another project", async function () {
      const context = await networkHelpers.loadFixture(opened);
      const { escrow } = context.contracts;
      const worker = context.workers[0].address;
      await expect(escrow.connect(context.parties.contractor).registerWorkers(1n, [worker], []))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidBatch")
        .withArgs(1n, 0n);
      await expect(escrow.connect(context.parties.outsider).registerWorkers(1n, [worker], [identityHash(worker)]))
        .to.be.revertedWithCustomError(escrow, "EscrowCallerNotParty")
        .withArgs(1n, OUTSIDER);
    });
  });

  describe("fund", function () {
    it("moves the developer's tokens into the project's unreleased balance", async function () {
      const context = await networkHelpers.loadFixture(opened);
      const { escrow, settlementToken } = context.contracts;
      const amount = 400_000n * UNIT;
      const tx = escrow.connect(context.parties.developer).fund(1n, amount);
      await expect(tx)
        .to.emit(escrow, "ProjectFunded")
        .withArgs(1n, DEVELOPER, context.parties.developer.address, amount);
      await expect(tx).to.changeTokenBalances(
        ethers,
        settlementToken,
        [context.parties.developer, context.escrowAddress],
        [-amount, amount],
      );
      const ledger = await escrow.getLedger(1n);
      expect(ledger.funded).to.equal(amount);
      expect(ledger.unreleased).to.equal(amount);
      await expectBalanced(context);
    });

    it("rejects funding past the budget, zero, and anyone but the project's developer", async function () {
      const context = await networkHelpers.loadFixture(opened);
      const { escrow } = context.contracts;
      await (await escrow.connect(context.parties.developer).fund(1n, BUDGET - UNIT)).wait();
      await expect(escrow.connect(context.parties.developer).fund(1n, 2n * UNIT))
        .to.be.revertedWithCustomError(escrow, "EscrowAmountExceedsLimit")
        .withArgs(1n, 2n * UNIT, UNIT);
      await expect(escrow.connect(context.parties.developer).fund(1n, 0n)).to.be.revertedWithCustomError(
        escrow,
        "EscrowZeroAmount",
      );
      await expect(escrow.connect(context.parties.outsider).fund(1n, UNIT))
        .to.be.revertedWithCustomError(escrow, "EscrowCallerNotParty")
        .withArgs(1n, OUTSIDER);
    });

    it("pays in any ERC-20 configured for the project, and rejects one that takes a fee", async function () {
      const context = await networkHelpers.loadFixture(parties);
      const { escrow } = context.contracts;
      const token = await ethers.deployContract("EscrowTestToken");
      const tokenAddress = await token.getAddress();
      await (
        await escrow.connect(context.accounts.cons).createProject(projectTerms(tokenAddress), milestoneTerms(), [])
      ).wait();
      await (await token.mint(context.parties.developer.address, BUDGET)).wait();
      await (await token.connect(context.parties.developer).approve(context.escrowAddress, BUDGET)).wait();
      await (await escrow.connect(context.parties.developer).fund(1n, 100n * UNIT)).wait();
      expect(await token.balanceOf(context.escrowAddress)).to.equal(100n * UNIT);
      await (await token.setFee(100)).wait();
      await expect(escrow.connect(context.parties.developer).fund(1n, 100n * UNIT))
        .to.be.revertedWithCustomError(escrow, "EscrowUnsupportedToken")
        .withArgs(tokenAddress, 100n * UNIT, 99n * UNIT);
    });
  });

  describe("fundWithPermit", function () {
    function permit(context: EscrowParties, amount: bigint, deadline: bigint) {
      const { developer } = context.parties;
      return signPermit(developer, context.contracts.settlementToken, context.escrowAddress, amount, deadline);
    }

    it("funds with a signed permit instead of an approval", async function () {
      const context = await networkHelpers.loadFixture(opened);
      const { escrow, settlementToken } = context.contracts;
      await (await settlementToken.connect(context.parties.developer).approve(context.escrowAddress, 0n)).wait();
      const amount = 250_000n * UNIT;
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      const { v, r, s } = await permit(context, amount, deadline);
      await expect(escrow.connect(context.parties.developer).fundWithPermit(1n, amount, deadline, v, r, s))
        .to.emit(escrow, "ProjectFunded")
        .withArgs(1n, DEVELOPER, context.parties.developer.address, amount);
      expect((await escrow.getLedger(1n)).funded).to.equal(amount);
      expect(await settlementToken.allowance(context.parties.developer.address, context.escrowAddress)).to.equal(0n);
    });

    it("still funds when someone used the permit first, and fails without an allowance", async function () {
      const context = await networkHelpers.loadFixture(opened);
      const { escrow, settlementToken } = context.contracts;
      const developer = context.parties.developer;
      await (await settlementToken.connect(developer).approve(context.escrowAddress, 0n)).wait();
      const amount = 250_000n * UNIT;
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      const { v, r, s } = await permit(context, amount, deadline);
      await (
        await settlementToken
          .connect(context.accounts.stranger)
          .permit(developer.address, context.escrowAddress, amount, deadline, v, r, s)
      ).wait();
      await (await escrow.connect(developer).fundWithPermit(1n, amount, deadline, v, r, s)).wait();
      expect((await escrow.getLedger(1n)).funded).to.equal(amount);
      await expect(escrow.connect(developer).fundWithPermit(1n, amount, deadline, v, r, s))
        .to.be.revertedWithCustomError(settlementToken, "ERC20InsufficientAllowance")
        .withArgs(context.escrowAddress, 0n, amount);
    });

    it("rejects a project that is not open before touching the token", async function () {
      const context = await networkHelpers.loadFixture(opened);
      const { escrow } = context.contracts;
      await expect(
        escrow.connect(context.parties.developer).fundWithPermit(7n, 1n, 0n, 27, ethers.ZeroHash, ethers.ZeroHash),
      )
        .to.be.revertedWithCustomError(escrow, "EscrowProjectUnexpectedState")
        .withArgs(7n, ProjectState.None);
    });
  });

  describe("depositGuarantee", function () {
    it("holds the contractor's guarantee up to the agreed amount", async function () {
      const context = await networkHelpers.loadFixture(opened);
      const { escrow } = context.contracts;
      const contractor = context.parties.contractor;
      await expect(escrow.connect(contractor).depositGuarantee(1n, GUARANTEE / 2n))
        .to.emit(escrow, "GuaranteeDeposited")
        .withArgs(1n, CONTRACTOR, GUARANTEE / 2n, GUARANTEE / 2n);
      await expect(escrow.connect(contractor).depositGuarantee(1n, GUARANTEE))
        .to.be.revertedWithCustomError(escrow, "EscrowAmountExceedsLimit")
        .withArgs(1n, GUARANTEE, GUARANTEE / 2n);
      await expect(escrow.connect(contractor).depositGuarantee(1n, 0n)).to.be.revertedWithCustomError(
        escrow,
        "EscrowZeroAmount",
      );
      const ledger = await escrow.getLedger(1n);
      expect(ledger.guaranteeDeposited).to.equal(GUARANTEE / 2n);
      expect(ledger.guaranteeBalance).to.equal(GUARANTEE / 2n);
      await expectBalanced(context);
    });
  });

  describe("submitMilestone", function () {
    it("records the evidence and waits for the supervisor", async function () {
      const context = await networkHelpers.loadFixture(funded);
      const { escrow } = context.contracts;
      await expect(escrow.connect(context.parties.contractor).submitMilestone(1n, 1n, id("evidence")))
        .to.emit(escrow, "MilestoneSubmitted")
        .withArgs(1n, 1n, CONTRACTOR, id("evidence"));
      const milestone = await escrow.getMilestone(1n, 1n);
      expect(milestone.state).to.equal(MilestoneState.Submitted);
      expect(milestone.evidenceHash).to.equal(id("evidence"));
      expect((await escrow.getProject(1n)).pending).to.equal(1n);
    });

    it("rejects a milestone submitted already or unknown", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow } = context.contracts;
      await expect(escrow.connect(context.parties.contractor).submitMilestone(1n, 0n, id("again")))
        .to.be.revertedWithCustomError(escrow, "EscrowMilestoneUnexpectedState")
        .withArgs(1n, 0n, MilestoneState.Released);
      await expect(escrow.connect(context.parties.contractor).submitMilestone(1n, 3n, id("none")))
        .to.be.revertedWithCustomError(escrow, "EscrowMilestoneUnexpectedState")
        .withArgs(1n, 3n, MilestoneState.None);
    });

    it("rejects submissions until the guarantee deposit is complete", async function () {
      const context = await networkHelpers.loadFixture(opened);
      const { escrow } = context.contracts;
      await expect(escrow.connect(context.parties.contractor).submitMilestone(1n, 0n, id("evidence")))
        .to.be.revertedWithCustomError(escrow, "EscrowGuaranteeShort")
        .withArgs(1n, 0n, GUARANTEE);
    });
  });

  describe("approveMilestone", function () {
    it("releases the labour share into the wage account and the rest into the payable balance", async function () {
      const context = await networkHelpers.loadFixture(funded);
      const { escrow } = context.contracts;
      await (await escrow.connect(context.parties.contractor).submitMilestone(1n, 0n, id("evidence"))).wait();
      const wage = (MILESTONES[0] * BigInt(LABOUR_SHARE_BPS)) / 10_000n;
      await expect(escrow.connect(context.parties.supervisor).approveMilestone(1n, 0n))
        .to.emit(escrow, "MilestoneReleased")
        .withArgs(1n, 0n, SUPERVISOR, wage, MILESTONES[0] - wage);
      const ledger = await escrow.getLedger(1n);
      expect(ledger.unreleased).to.equal(BUDGET - MILESTONES[0]);
      expect(ledger.released).to.equal(MILESTONES[0]);
      expect(ledger.wageBalance).to.equal(wage);
      expect(ledger.wageCredited).to.equal(wage);
      expect(ledger.payableBalance).to.equal(MILESTONES[0] - wage);
      expect((await escrow.getMilestone(1n, 0n)).state).to.equal(MilestoneState.Released);
      expect((await escrow.getProject(1n)).pending).to.equal(0n);
      await expectBalanced(context);
    });

    it("rounds the labour share up, in the workers' favour", async function () {
      const context = await networkHelpers.loadFixture(parties);
      const { escrow } = context.contracts;
      const terms = projectTerms(context.tokenAddress, { budget: 7n, guaranteeAmount: 0n, labourShareBps: 2_500 });
      await (await escrow.connect(context.accounts.cons).createProject(terms, milestoneTerms([7n]), [])).wait();
      await (await escrow.connect(context.parties.developer).fund(1n, 7n)).wait();
      await (await escrow.connect(context.parties.contractor).submitMilestone(1n, 0n, id("done"))).wait();
      await expect(escrow.connect(context.parties.supervisor).approveMilestone(1n, 0n))
        .to.emit(escrow, "MilestoneReleased")
        .withArgs(1n, 0n, SUPERVISOR, 2n, 5n);
    });

    it("rejects a milestone that was not submitted (unapproved) and one paid already", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow } = context.contracts;
      await expect(escrow.connect(context.parties.supervisor).approveMilestone(1n, 1n))
        .to.be.revertedWithCustomError(escrow, "EscrowMilestoneUnexpectedState")
        .withArgs(1n, 1n, MilestoneState.Pending);
      await expect(escrow.connect(context.parties.supervisor).approveMilestone(1n, 0n))
        .to.be.revertedWithCustomError(escrow, "EscrowMilestoneUnexpectedState")
        .withArgs(1n, 0n, MilestoneState.Released);
      expect((await escrow.getLedger(1n)).released).to.equal(MILESTONES[0]);
    });

    it("rejects a release the developer has not funded", async function () {
      const context = await networkHelpers.loadFixture(opened);
      const { escrow } = context.contracts;
      await (await escrow.connect(context.parties.contractor).depositGuarantee(1n, GUARANTEE)).wait();
      await (await escrow.connect(context.parties.developer).fund(1n, 100n * UNIT)).wait();
      await (await escrow.connect(context.parties.contractor).submitMilestone(1n, 0n, id("evidence"))).wait();
      await expect(escrow.connect(context.parties.supervisor).approveMilestone(1n, 0n))
        .to.be.revertedWithCustomError(escrow, "EscrowInsufficientFunds")
        .withArgs(1n, 100n * UNIT, MILESTONES[0]);
    });

    it("rejects anyone but the project's supervisor", async function () {
      const context = await networkHelpers.loadFixture(funded);
      const { escrow } = context.contracts;
      await (await escrow.connect(context.parties.contractor).submitMilestone(1n, 0n, id("evidence"))).wait();
      await expect(escrow.connect(context.parties.outsider).approveMilestone(1n, 0n))
        .to.be.revertedWithCustomError(escrow, "EscrowCallerNotParty")
        .withArgs(1n, OUTSIDER);
    });
  });

  describe("rejectMilestone", function () {
    it("sends the milestone back with a reason; the contractor may submit it again", async function () {
      const context = await networkHelpers.loadFixture(funded);
      const { escrow } = context.contracts;
      await (await escrow.connect(context.parties.contractor).submitMilestone(1n, 0n, id("evidence"))).wait();
      await expect(escrow.connect(context.parties.supervisor).rejectMilestone(1n, 0n, "concrete tests missing"))
        .to.emit(escrow, "MilestoneRejected")
        .withArgs(1n, 0n, SUPERVISOR, "concrete tests missing");
      expect((await escrow.getMilestone(1n, 0n)).state).to.equal(MilestoneState.Rejected);
      await expect(escrow.connect(context.parties.supervisor).approveMilestone(1n, 0n))
        .to.be.revertedWithCustomError(escrow, "EscrowMilestoneUnexpectedState")
        .withArgs(1n, 0n, MilestoneState.Rejected);
      await (await escrow.connect(context.parties.contractor).submitMilestone(1n, 0n, id("evidence 2"))).wait();
      await (await escrow.connect(context.parties.supervisor).approveMilestone(1n, 0n)).wait();
      expect((await escrow.getLedger(1n)).released).to.equal(MILESTONES[0]);
    });
  });

  describe("orderPayment", function () {
    it("records an order to a registered subcontractor", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow } = context.contracts;
      await expect(
        escrow.connect(context.parties.contractor).orderPayment(1n, SUBCONTRACTOR, 50_000n * UNIT, id("inv-1")),
      )
        .to.emit(escrow, "PaymentOrdered")
        .withArgs(1n, 1n, SUBCONTRACTOR, CONTRACTOR, 50_000n * UNIT, id("inv-1"));
      const order = await escrow.getPaymentOrder(1n, 1n);
      expect([order.payee, order.amount, order.state]).to.deep.equal([
        SUBCONTRACTOR,
        50_000n * UNIT,
        BigInt(PaymentOrderState.Ordered),
      ]);
    });

    it("rejects a payee that is not registered on the project, and a zero amount", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow } = context.contracts;
      for (const payee of [UNLISTED, DEVELOPER, SUPERVISOR]) {
        await expect(escrow.connect(context.parties.contractor).orderPayment(1n, payee, UNIT, id("inv")))
          .to.be.revertedWithCustomError(escrow, "EscrowPayeeNotRegistered")
          .withArgs(1n, payee);
      }
      await expect(
        escrow.connect(context.parties.contractor).orderPayment(1n, SUBCONTRACTOR, 0n, id("inv")),
      ).to.be.revertedWithCustomError(escrow, "EscrowZeroAmount");
    });
  });

  describe("approvePaymentOrder", function () {
    it("pays the subcontractor directly from the payable balance", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow, settlementToken } = context.contracts;
      const amount = 50_000n * UNIT;
      await (
        await escrow.connect(context.parties.contractor).orderPayment(1n, SUBCONTRACTOR, amount, id("inv-1"))
      ).wait();
      const tx = escrow.connect(context.parties.supervisor).approvePaymentOrder(1n, 1n);
      await expect(tx)
        .to.emit(escrow, "PaymentOrderPaid")
        .withArgs(1n, 1n, SUBCONTRACTOR, SUPERVISOR, context.parties.subcontractor.address, amount);
      await expect(tx).to.changeTokenBalances(
        ethers,
        settlementToken,
        [context.escrowAddress, context.parties.subcontractor],
        [-amount, amount],
      );
      const ledger = await escrow.getLedger(1n);
      expect(ledger.paidOut).to.equal(amount);
      expect(ledger.payableBalance).to.equal(240_000n * UNIT - amount);
      expect((await escrow.getPaymentOrder(1n, 1n)).state).to.equal(PaymentOrderState.Paid);
      await expectBalanced(context);
    });

    it("pays the contractor itself", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow, settlementToken } = context.contracts;
      await (await escrow.connect(context.parties.contractor).orderPayment(1n, CONTRACTOR, UNIT, id("own"))).wait();
      await expect(escrow.connect(context.parties.supervisor).approvePaymentOrder(1n, 1n)).to.changeTokenBalance(
        ethers,
        settlementToken,
        context.parties.contractor,
        UNIT,
      );
    });

    it("rejects an order paid already, unknown, or beyond the payable balance", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow } = context.contracts;
      await (await escrow.connect(context.parties.contractor).orderPayment(1n, SUBCONTRACTOR, UNIT, id("a"))).wait();
      await (await escrow.connect(context.parties.supervisor).approvePaymentOrder(1n, 1n)).wait();
      await expect(escrow.connect(context.parties.supervisor).approvePaymentOrder(1n, 1n))
        .to.be.revertedWithCustomError(escrow, "EscrowPaymentOrderUnexpectedState")
        .withArgs(1n, 1n, PaymentOrderState.Paid);
      await expect(escrow.connect(context.parties.supervisor).approvePaymentOrder(1n, 2n))
        .to.be.revertedWithCustomError(escrow, "EscrowPaymentOrderUnexpectedState")
        .withArgs(1n, 2n, PaymentOrderState.None);
      const payable = (await escrow.getLedger(1n)).payableBalance;
      await (
        await escrow.connect(context.parties.contractor).orderPayment(1n, SUBCONTRACTOR, payable + 1n, id("b"))
      ).wait();
      await expect(escrow.connect(context.parties.supervisor).approvePaymentOrder(1n, 2n))
        .to.be.revertedWithCustomError(escrow, "EscrowInsufficientFunds")
        .withArgs(1n, payable, payable + 1n);
    });

    it("never pays wage money: an order beyond the payable balance fails though the wage account holds it", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow } = context.contracts;
      const ledger = await escrow.getLedger(1n);
      const amount = ledger.payableBalance + ledger.wageBalance;
      await (await escrow.connect(context.parties.contractor).orderPayment(1n, CONTRACTOR, amount, id("all"))).wait();
      await expect(escrow.connect(context.parties.supervisor).approvePaymentOrder(1n, 1n))
        .to.be.revertedWithCustomError(escrow, "EscrowInsufficientFunds")
        .withArgs(1n, ledger.payableBalance, amount);
    });
  });

  describe("rejectPaymentOrder", function () {
    it("rejects an order with a reason and moves no money", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow } = context.contracts;
      await (await escrow.connect(context.parties.contractor).orderPayment(1n, SUBCONTRACTOR, UNIT, id("a"))).wait();
      await expect(escrow.connect(context.parties.supervisor).rejectPaymentOrder(1n, 1n, "no delivery note"))
        .to.emit(escrow, "PaymentOrderRejected")
        .withArgs(1n, 1n, SUPERVISOR, "no delivery note");
      expect((await escrow.getPaymentOrder(1n, 1n)).state).to.equal(PaymentOrderState.Rejected);
      expect((await escrow.getLedger(1n)).paidOut).to.equal(0n);
      expect((await escrow.getProject(1n)).pending).to.equal(0n);
    });
  });

  describe("submitPayroll", function () {
    it("records the payroll's hash and total and publishes its entries", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow } = context.contracts;
      const workers = context.workers.slice(0, 2).map((worker) => worker.address);
      const amounts = [10_000n * UNIT, 12_000n * UNIT];
      await expect(escrow.connect(context.parties.contractor).submitPayroll(1n, 202406n, id("doc"), workers, amounts))
        .to.emit(escrow, "PayrollSubmitted")
        .withArgs(1n, 1n, CONTRACTOR, 202406n, id("doc"), workers, amounts, 22_000n * UNIT);
      const payroll = await escrow.getPayroll(1n, 1n);
      expect(payroll.entriesHash).to.equal(entriesHash(workers, amounts));
      expect(payroll.total).to.equal(22_000n * UNIT);
      expect(payroll.period).to.equal(202406n);
      expect(payroll.state).to.equal(PayrollState.Submitted);
    });

    it("rejects wage money for anyone who is not a registered worker of the project", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow } = context.contracts;
      const intruders = [context.parties.contractor.address, workerWallets(1, "unregistered")[0].address];
      for (const intruder of intruders) {
        await expect(
          escrow
            .connect(context.parties.contractor)
            .submitPayroll(1n, 202406n, id("doc"), [context.workers[0].address, intruder], [UNIT, UNIT]),
        )
          .to.be.revertedWithCustomError(escrow, "EscrowWorkerNotRegistered")
          .withArgs(1n, intruder);
      }
    });

    it("rejects zero amounts and malformed lists", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow } = context.contracts;
      const worker = context.workers[0].address;
      const submit = (workers: string[], amounts: bigint[]) =>
        escrow.connect(context.parties.contractor).submitPayroll(1n, 202406n, id("doc"), workers, amounts);
      await expect(submit([worker], [0n])).to.be.revertedWithCustomError(escrow, "EscrowZeroAmount");
      await expect(submit([], [])).to.be.revertedWithCustomError(escrow, "EscrowInvalidBatch").withArgs(0n, 0n);
      await expect(submit([worker], [UNIT, UNIT]))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidBatch")
        .withArgs(1n, 2n);
      const many = Array.from({ length: 501 }, () => worker);
      await expect(
        submit(
          many,
          many.map(() => UNIT),
        ),
      )
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidBatch")
        .withArgs(501n, 501n);
    });
  });

  describe("approvePayroll", function () {
    it("pays every worker directly from the wage account in the same transaction", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow, settlementToken } = context.contracts;
      const amounts = [10_000n * UNIT, 12_000n * UNIT, 8_000n * UNIT, 9_000n * UNIT];
      const { payrollId, workers } = await submitPayroll(context, amounts);
      const total = 39_000n * UNIT;
      const tx = escrow.connect(context.accounts.bank).approvePayroll(1n, payrollId, workers, amounts);
      await expect(tx)
        .to.emit(escrow, "PayrollApproved")
        .withArgs(1n, payrollId, BANK, total)
        .and.to.emit(escrow, "PayrollPaid")
        .withArgs(1n, payrollId, BANK, total, 0n);
      await expect(tx).to.changeTokenBalances(
        ethers,
        settlementToken,
        [context.escrowAddress, ...workers],
        [-total, ...amounts],
      );
      const ledger = await escrow.getLedger(1n);
      expect(ledger.wagesPaid).to.equal(total);
      expect(ledger.wageBalance).to.equal(60_000n * UNIT - total);
      expect(ledger.wagesOwed).to.equal(0n);
      expect((await escrow.getPayroll(1n, payrollId)).state).to.equal(PayrollState.Paid);
      await expectBalanced(context);
    });

    it("pays workers in any other ERC-20 one transfer each", async function () {
      const context = await networkHelpers.loadFixture(parties);
      const { escrow } = context.contracts;
      const token = await ethers.deployContract("EscrowTestToken");
      const terms = projectTerms(await token.getAddress(), { guaranteeAmount: 0n });
      await (await escrow.connect(context.accounts.cons).createProject(terms, milestoneTerms(), [])).wait();
      await (await token.mint(context.parties.developer.address, BUDGET)).wait();
      await (await token.connect(context.parties.developer).approve(context.escrowAddress, BUDGET)).wait();
      await (await escrow.connect(context.parties.developer).fund(1n, BUDGET)).wait();
      const workers = context.workers.map((worker) => worker.address);
      await (
        await escrow.connect(context.parties.contractor).registerWorkers(1n, workers, workers.map(identityHash))
      ).wait();
      await (await escrow.connect(context.parties.contractor).submitMilestone(1n, 0n, id("e"))).wait();
      await (await escrow.connect(context.parties.supervisor).approveMilestone(1n, 0n)).wait();
      const { payrollId, amounts } = await submitPayroll(context, [UNIT, 2n * UNIT, 3n * UNIT]);
      await expect(
        escrow.connect(context.accounts.bank).approvePayroll(1n, payrollId, workers.slice(0, 3), amounts),
      ).to.changeTokenBalances(ethers, token, workers.slice(0, 3), amounts);
      expect(await token.balanceOf(context.escrowAddress)).to.equal(BUDGET - 6n * UNIT);
    });

    it("leaves the wages owed when the wage account is short, until a release lets the bank pay", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow, settlementToken } = context.contracts;
      const amounts = [40_000n * UNIT, 30_000n * UNIT];
      const { payrollId, workers } = await submitPayroll(context, amounts);
      const approval = await escrow.connect(context.accounts.bank).approvePayroll(1n, payrollId, workers, amounts);
      await expect(approval)
        .to.emit(escrow, "PayrollApproved")
        .withArgs(1n, payrollId, BANK, 70_000n * UNIT);
      await expect(approval).not.to.emit(escrow, "PayrollPaid");
      expect((await escrow.getLedger(1n)).wagesOwed).to.equal(70_000n * UNIT);
      expect((await escrow.getPayroll(1n, payrollId)).state).to.equal(PayrollState.Approved);
      await expect(escrow.connect(context.accounts.bank).payPayroll(1n, payrollId, workers, amounts))
        .to.be.revertedWithCustomError(escrow, "EscrowInsufficientFunds")
        .withArgs(1n, 60_000n * UNIT, 70_000n * UNIT);

      await (await escrow.connect(context.parties.contractor).submitMilestone(1n, 1n, id("evidence 1"))).wait();
      await (await escrow.connect(context.parties.supervisor).approveMilestone(1n, 1n)).wait();
      await expect(escrow.connect(context.accounts.bank).payPayroll(1n, payrollId, workers, amounts))
        .to.emit(escrow, "PayrollPaid")
        .withArgs(1n, payrollId, BANK, 70_000n * UNIT, 0n);
      expect(await settlementToken.balanceOf(workers[0])).to.equal(amounts[0]);
      const ledger = await escrow.getLedger(1n);
      expect(ledger.wagesOwed).to.equal(0n);
      expect(ledger.wageBalance).to.equal(50_000n * UNIT);
      await expectBalanced(context);
    });

    it("rejects entries other than those submitted, a payroll decided already, and another bank", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow } = context.contracts;
      const { payrollId, workers, amounts } = await submitPayroll(context, [UNIT, UNIT]);
      await expect(escrow.connect(context.accounts.bank).approvePayroll(1n, payrollId, workers, [UNIT, 2n * UNIT]))
        .to.be.revertedWithCustomError(escrow, "EscrowPayrollMismatch")
        .withArgs(1n, payrollId);
      await expect(
        escrow.connect(context.accounts.bank).approvePayroll(1n, payrollId, [workers[1], workers[0]], amounts),
      )
        .to.be.revertedWithCustomError(escrow, "EscrowPayrollMismatch")
        .withArgs(1n, payrollId);
      await (await escrow.connect(context.accounts.bank).approvePayroll(1n, payrollId, workers, amounts)).wait();
      await expect(escrow.connect(context.accounts.bank).approvePayroll(1n, payrollId, workers, amounts))
        .to.be.revertedWithCustomError(escrow, "EscrowPayrollUnexpectedState")
        .withArgs(1n, payrollId, PayrollState.Paid);
      await expect(escrow.connect(context.accounts.bank).payPayroll(1n, payrollId, workers, amounts))
        .to.be.revertedWithCustomError(escrow, "EscrowPayrollUnexpectedState")
        .withArgs(1n, payrollId, PayrollState.Paid);
    });

    it("rejects a bank department other than the project's", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow, registry } = context.contracts;
      const { payrollId, workers, amounts } = await submitPayroll(context, [UNIT]);
      // TAX is given the BANK role by a vote: a bank, but not this project's bank.
      const data = registry.interface.encodeFunctionData("grantDepartmentRole", [TAX, ROLES.BANK]);
      await (await passProposal(context, [{ target: await registry.getAddress(), data }])).wait();
      await expect(escrow.connect(context.accounts.tax).approvePayroll(1n, payrollId, workers, amounts))
        .to.be.revertedWithCustomError(escrow, "EscrowCallerNotParty")
        .withArgs(1n, TAX);
    });
  });

  describe("rejectPayroll", function () {
    it("rejects a payroll with a reason; it can no longer be paid", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow } = context.contracts;
      const { payrollId, workers, amounts } = await submitPayroll(context, [UNIT]);
      await expect(escrow.connect(context.accounts.bank).rejectPayroll(1n, payrollId, "hours not signed"))
        .to.emit(escrow, "PayrollRejected")
        .withArgs(1n, payrollId, BANK, "hours not signed");
      await expect(escrow.connect(context.accounts.bank).approvePayroll(1n, payrollId, workers, amounts))
        .to.be.revertedWithCustomError(escrow, "EscrowPayrollUnexpectedState")
        .withArgs(1n, payrollId, PayrollState.Rejected);
      await expect(escrow.connect(context.accounts.bank).rejectPayroll(1n, payrollId, "again"))
        .to.be.revertedWithCustomError(escrow, "EscrowPayrollUnexpectedState")
        .withArgs(1n, payrollId, PayrollState.Rejected);
      expect((await escrow.getProject(1n)).pending).to.equal(0n);
    });
  });

  describe("drawGuarantee", function () {
    it("pays overdue wages from the guarantee deposit when the contractor defaults; it must be topped up", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow, settlementToken } = context.contracts;
      // The contractor ran up wages beyond the wage account (60,000) and delivers no milestone.
      const amounts = [30_000n * UNIT, 30_000n * UNIT, 15_000n * UNIT];
      const { payrollId, workers } = await submitPayroll(context, amounts);
      await (await escrow.connect(context.accounts.bank).approvePayroll(1n, payrollId, workers, amounts)).wait();
      const tx = escrow.connect(context.accounts.hrss).drawGuarantee(1n, payrollId, workers, amounts);
      await expect(tx)
        .to.emit(escrow, "PayrollPaid")
        .withArgs(1n, payrollId, HRSS, 60_000n * UNIT, 15_000n * UNIT);
      await expect(tx).to.changeTokenBalances(ethers, settlementToken, workers, amounts);
      const ledger = await escrow.getLedger(1n);
      expect(ledger.wageBalance).to.equal(0n);
      expect(ledger.guaranteeBalance).to.equal(GUARANTEE - 15_000n * UNIT);
      expect(ledger.guaranteePaidOut).to.equal(15_000n * UNIT);
      expect(ledger.wagesOwed).to.equal(0n);
      await expectBalanced(context);

      await expect(escrow.connect(context.parties.contractor).submitMilestone(1n, 1n, id("evidence 1")))
        .to.be.revertedWithCustomError(escrow, "EscrowGuaranteeShort")
        .withArgs(1n, GUARANTEE - 15_000n * UNIT, GUARANTEE);
      await expect(escrow.connect(context.parties.contractor).orderPayment(1n, CONTRACTOR, UNIT, id("x")))
        .to.be.revertedWithCustomError(escrow, "EscrowGuaranteeShort")
        .withArgs(1n, GUARANTEE - 15_000n * UNIT, GUARANTEE);
      await (await escrow.connect(context.parties.contractor).depositGuarantee(1n, 15_000n * UNIT)).wait();
      await (await escrow.connect(context.parties.contractor).submitMilestone(1n, 1n, id("evidence 1"))).wait();
      expect((await escrow.getLedger(1n)).guaranteeDeposited).to.equal(GUARANTEE + 15_000n * UNIT);
      await expectBalanced(context);
    });

    it("rejects a payroll that is not approved, or larger than wage account and guarantee together", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow } = context.contracts;
      const amounts = [50_000n * UNIT, 40_000n * UNIT];
      const { payrollId, workers } = await submitPayroll(context, amounts);
      await expect(escrow.connect(context.accounts.hrss).drawGuarantee(1n, payrollId, workers, amounts))
        .to.be.revertedWithCustomError(escrow, "EscrowPayrollUnexpectedState")
        .withArgs(1n, payrollId, PayrollState.Submitted);
      await (await escrow.connect(context.accounts.bank).approvePayroll(1n, payrollId, workers, amounts)).wait();
      await expect(escrow.connect(context.accounts.hrss).drawGuarantee(1n, payrollId, workers, amounts))
        .to.be.revertedWithCustomError(escrow, "EscrowInsufficientFunds")
        .withArgs(1n, 80_000n * UNIT, 90_000n * UNIT);
    });
  });

  describe("freezeProject", function () {
    async function frozenWithEverythingPending(context: EscrowParties) {
      const { escrow } = context.contracts;
      await (await escrow.connect(context.parties.contractor).orderPayment(1n, SUBCONTRACTOR, UNIT, id("a"))).wait();
      await (await escrow.connect(context.parties.contractor).submitMilestone(1n, 1n, id("e1"))).wait();
      await expect(escrow.connect(context.accounts.cons).freezeProject(1n, "diversion suspected"))
        .to.emit(escrow, "ProjectFrozen")
        .withArgs(1n, CONS, "diversion suspected");
      expect((await escrow.getProject(1n)).frozen).to.equal(true);
    }

    it("stops every outflow but wages: payment orders, releases, closing", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow } = context.contracts;
      await frozenWithEverythingPending(context);
      await expect(escrow.connect(context.parties.supervisor).approvePaymentOrder(1n, 1n))
        .to.be.revertedWithCustomError(escrow, "EscrowProjectFrozen")
        .withArgs(1n);
      await expect(escrow.connect(context.parties.supervisor).approveMilestone(1n, 1n))
        .to.be.revertedWithCustomError(escrow, "EscrowProjectFrozen")
        .withArgs(1n);
      await (await escrow.connect(context.parties.supervisor).rejectPaymentOrder(1n, 1n, "frozen")).wait();
      await (await escrow.connect(context.parties.supervisor).rejectMilestone(1n, 1n, "frozen")).wait();
      await expect(escrow.connect(context.accounts.cons).closeProject(1n))
        .to.be.revertedWithCustomError(escrow, "EscrowProjectFrozen")
        .withArgs(1n);
      const ledger = await escrow.getLedger(1n);
      expect(ledger.paidOut + ledger.refunded + ledger.guaranteeReturned).to.equal(0n);
    });

    it("still pays wages to registered workers on approved payrolls, also from the guarantee", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow, settlementToken } = context.contracts;
      await frozenWithEverythingPending(context);
      const first = await submitPayroll(context, [20_000n * UNIT, 20_000n * UNIT]);
      await expect(
        escrow.connect(context.accounts.bank).approvePayroll(1n, first.payrollId, first.workers, first.amounts),
      ).to.changeTokenBalances(ethers, settlementToken, first.workers, first.amounts);
      const second = await submitPayroll(context, [25_000n * UNIT]);
      await (
        await escrow.connect(context.accounts.bank).approvePayroll(1n, second.payrollId, second.workers, second.amounts)
      ).wait();
      await expect(
        escrow.connect(context.accounts.hrss).drawGuarantee(1n, second.payrollId, second.workers, second.amounts),
      )
        .to.emit(escrow, "PayrollPaid")
        .withArgs(1n, second.payrollId, HRSS, 20_000n * UNIT, 5_000n * UNIT);
      expect(await settlementToken.balanceOf(second.workers[0])).to.equal(45_000n * UNIT);
      await expectBalanced(context);
    });

    it("lifts the freeze; freezing twice or unfreezing an unfrozen project is rejected", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow } = context.contracts;
      await frozenWithEverythingPending(context);
      await expect(escrow.connect(context.accounts.cons).freezeProject(1n, "again"))
        .to.be.revertedWithCustomError(escrow, "EscrowFreezeUnchanged")
        .withArgs(1n, true);
      await expect(escrow.connect(context.accounts.cons).unfreezeProject(1n))
        .to.emit(escrow, "ProjectUnfrozen")
        .withArgs(1n, CONS);
      await expect(escrow.connect(context.accounts.cons).unfreezeProject(1n))
        .to.be.revertedWithCustomError(escrow, "EscrowFreezeUnchanged")
        .withArgs(1n, false);
      await (await escrow.connect(context.parties.supervisor).approvePaymentOrder(1n, 1n)).wait();
      expect((await escrow.getLedger(1n)).paidOut).to.equal(UNIT);
    });
  });

  describe("closeProject", function () {
    it("returns the remainder to the developer and starts the guarantee's holding period", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow, settlementToken } = context.contracts;
      const before = await escrow.getLedger(1n);
      const refund = before.unreleased + before.wageBalance + before.payableBalance;
      const tx = await escrow.connect(context.accounts.cons).closeProject(1n);
      const receipt = await tx.wait();
      const closedAt = (await ethers.provider.getBlock(receipt!.blockNumber))!.timestamp;
      const releaseAt = BigInt(closedAt + HOLDING_PERIOD);
      await expect(tx)
        .to.emit(escrow, "ProjectClosed")
        .withArgs(1n, CONS, DEVELOPER, context.parties.developer.address, refund, releaseAt);
      await expect(tx).to.changeTokenBalance(ethers, settlementToken, context.parties.developer, refund);
      const project = await escrow.getProject(1n);
      expect(project.state).to.equal(ProjectState.Closed);
      expect(project.guaranteeReleaseAt).to.equal(releaseAt);
      const ledger = await escrow.getLedger(1n);
      expect(ledger.refunded).to.equal(refund);
      expect(ledger.unreleased + ledger.wageBalance + ledger.payableBalance).to.equal(0n);
      expect(ledger.guaranteeBalance).to.equal(GUARANTEE);
      await expectBalanced(context);
      await expect(escrow.connect(context.parties.developer).fund(1n, UNIT))
        .to.be.revertedWithCustomError(escrow, "EscrowProjectUnexpectedState")
        .withArgs(1n, ProjectState.Closed);
    });

    it("rejects closing with approved wages unpaid", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow } = context.contracts;
      const { payrollId, workers, amounts } = await submitPayroll(context, [70_000n * UNIT]);
      await (await escrow.connect(context.accounts.bank).approvePayroll(1n, payrollId, workers, amounts)).wait();
      await expect(escrow.connect(context.accounts.cons).closeProject(1n))
        .to.be.revertedWithCustomError(escrow, "EscrowWagesOwed")
        .withArgs(1n, 70_000n * UNIT);
    });

    it("rejects closing while a milestone, an order or a payroll awaits a decision", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow } = context.contracts;
      await submitPayroll(context, [UNIT]);
      await (await escrow.connect(context.parties.contractor).orderPayment(1n, SUBCONTRACTOR, UNIT, id("a"))).wait();
      await expect(escrow.connect(context.accounts.cons).closeProject(1n))
        .to.be.revertedWithCustomError(escrow, "EscrowPendingDecisions")
        .withArgs(1n, 2n);
    });
  });

  describe("releaseGuarantee", function () {
    async function closed() {
      const context = await releasedProject(connection);
      await (await context.contracts.escrow.connect(context.accounts.cons).closeProject(1n)).wait();
      return context;
    }

    it("returns the guarantee to the contractor after the holding period and settles the project", async function () {
      const context = await networkHelpers.loadFixture(closed);
      const { escrow, settlementToken } = context.contracts;
      const releaseAt = (await escrow.getProject(1n)).guaranteeReleaseAt;
      await expect(escrow.connect(context.parties.contractor).releaseGuarantee(1n))
        .to.be.revertedWithCustomError(escrow, "EscrowGuaranteeHeld")
        .withArgs(1n, releaseAt);
      await networkHelpers.time.increaseTo(releaseAt);
      const tx = escrow.connect(context.parties.contractor).releaseGuarantee(1n);
      await expect(tx)
        .to.emit(escrow, "GuaranteeReturned")
        .withArgs(1n, CONTRACTOR, context.parties.contractor.address, GUARANTEE);
      await expect(tx).to.changeTokenBalance(ethers, settlementToken, context.parties.contractor, GUARANTEE);
      expect((await escrow.getProject(1n)).state).to.equal(ProjectState.Settled);
      await expectBalanced(context);
      expect(await settlementToken.balanceOf(context.escrowAddress)).to.equal(0n);
    });

    it("pays a late wage claim from the guarantee during the public notice", async function () {
      const context = await networkHelpers.loadFixture(closed);
      const { escrow, settlementToken } = context.contracts;
      const { payrollId, workers, amounts } = await submitPayroll(context, [3_000n * UNIT], 1n, 202407n);
      await (await escrow.connect(context.accounts.bank).approvePayroll(1n, payrollId, workers, amounts)).wait();
      const releaseAt = (await escrow.getProject(1n)).guaranteeReleaseAt;
      await networkHelpers.time.increaseTo(releaseAt);
      await expect(escrow.connect(context.parties.contractor).releaseGuarantee(1n))
        .to.be.revertedWithCustomError(escrow, "EscrowWagesOwed")
        .withArgs(1n, 3_000n * UNIT);
      await (await escrow.connect(context.accounts.hrss).drawGuarantee(1n, payrollId, workers, amounts)).wait();
      expect(await settlementToken.balanceOf(workers[0])).to.equal(3_000n * UNIT);
      await expect(escrow.connect(context.parties.contractor).releaseGuarantee(1n)).to.changeTokenBalance(
        ethers,
        settlementToken,
        context.parties.contractor,
        GUARANTEE - 3_000n * UNIT,
      );
      await expectBalanced(context);
    });

    it("rejects while frozen, before closing, and after settling", async function () {
      const context = await networkHelpers.loadFixture(closed);
      const { escrow } = context.contracts;
      await networkHelpers.time.increase(HOLDING_PERIOD);
      await (await escrow.connect(context.accounts.cons).freezeProject(1n, "claims under review")).wait();
      await expect(escrow.connect(context.parties.contractor).releaseGuarantee(1n))
        .to.be.revertedWithCustomError(escrow, "EscrowProjectFrozen")
        .withArgs(1n);
      await (await escrow.connect(context.accounts.cons).unfreezeProject(1n)).wait();
      await (await escrow.connect(context.parties.contractor).releaseGuarantee(1n)).wait();
      await expect(escrow.connect(context.parties.contractor).releaseGuarantee(1n))
        .to.be.revertedWithCustomError(escrow, "EscrowProjectUnexpectedState")
        .withArgs(1n, ProjectState.Settled);
      await expect(escrow.connect(context.accounts.cons).freezeProject(1n, "late"))
        .to.be.revertedWithCustomError(escrow, "EscrowProjectUnexpectedState")
        .withArgs(1n, ProjectState.Settled);
    });
  });

  describe("a project from opening to closing", function () {
    it("opens, funds, releases every milestone, pays orders and payrolls, closes and settles", async function () {
      const context = await networkHelpers.loadFixture(parties);
      const { escrow, settlementToken } = context.contracts;
      const { developer, contractor, supervisor, subcontractor } = context.parties;
      const bank = context.accounts.bank;
      await (
        await escrow
          .connect(context.accounts.cons)
          .createProject(projectTerms(context.tokenAddress), milestoneTerms(), [SUBCONTRACTOR])
      ).wait();
      await (await escrow.connect(developer).fund(1n, BUDGET / 2n)).wait();
      await (await escrow.connect(developer).fund(1n, BUDGET / 2n)).wait();
      await (await escrow.connect(contractor).depositGuarantee(1n, GUARANTEE)).wait();
      const workers = context.workers.map((worker) => worker.address);
      await (await escrow.connect(contractor).registerWorkers(1n, workers, workers.map(identityHash))).wait();
      let orderTotal = 0n;
      let wageTotal = 0n;
      for (const [index, amount] of MILESTONES.entries()) {
        await (await escrow.connect(contractor).submitMilestone(1n, index, id(`evidence ${index}`))).wait();
        await (await escrow.connect(supervisor).approveMilestone(1n, index)).wait();
        const order = (amount * 6n) / 10n;
        await (await escrow.connect(contractor).orderPayment(1n, SUBCONTRACTOR, order, id(`inv ${index}`))).wait();
        await (await escrow.connect(supervisor).approvePaymentOrder(1n, BigInt(index + 1))).wait();
        orderTotal += order;
        const amounts = workers.map((_, i) => (amount / 100n) * BigInt(i + 1)); // 10% of the milestone
        const { payrollId } = await submitPayroll(context, amounts, 1n, BigInt(202401 + index));
        await (await escrow.connect(bank).approvePayroll(1n, payrollId, workers, amounts)).wait();
        wageTotal += amounts.reduce((a, b) => a + b, 0n);
        await expectBalanced(context);
      }
      expect(await settlementToken.balanceOf(subcontractor.address)).to.equal(orderTotal);
      const workerBalances = await Promise.all(workers.map((worker) => settlementToken.balanceOf(worker)));
      expect(workerBalances.reduce((a, b) => a + b, 0n)).to.equal(wageTotal);

      const developerBefore = await settlementToken.balanceOf(developer.address);
      await (await escrow.connect(context.accounts.cons).closeProject(1n)).wait();
      const refund = BUDGET - orderTotal - wageTotal;
      expect(await settlementToken.balanceOf(developer.address)).to.equal(developerBefore + refund);
      await networkHelpers.time.increase(HOLDING_PERIOD);
      await (await escrow.connect(contractor).releaseGuarantee(1n)).wait();
      const ledger = await escrow.getLedger(1n);
      expect(ledger.funded).to.equal(BUDGET);
      expect(ledger.paidOut).to.equal(orderTotal);
      expect(ledger.wagesPaid).to.equal(wageTotal);
      expect(ledger.refunded).to.equal(refund);
      expect(ledger.guaranteeReturned).to.equal(GUARANTEE);
      await expectBalanced(context);
      expect(await settlementToken.balanceOf(context.escrowAddress)).to.equal(0n);
    });

    it("keeps the money of two projects apart", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow } = context.contracts;
      const terms = projectTerms(context.tokenAddress, { developer: OUTSIDER, guaranteeAmount: 0n });
      await (await escrow.connect(context.accounts.cons).createProject(terms, milestoneTerms(), [])).wait();
      await (await escrow.connect(context.parties.outsider).fund(2n, 123n * UNIT)).wait();
      expect((await escrow.getLedger(2n)).funded).to.equal(123n * UNIT);
      expect((await escrow.getLedger(1n)).funded).to.equal(BUDGET);
      await expect(escrow.connect(context.parties.developer).fund(2n, UNIT))
        .to.be.revertedWithCustomError(escrow, "EscrowCallerNotParty")
        .withArgs(2n, DEVELOPER);
      await expectBalanced(context, [1n, 2n]);
    });
  });

  describe("reentrancy", function () {
    it("stops a token that calls back into the escrow during a payment", async function () {
      const context = await networkHelpers.loadFixture(parties);
      const { escrow, manager } = context.contracts;
      const token = await ethers.deployContract("EscrowTestToken");
      const tokenAddress = await token.getAddress();
      await (
        await escrow
          .connect(context.accounts.cons)
          .createProject(projectTerms(tokenAddress, { guaranteeAmount: 0n }), milestoneTerms(), [])
      ).wait();
      // Give the token the developer role by a vote, so that only the guard can stop it.
      const data = manager.interface.encodeFunctionData("grantRole", [ROLES.DEVELOPER, tokenAddress, 0]);
      await (await passProposal(context, [{ target: await manager.getAddress(), data }])).wait();
      await (await token.mint(context.parties.developer.address, BUDGET)).wait();
      await (await token.connect(context.parties.developer).approve(context.escrowAddress, BUDGET)).wait();
      await (await token.setHook(context.escrowAddress, escrow.interface.encodeFunctionData("fund", [1n, 1n]))).wait();
      const guardError = escrow.interface.encodeErrorResult("ReentrancyGuardReentrantCall", []);
      await expect(escrow.connect(context.parties.developer).fund(1n, UNIT))
        .to.be.revertedWithCustomError(token, "HookFailed")
        .withArgs(guardError);
    });
  });

  describe("pause", function () {
    it("stops the escrow when the guardian pauses it; unpausing takes a vote", async function () {
      const context = await networkHelpers.loadFixture(released);
      const { escrow } = context.contracts;
      await (await escrow.connect(context.accounts.audit).pause()).wait();
      const { payrollId, workers, amounts } = { payrollId: 1n, workers: [context.workers[0].address], amounts: [UNIT] };
      await expect(escrow.connect(context.parties.developer).fund(1n, UNIT)).to.be.revertedWithCustomError(
        escrow,
        "EnforcedPause",
      );
      await expect(
        escrow.connect(context.parties.contractor).submitPayroll(1n, 202406n, id("doc"), workers, amounts),
      ).to.be.revertedWithCustomError(escrow, "EnforcedPause");
      await expect(
        escrow.connect(context.accounts.bank).approvePayroll(1n, payrollId, workers, amounts),
      ).to.be.revertedWithCustomError(escrow, "EnforcedPause");
      const data = escrow.interface.encodeFunctionData("unpause");
      await (await passProposal(context, [{ target: context.escrowAddress, data }])).wait();
      await (
        await escrow.connect(context.parties.contractor).submitPayroll(1n, 202406n, id("doc"), workers, amounts)
      ).wait();
    });
  });
});
