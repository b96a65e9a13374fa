import { expect } from "chai";
import { id } from "ethers";
import { network } from "hardhat";

import { codeToId, ROLES } from "../../deploy/lib/consortium.js";
import { AUDIT, CONS, deploySystem, FIRE, impersonate, SAMR, TAX } from "../fixtures.js";
import { describeAccess } from "../helpers/access.js";

const connection = await network.create<"l1">();
const { networkHelpers, ethers } = connection;

const NEW = codeToId("NEW");
const ENTERPRISE = id("salt:ACME");
const ENTERPRISE_KIND = 0;
const OTHER_KIND = 0;

async function deployed() {
  const system = await deploySystem(connection);
  const governor = await impersonate(connection, await system.contracts.governor.getAddress());
  // The registry as governance sees it (calls from the governor address, no vote per test).
  const registry = system.contracts.registry.connect(governor);
  return { ...system, governor, registry };
}

const fixture = () => networkHelpers.loadFixture(deployed);

/** Fixture with one registered enterprise (by TAX) holding INVOICE_ISSUER. */
async function withEnterprise() {
  const ctx = await fixture();
  const enterprise = ctx.accounts.enterprises[0];
  await (
    await ctx.registry.connect(ctx.accounts.tax).registerParticipant(ENTERPRISE, enterprise.address, ENTERPRISE_KIND)
  ).wait();
  await (await ctx.registry.connect(ctx.accounts.tax).grantParticipantRole(ENTERPRISE, ROLES.INVOICE_ISSUER)).wait();
  return { ...ctx, enterprise };
}

