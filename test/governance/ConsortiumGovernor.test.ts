import { expect } from "chai";
import { network } from "hardhat";

import { codeToId } from "../../deploy/lib/consortium.js";
import { AUDIT, deploySystem, FIRE, impersonate, passProposal, SAMR, TAX } from "../fixtures.js";
import { describeAccess } from "../helpers/access.js";

const connection = await network.create<"l1">();
const { networkHelpers, ethers } = connection;

const DAY = 24 * 3600;
enum State {
  None,
  Active,
  Defeated,
  Succeeded,
  Expired,
  Executed,
  Cancelled,
}

async function deployed() {
  const system = await deploySystem(connection);
  const { validatorSet, registry } = system.contracts;
  const node = system.accounts.all[19].address;
  const addValidator = {
    target: await validatorSet.getAddress(),
    data: validatorSet.interface.encodeFunctionData("addValidator", [node, FIRE]),
  };
  const admitNewcomer = {
    target: await registry.getAddress(),
    data: registry.interface.encodeFunctionData("admitDepartment", [
      codeToId("NEW"),
      "New",
      0,
      [system.accounts.newcomer.address],
    ]),
  };
  return { ...system, node, addValidator, admitNewcomer };
}

const fixture = () => networkHelpers.loadFixture(deployed);

/** Fixture with proposal 1 (add validator) made by TAX and not yet voted. */
async function withProposal() {
  const ctx = await fixture();
  await (await ctx.contracts.governor.connect(ctx.accounts.tax).propose([ctx.addValidator], "add a node")).wait();
  return { ...ctx, proposalId: 1n };
}

/** Fixture with proposal 1 passed by TAX, SAMR, CONS, FIRE. */
async function withPassedProposal() {
  const ctx = await withProposal();
  for (const voter of [ctx.accounts.tax, ctx.accounts.samr, ctx.accounts.cons, ctx.accounts.fire]) {
    await (await ctx.contracts.governor.connect(voter).castVote(1n, true)).wait();
  }
  return ctx;
}

type Ctx = Awaited<ReturnType<typeof deployed>>;

function rules([thresholdBps, votingPeriod, executionDelay, executionWindow]: readonly number[]) {
  return { thresholdBps, votingPeriod, executionDelay, executionWindow };
}

function rulesCall(ctx: Ctx, values: readonly number[]) {
  return {
    target: ctx.summary.contracts.governor.address,
    data: ctx.contracts.governor.interface.encodeFunctionData("setVotingRules", [rules(values)]),
  };
}

