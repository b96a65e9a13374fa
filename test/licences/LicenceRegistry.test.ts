import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { network } from "hardhat";

import { CONS, deploySystem, FIRE, passProposal, SAMR, TAX } from "../fixtures.js";
import {
  BUSINESS_REGISTRATION,
  DAY,
  documentHash,
  FIRE_SAFETY,
  FOOD_BUSINESS,
  licenceId,
  licenceIdOf,
  purpose,
  reference,
  referenceOf,
  signConsent,
  STATUS,
  withCallers,
  YEAR,
} from "./helpers.js";

const connection = await network.create<"l1">();
const { ethers, networkHelpers } = connection;
const { time } = networkHelpers;

const REG = licenceId("REG-001", SAMR);
const FOOD = licenceId("FOOD-001", SAMR);
const FIRE_CERT = licenceId("FIRE-001", FIRE);
const INSPECTION = purpose("FOOD_SAFETY_INSPECTION");
const PERMIT_CHECK = purpose("BUILDING_PERMIT_CHECK");
const FRAUD = purpose("FRAUD");
const ZERO = ethers.ZeroHash;

/**
 * The deployed system with three licences of enterprise 0: its business registration (SAMR, no
 * consent needed), its food business licence (SAMR, consent needed, depends on the registration)
 * and its fire safety certificate (FIRE, consent needed).
 */
async function deployed() {
  const system = await withCallers(connection, await deploySystem(connection));
  const { licenceRegistry } = system.contracts;
  const { samr, fire } = system.accounts;
  const holder = system.accounts.enterprises[0];
  await (
    await licenceRegistry
      .connect(samr)
      .issue(referenceOf(REG), BUSINESS_REGISTRATION, holder.address, documentHash("reg-v1"), 0, 0, [])
  ).wait();
  await (
    await licenceRegistry
      .connect(samr)
      .issue(referenceOf(FOOD), FOOD_BUSINESS, holder.address, documentHash("food-v1"), 0, 0, [REG])
  ).wait();
  await (
    await licenceRegistry
      .connect(fire)
      .issue(referenceOf(FIRE_CERT), FIRE_SAFETY, holder.address, documentHash("fire-v1"), 0, 0, [])
  ).wait();
  return { ...system, holder, other: system.accounts.enterprises[1] };
}

const fixture = () => networkHelpers.loadFixture(deployed);
type Ctx = Awaited<ReturnType<typeof deployed>>;

/** The next block's timestamp, fixed so that events can be matched exactly. */
async function nextTimestamp(offset = 1): Promise<number> {
  const t = (await time.latest()) + offset;
  await time.setNextBlockTimestamp(t);
  return t;
}

async function consentSignature(ctx: Ctx, departmentId: string, id = FOOD, deadlineOffset = DAY) {
  const { licenceRegistry } = ctx.contracts;
  const until = BigInt((await time.latest()) + 30 * DAY);
  const nonce = await licenceRegistry.nonces(ctx.holder.address);
  const deadline = BigInt((await time.latest()) + deadlineOffset);
  const signature = await signConsent(ctx.holder, licenceRegistry, {
    licenceId: id,
    departmentId,
    purpose: INSPECTION,
    until,
    nonce,
    deadline,
  });
  return { until, nonce, deadline, signature };
}