describe("ConsortiumRegistry", function () {
  describe("deployment", function () {
    it("admits the founding departments with their operators and roles", async function () {
      const { registry, contracts, accounts } = await fixture();
      // Ignition sends the admissions in the order of their future ids.
      expect(await registry.departmentIds()).to.deep.equal([AUDIT, BANK_ID, CONS, FIRE, codeToId("HRSS"), SAMR, TAX]);
      expect(await registry.activeDepartmentCount()).to.equal(7n);
      const tax = await registry.getDepartment(TAX);
      expect(tax.name).to.equal("City Tax Bureau");
      expect(tax.active).to.equal(true);
      expect(tax.operators).to.deep.equal([accounts.tax.address]);
      expect(tax.roles).to.deep.equal([ROLES.GUARDIAN, ROLES.TAX_AUTHORITY]);
      expect(await registry.departmentOf(accounts.tax.address)).to.equal(TAX);
      expect((await contracts.manager.hasRole(ROLES.TAX_AUTHORITY, accounts.tax.address))[0]).to.equal(true);
      expect(await registry.roleAdministrator(ROLES.INVOICE_ISSUER)).to.equal(TAX);
    });

    it("leaves ADMIN with the governor and registry only, not the deployer", async function () {
      const { contracts, accounts } = await fixture();
      const { manager } = contracts;
      expect((await manager.hasRole(ROLES.ADMIN, accounts.deployer.address))[0]).to.equal(false);
      expect((await manager.hasRole(ROLES.ADMIN, await contracts.governor.getAddress()))[0]).to.equal(true);
      expect((await manager.hasRole(ROLES.ADMIN, await contracts.registry.getAddress()))[0]).to.equal(true);
    });
  });

  describe("admitDepartment", function () {
    it("admits a department, maps its operators and counts it active", async function () {
      const { registry, accounts } = await fixture();
      const nonce = await registry.membershipNonce();
      await expect(registry.admitDepartment(NEW, "New Bureau", 9, [accounts.newcomer.address]))
        .to.emit(registry, "DepartmentAdmitted")
        .withArgs(NEW, "New Bureau", 9, [accounts.newcomer.address]);
      expect(await registry.activeDepartmentOf(accounts.newcomer.address)).to.equal(NEW);
      expect(await registry.activeDepartmentCount()).to.equal(8n);
      expect(await registry.membershipNonce()).to.equal(nonce + 1n);
      expect(await registry.activeSince(NEW)).to.equal(nonce + 1n);
    });

    it("rejects a zero id, an existing id, bad operator lists and accounts in use", async function () {
      const { registry, accounts } = await fixture();
      const newcomer = accounts.newcomer.address;
      await expect(registry.admitDepartment(ZERO_ID, "x", 0, [newcomer])).to.be.revertedWithCustomError(
        registry,
        "RegistryInvalidId",
      );
      await expect(registry.admitDepartment(TAX, "again", 0, [newcomer]))
        .to.be.revertedWithCustomError(registry, "RegistryDepartmentExists")
        .withArgs(TAX);
      await expect(registry.admitDepartment(NEW, "none", 0, []))
        .to.be.revertedWithCustomError(registry, "RegistryLimitReached")
        .withArgs(16n);
      const seventeen = Array.from({ length: 17 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, "0")}`);
      await expect(registry.admitDepartment(NEW, "many", 0, seventeen))
        .to.be.revertedWithCustomError(registry, "RegistryLimitReached")
        .withArgs(16n);
      await expect(registry.admitDepartment(NEW, "dup", 0, [newcomer, newcomer]))
        .to.be.revertedWithCustomError(registry, "RegistryAccountInUse")
        .withArgs(newcomer);
      await expect(registry.admitDepartment(NEW, "taken", 0, [accounts.tax.address]))
        .to.be.revertedWithCustomError(registry, "RegistryAccountInUse")
        .withArgs(accounts.tax.address);
      await expect(
        registry.admitDepartment(NEW, "zero", 0, ["0x0000000000000000000000000000000000000000"]),
      ).to.be.revertedWithCustomError(registry, "RegistryInvalidAccount");
    });

    it("stops at MAX_DEPARTMENTS", async function () {
      const { registry } = await fixture();
      const max = Number(await registry.MAX_DEPARTMENTS());
      for (let i = 7; i < max; i++) {
        await (
          await registry.admitDepartment(codeToId(`D${i}`), `D${i}`, 0, [
            `0x${(i + 1000).toString(16).padStart(40, "0")}`,
          ])
        ).wait();
      }
      await expect(registry.admitDepartment(NEW, "one too many", 0, [`0x${(9999).toString(16).padStart(40, "0")}`]))
        .to.be.revertedWithCustomError(registry, "RegistryLimitReached")
        .withArgs(BigInt(max));
    });
  });

  describe("suspendDepartment / reinstateDepartment", function () {
    it("revokes the department's roles from its operators and grants them back", async function () {
      const { registry, contracts, accounts } = await fixture();
      const { manager } = contracts;
      await expect(registry.suspendDepartment(TAX)).to.emit(registry, "DepartmentSuspended").withArgs(TAX);
      expect((await manager.hasRole(ROLES.TAX_AUTHORITY, accounts.tax.address))[0]).to.equal(false);
      expect((await manager.hasRole(ROLES.GUARDIAN, accounts.tax.address))[0]).to.equal(false);
      expect(await registry.activeDepartmentOf(accounts.tax.address)).to.equal(ZERO_ID);
      expect(await registry.departmentOf(accounts.tax.address)).to.equal(TAX);
      expect(await registry.activeDepartmentCount()).to.equal(6n);
      expect(await registry.activeSince(TAX)).to.equal(0n);

      const nonce = await registry.membershipNonce();
      await expect(registry.reinstateDepartment(TAX)).to.emit(registry, "DepartmentReinstated").withArgs(TAX);
      expect((await manager.hasRole(ROLES.TAX_AUTHORITY, accounts.tax.address))[0]).to.equal(true);
      expect(await registry.activeSince(TAX)).to.equal(nonce + 1n);
      expect(await registry.activeDepartmentCount()).to.equal(7n);
    });

    it("rejects suspending a suspended, reinstating an active, or an unknown department", async function () {
      const { registry } = await fixture();
      await (await registry.suspendDepartment(FIRE)).wait();
      await expect(registry.suspendDepartment(FIRE))
        .to.be.revertedWithCustomError(registry, "RegistryDepartmentUnexpectedState")
        .withArgs(FIRE, false);
      await expect(registry.reinstateDepartment(TAX))
        .to.be.revertedWithCustomError(registry, "RegistryDepartmentUnexpectedState")
        .withArgs(TAX, true);
      await expect(registry.suspendDepartment(NEW))
        .to.be.revertedWithCustomError(registry, "RegistryUnknownDepartment")
        .withArgs(NEW);
    });

    it("suspends and reinstates a department of 16 operators x 16 roles by vote well within a 30M-gas block", async function () {
      const ctx = await fixture();
      const { registry, contracts } = ctx;
      const operators = Array.from({ length: 16 }, (_, i) => `0x${(i + 0x900).toString(16).padStart(40, "0")}`);
      await (await registry.admitDepartment(NEW, "Largest", 0, operators)).wait();
      // Department roles with no participant administrator: the named ones and spare ids.
      const roles = [1n, 2n, 3n, 4n, 5n, 10n, 20n, 21n, 30n, 40n, 41n, 50n, 60n, 70n, 80n, 90n];
      for (const role of roles) await (await registry.grantDepartmentRole(NEW, role)).wait();
      expect((await registry.getDepartment(NEW)).roles).to.have.length(16);
      const target = await contracts.registry.getAddress();
      for (const fn of ["suspendDepartment", "reinstateDepartment"] as const) {
        const data = contracts.registry.interface.encodeFunctionData(fn as "suspendDepartment", [NEW]);
        await (await contracts.governor.connect(ctx.accounts.tax).propose([{ target, data }], fn)).wait();
        const proposalId = await contracts.governor.proposalCount();
        const voters = [ctx.accounts.tax, ctx.accounts.samr, ctx.accounts.cons, ctx.accounts.fire, ctx.accounts.bank];
        for (const voter of voters) {
          if ((await contracts.governor.state(proposalId)) !== 1n) break; // passed
          await (await contracts.governor.connect(voter).castVote(proposalId, true)).wait();
        }
        const receipt = await (await contracts.governor.connect(ctx.accounts.tax).execute(proposalId)).wait();
        // 256 AccessManager role changes, the whole proposal: bench:gas has the figure.
        expect(receipt!.gasUsed).to.be.lessThan(10_000_000n);
      }
      expect((await contracts.manager.hasRole(90n, operators[15]))[0]).to.equal(true);
    });

    it("never suspends the last active department", async function () {
      const { registry } = await fixture();
      const ids = await registry.departmentIds();
      for (const departmentId of ids.slice(1)) await (await registry.suspendDepartment(departmentId)).wait();
      await expect(registry.suspendDepartment(ids[0]))
        .to.be.revertedWithCustomError(registry, "RegistryLastActiveDepartment")
        .withArgs(ids[0]);
    });
  });

  describe("addOperator / removeOperator", function () {
    it("gives a new operator the department's roles and takes them away on removal", async function () {
      const { registry, contracts, accounts } = await fixture();
      const newcomer = accounts.newcomer.address;
      await expect(registry.addOperator(TAX, newcomer)).to.emit(registry, "OperatorAdded").withArgs(TAX, newcomer);
      expect((await contracts.manager.hasRole(ROLES.TAX_AUTHORITY, newcomer))[0]).to.equal(true);
      expect(await registry.departmentOf(newcomer)).to.equal(TAX);
      await expect(registry.removeOperator(TAX, newcomer)).to.emit(registry, "OperatorRemoved").withArgs(TAX, newcomer);
      expect((await contracts.manager.hasRole(ROLES.TAX_AUTHORITY, newcomer))[0]).to.equal(false);
      expect(await registry.departmentOf(newcomer)).to.equal(await registry.participantOf(newcomer));
      expect((await registry.getDepartment(TAX)).operators).to.deep.equal([accounts.tax.address]);
    });

    it("adds an operator to a suspended department without granting roles until reinstated", async function () {
      const { registry, contracts, accounts } = await fixture();
      await (await registry.suspendDepartment(TAX)).wait();
      await (await registry.addOperator(TAX, accounts.newcomer.address)).wait();
      expect((await contracts.manager.hasRole(ROLES.TAX_AUTHORITY, accounts.newcomer.address))[0]).to.equal(false);
      await (await registry.reinstateDepartment(TAX)).wait();
      expect((await contracts.manager.hasRole(ROLES.TAX_AUTHORITY, accounts.newcomer.address))[0]).to.equal(true);
    });

    it("takes precedence over a participant registered on the account during the vote", async function () {
      const ctx = await fixture();
      const { contracts, accounts } = ctx;
      const { governor } = contracts;
      const key = accounts.newcomer.address;
      const target = await contracts.registry.getAddress();
      const addOperator = contracts.registry.interface.encodeFunctionData("addOperator", [TAX, key]);
      const admit = contracts.registry.interface.encodeFunctionData("admitDepartment", [NEW, "New", 0, [key]]);
      for (const data of [addOperator, admit]) {
        const snapshot = await networkHelpers.takeSnapshot();
        // The proposal is public: SAMR squats the account before the vote ends, holding a role.
        await (await governor.connect(accounts.tax).propose([{ target, data }], "replace a stolen key")).wait();
        const proposalId = await governor.proposalCount();
        await (
          await contracts.registry.connect(accounts.tax).registerParticipant(ENTERPRISE, key, ENTERPRISE_KIND)
        ).wait();
        await (
          await contracts.registry.connect(accounts.tax).grantParticipantRole(ENTERPRISE, ROLES.INVOICE_ISSUER)
        ).wait();
        for (const voter of [accounts.tax, accounts.samr, accounts.cons, accounts.fire]) {
          await (await governor.connect(voter).castVote(proposalId, true)).wait();
        }
        await expect(governor.connect(accounts.tax).execute(proposalId))
          .to.emit(contracts.registry, "ParticipantAccountReleased")
          .withArgs(ENTERPRISE, key, data === admit ? NEW : TAX);
        expect(await contracts.registry.departmentOf(key)).to.equal(data === admit ? NEW : TAX);
        expect(await contracts.registry.participantOf(key)).to.equal(ethers.ZeroHash);
        expect((await contracts.registry.getParticipant(ENTERPRISE)).active).to.equal(false);
        expect((await contracts.manager.hasRole(ROLES.INVOICE_ISSUER, key))[0]).to.equal(false);
        await expect(contracts.registry.connect(accounts.tax).reinstateParticipant(ENTERPRISE))
          .to.be.revertedWithCustomError(contracts.registry, "RegistryAccountInUse")
          .withArgs(key);
        await snapshot.restore();
      }
    });

    it("rejects accounts in use, non-operators, the last operator and a full department", async function () {
      const { registry, accounts } = await fixture();
      await expect(registry.addOperator(TAX, accounts.samr.address))
        .to.be.revertedWithCustomError(registry, "RegistryAccountInUse")
        .withArgs(accounts.samr.address);
      await expect(registry.removeOperator(TAX, accounts.samr.address))
        .to.be.revertedWithCustomError(registry, "RegistryNotOperator")
        .withArgs(TAX, accounts.samr.address);
      await expect(registry.removeOperator(TAX, accounts.tax.address))
        .to.be.revertedWithCustomError(registry, "RegistryLastOperator")
        .withArgs(TAX);
      await expect(registry.addOperator(NEW, accounts.newcomer.address))
        .to.be.revertedWithCustomError(registry, "RegistryUnknownDepartment")
        .withArgs(NEW);
      for (let i = 1; i < 16; i++)
        await (await registry.addOperator(TAX, `0x${(i + 500).toString(16).padStart(40, "0")}`)).wait();
      await expect(registry.addOperator(TAX, accounts.newcomer.address))
        .to.be.revertedWithCustomError(registry, "RegistryLimitReached")
        .withArgs(16n);
    });
  });

  describe("grantDepartmentRole / revokeDepartmentRole", function () {
    it("grants a role to every operator and revokes it again", async function () {
      const { registry, contracts, accounts } = await fixture();
      await (await registry.addOperator(BANK_ID, accounts.newcomer.address)).wait();
      await expect(registry.grantDepartmentRole(BANK_ID, ROLES.AUDITOR))
        .to.emit(registry, "DepartmentRoleGranted")
        .withArgs(BANK_ID, ROLES.AUDITOR);
      for (const account of [accounts.bank.address, accounts.newcomer.address]) {
        expect((await contracts.manager.hasRole(ROLES.AUDITOR, account))[0]).to.equal(true);
      }
      await expect(registry.revokeDepartmentRole(BANK_ID, ROLES.AUDITOR))
        .to.emit(registry, "DepartmentRoleRevoked")
        .withArgs(BANK_ID, ROLES.AUDITOR);
      for (const account of [accounts.bank.address, accounts.newcomer.address]) {
        expect((await contracts.manager.hasRole(ROLES.AUDITOR, account))[0]).to.equal(false);
      }
      expect((await registry.getDepartment(BANK_ID)).roles).to.deep.equal([ROLES.BANK]);
    });

    it("records a role for a suspended department and grants it on reinstatement", async function () {
      const { registry, contracts, accounts } = await fixture();
      await (await registry.suspendDepartment(BANK_ID)).wait();
      await (await registry.grantDepartmentRole(BANK_ID, ROLES.AUDITOR)).wait();
      expect((await contracts.manager.hasRole(ROLES.AUDITOR, accounts.bank.address))[0]).to.equal(false);
      await (await registry.reinstateDepartment(BANK_ID)).wait();
      expect((await contracts.manager.hasRole(ROLES.AUDITOR, accounts.bank.address))[0]).to.equal(true);
    });

    it("rejects ADMIN, PUBLIC, participant roles, duplicates, missing roles and too many roles", async function () {
      const { registry } = await fixture();
      for (const role of [ROLES.ADMIN, ROLES.PUBLIC, ROLES.INVOICE_ISSUER]) {
        await expect(registry.grantDepartmentRole(TAX, role))
          .to.be.revertedWithCustomError(registry, "RegistryRoleNotAllowed")
          .withArgs(role);
      }
      await expect(registry.grantDepartmentRole(TAX, ROLES.TAX_AUTHORITY))
        .to.be.revertedWithCustomError(registry, "RegistryRoleAlreadyGranted")
        .withArgs(TAX, ROLES.TAX_AUTHORITY);
      await expect(registry.revokeDepartmentRole(TAX, ROLES.BANK))
        .to.be.revertedWithCustomError(registry, "RegistryRoleNotGranted")
        .withArgs(TAX, ROLES.BANK);
      // TAX holds roles 1 and 10; fourteen more fill its sixteen places.
      for (const role of [2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 11n, 12n, 13n, 14n, 15n, 16n]) {
        await (await registry.grantDepartmentRole(TAX, role)).wait();
      }
      await expect(registry.grantDepartmentRole(TAX, 17n))
        .to.be.revertedWithCustomError(registry, "RegistryLimitReached")
        .withArgs(16n);
    });
  });

  describe("setRoleAdministrator", function () {
    it("sets and clears the department administering a participant role", async function () {
      const { registry } = await fixture();
      await expect(registry.setRoleAdministrator(150n, SAMR))
        .to.emit(registry, "RoleAdministratorSet")
        .withArgs(150n, SAMR);
      expect(await registry.roleAdministrator(150n)).to.equal(SAMR);
      await (await registry.setRoleAdministrator(150n, ZERO_ID)).wait();
      expect(await registry.roleAdministrator(150n)).to.equal(ZERO_ID);
    });

    it("rejects ADMIN, PUBLIC and unknown departments", async function () {
      const { registry } = await fixture();
      await expect(registry.setRoleAdministrator(ROLES.ADMIN, TAX)).to.be.revertedWithCustomError(
        registry,
        "RegistryRoleNotAllowed",
      );
      await expect(registry.setRoleAdministrator(ROLES.PUBLIC, TAX)).to.be.revertedWithCustomError(
        registry,
        "RegistryRoleNotAllowed",
      );
      await expect(registry.setRoleAdministrator(150n, NEW)).to.be.revertedWithCustomError(
        registry,
        "RegistryUnknownDepartment",
      );
    });
  });

  describe("registerParticipant", function () {
    it("registers a participant with the caller's department as registrar", async function () {
      const { registry, accounts } = await fixture();
      const enterprise = accounts.enterprises[0].address;
      await expect(registry.connect(accounts.tax).registerParticipant(ENTERPRISE, enterprise, ENTERPRISE_KIND))
        .to.emit(registry, "ParticipantRegistered")
        .withArgs(ENTERPRISE, enterprise, TAX, ENTERPRISE_KIND);
      const participant = await registry.getParticipant(ENTERPRISE);
      expect(participant.account).to.equal(enterprise);
      expect(participant.registrar).to.equal(TAX);
      expect(participant.active).to.equal(true);
      expect(await registry.participantOf(enterprise)).to.equal(ENTERPRISE);
      expect(await registry.activeParticipantOf(enterprise)).to.equal(ENTERPRISE);
    });

    it("rejects callers that are no active department, zero ids, duplicates and accounts in use", async function () {
      const { registry, accounts } = await withEnterprise();
      const other = accounts.enterprises[1].address;
      await expect(registry.connect(accounts.stranger).registerParticipant(id("x"), other, OTHER_KIND))
        .to.be.revertedWithCustomError(registry, "RegistryCallerNotDepartment")
        .withArgs(accounts.stranger.address);
      await expect(
        registry.connect(accounts.enterprises[0]).registerParticipant(id("x"), other, OTHER_KIND),
      ).to.be.revertedWithCustomError(registry, "RegistryCallerNotDepartment");
      await expect(
        registry.connect(accounts.tax).registerParticipant(ZERO_ID, other, OTHER_KIND),
      ).to.be.revertedWithCustomError(registry, "RegistryInvalidId");
      await expect(registry.connect(accounts.tax).registerParticipant(ENTERPRISE, other, OTHER_KIND))
        .to.be.revertedWithCustomError(registry, "RegistryParticipantExists")
        .withArgs(ENTERPRISE);
      await expect(
        registry.connect(accounts.samr).registerParticipant(id("y"), accounts.enterprises[0].address, OTHER_KIND),
      )
        .to.be.revertedWithCustomError(registry, "RegistryAccountInUse")
        .withArgs(accounts.enterprises[0].address);
      await expect(registry.connect(accounts.samr).registerParticipant(id("y"), accounts.tax.address, OTHER_KIND))
        .to.be.revertedWithCustomError(registry, "RegistryAccountInUse")
        .withArgs(accounts.tax.address);
      await (await registry.suspendDepartment(SAMR)).wait();
      await expect(registry.connect(accounts.samr).registerParticipant(id("z"), other, OTHER_KIND))
        .to.be.revertedWithCustomError(registry, "RegistryCallerNotDepartment")
        .withArgs(accounts.samr.address);
    });
  });

  describe("suspendParticipant / reinstateParticipant", function () {
    it("revokes every role of the participant and grants them back", async function () {
      const { registry, contracts, accounts, enterprise } = await withEnterprise();
      await expect(registry.connect(accounts.tax).suspendParticipant(ENTERPRISE))
        .to.emit(registry, "ParticipantSuspended")
        .withArgs(ENTERPRISE, TAX);
      expect((await contracts.manager.hasRole(ROLES.INVOICE_ISSUER, enterprise.address))[0]).to.equal(false);
      expect(await registry.activeParticipantOf(enterprise.address)).to.equal(ZERO_ID);
      await expect(registry.connect(accounts.tax).reinstateParticipant(ENTERPRISE))
        .to.emit(registry, "ParticipantReinstated")
        .withArgs(ENTERPRISE, TAX);
      expect((await contracts.manager.hasRole(ROLES.INVOICE_ISSUER, enterprise.address))[0]).to.equal(true);
    });

    it("is the registrar's alone, and only from the opposite state", async function () {
      const { registry, accounts } = await withEnterprise();
      await expect(registry.connect(accounts.samr).suspendParticipant(ENTERPRISE))
        .to.be.revertedWithCustomError(registry, "RegistryNotRegistrar")
        .withArgs(ENTERPRISE, SAMR);
      await expect(registry.connect(accounts.tax).reinstateParticipant(ENTERPRISE))
        .to.be.revertedWithCustomError(registry, "RegistryParticipantUnexpectedState")
        .withArgs(ENTERPRISE, true);
      await expect(registry.connect(accounts.tax).suspendParticipant(id("nobody")))
        .to.be.revertedWithCustomError(registry, "RegistryUnknownParticipant")
        .withArgs(id("nobody"));
    });
  });

  describe("grantParticipantRole / revokeParticipantRole", function () {
    it("lets the role's administrator grant and revoke it without a vote", async function () {
      const { registry, contracts, accounts, enterprise } = await withEnterprise();
      await expect(registry.connect(accounts.tax).grantParticipantRole(ENTERPRISE, ROLES.INVOICE_RECEIVER))
        .to.emit(registry, "ParticipantRoleGranted")
        .withArgs(ENTERPRISE, ROLES.INVOICE_RECEIVER, TAX);
      expect((await contracts.manager.hasRole(ROLES.INVOICE_RECEIVER, enterprise.address))[0]).to.equal(true);
      // A participant registered by TAX can get a construction role from CONS.
      await (await registry.connect(accounts.cons).grantParticipantRole(ENTERPRISE, ROLES.CONTRACTOR)).wait();
      await expect(registry.connect(accounts.tax).revokeParticipantRole(ENTERPRISE, ROLES.INVOICE_ISSUER))
        .to.emit(registry, "ParticipantRoleRevoked")
        .withArgs(ENTERPRISE, ROLES.INVOICE_ISSUER, TAX);
      expect((await contracts.manager.hasRole(ROLES.INVOICE_ISSUER, enterprise.address))[0]).to.equal(false);
      expect((await registry.getParticipant(ENTERPRISE)).roles).to.deep.equal([
        ROLES.CONTRACTOR,
        ROLES.INVOICE_RECEIVER,
      ]);
    });

    it("rejects other departments, suspended participants, duplicates, missing roles and too many roles", async function () {
      const { registry, accounts } = await withEnterprise();
      await expect(registry.connect(accounts.samr).grantParticipantRole(ENTERPRISE, ROLES.INVOICE_RECEIVER))
        .to.be.revertedWithCustomError(registry, "RegistryNotRoleAdministrator")
        .withArgs(ROLES.INVOICE_RECEIVER, SAMR);
      await expect(registry.connect(accounts.tax).grantParticipantRole(ENTERPRISE, ROLES.TAX_AUTHORITY))
        .to.be.revertedWithCustomError(registry, "RegistryNotRoleAdministrator")
        .withArgs(ROLES.TAX_AUTHORITY, TAX);
      await expect(registry.connect(accounts.tax).grantParticipantRole(ENTERPRISE, ROLES.INVOICE_ISSUER))
        .to.be.revertedWithCustomError(registry, "RegistryRoleAlreadyGranted")
        .withArgs(ENTERPRISE, ROLES.INVOICE_ISSUER);
      await expect(registry.connect(accounts.tax).revokeParticipantRole(ENTERPRISE, ROLES.INVOICE_RECEIVER))
        .to.be.revertedWithCustomError(registry, "RegistryRoleNotGranted")
        .withArgs(ENTERPRISE, ROLES.INVOICE_RECEIVER);
      await expect(
        registry.connect(accounts.tax).grantParticipantRole(id("nobody"), ROLES.INVOICE_RECEIVER),
      ).to.be.revertedWithCustomError(registry, "RegistryUnknownParticipant");
      for (let role = 150n; role < 158n; role++) await (await registry.setRoleAdministrator(role, TAX)).wait();
      for (let role = 150n; role < 157n; role++)
        await (await registry.connect(accounts.tax).grantParticipantRole(ENTERPRISE, role)).wait();
      await expect(registry.connect(accounts.tax).grantParticipantRole(ENTERPRISE, 157n))
        .to.be.revertedWithCustomError(registry, "RegistryLimitReached")
        .withArgs(8n);
      await (await registry.connect(accounts.tax).suspendParticipant(ENTERPRISE)).wait();
      await expect(registry.connect(accounts.tax).grantParticipantRole(ENTERPRISE, ROLES.INVOICE_RECEIVER))
        .to.be.revertedWithCustomError(registry, "RegistryParticipantUnexpectedState")
        .withArgs(ENTERPRISE, false);
    });
  });

  describe("views", function () {
    it("reverts for unknown departments and participants", async function () {
      const { registry } = await fixture();
      await expect(registry.getDepartment(NEW))
        .to.be.revertedWithCustomError(registry, "RegistryUnknownDepartment")
        .withArgs(NEW);
      await expect(registry.getParticipant(ENTERPRISE))
        .to.be.revertedWithCustomError(registry, "RegistryUnknownParticipant")
        .withArgs(ENTERPRISE);
    });
  });

  const governance = (ctx: Awaited<ReturnType<typeof deployed>>) => ({ governor: ctx.governor });
  const outsiders = (ctx: Awaited<ReturnType<typeof deployed>>) => ({
    deployer: ctx.accounts.deployer,
    tax: ctx.accounts.tax,
    stranger: ctx.accounts.stranger,
  });
  const departmentError = (ctx: Awaited<ReturnType<typeof deployed>>, label: string) => ({
    contract: ctx.registry,
    name: label === "samr" ? "RegistryNotRegistrar" : "RegistryCallerNotDepartment",
  });
  const administratorError = (ctx: Awaited<ReturnType<typeof deployed>>, label: string) => ({
    contract: ctx.registry,
    name: label === "samr" ? "RegistryNotRoleAdministrator" : "RegistryCallerNotDepartment",
  });

  describeAccess("ConsortiumRegistry", {
    fixture: withEnterprise,
    contract: (ctx) => ctx.registry,
    cases: {
      "admitDepartment(bytes32,string,uint8,address[])": {
        allowed: governance,
        denied: outsiders,
        call: (ctx, caller) =>
          ctx.registry.connect(caller as never).admitDepartment(NEW, "New", 0, [ctx.accounts.newcomer.address]),
      },
      "suspendDepartment(bytes32)": {
        allowed: governance,
        denied: outsiders,
        call: (ctx, caller) => ctx.registry.connect(caller as never).suspendDepartment(FIRE),
      },
      "reinstateDepartment(bytes32)": {
        allowed: governance,
        denied: outsiders,
        call: async (ctx, caller) => {
          await (await ctx.registry.suspendDepartment(FIRE)).wait();
          return ctx.registry.connect(caller as never).reinstateDepartment(FIRE);
        },
      },
      "addOperator(bytes32,address)": {
        allowed: governance,
        denied: outsiders,
        call: (ctx, caller) => ctx.registry.connect(caller as never).addOperator(FIRE, ctx.accounts.newcomer.address),
      },
      "removeOperator(bytes32,address)": {
        allowed: governance,
        denied: outsiders,
        call: async (ctx, caller) => {
          await (await ctx.registry.addOperator(FIRE, ctx.accounts.newcomer.address)).wait();
          return ctx.registry.connect(caller as never).removeOperator(FIRE, ctx.accounts.newcomer.address);
        },
      },
      "grantDepartmentRole(bytes32,uint64)": {
        allowed: governance,
        denied: outsiders,
        call: (ctx, caller) => ctx.registry.connect(caller as never).grantDepartmentRole(FIRE, ROLES.AUDITOR),
      },
      "revokeDepartmentRole(bytes32,uint64)": {
        allowed: governance,
        denied: outsiders,
        call: (ctx, caller) => ctx.registry.connect(caller as never).revokeDepartmentRole(FIRE, ROLES.LICENCE_USER),
      },
      "setValidatorSet(address)": {
        allowed: governance,
        denied: outsiders,
        call: (ctx, caller) =>
          ctx.registry.connect(caller as never).setValidatorSet(ctx.summary.contracts.validatorSet.address),
      },
      "setRoleAdministrator(uint64,bytes32)": {
        allowed: governance,
        denied: outsiders,
        call: (ctx, caller) => ctx.registry.connect(caller as never).setRoleAdministrator(150n, FIRE),
      },
      "setAuthority(address)": {
        allowed: () => ({}),
        denied: (ctx) => ({ ...outsiders(ctx), governor: ctx.governor }),
        call: (ctx, caller) => ctx.registry.connect(caller as never).setAuthority(ctx.accounts.stranger.address),
      },
      "registerParticipant(bytes32,address,uint8)": {
        allowed: (ctx) => ({ tax: ctx.accounts.tax, cons: ctx.accounts.cons, audit: ctx.accounts.audit }),
        denied: (ctx) => ({ enterprise: ctx.enterprise, stranger: ctx.accounts.stranger, governor: ctx.governor }),
        call: (ctx, caller) =>
          ctx.registry.connect(caller as never).registerParticipant(id("other"), ctx.accounts.newcomer.address, 1),
        error: (ctx) => ({ contract: ctx.registry, name: "RegistryCallerNotDepartment" }),
      },
      "suspendParticipant(bytes32)": {
        allowed: (ctx) => ({ tax: ctx.accounts.tax }),
        denied: (ctx) => ({ samr: ctx.accounts.samr, enterprise: ctx.enterprise, stranger: ctx.accounts.stranger }),
        call: (ctx, caller) => ctx.registry.connect(caller as never).suspendParticipant(ENTERPRISE),
        error: departmentError,
      },
      "reinstateParticipant(bytes32)": {
        allowed: (ctx) => ({ tax: ctx.accounts.tax }),
        denied: (ctx) => ({ samr: ctx.accounts.samr, enterprise: ctx.enterprise, stranger: ctx.accounts.stranger }),
        call: async (ctx, caller) => {
          await (await ctx.registry.connect(ctx.accounts.tax).suspendParticipant(ENTERPRISE)).wait();
          return ctx.registry.connect(caller as never).reinstateParticipant(ENTERPRISE);
        },
        error: departmentError,
      },
      "grantParticipantRole(bytes32,uint64)": {
        allowed: (ctx) => ({ tax: ctx.accounts.tax }),
        denied: (ctx) => ({ samr: ctx.accounts.samr, enterprise: ctx.enterprise, stranger: ctx.accounts.stranger }),
        call: (ctx, caller) =>
          ctx.registry.connect(caller as never).grantParticipantRole(ENTERPRISE, ROLES.INVOICE_RECEIVER),
        error: administratorError,
      },
      "revokeParticipantRole(bytes32,uint64)": {
        allowed: (ctx) => ({ tax: ctx.accounts.tax }),
        denied: (ctx) => ({ samr: ctx.accounts.samr, enterprise: ctx.enterprise, stranger: ctx.accounts.stranger }),
        call: (ctx, caller) =>
          ctx.registry.connect(caller as never).revokeParticipantRole(ENTERPRISE, ROLES.INVOICE_ISSUER),
        error: administratorError,
      },
    },
  });
});

const BANK_ID = codeToId("BANK");
const ZERO_ID = `0x${"0".repeat(64)}`;