describe("ConsortiumGovernor", function () {
  describe("propose", function () {
    it("records the proposal with a threshold of more than half the active departments", async function () {
      const { contracts, accounts, addValidator } = await fixture();
      const { governor } = contracts;
      const tx = governor.connect(accounts.samr).propose([addValidator], "add a node");
      await expect(tx).to.emit(governor, "ProposalCreated");
      const receipt = await (await tx).wait();
      const event = governor.interface.parseLog(receipt!.logs[0])!;
      expect(event.args.proposalId).to.equal(1n);
      expect(event.args.departmentId).to.equal(SAMR);
      expect(event.args.proposer).to.equal(accounts.samr.address);
      expect(event.args.calls[0].target).to.equal(addValidator.target);
      expect(event.args.description).to.equal("add a node");
      expect(event.args.required).to.equal(4n);
      const proposal = await governor.getProposal(1n);
      expect(proposal.proposer).to.equal(SAMR);
      expect(proposal.eligible).to.equal(7n);
      expect(proposal.required).to.equal(4n);
      expect(proposal.voteEnd - proposal.createdAt).to.equal(BigInt(7 * DAY));
      expect(await governor.state(1n)).to.equal(State.Active);
      expect((await governor.proposalCalls(1n))[0].data).to.equal(addValidator.data);
    });

    it("rejects empty, oversized and non-contract call lists", async function () {
      const { contracts, accounts, addValidator } = await fixture();
      const { governor } = contracts;
      await expect(governor.connect(accounts.tax).propose([], "nothing")).to.be.revertedWithCustomError(
        governor,
        "GovernorInvalidCalls",
      );
      await expect(
        governor.connect(accounts.tax).propose(Array(33).fill(addValidator), "too many"),
      ).to.be.revertedWithCustomError(governor, "GovernorInvalidCalls");
      await expect(
        governor.connect(accounts.tax).propose([{ target: accounts.stranger.address, data: "0x" }], "to an account"),
      ).to.be.revertedWithCustomError(governor, "GovernorInvalidCalls");
    });

    it("rejects non-members and suspended members", async function () {
      const ctx = await fixture();
      const { governor, registry } = ctx.contracts;
      await expect(governor.connect(ctx.accounts.stranger).propose([ctx.addValidator], "x"))
        .to.be.revertedWithCustomError(governor, "GovernorCallerNotMember")
        .withArgs(ctx.accounts.stranger.address);
      const suspend = {
        target: await registry.getAddress(),
        data: registry.interface.encodeFunctionData("suspendDepartment", [AUDIT]),
      };
      await (await passProposal(ctx, [suspend])).wait();
      await expect(governor.connect(ctx.accounts.audit).propose([ctx.addValidator], "x"))
        .to.be.revertedWithCustomError(governor, "GovernorCallerNotMember")
        .withArgs(ctx.accounts.audit.address);
    });
  });

  describe("castVote", function () {
    it("counts one vote per department and passes at the threshold", async function () {
      const { contracts, accounts, proposalId } = await withProposal();
      const { governor } = contracts;
      await expect(governor.connect(accounts.tax).castVote(proposalId, true))
        .to.emit(governor, "VoteCast")
        .withArgs(proposalId, TAX, accounts.tax.address, true);
      await (await governor.connect(accounts.samr).castVote(proposalId, false)).wait();
      await (await governor.connect(accounts.cons).castVote(proposalId, true)).wait();
      await (await governor.connect(accounts.fire).castVote(proposalId, true)).wait();
      expect(await governor.state(proposalId)).to.equal(State.Active);
      const tx = governor.connect(accounts.bank).castVote(proposalId, true);
      await expect(tx).to.emit(governor, "ProposalSucceeded");
      expect(await governor.state(proposalId)).to.equal(State.Succeeded);
      const proposal = await governor.getProposal(proposalId);
      expect([proposal.yes, proposal.no]).to.deep.equal([4n, 1n]);
      expect(proposal.expiresAt - proposal.readyAt).to.equal(BigInt(14 * DAY));
      expect(await governor.hasVoted(proposalId, SAMR)).to.equal(true);
      expect(await governor.hasVoted(proposalId, AUDIT)).to.equal(false);
    });

    it("rejects a second vote of the same department", async function () {
      const { contracts, accounts, proposalId } = await withProposal();
      const { governor } = contracts;
      await (await governor.connect(accounts.tax).castVote(proposalId, true)).wait();
      await expect(governor.connect(accounts.tax).castVote(proposalId, false))
        .to.be.revertedWithCustomError(governor, "GovernorAlreadyVoted")
        .withArgs(proposalId, TAX);
    });

    it("rejects a second operator of a department that already voted", async function () {
      const ctx = await fixture();
      const { governor, registry } = ctx.contracts;
      const addOperator = {
        target: await registry.getAddress(),
        data: registry.interface.encodeFunctionData("addOperator", [TAX, ctx.accounts.newcomer.address]),
      };
      await (await passProposal(ctx, [addOperator])).wait();
      await (await governor.connect(ctx.accounts.tax).propose([ctx.addValidator], "x")).wait();
      const proposalId = await governor.proposalCount();
      await (await governor.connect(ctx.accounts.tax).castVote(proposalId, true)).wait();
      await expect(governor.connect(ctx.accounts.newcomer).castVote(proposalId, true))
        .to.be.revertedWithCustomError(governor, "GovernorAlreadyVoted")
        .withArgs(proposalId, TAX);
    });

    it("rejects non-members, suspended members and departments admitted after the proposal", async function () {
      const ctx = await withProposal();
      const { governor } = ctx.contracts;
      const registry = ctx.contracts.registry.connect(await impersonate(connection, await governor.getAddress()));
      await expect(governor.connect(ctx.accounts.stranger).castVote(ctx.proposalId, true))
        .to.be.revertedWithCustomError(governor, "GovernorCallerNotMember")
        .withArgs(ctx.accounts.stranger.address);
      await (await registry.admitDepartment(codeToId("NEW"), "New", 0, [ctx.accounts.newcomer.address])).wait();
      await expect(governor.connect(ctx.accounts.newcomer).castVote(ctx.proposalId, true))
        .to.be.revertedWithCustomError(governor, "GovernorNotEligible")
        .withArgs(ctx.proposalId, codeToId("NEW"));
      // Suspended, then reinstated after the proposal: still not eligible.
      await (await registry.suspendDepartment(AUDIT)).wait();
      await expect(governor.connect(ctx.accounts.audit).castVote(ctx.proposalId, true))
        .to.be.revertedWithCustomError(governor, "GovernorCallerNotMember")
        .withArgs(ctx.accounts.audit.address);
      await (await registry.reinstateDepartment(AUDIT)).wait();
      await expect(governor.connect(ctx.accounts.audit).castVote(ctx.proposalId, true))
        .to.be.revertedWithCustomError(governor, "GovernorNotEligible")
        .withArgs(ctx.proposalId, AUDIT);
    });

    it("defeats a proposal once the threshold cannot be reached", async function () {
      const { contracts, accounts, proposalId } = await withProposal();
      const { governor } = contracts;
      for (const voter of [accounts.tax, accounts.samr, accounts.cons])
        await (await governor.connect(voter).castVote(proposalId, false)).wait();
      expect(await governor.state(proposalId)).to.equal(State.Active);
      await (await governor.connect(accounts.fire).castVote(proposalId, false)).wait();
      expect(await governor.state(proposalId)).to.equal(State.Defeated);
      await expect(governor.connect(accounts.bank).castVote(proposalId, true))
        .to.be.revertedWithCustomError(governor, "GovernorUnexpectedProposalState")
        .withArgs(proposalId, State.Defeated);
    });

    it("defeats a proposal whose voting period ran out", async function () {
      const { contracts, accounts, proposalId } = await withProposal();
      await networkHelpers.time.increase(7 * DAY);
      expect(await contracts.governor.state(proposalId)).to.equal(State.Defeated);
      await expect(contracts.governor.connect(accounts.tax).castVote(proposalId, true))
        .to.be.revertedWithCustomError(contracts.governor, "GovernorUnexpectedProposalState")
        .withArgs(proposalId, State.Defeated);
    });

    it("rejects votes on unknown and already passed proposals", async function () {
      const { contracts, accounts, proposalId } = await withPassedProposal();
      await expect(contracts.governor.connect(accounts.bank).castVote(proposalId, true))
        .to.be.revertedWithCustomError(contracts.governor, "GovernorUnexpectedProposalState")
        .withArgs(proposalId, State.Succeeded);
      await expect(contracts.governor.connect(accounts.bank).castVote(99n, true))
        .to.be.revertedWithCustomError(contracts.governor, "GovernorUnexpectedProposalState")
        .withArgs(99n, State.None);
    });
  });

  describe("execute", function () {
    it("runs the calls of a passed proposal once", async function () {
      const { contracts, accounts, proposalId, node } = await withPassedProposal();
      const { governor, validatorSet } = contracts;
      await expect(governor.connect(accounts.audit).execute(proposalId))
        .to.emit(governor, "ProposalExecuted")
        .withArgs(proposalId, AUDIT, accounts.audit.address)
        .and.to.emit(validatorSet, "ValidatorAdded")
        .withArgs(node, FIRE);
      expect(await validatorSet.isValidator(node)).to.equal(true);
      expect(await governor.state(proposalId)).to.equal(State.Executed);
      await expect(governor.connect(accounts.tax).execute(proposalId))
        .to.be.revertedWithCustomError(governor, "GovernorUnexpectedProposalState")
        .withArgs(proposalId, State.Executed);
    });

    it("rejects executing an active, defeated or expired proposal", async function () {
      const ctx = await withProposal();
      const { governor } = ctx.contracts;
      await expect(governor.connect(ctx.accounts.tax).execute(ctx.proposalId))
        .to.be.revertedWithCustomError(governor, "GovernorUnexpectedProposalState")
        .withArgs(ctx.proposalId, State.Active);
      await networkHelpers.time.increase(7 * DAY);
      await expect(governor.connect(ctx.accounts.tax).execute(ctx.proposalId))
        .to.be.revertedWithCustomError(governor, "GovernorUnexpectedProposalState")
        .withArgs(ctx.proposalId, State.Defeated);

      const passed = await withPassedProposal();
      await networkHelpers.time.increase(14 * DAY);
      expect(await passed.contracts.governor.state(passed.proposalId)).to.equal(State.Expired);
      await expect(passed.contracts.governor.connect(passed.accounts.tax).execute(passed.proposalId))
        .to.be.revertedWithCustomError(passed.contracts.governor, "GovernorUnexpectedProposalState")
        .withArgs(passed.proposalId, State.Expired);
    });

    it("waits for the execution delay", async function () {
      const ctx = await fixture();
      const { governor } = ctx.contracts;
      await (await passProposal(ctx, [rulesCall(ctx, [5000, 7 * DAY, 2 * DAY, 14 * DAY])])).wait();
      await (await governor.connect(ctx.accounts.tax).propose([ctx.addValidator], "delayed")).wait();
      const proposalId = await governor.proposalCount();
      for (const voter of [ctx.accounts.tax, ctx.accounts.samr, ctx.accounts.cons, ctx.accounts.fire]) {
        await (await governor.connect(voter).castVote(proposalId, true)).wait();
      }
      const { readyAt } = await governor.getProposal(proposalId);
      await expect(governor.connect(ctx.accounts.tax).execute(proposalId))
        .to.be.revertedWithCustomError(governor, "GovernorProposalNotReady")
        .withArgs(proposalId, readyAt);
      await networkHelpers.time.increaseTo(readyAt);
      await expect(governor.connect(ctx.accounts.tax).execute(proposalId)).to.emit(governor, "ProposalExecuted");
    });

    it("reverts as a whole when a call fails, leaving the proposal executable", async function () {
      const ctx = await fixture();
      const { governor, validatorSet } = ctx.contracts;
      const duplicate = {
        target: await validatorSet.getAddress(),
        data: validatorSet.interface.encodeFunctionData("addValidator", [ctx.accounts.all[16].address, TAX]),
      };
      await (await governor.connect(ctx.accounts.tax).propose([ctx.admitNewcomer, duplicate], "fails")).wait();
      for (const voter of [ctx.accounts.tax, ctx.accounts.samr, ctx.accounts.cons, ctx.accounts.fire]) {
        await (await governor.connect(voter).castVote(1n, true)).wait();
      }
      await expect(governor.connect(ctx.accounts.tax).execute(1n))
        .to.be.revertedWithCustomError(validatorSet, "ValidatorSetDuplicate")
        .withArgs(ctx.accounts.all[16].address);
      expect(await governor.state(1n)).to.equal(State.Succeeded);
      expect(await ctx.contracts.registry.activeDepartmentOf(ctx.accounts.newcomer.address)).to.equal(ethers.ZeroHash);
    });

    it("cannot be re-entered by its own calls", async function () {
      const ctx = await fixture();
      const { governor } = ctx.contracts;
      const reenter = {
        target: await governor.getAddress(),
        data: governor.interface.encodeFunctionData("execute", [1n]),
      };
      await (await governor.connect(ctx.accounts.tax).propose([reenter], "re-enter")).wait();
      for (const voter of [ctx.accounts.tax, ctx.accounts.samr, ctx.accounts.cons, ctx.accounts.fire]) {
        await (await governor.connect(voter).castVote(1n, true)).wait();
      }
      // The governor is not a department operator, so its nested execute is refused outright.
      await expect(governor.connect(ctx.accounts.tax).execute(1n))
        .to.be.revertedWithCustomError(governor, "GovernorCallerNotMember")
        .withArgs(await governor.getAddress());
    });
  });

  describe("cancel", function () {
    it("lets the proposing department withdraw an active or passed proposal", async function () {
      const { contracts, accounts, proposalId } = await withPassedProposal();
      await expect(contracts.governor.connect(accounts.tax).cancel(proposalId))
        .to.emit(contracts.governor, "ProposalCancelled")
        .withArgs(proposalId, TAX);
      expect(await contracts.governor.state(proposalId)).to.equal(State.Cancelled);
      await expect(contracts.governor.connect(accounts.tax).execute(proposalId))
        .to.be.revertedWithCustomError(contracts.governor, "GovernorUnexpectedProposalState")
        .withArgs(proposalId, State.Cancelled);
    });

    it("rejects other departments and finished proposals", async function () {
      const { contracts, accounts, proposalId } = await withPassedProposal();
      await expect(contracts.governor.connect(accounts.samr).cancel(proposalId))
        .to.be.revertedWithCustomError(contracts.governor, "GovernorNotProposer")
        .withArgs(proposalId, SAMR);
      await (await contracts.governor.connect(accounts.tax).execute(proposalId)).wait();
      await expect(contracts.governor.connect(accounts.tax).cancel(proposalId))
        .to.be.revertedWithCustomError(contracts.governor, "GovernorUnexpectedProposalState")
        .withArgs(proposalId, State.Executed);
    });
  });

  describe("setVotingRules", function () {
    it("changes the rules for new proposals only, by a vote", async function () {
      const ctx = await withProposal();
      const { governor } = ctx.contracts;
      await expect(passProposal(ctx, [rulesCall(ctx, [9999, DAY, 0, DAY])]))
        .to.emit(governor, "VotingRulesChanged")
        .withArgs([9999, DAY, 0, DAY]);
      expect((await governor.getProposal(ctx.proposalId)).required).to.equal(4n);
      await (await governor.connect(ctx.accounts.tax).propose([ctx.addValidator], "unanimous")).wait();
      const unanimous = await governor.getProposal(await governor.proposalCount());
      expect(unanimous.required).to.equal(7n);
      expect(unanimous.voteEnd - unanimous.createdAt).to.equal(BigInt(DAY));
      expect(await governor.votingRules()).to.deep.equal([9999n, BigInt(DAY), 0n, BigInt(DAY)]);
      expect(await governor.registry()).to.equal(ctx.summary.contracts.registry.address);
    });

    it("rejects rules out of range", async function () {
      const ctx = await fixture();
      const governor = ctx.contracts.governor.connect(
        await impersonate(connection, await ctx.contracts.governor.getAddress()),
      );
      for (const values of [
        [0, DAY, 0, DAY],
        [10000, DAY, 0, DAY],
        [5000, 0, 0, DAY],
        [5000, DAY, 0, 0],
      ] as const) {
        await expect(governor.setVotingRules(rules(values))).to.be.revertedWithCustomError(
          governor,
          "GovernorInvalidRules",
        );
      }
    });

    it("refuses rules no later vote could repair, and takes the bounds themselves", async function () {
      const ctx = await fixture();
      const governor = ctx.contracts.governor.connect(
        await impersonate(connection, await ctx.contracts.governor.getAddress()),
      );
      const HOUR = 3600;
      for (const values of [
        [5000, DAY, 2 ** 32 - 1, DAY], // a 136-year execution delay
        [5000, DAY, 30 * DAY + 1, DAY],
        [5000, DAY, 0, 1], // a one-second execution window
        [5000, DAY, 0, DAY - 1],
        [5000, DAY, 0, 90 * DAY + 1],
        [5000, HOUR - 1, 0, DAY], // a voting period too short to vote in
        [5000, 30 * DAY + 1, 0, DAY],
      ] as const) {
        await expect(governor.setVotingRules(rules(values)))
          .to.be.revertedWithCustomError(governor, "GovernorInvalidRules")
          .withArgs(values);
      }
      for (const values of [
        [5000, HOUR, 30 * DAY, DAY],
        [5000, 30 * DAY, 0, 90 * DAY],
      ] as const) {
        await expect(governor.setVotingRules(rules(values)))
          .to.emit(governor, "VotingRulesChanged")
          .withArgs(values);
      }
    });
  });

  const members = (ctx: Ctx) => ({ tax: ctx.accounts.tax, cons: ctx.accounts.cons, audit: ctx.accounts.audit });
  const nonMembers = (ctx: Ctx) => ({
    stranger: ctx.accounts.stranger,
    deployer: ctx.accounts.deployer,
    enterprise: ctx.accounts.enterprises[0],
  });
  const notMemberError = (ctx: Ctx) => ({ contract: ctx.contracts.governor, name: "GovernorCallerNotMember" });

  describeAccess("ConsortiumGovernor", {
    fixture: withProposal,
    contract: (ctx) => ctx.contracts.governor,
    cases: {
      "propose((address,bytes)[],string)": {
        allowed: members,
        denied: nonMembers,
        call: (ctx, caller) => ctx.contracts.governor.connect(caller as never).propose([ctx.addValidator], "x"),
        error: notMemberError,
      },
      "castVote(uint256,bool)": {
        allowed: members,
        denied: nonMembers,
        call: (ctx, caller) => ctx.contracts.governor.connect(caller as never).castVote(1n, true),
        error: notMemberError,
      },
      "execute(uint256)": {
        allowed: members,
        denied: nonMembers,
        call: async (ctx, caller) => {
          for (const voter of [ctx.accounts.tax, ctx.accounts.samr, ctx.accounts.cons, ctx.accounts.fire]) {
            await (await ctx.contracts.governor.connect(voter).castVote(1n, true)).wait();
          }
          return ctx.contracts.governor.connect(caller as never).execute(1n);
        },
        error: notMemberError,
      },
      "cancel(uint256)": {
        allowed: (ctx) => ({ tax: ctx.accounts.tax }),
        denied: (ctx) => ({ samr: ctx.accounts.samr, ...nonMembers(ctx) }),
        call: (ctx, caller) => ctx.contracts.governor.connect(caller as never).cancel(1n),
        error: (ctx, label) => ({
          contract: ctx.contracts.governor,
          name: label === "samr" ? "GovernorNotProposer" : "GovernorCallerNotMember",
        }),
      },
      "setVotingRules((uint16,uint32,uint32,uint32))": {
        allowed: () => ({}),
        denied: (ctx) => ({ ...members(ctx), ...nonMembers(ctx) }),
        call: (ctx, caller) =>
          ctx.contracts.governor.connect(caller as never).setVotingRules(rules([5000, DAY, 0, DAY])),
        error: (ctx) => ({ contract: ctx.contracts.governor, name: "GovernorOnlyGovernance" }),
      },
    },
  });
});
