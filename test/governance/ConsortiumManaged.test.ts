import { expect } from "chai";
import { id } from "ethers";
import { network } from "hardhat";

import { ROLES } from "../../deploy/lib/consortium.js";
import { selectors } from "../../deploy/modules/governance.js";
import { deploySystem, impersonate, passProposal, TAX } from "../fixtures.js";
import { describeAccess } from "../helpers/access.js";

const connection = await network.create<"l1">();
const { networkHelpers, ethers } = connection;

const ENTERPRISE = id("salt:ACME");

/**
 * A minimal domain contract (ManagedTargetMock) wired by a vote the way the deploy module wires
 * real ones: touch() to TAX_AUTHORITY, touchAsParticipant() to INVOICE_ISSUER, pause() to GUARDIAN,
 * unpause() left to ADMIN.
 */
async function deployed() {
  const system = await deploySystem(connection);
  const { manager, registry } = system.contracts;
  const target = await ethers.deployContract("ManagedTargetMock", [
    await manager.getAddress(),
    await registry.getAddress(),
  ]);
  const address = await target.getAddress();
  const wire = (signatures: string[], role: bigint) => ({
    target: system.summary.contracts.manager.address,
    data: manager.interface.encodeFunctionData("setTargetFunctionRole", [address, selectors(...signatures), role]),
  });
  await (
    await passProposal(system, [
      wire(["touch(uint256)"], ROLES.TAX_AUTHORITY),
      wire(["touchAsParticipant(uint256)"], ROLES.INVOICE_ISSUER),
      wire(["pause()"], ROLES.GUARDIAN),
    ])
  ).wait();
  const enterprise = system.accounts.enterprises[0];
  await (await registry.connect(system.accounts.tax).registerParticipant(ENTERPRISE, enterprise.address, 0)).wait();
  await (await registry.connect(system.accounts.tax).grantParticipantRole(ENTERPRISE, ROLES.INVOICE_ISSUER)).wait();
  const unpause = { target: address, data: target.interface.encodeFunctionData("unpause") };
  return { ...system, target, enterprise, unpause };
}

const fixture = () => networkHelpers.loadFixture(deployed);
type Ctx = Awaited<ReturnType<typeof deployed>>;