describe("LicenceRegistry", function () {
  describe("setLicenceType", function () {
    it("defines a type by a consortium vote", async function () {
      const system = await fixture();
      const { licenceRegistry } = system.contracts;
      const type = purpose("STREET_VENDOR");
      const data = licenceRegistry.interface.encodeFunctionData("setLicenceType", [type, 2 * YEAR, true]);
      await expect(passProposal(system, [{ target: await licenceRegistry.getAddress(), data }]))
        .to.emit(licenceRegistry, "LicenceTypeSet")
        .withArgs(type, 2 * YEAR, true);
      const stored = await licenceRegistry.licenceType(type);
      expect(stored.defaultValidity).to.equal(2 * YEAR);
      expect(stored.consentRequired).to.equal(true);
    });

    it("changes the consent requirement of licences already issued", async function () {
      const { contracts, accounts, governance } = await fixture();
      const { licenceRegistry } = contracts;
      await licenceRegistry.connect(accounts.cons).use(REG, PERMIT_CHECK);
      await licenceRegistry.connect(governance).setLicenceType(BUSINESS_REGISTRATION, 10 * YEAR, true);
      await expect(licenceRegistry.connect(accounts.cons).use(REG, PERMIT_CHECK))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceNoConsent")
        .withArgs(REG, CONS, PERMIT_CHECK);
    });

    it("rejects a zero id and a zero or out-of-range validity", async function () {
      const { contracts, governance } = await fixture();
      const { licenceRegistry } = contracts;
      await expect(licenceRegistry.connect(governance).setLicenceType(ZERO, YEAR, false)).to.be.revertedWithCustomError(
        licenceRegistry,
        "LicenceInvalidId",
      );
      await expect(licenceRegistry.connect(governance).setLicenceType(FIRE_SAFETY, 0, false))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceInvalidType")
        .withArgs(FIRE_SAFETY, 0);
      await expect(licenceRegistry.connect(governance).setLicenceType(FIRE_SAFETY, 2n ** 40n, false))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceInvalidType")
        .withArgs(FIRE_SAFETY, 2n ** 40n);
    });
  });

  describe("setTrustedIssuer", function () {
    it("trusts a department for a type by a consortium vote, after which it issues", async function () {
      const system = await fixture();
      const { licenceRegistry } = system.contracts;
      const data = licenceRegistry.interface.encodeFunctionData("setTrustedIssuer", [FIRE_SAFETY, CONS, true]);
      await expect(passProposal(system, [{ target: await licenceRegistry.getAddress(), data }]))
        .to.emit(licenceRegistry, "TrustedIssuerSet")
        .withArgs(FIRE_SAFETY, CONS, true);
      expect(await licenceRegistry.isTrustedIssuer(FIRE_SAFETY, CONS)).to.equal(true);
      // CONS holds LICENCE_USER but not LICENCE_AUTHORITY: trust alone does not let it issue.
      await expect(
        licenceRegistry
          .connect(system.accounts.cons)
          .issue(reference("X"), FIRE_SAFETY, system.holder.address, documentHash("x"), 0, 0, []),
      ).to.be.revertedWithCustomError(licenceRegistry, "AccessManagedUnauthorized");
    });

    it("rejects an unknown type and a zero department", async function () {
      const { contracts, governance } = await fixture();
      const { licenceRegistry } = contracts;
      const unknown = purpose("UNKNOWN");
      await expect(licenceRegistry.connect(governance).setTrustedIssuer(unknown, SAMR, true))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceUnknownType")
        .withArgs(unknown);
      await expect(
        licenceRegistry.connect(governance).setTrustedIssuer(FIRE_SAFETY, ZERO, true),
      ).to.be.revertedWithCustomError(licenceRegistry, "LicenceInvalidId");
    });

    it("withdraws nothing from a department never trusted", async function () {
      const { contracts, accounts, holder, governance } = await fixture();
      const { licenceRegistry } = contracts;
      await expect(licenceRegistry.connect(governance).setTrustedIssuer(FOOD_BUSINESS, FIRE, false))
        .to.emit(licenceRegistry, "TrustedIssuerSet")
        .withArgs(FOOD_BUSINESS, FIRE, false);
      expect(await licenceRegistry.isTrustedIssuer(FOOD_BUSINESS, FIRE)).to.equal(false);
      await licenceRegistry.connect(governance).setTrustedIssuer(FOOD_BUSINESS, FIRE, true);
      const id = licenceId("FOOD-BY-FIRE", FIRE);
      await licenceRegistry
        .connect(accounts.fire)
        .issue(referenceOf(id), FOOD_BUSINESS, holder.address, documentHash("f"), 0, 0, []);
      const licence = await licenceRegistry.getLicence(id);
      expect([licence.typeId, licence.issuer]).to.deep.equal([FOOD_BUSINESS, FIRE]);
    });

    it("trusts at most MAX_ISSUERS_PER_TYPE departments per type", async function () {
      const { contracts, governance } = await fixture();
      const { licenceRegistry } = contracts;
      // FIRE is trusted already; 31 more fill the list.
      for (let i = 1; i < 32; ++i) {
        await licenceRegistry.connect(governance).setTrustedIssuer(FIRE_SAFETY, purpose(`DEPT_${i}`), true);
      }
      await expect(licenceRegistry.connect(governance).setTrustedIssuer(FIRE_SAFETY, purpose("DEPT_32"), true))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceLimitReached")
        .withArgs(32);
      // Changing the trust of a department already listed still works.
      await licenceRegistry.connect(governance).setTrustedIssuer(FIRE_SAFETY, purpose("DEPT_1"), false);
      expect(await licenceRegistry.isTrustedIssuer(FIRE_SAFETY, purpose("DEPT_1"))).to.equal(false);
    });

    describe("when trust is withdrawn", function () {
      async function withdrawn() {
        const system = await fixture();
        const { licenceRegistry } = system.contracts;
        const data = licenceRegistry.interface.encodeFunctionData("setTrustedIssuer", [FIRE_SAFETY, FIRE, false]);
        await expect(passProposal(system, [{ target: await licenceRegistry.getAddress(), data }]))
          .to.emit(licenceRegistry, "TrustedIssuerSet")
          .withArgs(FIRE_SAFETY, FIRE, false);
        return system;
      }

      it("stops the department issuing that type", async function () {
        const { contracts, accounts, holder } = await withdrawn();
        await expect(
          contracts.licenceRegistry
            .connect(accounts.fire)
            .issue(reference("FIRE-002"), FIRE_SAFETY, holder.address, documentHash("f2"), 0, 0, []),
        )
          .to.be.revertedWithCustomError(contracts.licenceRegistry, "LicenceUntrustedIssuer")
          .withArgs(FIRE_SAFETY, FIRE);
        expect(await contracts.licenceRegistry.isTrustedIssuer(FIRE_SAFETY, FIRE)).to.equal(false);
      });

      it("leaves licences it issued valid and usable until they expire", async function () {
        const { contracts, accounts, holder } = await withdrawn();
        const { licenceRegistry } = contracts;
        expect(await licenceRegistry.isValid(FIRE_CERT)).to.equal(true);
        expect((await licenceRegistry.getLicence(FIRE_CERT)).issuer).to.equal(FIRE);
        const until = (await time.latest()) + DAY;
        await licenceRegistry.connect(holder).grantConsent(FIRE_CERT, SAMR, INSPECTION, until);
        await expect(licenceRegistry.connect(accounts.samr).use(FIRE_CERT, INSPECTION)).to.emit(
          licenceRegistry,
          "LicenceUsed",
        );
        await time.increase(YEAR);
        expect(await licenceRegistry.statusOf(FIRE_CERT)).to.equal(STATUS.Expired);
      });

      it("stops renewals of them but not suspension, reinstatement or revocation", async function () {
        const { contracts, accounts } = await withdrawn();
        const { licenceRegistry } = contracts;
        await expect(licenceRegistry.connect(accounts.fire).renew(FIRE_CERT, documentHash("fire-v2"), 0))
          .to.be.revertedWithCustomError(licenceRegistry, "LicenceUntrustedIssuer")
          .withArgs(FIRE_SAFETY, FIRE);
        await licenceRegistry.connect(accounts.fire).suspend(FIRE_CERT, FRAUD);
        await licenceRegistry.connect(accounts.fire).reinstate(FIRE_CERT);
        await expect(licenceRegistry.connect(accounts.fire).revoke(FIRE_CERT, FRAUD))
          .to.emit(licenceRegistry, "LicenceRevoked")
          .withArgs(FIRE_CERT, FIRE, FRAUD);
      });

      it("lets the consortium revoke them by vote", async function () {
        const system = await withdrawn();
        const { licenceRegistry } = system.contracts;
        const data = licenceRegistry.interface.encodeFunctionData("revokeByConsortium", [FIRE_CERT, FRAUD]);
        await expect(passProposal(system, [{ target: await licenceRegistry.getAddress(), data }]))
          .to.emit(licenceRegistry, "LicenceRevoked")
          .withArgs(FIRE_CERT, ZERO, FRAUD);
        expect(await licenceRegistry.statusOf(FIRE_CERT)).to.equal(STATUS.Revoked);
      });

      it("lets the department issue again once trusted again", async function () {
        const { contracts, accounts, holder, governance } = await withdrawn();
        const { licenceRegistry } = contracts;
        await licenceRegistry.connect(governance).setTrustedIssuer(FIRE_SAFETY, FIRE, true);
        const id = licenceId("FIRE-003", FIRE);
        await licenceRegistry
          .connect(accounts.fire)
          .issue(referenceOf(id), FIRE_SAFETY, holder.address, documentHash("f3"), 0, 0, []);
        expect((await licenceRegistry.getLicence(id)).issuer).to.equal(FIRE);
      });
    });
  });

  describe("issue", function () {
    it("derives the id from the issuing department and its reference, so no department takes another's", async function () {
      const { contracts, accounts, holder } = await fixture();
      const { licenceRegistry } = contracts;
      const shared = reference("SHARED-REFERENCE");
      const bySamr = licenceIdOf(SAMR, shared);
      const byFire = licenceIdOf(FIRE, shared);
      expect(await licenceRegistry.licenceIdOf(SAMR, shared)).to.equal(bySamr);
      expect(
        await licenceRegistry
          .connect(accounts.samr)
          .issue.staticCall(shared, BUSINESS_REGISTRATION, holder.address, documentHash("s"), 0, 0, []),
      ).to.equal(bySamr);
      await expect(
        licenceRegistry
          .connect(accounts.samr)
          .issue(shared, BUSINESS_REGISTRATION, holder.address, documentHash("s"), 0, 0, []),
      )
        .to.emit(licenceRegistry, "LicenceIssued")
        .withArgs(bySamr, BUSINESS_REGISTRATION, SAMR, holder.address, documentHash("s"), anyValue, anyValue, []);
      // The same reference in another department's hands is another licence.
      await (
        await licenceRegistry
          .connect(accounts.fire)
          .issue(shared, FIRE_SAFETY, holder.address, documentHash("f"), 0, 0, [])
      ).wait();
      expect((await licenceRegistry.getLicence(bySamr)).issuer).to.equal(SAMR);
      expect((await licenceRegistry.getLicence(byFire)).issuer).to.equal(FIRE);
    });

    it("issues with the type's default validity from now and emits LicenceIssued", async function () {
      const { contracts, accounts, holder } = await fixture();
      const { licenceRegistry } = contracts;
      const id = licenceId("REG-002", SAMR);
      const t = await nextTimestamp();
      await expect(
        licenceRegistry
          .connect(accounts.samr)
          .issue(referenceOf(id), BUSINESS_REGISTRATION, holder.address, documentHash("reg2"), 0, 0, []),
      )
        .to.emit(licenceRegistry, "LicenceIssued")
        .withArgs(id, BUSINESS_REGISTRATION, SAMR, holder.address, documentHash("reg2"), t, t + 10 * YEAR, []);
      const licence = await licenceRegistry.getLicence(id);
      expect(licence.typeId).to.equal(BUSINESS_REGISTRATION);
      expect(licence.issuer).to.equal(SAMR);
      expect(licence.holder).to.equal(holder.address);
      expect(licence.documentHash).to.equal(documentHash("reg2"));
      expect(licence.validFrom).to.equal(t);
      expect(licence.validUntil).to.equal(t + 10 * YEAR);
      expect(licence.version).to.equal(1);
      expect(licence.status).to.equal(STATUS.Active);
      expect(licence.revokedAt).to.equal(0);
      expect(licence.dependsOn).to.deep.equal([]);
      expect(await licenceRegistry.isValid(id)).to.equal(true);
    });

    it("issues a licence valid from a later time: Pending, then Active, then Expired", async function () {
      const { contracts, accounts, holder } = await fixture();
      const { licenceRegistry } = contracts;
      const id = licenceId("FIRE-LATER", FIRE);
      const from = (await time.latest()) + 10 * DAY;
      await licenceRegistry
        .connect(accounts.fire)
        .issue(referenceOf(id), FIRE_SAFETY, holder.address, documentHash("later"), from, from + 30 * DAY, []);
      expect(await licenceRegistry.statusOf(id)).to.equal(STATUS.Pending);
      expect(await licenceRegistry.isValid(id)).to.equal(false);
      await time.increaseTo(from);
      expect(await licenceRegistry.statusOf(id)).to.equal(STATUS.Active);
      await time.increaseTo(from + 30 * DAY);
      expect(await licenceRegistry.statusOf(id)).to.equal(STATUS.Expired);
      expect(await licenceRegistry.isValid(id)).to.equal(false);
    });

    it("records the licences it depends on", async function () {
      const { contracts } = await fixture();
      expect((await contracts.licenceRegistry.getLicence(FOOD)).dependsOn).to.deep.equal([REG]);
    });

    it("reverts for a department not trusted for the type", async function () {
      const { contracts, accounts, holder } = await fixture();
      await expect(
        contracts.licenceRegistry
          .connect(accounts.fire)
          .issue(reference("X"), FOOD_BUSINESS, holder.address, documentHash("x"), 0, 0, []),
      )
        .to.be.revertedWithCustomError(contracts.licenceRegistry, "LicenceUntrustedIssuer")
        .withArgs(FOOD_BUSINESS, FIRE);
    });

    it("reverts for an unknown type", async function () {
      const { contracts, accounts, holder } = await fixture();
      const unknown = purpose("UNKNOWN");
      await expect(
        contracts.licenceRegistry
          .connect(accounts.samr)
          .issue(reference("X"), unknown, holder.address, documentHash("x"), 0, 0, []),
      )
        .to.be.revertedWithCustomError(contracts.licenceRegistry, "LicenceUnknownType")
        .withArgs(unknown);
    });

    it("reverts for an id in use, a zero id, document or holder", async function () {
      const { contracts, accounts, holder } = await fixture();
      const { licenceRegistry } = contracts;
      const samr = licenceRegistry.connect(accounts.samr);
      await expect(samr.issue(referenceOf(REG), BUSINESS_REGISTRATION, holder.address, documentHash("x"), 0, 0, []))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceExists")
        .withArgs(REG);
      await expect(
        samr.issue(ZERO, BUSINESS_REGISTRATION, holder.address, documentHash("x"), 0, 0, []),
      ).to.be.revertedWithCustomError(licenceRegistry, "LicenceInvalidId");
      await expect(
        samr.issue(reference("X"), BUSINESS_REGISTRATION, holder.address, ZERO, 0, 0, []),
      ).to.be.revertedWithCustomError(licenceRegistry, "LicenceInvalidId");
      await expect(samr.issue(reference("X"), BUSINESS_REGISTRATION, ethers.ZeroAddress, documentHash("x"), 0, 0, []))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceInvalidHolder")
        .withArgs(ethers.ZeroAddress);
    });

    it("reverts for a backdated, empty or out-of-range window", async function () {
      const { contracts, accounts, holder } = await fixture();
      const { licenceRegistry } = contracts;
      const samr = licenceRegistry.connect(accounts.samr);
      const now = await time.latest();
      const issue = (from: number | bigint, until: number | bigint) =>
        samr.issue(reference("X"), BUSINESS_REGISTRATION, holder.address, documentHash("x"), from, until, []);
      await expect(issue(now - 10, now + DAY)).to.be.revertedWithCustomError(licenceRegistry, "LicenceInvalidValidity");
      await expect(issue(now + 100, now + 100)).to.be.revertedWithCustomError(
        licenceRegistry,
        "LicenceInvalidValidity",
      );
      await expect(issue(0, 2n ** 40n)).to.be.revertedWithCustomError(licenceRegistry, "LicenceInvalidValidity");
    });

    it("reverts when a dependency is unknown, not valid or named twice", async function () {
      const { contracts, accounts, holder } = await fixture();
      const { licenceRegistry } = contracts;
      const id = licenceId("FOOD-002", SAMR);
      const issue = (dependsOn: string[]) =>
        licenceRegistry
          .connect(accounts.samr)
          .issue(referenceOf(id), FOOD_BUSINESS, holder.address, documentHash("f2"), 0, 0, dependsOn);
      const unknown = licenceId("NOPE", SAMR);
      await expect(issue([unknown]))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceDependencyNotValid")
        .withArgs(id, unknown);
      await expect(issue([REG, REG]))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceDependencyNotValid")
        .withArgs(id, REG);
      await licenceRegistry.connect(accounts.samr).suspend(REG, FRAUD);
      await expect(issue([REG]))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceDependencyNotValid")
        .withArgs(id, REG);
    });

    it("bounds the number of dependencies and the depth of the chain", async function () {
      const { contracts, accounts, holder } = await fixture();
      const { licenceRegistry } = contracts;
      const samr = licenceRegistry.connect(accounts.samr);
      const ids = [1, 2, 3, 4, 5].map((i) => licenceId(`BASE-${i}`, SAMR));
      for (const id of ids) {
        await samr.issue(referenceOf(id), BUSINESS_REGISTRATION, holder.address, documentHash(id), 0, 0, []);
      }
      await expect(samr.issue(reference("WIDE"), FOOD_BUSINESS, holder.address, documentHash("w"), 0, 0, ids))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceLimitReached")
        .withArgs(4);
      // A chain REG <- C1 <- C2 <- C3 <- C4 has depth 4; one more link is too deep.
      let previous = REG;
      for (let depth = 1; depth <= 4; ++depth) {
        const id = licenceId(`CHAIN-${depth}`, SAMR);
        await samr.issue(referenceOf(id), FOOD_BUSINESS, holder.address, documentHash(id), 0, 0, [previous]);
        previous = id;
      }
      await expect(
        samr.issue(reference("CHAIN-5"), FOOD_BUSINESS, holder.address, documentHash("c5"), 0, 0, [previous]),
      )
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceLimitReached")
        .withArgs(4);
      expect(await licenceRegistry.isValid(previous)).to.equal(true);
      await samr.revoke(REG, FRAUD);
      expect(await licenceRegistry.isValid(previous)).to.equal(false);
    });
  });

  describe("issueFromWorkflow", function () {
    it("issues in the name of an active, trusted issuer with the default validity", async function () {
      const { contracts, holder, workflow } = await fixture();
      const { licenceRegistry } = contracts;
      const id = licenceId("WF-1", SAMR);
      const t = await nextTimestamp();
      await expect(
        licenceRegistry
          .connect(workflow)
          .issueFromWorkflow(id, FOOD_BUSINESS, SAMR, holder.address, documentHash("wf"), [REG]),
      )
        .to.emit(licenceRegistry, "LicenceIssued")
        .withArgs(id, FOOD_BUSINESS, SAMR, holder.address, documentHash("wf"), t, t + 5 * YEAR, [REG]);
    });

    it("reverts for an issuer that is not an active department, or not trusted", async function () {
      const { contracts, holder, workflow } = await fixture();
      const { licenceRegistry } = contracts;
      const unknown = purpose("NOBODY");
      await expect(
        licenceRegistry
          .connect(workflow)
          .issueFromWorkflow(licenceId("WF-1", SAMR), FOOD_BUSINESS, unknown, holder.address, documentHash("wf"), []),
      )
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceInactiveDepartment")
        .withArgs(unknown);
      await expect(
        licenceRegistry
          .connect(workflow)
          .issueFromWorkflow(licenceId("WF-1", SAMR), FOOD_BUSINESS, TAX, holder.address, documentHash("wf"), []),
      )
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceUntrustedIssuer")
        .withArgs(FOOD_BUSINESS, TAX);
    });
  });

  describe("renew", function () {
    it("puts a new window and document in force from now, version + 1", async function () {
      const { contracts, accounts } = await fixture();
      const { licenceRegistry } = contracts;
      const before = await licenceRegistry.getLicence(FIRE_CERT);
      const t = await nextTimestamp(DAY);
      const until = t + 2 * YEAR;
      await expect(licenceRegistry.connect(accounts.fire).renew(FIRE_CERT, documentHash("fire-v2"), until))
        .to.emit(licenceRegistry, "LicenceRenewed")
        .withArgs(FIRE_CERT, FIRE, 2, documentHash("fire-v2"), t, until);
      const after = await licenceRegistry.getLicence(FIRE_CERT);
      expect(after.version).to.equal(2);
      expect(after.validFrom).to.equal(t);
      expect(after.validUntil).to.equal(until);
      expect(after.documentHash).to.equal(documentHash("fire-v2"));
      const v1 = await licenceRegistry.versionWindow(FIRE_CERT, 1);
      expect([v1.validFrom, v1.validUntil, v1.supersededAt]).to.deep.equal([
        before.validFrom,
        before.validUntil,
        BigInt(t),
      ]);
      const v2 = await licenceRegistry.versionWindow(FIRE_CERT, 2);
      expect([v2.validFrom, v2.validUntil, v2.supersededAt]).to.deep.equal([BigInt(t), BigInt(until), 0n]);
    });

    it("extends by the default validity from the current end when no end is given", async function () {
      const { contracts, accounts } = await fixture();
      const { licenceRegistry } = contracts;
      const end = (await licenceRegistry.getLicence(FIRE_CERT)).validUntil;
      await licenceRegistry.connect(accounts.fire).renew(FIRE_CERT, documentHash("fire-v2"), 0);
      expect((await licenceRegistry.getLicence(FIRE_CERT)).validUntil).to.equal(end + BigInt(YEAR));
    });

    it("renews an expired licence from now", async function () {
      const { contracts, accounts } = await fixture();
      const { licenceRegistry } = contracts;
      await time.increase(2 * YEAR);
      expect(await licenceRegistry.statusOf(FIRE_CERT)).to.equal(STATUS.Expired);
      const t = await nextTimestamp();
      await licenceRegistry.connect(accounts.fire).renew(FIRE_CERT, documentHash("fire-v2"), 0);
      expect((await licenceRegistry.getLicence(FIRE_CERT)).validUntil).to.equal(t + YEAR);
      expect(await licenceRegistry.statusOf(FIRE_CERT)).to.equal(STATUS.Active);
    });

    it("reverts for a suspended, revoked or pending licence", async function () {
      const { contracts, accounts, holder } = await fixture();
      const { licenceRegistry } = contracts;
      const fire = licenceRegistry.connect(accounts.fire);
      await fire.suspend(FIRE_CERT, FRAUD);
      await expect(fire.renew(FIRE_CERT, documentHash("v2"), 0))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceUnexpectedStatus")
        .withArgs(FIRE_CERT, STATUS.Suspended);
      await fire.revoke(FIRE_CERT, FRAUD);
      await expect(fire.renew(FIRE_CERT, documentHash("v2"), 0))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceUnexpectedStatus")
        .withArgs(FIRE_CERT, STATUS.Revoked);
      const later = licenceId("LATER", FIRE);
      const from = (await time.latest()) + DAY;
      await fire.issue(referenceOf(later), FIRE_SAFETY, holder.address, documentHash("l"), from, 0, []);
      await expect(fire.renew(later, documentHash("v2"), 0))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceUnexpectedStatus")
        .withArgs(later, STATUS.Pending);
    });

    it("reverts for another department, a zero document or an empty window", async function () {
      const { contracts, accounts } = await fixture();
      const { licenceRegistry } = contracts;
      await expect(licenceRegistry.connect(accounts.samr).renew(FIRE_CERT, documentHash("v2"), 0))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceNotIssuer")
        .withArgs(FIRE_CERT, SAMR);
      await expect(licenceRegistry.connect(accounts.fire).renew(FIRE_CERT, ZERO, 0)).to.be.revertedWithCustomError(
        licenceRegistry,
        "LicenceInvalidId",
      );
      const now = await time.latest();
      await expect(
        licenceRegistry.connect(accounts.fire).renew(FIRE_CERT, documentHash("v2"), now),
      ).to.be.revertedWithCustomError(licenceRegistry, "LicenceInvalidValidity");
    });

    it("reverts for an unknown licence", async function () {
      const { contracts, accounts } = await fixture();
      const unknown = licenceId("NOPE", SAMR);
      await expect(contracts.licenceRegistry.connect(accounts.fire).renew(unknown, documentHash("v2"), 0))
        .to.be.revertedWithCustomError(contracts.licenceRegistry, "LicenceUnknown")
        .withArgs(unknown);
    });
  });

  describe("suspend and reinstate", function () {
    it("suspends (not valid, interval open) and reinstates (valid, interval closed)", async function () {
      const { contracts, accounts } = await fixture();
      const { licenceRegistry } = contracts;
      const fire = licenceRegistry.connect(accounts.fire);
      const start = await nextTimestamp();
      await expect(fire.suspend(FIRE_CERT, FRAUD))
        .to.emit(licenceRegistry, "LicenceSuspended")
        .withArgs(FIRE_CERT, FIRE, FRAUD);
      expect(await licenceRegistry.statusOf(FIRE_CERT)).to.equal(STATUS.Suspended);
      expect(await licenceRegistry.isValid(FIRE_CERT)).to.equal(false);
      expect((await licenceRegistry.suspensions(FIRE_CERT)).map((s) => [s.start, s.end])).to.deep.equal([
        [BigInt(start), 0n],
      ]);
      const end = await nextTimestamp(DAY);
      await expect(fire.reinstate(FIRE_CERT)).to.emit(licenceRegistry, "LicenceReinstated").withArgs(FIRE_CERT, FIRE);
      expect(await licenceRegistry.statusOf(FIRE_CERT)).to.equal(STATUS.Active);
      expect(await licenceRegistry.isValid(FIRE_CERT)).to.equal(true);
      expect((await licenceRegistry.suspensions(FIRE_CERT)).map((s) => [s.start, s.end])).to.deep.equal([
        [BigInt(start), BigInt(end)],
      ]);
    });

    it("suspends a pending licence", async function () {
      const { contracts, accounts, holder } = await fixture();
      const { licenceRegistry } = contracts;
      const id = licenceId("LATER", FIRE);
      await licenceRegistry
        .connect(accounts.fire)
        .issue(referenceOf(id), FIRE_SAFETY, holder.address, documentHash("l"), (await time.latest()) + DAY, 0, []);
      await licenceRegistry.connect(accounts.fire).suspend(id, FRAUD);
      expect(await licenceRegistry.statusOf(id)).to.equal(STATUS.Suspended);
    });

    it("reverts suspending a suspended, expired or revoked licence", async function () {
      const { contracts, accounts } = await fixture();
      const { licenceRegistry } = contracts;
      const samr = licenceRegistry.connect(accounts.samr);
      await samr.suspend(FOOD, FRAUD);
      await expect(samr.suspend(FOOD, FRAUD))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceUnexpectedStatus")
        .withArgs(FOOD, STATUS.Suspended);
      await samr.revoke(REG, FRAUD);
      await expect(samr.suspend(REG, FRAUD))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceUnexpectedStatus")
        .withArgs(REG, STATUS.Revoked);
      await time.increase(2 * YEAR);
      await expect(licenceRegistry.connect(accounts.fire).suspend(FIRE_CERT, FRAUD))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceUnexpectedStatus")
        .withArgs(FIRE_CERT, STATUS.Expired);
    });

    it("reverts reinstating a licence that is not suspended, or for another department", async function () {
      const { contracts, accounts } = await fixture();
      const { licenceRegistry } = contracts;
      await expect(licenceRegistry.connect(accounts.fire).reinstate(FIRE_CERT))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceUnexpectedStatus")
        .withArgs(FIRE_CERT, STATUS.Active);
      await licenceRegistry.connect(accounts.fire).suspend(FIRE_CERT, FRAUD);
      await expect(licenceRegistry.connect(accounts.samr).reinstate(FIRE_CERT))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceNotIssuer")
        .withArgs(FIRE_CERT, SAMR);
    });
  });

  describe("revoke", function () {
    it("revokes for good: no reinstatement, renewal or second revocation", async function () {
      const { contracts, accounts } = await fixture();
      const { licenceRegistry } = contracts;
      const fire = licenceRegistry.connect(accounts.fire);
      await fire.suspend(FIRE_CERT, FRAUD);
      const t = await nextTimestamp();
      await expect(fire.revoke(FIRE_CERT, FRAUD))
        .to.emit(licenceRegistry, "LicenceRevoked")
        .withArgs(FIRE_CERT, FIRE, FRAUD);
      const licence = await licenceRegistry.getLicence(FIRE_CERT);
      expect(licence.status).to.equal(STATUS.Revoked);
      expect(licence.revokedAt).to.equal(t);
      for (const attempt of [
        fire.reinstate(FIRE_CERT),
        fire.revoke(FIRE_CERT, FRAUD),
        fire.renew(FIRE_CERT, documentHash("v2"), 0),
      ]) {
        await expect(attempt)
          .to.be.revertedWithCustomError(licenceRegistry, "LicenceUnexpectedStatus")
          .withArgs(FIRE_CERT, STATUS.Revoked);
      }
      expect(await licenceRegistry.isValid(FIRE_CERT)).to.equal(false);
    });

    it("makes the licences that depend on it invalid", async function () {
      const { contracts, accounts, holder } = await fixture();
      const { licenceRegistry } = contracts;
      await licenceRegistry.connect(holder).grantConsent(FOOD, FIRE, INSPECTION, (await time.latest()) + DAY);
      await licenceRegistry.connect(accounts.samr).revoke(REG, FRAUD);
      expect(await licenceRegistry.isValid(FOOD)).to.equal(false);
      expect(await licenceRegistry.statusOf(FOOD)).to.equal(STATUS.Active);
      await expect(licenceRegistry.connect(accounts.fire).use(FOOD, INSPECTION))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceDependencyNotValid")
        .withArgs(FOOD, REG);
    });

    it("reverts for another department", async function () {
      const { contracts, accounts } = await fixture();
      await expect(contracts.licenceRegistry.connect(accounts.fire).revoke(REG, FRAUD))
        .to.be.revertedWithCustomError(contracts.licenceRegistry, "LicenceNotIssuer")
        .withArgs(REG, FIRE);
    });
  });

  describe("grantConsent and withdrawConsent", function () {
    it("lets the holder authorise a department for a purpose until a time", async function () {
      const { contracts, accounts, holder } = await fixture();
      const { registry } = contracts;
      const { licenceRegistry } = contracts;
      // The holder is a registered enterprise here: the event names its participant id.
      const participant = ethers.id("govledger-test-salt:ACME");
      await registry.connect(accounts.samr).registerParticipant(participant, holder.address, 0);
      const until = (await time.latest()) + 30 * DAY;
      await expect(licenceRegistry.connect(holder).grantConsent(FOOD, FIRE, INSPECTION, until))
        .to.emit(licenceRegistry, "ConsentGranted")
        .withArgs(FOOD, FIRE, INSPECTION, holder.address, participant, until, false);
      expect(await licenceRegistry.consentUntil(FOOD, FIRE, INSPECTION)).to.equal(until);
      expect(await licenceRegistry.hasConsent(FOOD, FIRE, INSPECTION)).to.equal(true);
      await time.increaseTo(until);
      expect(await licenceRegistry.hasConsent(FOOD, FIRE, INSPECTION)).to.equal(false);
    });

    it("lets the holder withdraw a live consent", async function () {
      const { contracts, accounts, holder } = await fixture();
      const { licenceRegistry } = contracts;
      await licenceRegistry.connect(holder).grantConsent(FOOD, FIRE, INSPECTION, (await time.latest()) + DAY);
      await licenceRegistry.connect(accounts.fire).use(FOOD, INSPECTION);
      await expect(licenceRegistry.connect(holder).withdrawConsent(FOOD, FIRE, INSPECTION))
        .to.emit(licenceRegistry, "ConsentWithdrawn")
        .withArgs(FOOD, FIRE, INSPECTION, holder.address, ZERO);
      expect(await licenceRegistry.consentUntil(FOOD, FIRE, INSPECTION)).to.equal(0);
      await expect(licenceRegistry.connect(accounts.fire).use(FOOD, INSPECTION))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceNoConsent")
        .withArgs(FOOD, FIRE, INSPECTION);
      await expect(licenceRegistry.connect(holder).withdrawConsent(FOOD, FIRE, INSPECTION))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceNoConsent")
        .withArgs(FOOD, FIRE, INSPECTION);
    });

    it("reverts for anyone but the holder", async function () {
      const { contracts, accounts, other } = await fixture();
      const { licenceRegistry } = contracts;
      const until = (await time.latest()) + DAY;
      await expect(licenceRegistry.connect(other).grantConsent(FOOD, FIRE, INSPECTION, until))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceNotHolder")
        .withArgs(FOOD, other.address);
      await expect(licenceRegistry.connect(accounts.samr).withdrawConsent(FOOD, FIRE, INSPECTION))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceNotHolder")
        .withArgs(FOOD, accounts.samr.address);
    });

    it("reverts for a past end, an unknown department, an unknown or revoked licence", async function () {
      const { contracts, accounts, holder } = await fixture();
      const { licenceRegistry } = contracts;
      const now = await time.latest();
      await expect(licenceRegistry.connect(holder).grantConsent(FOOD, FIRE, INSPECTION, now))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceInvalidConsent")
        .withArgs(now);
      const nobody = purpose("NOBODY");
      await expect(licenceRegistry.connect(holder).grantConsent(FOOD, nobody, INSPECTION, now + DAY))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceInactiveDepartment")
        .withArgs(nobody);
      const unknown = licenceId("NOPE", SAMR);
      await expect(licenceRegistry.connect(holder).grantConsent(unknown, FIRE, INSPECTION, now + DAY))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceUnknown")
        .withArgs(unknown);
      await licenceRegistry.connect(accounts.samr).revoke(FOOD, FRAUD);
      await expect(licenceRegistry.connect(holder).grantConsent(FOOD, FIRE, INSPECTION, now + DAY))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceUnexpectedStatus")
        .withArgs(FOOD, STATUS.Revoked);
    });
  });

  describe("grantConsentBySig", function () {
    it("records a consent the holder signed and the department submitted", async function () {
      const ctx = await fixture();
      const { licenceRegistry } = ctx.contracts;
      const { until, nonce, deadline, signature } = await consentSignature(ctx, FIRE);
      const holderBalance = await ethers.provider.getBalance(ctx.holder.address);
      await expect(
        licenceRegistry
          .connect(ctx.accounts.fire)
          .grantConsentBySig(FOOD, INSPECTION, until, nonce, deadline, signature),
      )
        .to.emit(licenceRegistry, "ConsentGranted")
        .withArgs(FOOD, FIRE, INSPECTION, ctx.holder.address, ZERO, until, true);
      expect(await licenceRegistry.hasConsent(FOOD, FIRE, INSPECTION)).to.equal(true);
      expect(await licenceRegistry.nonces(ctx.holder.address)).to.equal(nonce + 1n);
      expect(await ethers.provider.getBalance(ctx.holder.address)).to.equal(holderBalance);
      await licenceRegistry.connect(ctx.accounts.fire).use(FOOD, INSPECTION);
    });

    it("reverts for a replayed signature", async function () {
      const ctx = await fixture();
      const { licenceRegistry } = ctx.contracts;
      const { until, nonce, deadline, signature } = await consentSignature(ctx, FIRE);
      const fire = licenceRegistry.connect(ctx.accounts.fire);
      await fire.grantConsentBySig(FOOD, INSPECTION, until, nonce, deadline, signature);
      await expect(fire.grantConsentBySig(FOOD, INSPECTION, until, nonce, deadline, signature))
        .to.be.revertedWithCustomError(licenceRegistry, "InvalidAccountNonce")
        .withArgs(ctx.holder.address, nonce + 1n);
    });

    it("reverts for an expired signature", async function () {
      const ctx = await fixture();
      const { licenceRegistry } = ctx.contracts;
      const { until, nonce, deadline, signature } = await consentSignature(ctx, FIRE, FOOD, 60);
      await time.increase(61);
      await expect(
        licenceRegistry
          .connect(ctx.accounts.fire)
          .grantConsentBySig(FOOD, INSPECTION, until, nonce, deadline, signature),
      )
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceSignatureExpired")
        .withArgs(deadline);
    });

    it("reverts when another department submits it, or the signer is not the holder", async function () {
      const ctx = await fixture();
      const { licenceRegistry } = ctx.contracts;
      const { until, nonce, deadline, signature } = await consentSignature(ctx, FIRE);
      await expect(
        licenceRegistry
          .connect(ctx.accounts.samr)
          .grantConsentBySig(FOOD, INSPECTION, until, nonce, deadline, signature),
      )
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceInvalidSignature")
        .withArgs(FOOD, ctx.holder.address);
      const forged = await signConsent(ctx.other, licenceRegistry, {
        licenceId: FOOD,
        departmentId: FIRE,
        purpose: INSPECTION,
        until,
        nonce,
        deadline,
      });
      await expect(
        licenceRegistry.connect(ctx.accounts.fire).grantConsentBySig(FOOD, INSPECTION, until, nonce, deadline, forged),
      )
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceInvalidSignature")
        .withArgs(FOOD, ctx.holder.address);
    });

    // Issue 12, finding 9: withdrawConsent reverts when no consent is live, so a holder could
    // not take back a signature it had handed out before any consent existed.
    it("lets the holder cancel a signed consent nobody submitted, with no consent live", async function () {
      const ctx = await fixture();
      const { licenceRegistry } = ctx.contracts;
      expect(await licenceRegistry.hasConsent(FOOD, FIRE, INSPECTION)).to.equal(false);
      const { until, nonce, deadline, signature } = await consentSignature(ctx, FIRE);
      await expect(licenceRegistry.connect(ctx.holder).cancelSignedConsents())
        .to.emit(licenceRegistry, "SignedConsentsCancelled")
        .withArgs(ctx.holder.address, ZERO, nonce);
      expect(await licenceRegistry.nonces(ctx.holder.address)).to.equal(nonce + 1n);
      await expect(
        licenceRegistry
          .connect(ctx.accounts.fire)
          .grantConsentBySig(FOOD, INSPECTION, until, nonce, deadline, signature),
      )
        .to.be.revertedWithCustomError(licenceRegistry, "InvalidAccountNonce")
        .withArgs(ctx.holder.address, nonce + 1n);
      // Signatures with the next nonce still work.
      const next = await consentSignature(ctx, FIRE);
      await (
        await licenceRegistry
          .connect(ctx.accounts.fire)
          .grantConsentBySig(FOOD, INSPECTION, next.until, next.nonce, next.deadline, next.signature)
      ).wait();
      expect(await licenceRegistry.hasConsent(FOOD, FIRE, INSPECTION)).to.equal(true);
    });

    it("reverts for a signature pending when the holder withdrew a consent", async function () {
      const ctx = await fixture();
      const { licenceRegistry } = ctx.contracts;
      await licenceRegistry.connect(ctx.holder).grantConsent(FOOD, SAMR, INSPECTION, (await time.latest()) + DAY);
      const { until, nonce, deadline, signature } = await consentSignature(ctx, FIRE);
      await licenceRegistry.connect(ctx.holder).withdrawConsent(FOOD, SAMR, INSPECTION);
      await expect(
        licenceRegistry
          .connect(ctx.accounts.fire)
          .grantConsentBySig(FOOD, INSPECTION, until, nonce, deadline, signature),
      )
        .to.be.revertedWithCustomError(licenceRegistry, "InvalidAccountNonce")
        .withArgs(ctx.holder.address, nonce + 1n);
    });
  });

  describe("use", function () {
    it("records a use without consent where the type needs none", async function () {
      const { contracts, accounts } = await fixture();
      await expect(contracts.licenceRegistry.connect(accounts.cons).use(REG, PERMIT_CHECK))
        .to.emit(contracts.licenceRegistry, "LicenceUsed")
        .withArgs(REG, CONS, PERMIT_CHECK, accounts.cons.address, 1);
    });

    it("records a use under a live consent, with the version used", async function () {
      const { contracts, accounts, holder } = await fixture();
      const { licenceRegistry } = contracts;
      await licenceRegistry.connect(holder).grantConsent(FIRE_CERT, SAMR, INSPECTION, (await time.latest()) + DAY);
      await licenceRegistry.connect(accounts.fire).renew(FIRE_CERT, documentHash("fire-v2"), 0);
      await expect(licenceRegistry.connect(accounts.samr).use(FIRE_CERT, INSPECTION))
        .to.emit(licenceRegistry, "LicenceUsed")
        .withArgs(FIRE_CERT, SAMR, INSPECTION, accounts.samr.address, 2);
    });

    it("reverts without consent, for a wrong purpose, another department or an expired consent", async function () {
      const { contracts, accounts, holder } = await fixture();
      const { licenceRegistry } = contracts;
      await expect(licenceRegistry.connect(accounts.fire).use(FOOD, INSPECTION))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceNoConsent")
        .withArgs(FOOD, FIRE, INSPECTION);
      const until = (await time.latest()) + DAY;
      await licenceRegistry.connect(holder).grantConsent(FOOD, FIRE, INSPECTION, until);
      await expect(licenceRegistry.connect(accounts.fire).use(FOOD, PERMIT_CHECK))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceNoConsent")
        .withArgs(FOOD, FIRE, PERMIT_CHECK);
      await expect(licenceRegistry.connect(accounts.cons).use(FOOD, INSPECTION))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceNoConsent")
        .withArgs(FOOD, CONS, INSPECTION);
      await time.setNextBlockTimestamp(until);
      await expect(licenceRegistry.connect(accounts.fire).use(FOOD, INSPECTION))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceNoConsent")
        .withArgs(FOOD, FIRE, INSPECTION);
    });

    it("reverts for a suspended, revoked, expired, pending or unknown licence", async function () {
      const { contracts, accounts, holder } = await fixture();
      const { licenceRegistry } = contracts;
      const cons = licenceRegistry.connect(accounts.cons);
      await licenceRegistry.connect(accounts.samr).suspend(REG, FRAUD);
      await expect(cons.use(REG, PERMIT_CHECK))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceUnexpectedStatus")
        .withArgs(REG, STATUS.Suspended);
      await licenceRegistry.connect(accounts.samr).revoke(REG, FRAUD);
      await expect(cons.use(REG, PERMIT_CHECK))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceUnexpectedStatus")
        .withArgs(REG, STATUS.Revoked);
      const later = licenceId("REG-LATER", SAMR);
      await licenceRegistry
        .connect(accounts.samr)
        .issue(
          referenceOf(later),
          BUSINESS_REGISTRATION,
          holder.address,
          documentHash("l"),
          (await time.latest()) + DAY,
          0,
          [],
        );
      await expect(cons.use(later, PERMIT_CHECK))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceUnexpectedStatus")
        .withArgs(later, STATUS.Pending);
      await time.increase(11 * YEAR);
      await expect(cons.use(later, PERMIT_CHECK))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceUnexpectedStatus")
        .withArgs(later, STATUS.Expired);
      const unknown = licenceId("NOPE", SAMR);
      await expect(cons.use(unknown, PERMIT_CHECK))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceUnknown")
        .withArgs(unknown);
    });
  });

  describe("verify", function () {
    it("answers whether a licence is valid now and whether a document is its current one", async function () {
      const { contracts, accounts } = await fixture();
      const { licenceRegistry } = contracts;
      expect(await licenceRegistry.verify(FIRE_CERT, documentHash("fire-v1"))).to.deep.equal([true, true]);
      await licenceRegistry.connect(accounts.fire).renew(FIRE_CERT, documentHash("fire-v2"), 0);
      expect(await licenceRegistry.verify(FIRE_CERT, documentHash("fire-v1"))).to.deep.equal([true, false]);
      expect(await licenceRegistry.verify(FIRE_CERT, documentHash("fire-v2"))).to.deep.equal([true, true]);
      await licenceRegistry.connect(accounts.fire).revoke(FIRE_CERT, FRAUD);
      expect(await licenceRegistry.verify(FIRE_CERT, documentHash("fire-v2"))).to.deep.equal([false, true]);
      expect(await licenceRegistry.verify(licenceId("NOPE", SAMR), ZERO)).to.deep.equal([false, false]);
    });
  });

  describe("isValidAt", function () {
    it("answers for past times across suspension, renewal and revocation", async function () {
      const { contracts, accounts, holder } = await fixture();
      const { licenceRegistry } = contracts;
      const fire = licenceRegistry.connect(accounts.fire);
      const id = licenceId("TIMELINE", FIRE);
      const t0 = await nextTimestamp(10);
      await fire.issue(referenceOf(id), FIRE_SAFETY, holder.address, documentHash("t"), 0, t0 + 100 * DAY, []);
      const t1 = await nextTimestamp(10 * DAY);
      await fire.suspend(id, FRAUD);
      const t2 = await nextTimestamp(5 * DAY);
      await fire.reinstate(id);
      // Version 1 runs until t0 + 100 days; renewed late, after it expired.
      await time.increaseTo(t0 + 120 * DAY);
      const t3 = await nextTimestamp();
      await fire.renew(id, documentHash("t2"), t3 + 50 * DAY);
      const t4 = await nextTimestamp(20 * DAY);
      await fire.revoke(id, FRAUD);

      const expected: [number, boolean][] = [
        [t0 - 1, false], // before the issue
        [t0, true],
        [t1 - 1, true],
        [t1, false], // suspended
        [t2 - 1, false],
        [t2, true], // reinstated
        [t0 + 100 * DAY - 1, true],
        [t0 + 100 * DAY, false], // version 1 expired
        [t3 - 1, false],
        [t3, true], // version 2 in force
        [t4 - 1, true],
        [t4, false], // revoked
        [t3 + 40 * DAY, false],
      ];
      for (const [t, valid] of expected) {
        expect(await licenceRegistry.isValidAt(id, t), `valid at ${t - t0}s`).to.equal(valid);
      }
      expect(await licenceRegistry.isValidAt(licenceId("NOPE", SAMR), t0)).to.equal(false);
    });

    it("answers for a dependant as its dependencies stood at that time", async function () {
      const { contracts, accounts } = await fixture();
      const { licenceRegistry } = contracts;
      const before = await time.latest();
      const revokedAt = await nextTimestamp(DAY);
      await licenceRegistry.connect(accounts.samr).revoke(REG, FRAUD);
      expect(await licenceRegistry.isValidAt(FOOD, before)).to.equal(true);
      expect(await licenceRegistry.isValidAt(FOOD, revokedAt)).to.equal(false);
    });
  });

  describe("views", function () {
    it("report unknown licences", async function () {
      const { contracts } = await fixture();
      const { licenceRegistry } = contracts;
      const unknown = licenceId("NOPE", SAMR);
      expect(await licenceRegistry.statusOf(unknown)).to.equal(STATUS.None);
      expect(await licenceRegistry.isValid(unknown)).to.equal(false);
      await expect(licenceRegistry.getLicence(unknown))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceUnknown")
        .withArgs(unknown);
      await expect(licenceRegistry.versionWindow(REG, 2))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceUnknownVersion")
        .withArgs(REG, 2);
      await expect(licenceRegistry.versionWindow(REG, 0))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceUnknownVersion")
        .withArgs(REG, 0);
    });
  });

  describe("pause", function () {
    it("stops every change until governance unpauses", async function () {
      const system = await fixture();
      const { licenceRegistry } = system.contracts;
      await licenceRegistry.connect(system.accounts.audit).pause();
      await expect(licenceRegistry.connect(system.accounts.cons).use(REG, PERMIT_CHECK)).to.be.revertedWithCustomError(
        licenceRegistry,
        "EnforcedPause",
      );
      await expect(
        licenceRegistry.connect(system.holder).grantConsent(FOOD, FIRE, INSPECTION, (await time.latest()) + DAY),
      ).to.be.revertedWithCustomError(licenceRegistry, "EnforcedPause");
      const data = licenceRegistry.interface.encodeFunctionData("unpause");
      await passProposal(system, [{ target: await licenceRegistry.getAddress(), data }]);
      await licenceRegistry.connect(system.accounts.cons).use(REG, PERMIT_CHECK);
    });
  });
});