describe("ConsortiumManaged", function () {
  describe("attribution", function () {
    it("attributes a department's call to the department", async function () {
      const { target, accounts } = await fixture();
      await expect(target.connect(accounts.tax).touch(7n)).to.emit(target, "Touched").withArgs(TAX, 7n);
      expect(await target.value()).to.equal(7n);
    });

    it("attributes a participant's call to the participant", async function () {
      const { target, enterprise } = await fixture();
      await expect(target.connect(enterprise).touchAsParticipant(8n))
        .to.emit(target, "TouchedByParticipant")
        .withArgs(ENTERPRISE, 8n);
    });

    it("refuses a suspended department's operator and a suspended participant", async function () {
      const ctx = await fixture();
      const { target, accounts, enterprise, contracts } = ctx;
      await (await contracts.registry.connect(accounts.tax).suspendParticipant(ENTERPRISE)).wait();
      await expect(target.connect(enterprise).touchAsParticipant(1n))
        .to.be.revertedWithCustomError(target, "AccessManagedUnauthorized")
        .withArgs(enterprise.address);
      const suspend = {
        target: ctx.summary.contracts.registry.address,
        data: contracts.registry.interface.encodeFunctionData("suspendDepartment", [TAX]),
      };
      await (await passProposal(ctx, [suspend])).wait();
      await expect(target.connect(accounts.tax).touch(1n))
        .to.be.revertedWithCustomError(target, "AccessManagedUnauthorized")
        .withArgs(accounts.tax.address);
    });
  });

  describe("defence in depth", function () {
    it("refuses a role holder that the registry does not know, even if the AccessManager lets it in", async function () {
      const ctx = await fixture();
      const { target, accounts, contracts } = ctx;
      const grant = (role: bigint) => ({
        target: ctx.summary.contracts.manager.address,
        data: contracts.manager.interface.encodeFunctionData("grantRole", [role, accounts.stranger.address, 0]),
      });
      await (await passProposal(ctx, [grant(ROLES.TAX_AUTHORITY), grant(ROLES.INVOICE_ISSUER)])).wait();
      await expect(target.connect(accounts.stranger).touch(1n))
        .to.be.revertedWithCustomError(target, "ConsortiumCallerNotDepartment")
        .withArgs(accounts.stranger.address);
      await expect(target.connect(accounts.stranger).touchAsParticipant(1n))
        .to.be.revertedWithCustomError(target, "ConsortiumCallerNotParticipant")
        .withArgs(accounts.stranger.address);
      expect(await target.registry()).to.equal(ctx.summary.contracts.registry.address);
    });
  });

  describe("pause / unpause", function () {
    it("lets a guardian pause at once and takes a vote to unpause", async function () {
      const ctx = await fixture();
      const { target, accounts } = ctx;
      await expect(target.connect(accounts.audit).pause()).to.emit(target, "Paused").withArgs(accounts.audit.address);
      await expect(target.connect(accounts.tax).touch(1n)).to.be.revertedWithCustomError(target, "EnforcedPause");
      await expect(target.connect(accounts.audit).unpause())
        .to.be.revertedWithCustomError(target, "AccessManagedUnauthorized")
        .withArgs(accounts.audit.address);
      await expect(passProposal(ctx, [ctx.unpause]))
        .to.emit(target, "Unpaused")
        .withArgs(ctx.summary.contracts.governor.address);
      await expect(target.connect(accounts.tax).touch(2n)).to.emit(target, "Touched");
    });

    it("refuses a suspended department's guardian even if the role was granted back in the AccessManager", async function () {
      const ctx = await fixture();
      const { target, accounts, contracts } = ctx;
      const governor = await impersonate(connection, ctx.summary.contracts.governor.address);
      await (await contracts.registry.connect(governor).suspendDepartment(TAX)).wait();
      // Past the registry: the role is held again, but the department is still suspended.
      await (await contracts.manager.connect(governor).grantRole(ROLES.GUARDIAN, accounts.tax.address, 0)).wait();
      await expect(target.connect(accounts.tax).pause())
        .to.be.revertedWithCustomError(target, "ConsortiumCallerNotDepartment")
        .withArgs(accounts.tax.address);
    });

    it("keeps governance working while domain contracts are paused", async function () {
      const ctx = await fixture();
      await (await ctx.target.connect(ctx.accounts.tax).pause()).wait();
      await expect(passProposal(ctx, [ctx.unpause])).to.emit(ctx.contracts.governor, "ProposalExecuted");
      expect(await ctx.target.paused()).to.equal(false);
    });
  });

  describeAccess("ManagedTargetMock", {
    fixture,
    contract: (ctx: Ctx) => ctx.target,
    cases: {
      "pause()": {
        allowed: (ctx) => ({ tax: ctx.accounts.tax, audit: ctx.accounts.audit }),
        denied: (ctx) => ({ samr: ctx.accounts.samr, enterprise: ctx.enterprise, stranger: ctx.accounts.stranger }),
        call: (ctx, caller) => ctx.target.connect(caller as never).pause(),
      },
      "unpause()": {
        allowed: () => ({}),
        denied: (ctx) => ({ tax: ctx.accounts.tax, audit: ctx.accounts.audit, stranger: ctx.accounts.stranger }),
        call: async (ctx, caller) => {
          await (await ctx.target.connect(ctx.accounts.audit).pause()).wait();
          return ctx.target.connect(caller as never).unpause();
        },
      },
      "touch(uint256)": {
        allowed: (ctx) => ({ tax: ctx.accounts.tax }),
        denied: (ctx) => ({ samr: ctx.accounts.samr, enterprise: ctx.enterprise, stranger: ctx.accounts.stranger }),
        call: (ctx, caller) => ctx.target.connect(caller as never).touch(1n),
      },
      "touchAsParticipant(uint256)": {
        allowed: (ctx) => ({ enterprise: ctx.enterprise }),
        denied: (ctx) => ({ tax: ctx.accounts.tax, stranger: ctx.accounts.stranger }),
        call: (ctx, caller) => ctx.target.connect(caller as never).touchAsParticipant(1n),
      },
      "setAuthority(address)": {
        allowed: () => ({}),
        denied: (ctx) => ({ tax: ctx.accounts.tax, stranger: ctx.accounts.stranger }),
        call: (ctx, caller) => ctx.target.connect(caller as never).setAuthority(ctx.accounts.stranger.address),
      },
    },
  });
});
