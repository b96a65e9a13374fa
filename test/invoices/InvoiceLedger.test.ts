import { expect } from "chai";
import { id, ZeroHash } from "ethers";
import { network } from "hardhat";

import { AUDIT, passProposal, TAX } from "../fixtures.js";
import { ROLES } from "../../deploy/lib/consortium.js";
import { batchProof, batchRoot, enumValues, invoiceIdOf, invoiceLeaf, withIdentity } from "@govledger/contracts";
import {
  claimOf,
  CODE,
  deployInvoiceSystem,
  issueBatchOf,
  ISSUER,
  itemFor,
  OTHER_ISSUER,
  OTHER_RECEIVER,
  range,
  RECEIVER,
  RED_CODE,
  RULES,
  saltOf,
  withSecondTaxAuthority,
} from "./fixtures.js";

/** The ledger's enums as ethers returns them (bigint). */
const asBigints = <T extends Record<string, number>>(values: T) =>
  Object.fromEntries(Object.entries(values).map(([name, value]) => [name, BigInt(value)])) as {
    [K in keyof T]: bigint;
  };
const InvoiceState = asBigints(enumValues.InvoiceState);
const CreditNoteState = asBigints(enumValues.CreditNoteState);

const connection = await network.create<"l1">();
const { ethers, networkHelpers } = connection;
const { time } = networkHelpers;

async function deployed() {
  return deployInvoiceSystem(connection);
}

/** The system with a batch of five invoices (numbers 1-5) issued to the fixture's buyer. */
async function withBatch() {
  const system = await deployInvoiceSystem(connection);
  const batch = await issueBatchOf(system, range(1, 5));
  return { ...system, batch };
}

/** As `withBatch`, with invoice 0 claimed by its buyer and locked by RECEIVER. */
async function withLocked() {
  const system = await withBatch();
  await claimOf(system, system.batch, 0);
  await (await system.ledger.connect(system.parties.receiver).lock(idOf(system.batch.invoices[0]))).wait();
  return system;
}

const fixture = () => networkHelpers.loadFixture(deployed);
const batchFixture = () => networkHelpers.loadFixture(withBatch);
const lockedFixture = () => networkHelpers.loadFixture(withLocked);

function idOf(invoice: { issuerId: string; code: string; number: bigint }): string {
  return invoiceIdOf(invoice.issuerId, invoice.code, invoice.number);
}

/** A credit note of `amount` (tax 6/106) under RED_CODE. */
function note(number: bigint, amount: bigint) {
  return { code: RED_CODE, number, amount, tax: (amount * 6n) / 106n, documentHash: id(`test-red:${number}`) };
}

/** Seconds since the epoch of a UTC date-time string. */
function utc(iso: string): number {
  return Date.parse(`${iso}Z`) / 1000;
}

describe("InvoiceLedger", function () {
  describe("constructor", function () {
    it("rejects a time zone offset outside -12 h to +14 h", async function () {
      const { contracts } = await fixture();
      const args = [await contracts.manager.getAddress(), await contracts.registry.getAddress()] as const;
      const factory = await ethers.getContractFactory("InvoiceLedger");
      await expect(factory.deploy(...args, 14 * 3600 + 1))
        .to.be.revertedWithCustomError(contracts.invoiceLedger, "InvoiceInvalidUtcOffset")
        .withArgs(14 * 3600 + 1);
      await expect(factory.deploy(...args, -12 * 3600 - 1))
        .to.be.revertedWithCustomError(contracts.invoiceLedger, "InvoiceInvalidUtcOffset")
        .withArgs(-12 * 3600 - 1);
      const west = await factory.deploy(...args, -12 * 3600);
      expect(await west.utcOffset()).to.equal(-12n * 3600n);
    });

    it("is deployed with the city's offset (UTC+8) and wired to the consortium", async function () {
      const { ledger, contracts } = await fixture();
      expect(await ledger.utcOffset()).to.equal(8n * 3600n);
      expect(await ledger.registry()).to.equal(await contracts.registry.getAddress());
      expect(await ledger.authority()).to.equal(await contracts.manager.getAddress());
    });
  });

  describe("setIssuerRules", function () {
    it("stores the rules and emits IssuerRulesSet with the tax department", async function () {
      const { ledger, accounts } = await fixture();
      const rules = { enabled: false, maxAmount: 5n, periodAmountQuota: 6n, periodCountQuota: 7n };
      await expect(ledger.connect(accounts.tax).setIssuerRules(ISSUER, rules))
        .to.emit(ledger, "IssuerRulesSet")
        .withArgs(ISSUER, TAX, false, 5n, 6n, 7n);
      const [stored, frozen] = await ledger.getIssuer(ISSUER);
      expect([stored.enabled, stored.maxAmount, stored.periodAmountQuota, stored.periodCountQuota]).to.deep.equal([
        false,
        5n,
        6n,
        7n,
      ]);
      expect(frozen).to.equal(false);
    });

    it("rejects a tax authority other than the issuer's registrar while that is an active tax authority", async function () {
      const system = await fixture();
      await withSecondTaxAuthority(connection, system);
      const { ledger, accounts } = system;
      for (const call of [
        () => ledger.connect(accounts.audit).setIssuerRules(ISSUER, RULES),
        () => ledger.connect(accounts.audit).freezeIssuer(ISSUER),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(ledger, "InvoiceNotRegistrar").withArgs(ISSUER, AUDIT);
      }
    });

    // Issue 12 (suspicion): an issuer registered by a department without the tax role could
    // never get rules, and one whose registrar was suspended could be frozen by nobody.
    it("lets any tax authority control an issuer registered by a department without the tax role", async function () {
      const { ledger, accounts } = await fixture();
      await expect(ledger.connect(accounts.tax).setIssuerRules(OTHER_ISSUER, RULES))
        .to.emit(ledger, "IssuerRulesSet")
        .withArgs(OTHER_ISSUER, TAX, RULES.enabled, RULES.maxAmount, RULES.periodAmountQuota, RULES.periodCountQuota);
      await expect(ledger.connect(accounts.tax).freezeIssuer(OTHER_ISSUER))
        .to.emit(ledger, "IssuerFrozen")
        .withArgs(OTHER_ISSUER, TAX);
      await expect(ledger.connect(accounts.tax).unfreezeIssuer(OTHER_ISSUER))
        .to.emit(ledger, "IssuerUnfrozen")
        .withArgs(OTHER_ISSUER, TAX);
    });

    it("lets another tax authority freeze and set the rules of an issuer whose registrar is suspended", async function () {
      const system = await fixture();
      const governor = await withSecondTaxAuthority(connection, system);
      const { ledger, accounts, parties, contracts } = system;
      await (await contracts.registry.connect(governor).suspendDepartment(TAX)).wait();
      await expect(ledger.connect(accounts.audit).freezeIssuer(ISSUER))
        .to.emit(ledger, "IssuerFrozen")
        .withArgs(ISSUER, AUDIT);
      await expect(ledger.connect(parties.issuer).issue(CODE, itemFor(parties.buyer.address, 100n)))
        .to.be.revertedWithCustomError(ledger, "InvoiceIssuerIsFrozen")
        .withArgs(ISSUER);
      await expect(ledger.connect(accounts.audit).setIssuerRules(ISSUER, { ...RULES, enabled: false }))
        .to.emit(ledger, "IssuerRulesSet")
        .withArgs(ISSUER, AUDIT, false, RULES.maxAmount, RULES.periodAmountQuota, RULES.periodCountQuota);
      // Reinstated, the registrar controls its issuer again, alone.
      await (await contracts.registry.connect(governor).reinstateDepartment(TAX)).wait();
      await expect(ledger.connect(accounts.audit).unfreezeIssuer(ISSUER))
        .to.be.revertedWithCustomError(ledger, "InvoiceNotRegistrar")
        .withArgs(ISSUER, AUDIT);
      await (await ledger.connect(accounts.tax).unfreezeIssuer(ISSUER)).wait();
    });

    it("rejects an unknown participant", async function () {
      const { ledger, accounts, contracts } = await fixture();
      await expect(ledger.connect(accounts.tax).setIssuerRules(id("nobody"), RULES))
        .to.be.revertedWithCustomError(contracts.registry, "RegistryUnknownParticipant")
        .withArgs(id("nobody"));
    });

    it("rejects a role holder that acts for no active department", async function () {
      const system = await fixture();
      const { ledger, accounts, contracts } = system;
      // Governance may grant a role to a bare account; attribution still needs a department.
      const data = contracts.manager.interface.encodeFunctionData("grantRole", [
        ROLES.TAX_AUTHORITY,
        accounts.stranger.address,
        0,
      ]);
      await (await passProposal(system, [{ target: await contracts.manager.getAddress(), data }])).wait();
      await expect(ledger.connect(accounts.stranger).setIssuerRules(ISSUER, RULES))
        .to.be.revertedWithCustomError(ledger, "ConsortiumCallerNotDepartment")
        .withArgs(accounts.stranger.address);
    });
  });

  describe("freezeIssuer / unfreezeIssuer", function () {
    it("freezes an issuer: no issuance, no state change of its invoices; unfreezing restores both", async function () {
      const { ledger, accounts, parties, batch } = await batchFixture();
      await expect(ledger.connect(accounts.tax).freezeIssuer(ISSUER))
        .to.emit(ledger, "IssuerFrozen")
        .withArgs(ISSUER, TAX);
      expect((await ledger.getIssuer(ISSUER))[1]).to.equal(true);
      await expect(ledger.connect(parties.issuer).issue(CODE, itemFor(parties.buyer.address, 100n)))
        .to.be.revertedWithCustomError(ledger, "InvoiceIssuerIsFrozen")
        .withArgs(ISSUER);
      const invoice = batch.invoices[0];
      await expect(ledger.connect(parties.buyer).claim(invoice, batch.proof(0), saltOf(invoice.number), RECEIVER))
        .to.be.revertedWithCustomError(ledger, "InvoiceIssuerIsFrozen")
        .withArgs(ISSUER);

      await expect(ledger.connect(accounts.tax).unfreezeIssuer(ISSUER))
        .to.emit(ledger, "IssuerUnfrozen")
        .withArgs(ISSUER, TAX);
      await claimOf({ ledger, parties }, batch, 0);
      expect((await ledger.getInvoice(idOf(invoice))).state).to.equal(InvoiceState.Claimed);
    });

    it("rejects freezing a frozen issuer and unfreezing one that is not frozen", async function () {
      const { ledger, accounts } = await fixture();
      await expect(ledger.connect(accounts.tax).unfreezeIssuer(ISSUER))
        .to.be.revertedWithCustomError(ledger, "InvoiceIssuerNotFrozen")
        .withArgs(ISSUER);
      await (await ledger.connect(accounts.tax).freezeIssuer(ISSUER)).wait();
      await expect(ledger.connect(accounts.tax).freezeIssuer(ISSUER))
        .to.be.revertedWithCustomError(ledger, "InvoiceIssuerIsFrozen")
        .withArgs(ISSUER);
    });

    it("is reserved to the issuer's registrar while it is an active tax authority", async function () {
      const system = await fixture();
      await withSecondTaxAuthority(connection, system);
      const { ledger, accounts } = system;
      await expect(ledger.connect(accounts.audit).freezeIssuer(ISSUER))
        .to.be.revertedWithCustomError(ledger, "InvoiceNotRegistrar")
        .withArgs(ISSUER, AUDIT);
      await (await ledger.connect(accounts.tax).freezeIssuer(ISSUER)).wait();
      await expect(ledger.connect(accounts.audit).unfreezeIssuer(ISSUER))
        .to.be.revertedWithCustomError(ledger, "InvoiceNotRegistrar")
        .withArgs(ISSUER, AUDIT);
    });
  });

  describe("issue", function () {
    it("issues one invoice as a batch of one whose root is its leaf", async function () {
      const { ledger, parties } = await fixture();
      const item = itemFor(parties.buyer.address, 7n);
      const [invoice] = withIdentity(ISSUER, CODE, [item]);
      const invoiceId = idOf(invoice);
      const leaf = invoiceLeaf(invoice);
      const period = await ledger.periodOf((await time.latest()) + 1);
      await expect(ledger.connect(parties.issuer).issue(CODE, item))
        .to.emit(ledger, "InvoiceBatchIssued")
        .withArgs(leaf, ISSUER, CODE, 1n, item.amount, period)
        .and.to.emit(ledger, "InvoiceIssued")
        .withArgs(invoiceId, ISSUER, leaf, CODE, 7n, item.buyer, item.amount, item.tax, item.documentHash);
      expect(await ledger.isNumberUsed(ISSUER, CODE, 7n)).to.equal(true);
      expect(await ledger.isNumberUsed(ISSUER, CODE, 8n)).to.equal(false);
      expect(await ledger.batchIssuedAt(leaf)).to.equal(BigInt(await time.latest()));
      expect(await ledger.verifyInvoice(invoice, [])).to.deep.equal([true, InvoiceState.Issued]);
      // No per-invoice record until someone needs one.
      expect((await ledger.getInvoice(invoiceId)).state).to.equal(InvoiceState.None);
      expect(await ledger.periodUsage(ISSUER)).to.deep.equal([period, item.amount, 1n]);
    });

    it("returns the invoice id", async function () {
      const { ledger, parties } = await fixture();
      const item = itemFor(parties.buyer.address, 7n);
      expect(await ledger.connect(parties.issuer).issue.staticCall(CODE, item)).to.equal(invoiceIdOf(ISSUER, CODE, 7n));
      expect(await ledger.invoiceIdOf(ISSUER, CODE, 7n)).to.equal(invoiceIdOf(ISSUER, CODE, 7n));
    });

    it("rejects a number used before, under the same code only", async function () {
      const { ledger, parties } = await fixture();
      const item = itemFor(parties.buyer.address, 7n);
      await (await ledger.connect(parties.issuer).issue(CODE, item)).wait();
      await expect(ledger.connect(parties.issuer).issue(CODE, { ...item, amount: 1n, tax: 0n }))
        .to.be.revertedWithCustomError(ledger, "InvoiceNumberUsed")
        .withArgs(ISSUER, CODE, 7n);
      await (await ledger.connect(parties.issuer).issue(RED_CODE, item)).wait();
      expect(await ledger.isNumberUsed(ISSUER, RED_CODE, 7n)).to.equal(true);
    });

    it("rejects a zero amount and more tax than amount", async function () {
      const { ledger, parties } = await fixture();
      const zero = itemFor(parties.buyer.address, 1n, { amount: 0n, tax: 0n });
      await expect(ledger.connect(parties.issuer).issue(CODE, zero))
        .to.be.revertedWithCustomError(ledger, "InvoiceInvalidAmount")
        .withArgs(1n, 0n, 0n);
      const taxed = itemFor(parties.buyer.address, 2n, { amount: 100n, tax: 101n });
      await expect(ledger.connect(parties.issuer).issue(CODE, taxed))
        .to.be.revertedWithCustomError(ledger, "InvoiceInvalidAmount")
        .withArgs(2n, 100n, 101n);
    });

    it("accepts the largest amount of one invoice and rejects one unit more", async function () {
      const { ledger, parties } = await fixture();
      const largest = itemFor(parties.buyer.address, 1n, { amount: RULES.maxAmount });
      await (await ledger.connect(parties.issuer).issue(CODE, largest)).wait();
      const over = itemFor(parties.buyer.address, 2n, { amount: RULES.maxAmount + 1n });
      await expect(ledger.connect(parties.issuer).issue(CODE, over))
        .to.be.revertedWithCustomError(ledger, "InvoiceAmountOverLimit")
        .withArgs(2n, RULES.maxAmount + 1n, RULES.maxAmount);
    });

    it("rejects an issuer without rules and a disabled one", async function () {
      const { ledger, parties, accounts } = await fixture();
      await expect(ledger.connect(parties.otherIssuer).issue(CODE, itemFor(parties.buyer.address, 1n)))
        .to.be.revertedWithCustomError(ledger, "InvoiceIssuerNotEnabled")
        .withArgs(OTHER_ISSUER);
      await (await ledger.connect(accounts.tax).setIssuerRules(ISSUER, { ...RULES, enabled: false })).wait();
      await expect(ledger.connect(parties.issuer).issue(CODE, itemFor(parties.buyer.address, 1n)))
        .to.be.revertedWithCustomError(ledger, "InvoiceIssuerNotEnabled")
        .withArgs(ISSUER);
    });

    it("rejects an issuer over its period amount quota, up to which it may issue", async function () {
      const { ledger, parties, accounts } = await fixture();
      await (
        await ledger.connect(accounts.tax).setIssuerRules(ISSUER, { ...RULES, periodAmountQuota: 30_000n })
      ).wait();
      const first = itemFor(parties.buyer.address, 1n, { amount: 20_000n });
      await (await ledger.connect(parties.issuer).issue(CODE, first)).wait();
      const period = await ledger.periodOf((await time.latest()) + 1);
      await expect(ledger.connect(parties.issuer).issue(CODE, itemFor(parties.buyer.address, 2n, { amount: 10_001n })))
        .to.be.revertedWithCustomError(ledger, "InvoicePeriodAmountQuotaExceeded")
        .withArgs(ISSUER, period, 30_001n, 30_000n);
      await (
        await ledger.connect(parties.issuer).issue(CODE, itemFor(parties.buyer.address, 2n, { amount: 10_000n }))
      ).wait();
      expect((await ledger.periodUsage(ISSUER))[1]).to.equal(30_000n);
    });

    it("rejects an issuer over its period count quota", async function () {
      const { ledger, parties, accounts } = await fixture();
      await (await ledger.connect(accounts.tax).setIssuerRules(ISSUER, { ...RULES, periodCountQuota: 2n })).wait();
      await (await ledger.connect(parties.issuer).issue(CODE, itemFor(parties.buyer.address, 1n))).wait();
      await (await ledger.connect(parties.issuer).issue(CODE, itemFor(parties.buyer.address, 2n))).wait();
      const period = await ledger.periodOf((await time.latest()) + 1);
      await expect(ledger.connect(parties.issuer).issue(CODE, itemFor(parties.buyer.address, 3n)))
        .to.be.revertedWithCustomError(ledger, "InvoicePeriodCountQuotaExceeded")
        .withArgs(ISSUER, period, 3n, 2n);
    });

    it("rejects a frozen issuer", async function () {
      const { ledger, parties, accounts } = await fixture();
      await (await ledger.connect(accounts.tax).freezeIssuer(ISSUER)).wait();
      await expect(ledger.connect(parties.issuer).issue(CODE, itemFor(parties.buyer.address, 1n)))
        .to.be.revertedWithCustomError(ledger, "InvoiceIssuerIsFrozen")
        .withArgs(ISSUER);
    });

    it("stops while the ledger is paused", async function () {
      const { ledger, parties, accounts } = await fixture();
      await (await ledger.connect(accounts.audit).pause()).wait();
      await expect(
        ledger.connect(parties.issuer).issue(CODE, itemFor(parties.buyer.address, 1n)),
      ).to.be.revertedWithCustomError(ledger, "EnforcedPause");
    });
  });

  describe("issueBatch", function () {
    it("issues 100 invoices under one stored root; each proves genuine with its proof", async function () {
      const { ledger, parties } = await fixture();
      const items = range(1, 100).map((number) => itemFor(parties.buyer.address, number));
      const invoices = withIdentity(ISSUER, CODE, items);
      const root = batchRoot(invoices);
      const total = items.reduce((sum, item) => sum + item.amount, 0n);
      const tx = ledger.connect(parties.issuer).issueBatch(CODE, items);
      await expect(tx)
        .to.emit(ledger, "InvoiceBatchIssued")
        .withArgs(root, ISSUER, CODE, 100n, total, await ledger.periodOf((await time.latest()) + 1));
      const receipt = await (await tx).wait();
      const issued = receipt!.logs
        .map((log) => ledger.interface.parseLog(log))
        .filter((log) => log?.name === "InvoiceIssued");
      expect(issued.map((log) => log!.args.invoiceId)).to.deep.equal(invoices.map(idOf));
      expect(issued.every((log) => log!.args.batchRoot === root)).to.equal(true);
      expect(await ledger.batchIssuedAt(root)).to.not.equal(0n);
      for (const index of [0, 1, 63, 98, 99]) {
        expect(await ledger.verifyInvoice(invoices[index], batchProof(invoices, index))).to.deep.equal([
          true,
          InvoiceState.Issued,
        ]);
      }
      expect((await ledger.periodUsage(ISSUER)).slice(1)).to.deep.equal([total, 100n]);
    });

    it("returns the batch root", async function () {
      const { ledger, parties } = await fixture();
      const items = range(1, 3).map((number) => itemFor(parties.buyer.address, number));
      expect(await ledger.connect(parties.issuer).issueBatch.staticCall(CODE, items)).to.equal(
        batchRoot(withIdentity(ISSUER, CODE, items)),
      );
    });

    it("rejects an empty batch and one over MAX_BATCH_SIZE, accepts MAX_BATCH_SIZE", async function () {
      const { ledger, parties } = await fixture();
      const max = await ledger.MAX_BATCH_SIZE();
      await expect(ledger.connect(parties.issuer).issueBatch(CODE, []))
        .to.be.revertedWithCustomError(ledger, "InvoiceBatchSize")
        .withArgs(0n, max);
      const items = range(1, Number(max) + 1).map((number) => itemFor(parties.buyer.address, number));
      await expect(ledger.connect(parties.issuer).issueBatch(CODE, items))
        .to.be.revertedWithCustomError(ledger, "InvoiceBatchSize")
        .withArgs(max + 1n, max);
      await (await ledger.connect(parties.issuer).issueBatch(CODE, items.slice(0, Number(max)))).wait();
      expect(await ledger.isNumberUsed(ISSUER, CODE, max)).to.equal(true);
    });

    it("rejects the whole batch for one number repeated inside it", async function () {
      const { ledger, parties } = await fixture();
      const items = [1n, 2n, 3n, 2n, 4n].map((number) => itemFor(parties.buyer.address, number));
      await expect(ledger.connect(parties.issuer).issueBatch(CODE, items))
        .to.be.revertedWithCustomError(ledger, "InvoiceNumberUsed")
        .withArgs(ISSUER, CODE, 2n);
      expect(await ledger.isNumberUsed(ISSUER, CODE, 1n)).to.equal(false);
    });

    it("rejects the whole batch for one number issued before", async function () {
      const { ledger, parties, batch } = await batchFixture();
      const items = [6n, 7n, 5n, 8n].map((number) => itemFor(parties.buyer.address, number));
      await expect(ledger.connect(parties.issuer).issueBatch(CODE, items))
        .to.be.revertedWithCustomError(ledger, "InvoiceNumberUsed")
        .withArgs(ISSUER, CODE, 5n);
      expect(await ledger.isNumberUsed(ISSUER, CODE, 6n)).to.equal(false);
      expect(batch.invoices).to.have.length(5);
    });

    it("tracks numbers across bitmap words in any order, repeats across words included", async function () {
      const { ledger, parties } = await fixture();
      const numbers = [254n, 255n, 256n, 257n, 3n, 2n ** 64n - 1n, 258n];
      await (
        await ledger.connect(parties.issuer).issueBatch(
          CODE,
          numbers.map((number) => itemFor(parties.buyer.address, number, { amount: 100n, tax: 6n })),
        )
      ).wait();
      for (const number of numbers) expect(await ledger.isNumberUsed(ISSUER, CODE, number)).to.equal(true);
      for (const number of [253n, 259n, 4n, 2n ** 64n - 2n]) {
        expect(await ledger.isNumberUsed(ISSUER, CODE, number)).to.equal(false);
      }
      const repeat = [600n, 300n, 601n, 300n].map((number) => itemFor(parties.buyer.address, number));
      await expect(ledger.connect(parties.issuer).issueBatch(CODE, repeat))
        .to.be.revertedWithCustomError(ledger, "InvoiceNumberUsed")
        .withArgs(ISSUER, CODE, 300n);
    });

    it("applies the rules to every invoice and the quota to the batch total", async function () {
      const { ledger, parties, accounts } = await fixture();
      const over = [1n, 2n].map((number) => itemFor(parties.buyer.address, number));
      over[1].amount = RULES.maxAmount + 1n;
      await expect(ledger.connect(parties.issuer).issueBatch(CODE, over))
        .to.be.revertedWithCustomError(ledger, "InvoiceAmountOverLimit")
        .withArgs(2n, RULES.maxAmount + 1n, RULES.maxAmount);
      await (await ledger.connect(accounts.tax).setIssuerRules(ISSUER, { ...RULES, periodCountQuota: 3n })).wait();
      const four = range(1, 4).map((number) => itemFor(parties.buyer.address, number));
      await expect(ledger.connect(parties.issuer).issueBatch(CODE, four)).to.be.revertedWithCustomError(
        ledger,
        "InvoicePeriodCountQuotaExceeded",
      );
      await (await ledger.connect(parties.issuer).issueBatch(CODE, four.slice(0, 3))).wait();
      expect((await ledger.periodUsage(ISSUER))[2]).to.equal(3n);
    });

    it("rejects an issuer without rules", async function () {
      const { ledger, parties } = await fixture();
      await expect(ledger.connect(parties.otherIssuer).issueBatch(CODE, [itemFor(parties.buyer.address, 1n)]))
        .to.be.revertedWithCustomError(ledger, "InvoiceIssuerNotEnabled")
        .withArgs(OTHER_ISSUER);
    });
  });

  describe("periods (calendar months, local time UTC+8)", function () {
    it("numbers months since January 1970 in local time, leap days included", async function () {
      const { ledger } = await fixture();
      expect(await ledger.periodOf(0)).to.equal(0n);
      expect(await ledger.periodOf(utc("1970-01-31T15:59:59"))).to.equal(0n);
      expect(await ledger.periodOf(utc("1970-01-31T16:00:00"))).to.equal(1n);
      expect(await ledger.periodOf(utc("2024-02-29T15:59:59"))).to.equal(54n * 12n + 1n);
      expect(await ledger.periodOf(utc("2024-02-29T16:00:00"))).to.equal(54n * 12n + 2n);
      expect(await ledger.periodOf(utc("2100-02-28T16:00:00"))).to.equal(130n * 12n + 2n);
      expect(await ledger.periodOf(utc("2035-12-31T16:00:00"))).to.equal(66n * 12n);
    });

    it("starts a new quota at local midnight on the first of the month", async function () {
      const { ledger, parties, accounts } = await fixture();
      await (await ledger.connect(accounts.tax).setIssuerRules(ISSUER, { ...RULES, periodCountQuota: 1n })).wait();
      // 2035-01-31 23:59:58 and 23:59:59 in the city (UTC+8).
      await time.setNextBlockTimestamp(utc("2035-01-31T15:59:58"));
      await (await ledger.connect(parties.issuer).issue(CODE, itemFor(parties.buyer.address, 1n))).wait();
      expect(await ledger.periodUsage(ISSUER)).to.deep.equal([780n, 10_001n, 1n]);
      await time.setNextBlockTimestamp(utc("2035-01-31T15:59:59"));
      await expect(ledger.connect(parties.issuer).issue(CODE, itemFor(parties.buyer.address, 2n)))
        .to.be.revertedWithCustomError(ledger, "InvoicePeriodCountQuotaExceeded")
        .withArgs(ISSUER, 780n, 2n, 1n);
      // 2035-02-01 00:00:00 in the city.
      await time.setNextBlockTimestamp(utc("2035-01-31T16:00:00"));
      await expect(ledger.connect(parties.issuer).issue(CODE, itemFor(parties.buyer.address, 2n)))
        .to.emit(ledger, "InvoiceBatchIssued")
        .withArgs(
          invoiceLeaf(withIdentity(ISSUER, CODE, [itemFor(parties.buyer.address, 2n)])[0]),
          ISSUER,
          CODE,
          1n,
          10_002n,
          781n,
        );
      expect(await ledger.periodUsage(ISSUER)).to.deep.equal([781n, 10_002n, 1n]);
    });

    it("reports no usage once the period is over", async function () {
      const { ledger } = await batchFixture();
      expect((await ledger.periodUsage(ISSUER))[2]).to.equal(5n);
      await time.increase(32 * 24 * 3600);
      const [period, amount, count] = await ledger.periodUsage(ISSUER);
      expect([amount, count]).to.deep.equal([0n, 0n]);
      expect(period).to.equal(await ledger.periodOf(await time.latest()));
    });
  });

  describe("claim", function () {
    it("lets the buyer claim with its salt; the record is created from the proven data", async function () {
      const { ledger, parties, batch } = await batchFixture();
      const invoice = batch.invoices[2];
      await expect(ledger.connect(parties.buyer).claim(invoice, batch.proof(2), saltOf(invoice.number), RECEIVER))
        .to.emit(ledger, "InvoiceClaimed")
        .withArgs(idOf(invoice), ISSUER, parties.buyer.address, RECEIVER);
      const record = await ledger.getInvoice(idOf(invoice));
      expect(record.issuerId).to.equal(ISSUER);
      expect(record.state).to.equal(InvoiceState.Claimed);
      expect(record.amount).to.equal(invoice.amount);
      expect(record.credited).to.equal(0n);
      expect(await ledger.verifyInvoice(invoice, batch.proof(2))).to.deep.equal([true, InvoiceState.Claimed]);
    });

    it("rejects anyone who does not hash to the buyer, and a wrong salt", async function () {
      const { ledger, parties, batch } = await batchFixture();
      const invoice = batch.invoices[0];
      await expect(ledger.connect(parties.otherBuyer).claim(invoice, batch.proof(0), saltOf(invoice.number), RECEIVER))
        .to.be.revertedWithCustomError(ledger, "InvoiceNotBuyer")
        .withArgs(idOf(invoice), parties.otherBuyer.address);
      await expect(ledger.connect(parties.buyer).claim(invoice, batch.proof(0), saltOf(99n), RECEIVER))
        .to.be.revertedWithCustomError(ledger, "InvoiceNotBuyer")
        .withArgs(idOf(invoice), parties.buyer.address);
    });

    it("rejects data or proofs that do not lead to a stored root", async function () {
      const { ledger, parties, batch } = await batchFixture();
      const invoice = batch.invoices[1];
      const salt = saltOf(invoice.number);
      const forged = [
        { ...invoice, documentHash: id("forged document") },
        { ...invoice, amount: invoice.amount + 1n },
        { ...invoice, issuerId: OTHER_ISSUER },
      ];
      for (const data of forged) {
        await expect(ledger.connect(parties.buyer).claim(data, batch.proof(1), salt, RECEIVER))
          .to.be.revertedWithCustomError(ledger, "InvoiceProofInvalid")
          .withArgs(idOf(data));
      }
      await expect(ledger.connect(parties.buyer).claim(invoice, batch.proof(0), salt, RECEIVER))
        .to.be.revertedWithCustomError(ledger, "InvoiceProofInvalid")
        .withArgs(idOf(invoice));
      await expect(ledger.connect(parties.buyer).claim(invoice, batch.proof(1).slice(1), salt, RECEIVER))
        .to.be.revertedWithCustomError(ledger, "InvoiceProofInvalid")
        .withArgs(idOf(invoice));
    });

    it("rejects a second claim and a voided invoice", async function () {
      const { ledger, parties, batch } = await batchFixture();
      const system = { ledger, parties };
      await claimOf(system, batch, 0);
      const first = batch.invoices[0];
      await expect(ledger.connect(parties.buyer).claim(first, batch.proof(0), saltOf(first.number), RECEIVER))
        .to.be.revertedWithCustomError(ledger, "InvoiceUnexpectedState")
        .withArgs(idOf(first), InvoiceState.Claimed);
      await (await ledger.connect(parties.issuer).voidInvoice(batch.invoices[1], batch.proof(1))).wait();
      const second = batch.invoices[1];
      await expect(ledger.connect(parties.buyer).claim(second, batch.proof(1), saltOf(second.number), RECEIVER))
        .to.be.revertedWithCustomError(ledger, "InvoiceUnexpectedState")
        .withArgs(idOf(second), InvoiceState.Voided);
    });

    it("rejects a frozen invoice", async function () {
      const { ledger, parties, accounts, batch } = await batchFixture();
      const invoice = batch.invoices[0];
      await (await ledger.connect(accounts.tax).freezeInvoice(invoice, batch.proof(0))).wait();
      await expect(ledger.connect(parties.buyer).claim(invoice, batch.proof(0), saltOf(invoice.number), RECEIVER))
        .to.be.revertedWithCustomError(ledger, "InvoiceIsFrozen")
        .withArgs(idOf(invoice));
    });

    it("accepts an invoice issued alone with an empty proof", async function () {
      const { ledger, parties } = await fixture();
      const item = itemFor(parties.buyer.address, 42n);
      await (await ledger.connect(parties.issuer).issue(CODE, item)).wait();
      const [invoice] = withIdentity(ISSUER, CODE, [item]);
      await expect(ledger.connect(parties.buyer).claim(invoice, [], saltOf(42n), RECEIVER))
        .to.emit(ledger, "InvoiceClaimed")
        .withArgs(idOf(invoice), ISSUER, parties.buyer.address, RECEIVER);
    });

    it("names the receiving company, which must be an active participant with the receiver role", async function () {
      const { ledger, parties, accounts, contracts, batch } = await batchFixture();
      const { registry } = contracts;
      const invoice = batch.invoices[0];
      const claim = (receiverId: string) =>
        ledger.connect(parties.buyer).claim(invoice, batch.proof(0), saltOf(invoice.number), receiverId);
      // Nobody, an unknown id, an issuer (no receiver role), a suspended receiving company.
      for (const receiverId of [ZeroHash, id("test:unknown"), ISSUER]) {
        await expect(claim(receiverId))
          .to.be.revertedWithCustomError(ledger, "InvoiceInvalidReceiver")
          .withArgs(receiverId);
      }
      await (await registry.connect(accounts.tax).suspendParticipant(OTHER_RECEIVER)).wait();
      await expect(claim(OTHER_RECEIVER))
        .to.be.revertedWithCustomError(ledger, "InvoiceInvalidReceiver")
        .withArgs(OTHER_RECEIVER);
      await expect(claim(RECEIVER))
        .to.emit(ledger, "InvoiceClaimed")
        .withArgs(idOf(invoice), ISSUER, parties.buyer.address, RECEIVER);
      expect((await ledger.getInvoice(idOf(invoice))).receiverId).to.equal(RECEIVER);
    });

    it("lets a buyer that is an enterprise claim with its account", async function () {
      const { ledger, parties } = await fixture();
      const system = { ledger, parties };
      const batch = await issueBatchOf(system, [9n], { buyer: parties.receiver.address });
      const invoice = batch.invoices[0];
      await (await ledger.connect(parties.receiver).claim(invoice, [], saltOf(9n), RECEIVER)).wait();
      expect((await ledger.getInvoice(idOf(invoice))).state).to.equal(InvoiceState.Claimed);
      expect(await ledger.buyerHash(parties.receiver.address, saltOf(9n))).to.equal(invoice.buyer);
    });
  });

  describe("changeReceiver", function () {
    it("lets the buyer name another company while the invoice is claimed and not locked", async function () {
      const { ledger, parties, batch } = await batchFixture();
      const invoice = batch.invoices[0];
      const invoiceId = idOf(invoice);
      await claimOf({ ledger, parties }, batch, 0, RECEIVER);
      await expect(
        ledger.connect(parties.buyer).changeReceiver(invoice, batch.proof(0), saltOf(invoice.number), OTHER_RECEIVER),
      )
        .to.emit(ledger, "InvoiceReceiverChanged")
        .withArgs(invoiceId, OTHER_RECEIVER, parties.buyer.address, RECEIVER);
      expect((await ledger.getInvoice(invoiceId)).receiverId).to.equal(OTHER_RECEIVER);
      await expect(ledger.connect(parties.receiver).lock(invoiceId))
        .to.be.revertedWithCustomError(ledger, "InvoiceNotReceiver")
        .withArgs(invoiceId, RECEIVER);
      await (await ledger.connect(parties.otherReceiver).lock(invoiceId)).wait();
      // Locked: the company holds it until it lets go.
      await expect(
        ledger.connect(parties.buyer).changeReceiver(invoice, batch.proof(0), saltOf(invoice.number), RECEIVER),
      )
        .to.be.revertedWithCustomError(ledger, "InvoiceUnexpectedState")
        .withArgs(invoiceId, InvoiceState.Locked);
    });

    it("is the buyer's alone, needs a genuine invoice, a claimed state and a valid company", async function () {
      const { ledger, parties, accounts, batch } = await batchFixture();
      const invoice = batch.invoices[0];
      const invoiceId = idOf(invoice);
      const change = (signer: typeof parties.buyer, receiverId = OTHER_RECEIVER, salt = saltOf(invoice.number)) =>
        ledger.connect(signer).changeReceiver(invoice, batch.proof(0), salt, receiverId);
      await expect(change(parties.buyer))
        .to.be.revertedWithCustomError(ledger, "InvoiceUnexpectedState")
        .withArgs(invoiceId, InvoiceState.None);
      await claimOf({ ledger, parties }, batch, 0, RECEIVER);
      for (const signer of [parties.otherBuyer, parties.receiver, parties.otherReceiver]) {
        await expect(change(signer))
          .to.be.revertedWithCustomError(ledger, "InvoiceNotBuyer")
          .withArgs(invoiceId, signer.address);
      }
      await expect(change(parties.buyer, OTHER_RECEIVER, saltOf(99n)))
        .to.be.revertedWithCustomError(ledger, "InvoiceNotBuyer")
        .withArgs(invoiceId, parties.buyer.address);
      await expect(
        ledger.connect(parties.buyer).changeReceiver(invoice, batch.proof(1), saltOf(invoice.number), OTHER_RECEIVER),
      )
        .to.be.revertedWithCustomError(ledger, "InvoiceProofInvalid")
        .withArgs(invoiceId);
      await expect(change(parties.buyer, ISSUER))
        .to.be.revertedWithCustomError(ledger, "InvoiceInvalidReceiver")
        .withArgs(ISSUER);
      await (await ledger.connect(accounts.tax).freezeInvoice(invoice, [])).wait();
      await expect(change(parties.buyer)).to.be.revertedWithCustomError(ledger, "InvoiceIsFrozen").withArgs(invoiceId);
    });
  });

  describe("lock", function () {
    // Issue 12, finding 2: any receiving company could lock an invoice claimed for another, and
    // Reimbursed is final, so one company could take every claimed invoice in the city.
    it("is reserved to the receiving company the buyer named in the claim", async function () {
      const { ledger, parties, batch } = await batchFixture();
      await claimOf({ ledger, parties }, batch, 0, RECEIVER);
      const invoiceId = idOf(batch.invoices[0]);
      await expect(ledger.connect(parties.otherReceiver).lock(invoiceId))
        .to.be.revertedWithCustomError(ledger, "InvoiceNotReceiver")
        .withArgs(invoiceId, OTHER_RECEIVER);
      expect((await ledger.getInvoice(invoiceId)).state).to.equal(InvoiceState.Claimed);
      await (await ledger.connect(parties.receiver).lock(invoiceId)).wait();
      await (await ledger.connect(parties.receiver).reimburse(invoiceId)).wait();
    });

    it("locks a claimed invoice for the receiving company", async function () {
      const { ledger, parties, batch } = await batchFixture();
      await claimOf({ ledger, parties }, batch, 0);
      const invoiceId = idOf(batch.invoices[0]);
      await expect(ledger.connect(parties.receiver).lock(invoiceId))
        .to.emit(ledger, "InvoiceLocked")
        .withArgs(invoiceId, RECEIVER, batch.invoices[0].amount);
      const record = await ledger.getInvoice(invoiceId);
      expect(record.state).to.equal(InvoiceState.Locked);
      expect(record.receiverId).to.equal(RECEIVER);
    });

    it("rejects a second lock by the same or another company", async function () {
      const { ledger, parties, batch } = await lockedFixture();
      const invoiceId = idOf(batch.invoices[0]);
      for (const company of [parties.receiver, parties.otherReceiver]) {
        await expect(ledger.connect(company).lock(invoiceId))
          .to.be.revertedWithCustomError(ledger, "InvoiceUnexpectedState")
          .withArgs(invoiceId, InvoiceState.Locked);
      }
    });

    it("rejects an invoice nobody claimed", async function () {
      const { ledger, parties, accounts, batch } = await batchFixture();
      const invoiceId = idOf(batch.invoices[1]);
      await expect(ledger.connect(parties.receiver).lock(invoiceId))
        .to.be.revertedWithCustomError(ledger, "InvoiceUnexpectedState")
        .withArgs(invoiceId, InvoiceState.None);
      await (await ledger.connect(accounts.tax).freezeInvoice(batch.invoices[1], batch.proof(1))).wait();
      await (await ledger.connect(accounts.tax).unfreezeInvoice(invoiceId)).wait();
      await expect(ledger.connect(parties.receiver).lock(invoiceId))
        .to.be.revertedWithCustomError(ledger, "InvoiceUnexpectedState")
        .withArgs(invoiceId, InvoiceState.Issued);
    });

    it("rejects a fully credited invoice", async function () {
      const { ledger, parties, batch } = await batchFixture();
      const invoice = batch.invoices[0];
      await claimOf({ ledger, parties }, batch, 0);
      await (await ledger.connect(parties.issuer).issueCreditNote(invoice, [], note(1n, invoice.amount))).wait();
      await expect(ledger.connect(parties.receiver).lock(idOf(invoice)))
        .to.be.revertedWithCustomError(ledger, "InvoiceFullyCredited")
        .withArgs(idOf(invoice));
    });

    it("rejects a frozen invoice", async function () {
      const { ledger, parties, accounts, batch } = await batchFixture();
      await claimOf({ ledger, parties }, batch, 0);
      await (await ledger.connect(accounts.tax).freezeInvoice(batch.invoices[0], [])).wait();
      await expect(ledger.connect(parties.receiver).lock(idOf(batch.invoices[0])))
        .to.be.revertedWithCustomError(ledger, "InvoiceIsFrozen")
        .withArgs(idOf(batch.invoices[0]));
    });
  });

  describe("unlock", function () {
    it("releases the invoice on rejection: claimed again, for the same company until the buyer names another", async function () {
      const { ledger, parties, batch } = await lockedFixture();
      const invoice = batch.invoices[0];
      const invoiceId = idOf(invoice);
      const reason = id("duplicate expense claim");
      await expect(ledger.connect(parties.receiver).unlock(invoiceId, reason))
        .to.emit(ledger, "InvoiceUnlocked")
        .withArgs(invoiceId, RECEIVER, reason);
      const record = await ledger.getInvoice(invoiceId);
      expect(record.state).to.equal(InvoiceState.Claimed);
      expect(record.receiverId).to.equal(RECEIVER);
      await expect(ledger.connect(parties.otherReceiver).lock(invoiceId))
        .to.be.revertedWithCustomError(ledger, "InvoiceNotReceiver")
        .withArgs(invoiceId, OTHER_RECEIVER);
      await (
        await ledger
          .connect(parties.buyer)
          .changeReceiver(invoice, batch.proof(0), saltOf(invoice.number), OTHER_RECEIVER)
      ).wait();
      await expect(ledger.connect(parties.otherReceiver).lock(invoiceId))
        .to.emit(ledger, "InvoiceLocked")
        .withArgs(invoiceId, OTHER_RECEIVER, invoice.amount);
    });

    it("is reserved to the company that locked it", async function () {
      const { ledger, parties, batch } = await lockedFixture();
      const invoiceId = idOf(batch.invoices[0]);
      await expect(ledger.connect(parties.otherReceiver).unlock(invoiceId, ZeroHash))
        .to.be.revertedWithCustomError(ledger, "InvoiceNotReceiver")
        .withArgs(invoiceId, OTHER_RECEIVER);
    });

    it("rejects an invoice that is not locked", async function () {
      const { ledger, parties, batch } = await lockedFixture();
      const invoiceId = idOf(batch.invoices[0]);
      await (await ledger.connect(parties.receiver).reimburse(invoiceId)).wait();
      await expect(ledger.connect(parties.receiver).unlock(invoiceId, ZeroHash))
        .to.be.revertedWithCustomError(ledger, "InvoiceUnexpectedState")
        .withArgs(invoiceId, InvoiceState.Reimbursed);
    });

    it("rejects a frozen invoice", async function () {
      const { ledger, parties, accounts, batch } = await lockedFixture();
      await (await ledger.connect(accounts.tax).freezeInvoice(batch.invoices[0], [])).wait();
      await expect(ledger.connect(parties.receiver).unlock(idOf(batch.invoices[0]), ZeroHash))
        .to.be.revertedWithCustomError(ledger, "InvoiceIsFrozen")
        .withArgs(idOf(batch.invoices[0]));
    });
  });

  describe("reimburse", function () {
    it("reimburses the amount less credit notes, once", async function () {
      const { ledger, parties, batch } = await lockedFixture();
      const invoiceId = idOf(batch.invoices[0]);
      const amount = batch.invoices[0].amount;
      expect(await ledger.connect(parties.receiver).reimburse.staticCall(invoiceId)).to.equal(amount);
      await expect(ledger.connect(parties.receiver).reimburse(invoiceId))
        .to.emit(ledger, "InvoiceReimbursed")
        .withArgs(invoiceId, RECEIVER, amount);
      const record = await ledger.getInvoice(invoiceId);
      expect(record.state).to.equal(InvoiceState.Reimbursed);
      expect(record.reimbursed).to.equal(amount);
      expect(record.receiverId).to.equal(RECEIVER);
    });

    it("rejects a second reimbursement by the same or another company", async function () {
      const { ledger, parties, batch } = await lockedFixture();
      const invoiceId = idOf(batch.invoices[0]);
      await (await ledger.connect(parties.receiver).reimburse(invoiceId)).wait();
      for (const company of [parties.receiver, parties.otherReceiver]) {
        await expect(ledger.connect(company).reimburse(invoiceId))
          .to.be.revertedWithCustomError(ledger, "InvoiceUnexpectedState")
          .withArgs(invoiceId, InvoiceState.Reimbursed);
        await expect(ledger.connect(company).lock(invoiceId))
          .to.be.revertedWithCustomError(ledger, "InvoiceUnexpectedState")
          .withArgs(invoiceId, InvoiceState.Reimbursed);
      }
    });

    it("is reserved to the company that locked it", async function () {
      const { ledger, parties, batch } = await lockedFixture();
      const invoiceId = idOf(batch.invoices[0]);
      await expect(ledger.connect(parties.otherReceiver).reimburse(invoiceId))
        .to.be.revertedWithCustomError(ledger, "InvoiceNotReceiver")
        .withArgs(invoiceId, OTHER_RECEIVER);
    });

    it("rejects an invoice that is not locked", async function () {
      const { ledger, parties, batch } = await batchFixture();
      await claimOf({ ledger, parties }, batch, 0);
      const invoiceId = idOf(batch.invoices[0]);
      await expect(ledger.connect(parties.receiver).reimburse(invoiceId))
        .to.be.revertedWithCustomError(ledger, "InvoiceUnexpectedState")
        .withArgs(invoiceId, InvoiceState.Claimed);
    });

    it("rejects an invoice whose confirmed credit notes took its whole amount", async function () {
      const { ledger, parties, batch } = await lockedFixture();
      const invoice = batch.invoices[0];
      await (await ledger.connect(parties.issuer).issueCreditNote(invoice, [], note(1n, invoice.amount))).wait();
      await (await ledger.connect(parties.receiver).confirmCreditNote(invoiceIdOf(ISSUER, RED_CODE, 1n))).wait();
      await expect(ledger.connect(parties.receiver).reimburse(idOf(invoice)))
        .to.be.revertedWithCustomError(ledger, "InvoiceFullyCredited")
        .withArgs(idOf(invoice));
    });

    it("rejects a frozen invoice and an invoice of a frozen issuer", async function () {
      const { ledger, parties, accounts, batch } = await lockedFixture();
      const invoiceId = idOf(batch.invoices[0]);
      await (await ledger.connect(accounts.tax).freezeIssuer(ISSUER)).wait();
      await expect(ledger.connect(parties.receiver).reimburse(invoiceId))
        .to.be.revertedWithCustomError(ledger, "InvoiceIssuerIsFrozen")
        .withArgs(ISSUER);
      await (await ledger.connect(accounts.tax).freezeInvoice(batch.invoices[0], [])).wait();
      await (await ledger.connect(accounts.tax).unfreezeIssuer(ISSUER)).wait();
      await expect(ledger.connect(parties.receiver).reimburse(invoiceId))
        .to.be.revertedWithCustomError(ledger, "InvoiceIsFrozen")
        .withArgs(invoiceId);
    });
  });

  describe("voidInvoice", function () {
    it("voids an unclaimed invoice for good", async function () {
      const { ledger, parties, batch } = await batchFixture();
      const invoice = batch.invoices[3];
      await expect(ledger.connect(parties.issuer).voidInvoice(invoice, batch.proof(3)))
        .to.emit(ledger, "InvoiceVoided")
        .withArgs(idOf(invoice), ISSUER);
      const record = await ledger.getInvoice(idOf(invoice));
      expect(record.state).to.equal(InvoiceState.Voided);
      expect(record.amount).to.equal(invoice.amount);
      expect(await ledger.verifyInvoice(invoice, batch.proof(3))).to.deep.equal([true, InvoiceState.Voided]);
      await expect(ledger.connect(parties.issuer).voidInvoice(invoice, []))
        .to.be.revertedWithCustomError(ledger, "InvoiceUnexpectedState")
        .withArgs(idOf(invoice), InvoiceState.Voided);
    });

    it("rejects a claimed invoice", async function () {
      const { ledger, parties, batch } = await batchFixture();
      await claimOf({ ledger, parties }, batch, 0);
      await expect(ledger.connect(parties.issuer).voidInvoice(batch.invoices[0], []))
        .to.be.revertedWithCustomError(ledger, "InvoiceUnexpectedState")
        .withArgs(idOf(batch.invoices[0]), InvoiceState.Claimed);
    });

    it("is reserved to the invoice's issuer", async function () {
      const { ledger, parties, batch } = await batchFixture();
      await expect(ledger.connect(parties.otherIssuer).voidInvoice(batch.invoices[0], batch.proof(0)))
        .to.be.revertedWithCustomError(ledger, "InvoiceNotIssuer")
        .withArgs(idOf(batch.invoices[0]), OTHER_ISSUER);
    });

    it("rejects an invoice without a valid proof", async function () {
      const { ledger, parties, batch } = await batchFixture();
      await expect(ledger.connect(parties.issuer).voidInvoice(batch.invoices[0], batch.proof(1)))
        .to.be.revertedWithCustomError(ledger, "InvoiceProofInvalid")
        .withArgs(idOf(batch.invoices[0]));
    });

    it("rejects a frozen invoice", async function () {
      const { ledger, parties, accounts, batch } = await batchFixture();
      await (await ledger.connect(accounts.tax).freezeInvoice(batch.invoices[0], batch.proof(0))).wait();
      await expect(ledger.connect(parties.issuer).voidInvoice(batch.invoices[0], []))
        .to.be.revertedWithCustomError(ledger, "InvoiceIsFrozen")
        .withArgs(idOf(batch.invoices[0]));
    });
  });

  describe("issueCreditNote", function () {
    it("applies a credit note at once to an issued invoice, partial then the rest", async function () {
      const { ledger, parties, batch } = await batchFixture();
      const invoice = batch.invoices[0];
      const invoiceId = idOf(invoice);
      const first = note(1n, 4_000n);
      const firstId = invoiceIdOf(ISSUER, RED_CODE, 1n);
      await expect(ledger.connect(parties.issuer).issueCreditNote(invoice, batch.proof(0), first))
        .to.emit(ledger, "CreditNoteIssued")
        .withArgs(
          firstId,
          invoiceId,
          ISSUER,
          RED_CODE,
          1n,
          4_000n,
          first.tax,
          first.documentHash,
          CreditNoteState.Applied,
          0n,
        )
        .and.to.emit(ledger, "InvoiceCredited")
        .withArgs(invoiceId, firstId, 4_000n, 4_000n);
      expect(await ledger.isNumberUsed(ISSUER, RED_CODE, 1n)).to.equal(true);
      const stored = await ledger.getCreditNote(firstId);
      expect(stored.invoiceId).to.equal(invoiceId);
      expect(stored.state).to.equal(CreditNoteState.Applied);
      expect(stored.lapsesAt).to.equal(0n);

      const rest = invoice.amount - 4_000n;
      await expect(ledger.connect(parties.issuer).issueCreditNote(invoice, [], note(2n, rest)))
        .to.emit(ledger, "InvoiceCredited")
        .withArgs(invoiceId, invoiceIdOf(ISSUER, RED_CODE, 2n), rest, invoice.amount);
      const record = await ledger.getInvoice(invoiceId);
      expect(record.state).to.equal(InvoiceState.Issued);
      expect(record.credited).to.equal(invoice.amount);
    });

    it("applies a credit note at once to a claimed invoice, and the lock shows what is left", async function () {
      const { ledger, parties, batch } = await batchFixture();
      const invoice = batch.invoices[0];
      await claimOf({ ledger, parties }, batch, 0);
      await (await ledger.connect(parties.issuer).issueCreditNote(invoice, [], note(1n, 1_000n))).wait();
      await expect(ledger.connect(parties.receiver).lock(idOf(invoice)))
        .to.emit(ledger, "InvoiceLocked")
        .withArgs(idOf(invoice), RECEIVER, invoice.amount - 1_000n);
      await expect(ledger.connect(parties.receiver).reimburse(idOf(invoice)))
        .to.emit(ledger, "InvoiceReimbursed")
        .withArgs(idOf(invoice), RECEIVER, invoice.amount - 1_000n);
    });

    it("rejects more than what is not yet credited", async function () {
      const { ledger, parties, batch } = await batchFixture();
      const invoice = batch.invoices[0];
      await (await ledger.connect(parties.issuer).issueCreditNote(invoice, batch.proof(0), note(1n, 6_000n))).wait();
      const remaining = invoice.amount - 6_000n;
      await expect(ledger.connect(parties.issuer).issueCreditNote(invoice, [], note(2n, remaining + 1n)))
        .to.be.revertedWithCustomError(ledger, "InvoiceCreditExceedsRemaining")
        .withArgs(idOf(invoice), remaining + 1n, remaining);
    });

    it("makes a pending request while the invoice is locked, lapsing after the window", async function () {
      const { ledger, parties, batch } = await lockedFixture();
      const invoice = batch.invoices[0];
      const creditNoteId = invoiceIdOf(ISSUER, RED_CODE, 1n);
      const red = note(1n, 2_000n);
      const issuedAt = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(issuedAt);
      const lapsesAt = BigInt(issuedAt) + 72n * 3600n;
      await expect(ledger.connect(parties.issuer).issueCreditNote(invoice, [], red))
        .to.emit(ledger, "CreditNoteIssued")
        .withArgs(
          creditNoteId,
          idOf(invoice),
          ISSUER,
          RED_CODE,
          1n,
          2_000n,
          red.tax,
          red.documentHash,
          CreditNoteState.Pending,
          lapsesAt,
        )
        .and.not.to.emit(ledger, "InvoiceCredited");
      expect((await ledger.getInvoice(idOf(invoice))).credited).to.equal(0n);
      const pending = await ledger.getCreditNote(creditNoteId);
      expect(pending.state).to.equal(CreditNoteState.Pending);
      expect(pending.lapsesAt).to.equal(lapsesAt);
      expect(pending.issuedAt).to.equal(BigInt(issuedAt));
      await time.increaseTo(lapsesAt);
      expect((await ledger.getCreditNote(creditNoteId)).state).to.equal(CreditNoteState.Lapsed);
    });

    it("makes a pending request once the invoice is reimbursed", async function () {
      const { ledger, parties, batch } = await lockedFixture();
      const invoice = batch.invoices[0];
      await (await ledger.connect(parties.receiver).reimburse(idOf(invoice))).wait();
      await (await ledger.connect(parties.issuer).issueCreditNote(invoice, [], note(1n, 2_000n))).wait();
      expect((await ledger.getCreditNote(invoiceIdOf(ISSUER, RED_CODE, 1n))).state).to.equal(CreditNoteState.Pending);
      expect((await ledger.getInvoice(idOf(invoice))).reimbursed).to.equal(invoice.amount);
    });

    it("rejects a voided invoice", async function () {
      const { ledger, parties, batch } = await batchFixture();
      const invoice = batch.invoices[0];
      await (await ledger.connect(parties.issuer).voidInvoice(invoice, batch.proof(0))).wait();
      await expect(ledger.connect(parties.issuer).issueCreditNote(invoice, [], note(1n, 1n)))
        .to.be.revertedWithCustomError(ledger, "InvoiceUnexpectedState")
        .withArgs(idOf(invoice), InvoiceState.Voided);
    });

    it("rejects a number already used by an invoice or a credit note", async function () {
      const { ledger, parties, batch } = await batchFixture();
      const invoice = batch.invoices[0];
      const reused = { ...note(2n, 1n), code: CODE };
      await expect(ledger.connect(parties.issuer).issueCreditNote(invoice, batch.proof(0), reused))
        .to.be.revertedWithCustomError(ledger, "InvoiceNumberUsed")
        .withArgs(ISSUER, CODE, 2n);
      await (await ledger.connect(parties.issuer).issueCreditNote(invoice, batch.proof(0), note(1n, 1n))).wait();
      await expect(ledger.connect(parties.issuer).issueCreditNote(invoice, [], note(1n, 1n)))
        .to.be.revertedWithCustomError(ledger, "InvoiceNumberUsed")
        .withArgs(ISSUER, RED_CODE, 1n);
    });

    it("rejects a zero amount and more tax than amount", async function () {
      const { ledger, parties, batch } = await batchFixture();
      const invoice = batch.invoices[0];
      await expect(ledger.connect(parties.issuer).issueCreditNote(invoice, batch.proof(0), note(1n, 0n)))
        .to.be.revertedWithCustomError(ledger, "InvoiceInvalidAmount")
        .withArgs(1n, 0n, 0n);
      await expect(
        ledger.connect(parties.issuer).issueCreditNote(invoice, batch.proof(0), { ...note(1n, 10n), tax: 11n }),
      )
        .to.be.revertedWithCustomError(ledger, "InvoiceInvalidAmount")
        .withArgs(1n, 10n, 11n);
    });

    it("is reserved to the invoice's issuer", async function () {
      const { ledger, parties, batch } = await batchFixture();
      await expect(ledger.connect(parties.otherIssuer).issueCreditNote(batch.invoices[0], batch.proof(0), note(1n, 1n)))
        .to.be.revertedWithCustomError(ledger, "InvoiceNotIssuer")
        .withArgs(idOf(batch.invoices[0]), OTHER_ISSUER);
    });

    it("rejects a frozen invoice and an invoice of a frozen issuer", async function () {
      const { ledger, parties, accounts, batch } = await batchFixture();
      await (await ledger.connect(accounts.tax).freezeIssuer(ISSUER)).wait();
      await expect(ledger.connect(parties.issuer).issueCreditNote(batch.invoices[0], batch.proof(0), note(1n, 1n)))
        .to.be.revertedWithCustomError(ledger, "InvoiceIssuerIsFrozen")
        .withArgs(ISSUER);
      await (await ledger.connect(accounts.tax).unfreezeIssuer(ISSUER)).wait();
      await (await ledger.connect(accounts.tax).freezeInvoice(batch.invoices[0], batch.proof(0))).wait();
      await expect(ledger.connect(parties.issuer).issueCreditNote(batch.invoices[0], [], note(1n, 1n)))
        .to.be.revertedWithCustomError(ledger, "InvoiceIsFrozen")
        .withArgs(idOf(batch.invoices[0]));
    });
  });

  describe("confirmCreditNote", function () {
    /** The locked invoice with a pending credit note of 3,000 (RED_CODE 1). */
    async function withPending() {
      const system = await withLocked();
      await (
        await system.ledger
          .connect(system.parties.issuer)
          .issueCreditNote(system.batch.invoices[0], [], note(1n, 3_000n))
      ).wait();
      return { ...system, creditNoteId: invoiceIdOf(ISSUER, RED_CODE, 1n), issuedAt: BigInt(await time.latest()) };
    }
    const pendingFixture = () => networkHelpers.loadFixture(withPending);

    it("applies the note for the locking company, up to the last second of the window", async function () {
      const { ledger, parties, batch, creditNoteId, issuedAt } = await pendingFixture();
      const invoiceId = idOf(batch.invoices[0]);
      await time.setNextBlockTimestamp(issuedAt + 72n * 3600n - 1n);
      await expect(ledger.connect(parties.receiver).confirmCreditNote(creditNoteId))
        .to.emit(ledger, "CreditNoteConfirmed")
        .withArgs(creditNoteId, invoiceId, RECEIVER)
        .and.to.emit(ledger, "InvoiceCredited")
        .withArgs(invoiceId, creditNoteId, 3_000n, 3_000n);
      expect((await ledger.getCreditNote(creditNoteId)).state).to.equal(CreditNoteState.Applied);
      await expect(ledger.connect(parties.receiver).reimburse(invoiceId))
        .to.emit(ledger, "InvoiceReimbursed")
        .withArgs(invoiceId, RECEIVER, batch.invoices[0].amount - 3_000n);
      await expect(ledger.connect(parties.receiver).confirmCreditNote(creditNoteId))
        .to.be.revertedWithCustomError(ledger, "InvoiceCreditNoteUnexpectedState")
        .withArgs(creditNoteId, CreditNoteState.Applied);
    });

    it("rejects a note that lapsed", async function () {
      const { ledger, parties, creditNoteId, issuedAt } = await pendingFixture();
      await time.setNextBlockTimestamp(issuedAt + 72n * 3600n);
      await expect(ledger.connect(parties.receiver).confirmCreditNote(creditNoteId))
        .to.be.revertedWithCustomError(ledger, "InvoiceCreditNoteUnexpectedState")
        .withArgs(creditNoteId, CreditNoteState.Lapsed);
    });

    it("rejects an unknown note", async function () {
      const { ledger, parties } = await pendingFixture();
      await expect(ledger.connect(parties.receiver).confirmCreditNote(id("no such note")))
        .to.be.revertedWithCustomError(ledger, "InvoiceCreditNoteUnexpectedState")
        .withArgs(id("no such note"), CreditNoteState.None);
    });

    it("lowers what was reimbursed when confirmed after reimbursement", async function () {
      const { ledger, parties, batch, creditNoteId } = await pendingFixture();
      const invoiceId = idOf(batch.invoices[0]);
      await (await ledger.connect(parties.receiver).reimburse(invoiceId)).wait();
      await (await ledger.connect(parties.receiver).confirmCreditNote(creditNoteId)).wait();
      const record = await ledger.getInvoice(invoiceId);
      expect(record.state).to.equal(InvoiceState.Reimbursed);
      expect(record.credited).to.equal(3_000n);
      expect(record.reimbursed).to.equal(batch.invoices[0].amount - 3_000n);
      expect(record.reimbursed + record.credited).to.equal(record.amount);
    });

    it("is reserved to the company that locked the invoice", async function () {
      const { ledger, parties, batch, creditNoteId } = await pendingFixture();
      await expect(ledger.connect(parties.otherReceiver).confirmCreditNote(creditNoteId))
        .to.be.revertedWithCustomError(ledger, "InvoiceNotReceiver")
        .withArgs(idOf(batch.invoices[0]), OTHER_RECEIVER);
    });

    it("cannot be confirmed once the invoice was unlocked", async function () {
      const { ledger, parties, batch, creditNoteId } = await pendingFixture();
      const invoiceId = idOf(batch.invoices[0]);
      await (await ledger.connect(parties.receiver).unlock(invoiceId, ZeroHash)).wait();
      await expect(ledger.connect(parties.receiver).confirmCreditNote(creditNoteId))
        .to.be.revertedWithCustomError(ledger, "InvoiceUnexpectedState")
        .withArgs(invoiceId, InvoiceState.Claimed);
    });

    it("rejects a note that no longer fits what other notes left", async function () {
      const { ledger, parties, batch, creditNoteId } = await pendingFixture();
      const invoice = batch.invoices[0];
      const rest = invoice.amount - 1_000n;
      await (await ledger.connect(parties.issuer).issueCreditNote(invoice, [], note(2n, rest))).wait();
      await (await ledger.connect(parties.receiver).confirmCreditNote(invoiceIdOf(ISSUER, RED_CODE, 2n))).wait();
      await expect(ledger.connect(parties.receiver).confirmCreditNote(creditNoteId))
        .to.be.revertedWithCustomError(ledger, "InvoiceCreditExceedsRemaining")
        .withArgs(idOf(invoice), 3_000n, 1_000n);
    });

    it("rejects a frozen invoice", async function () {
      const { ledger, parties, accounts, batch, creditNoteId } = await pendingFixture();
      await (await ledger.connect(accounts.tax).freezeInvoice(batch.invoices[0], [])).wait();
      await expect(ledger.connect(parties.receiver).confirmCreditNote(creditNoteId))
        .to.be.revertedWithCustomError(ledger, "InvoiceIsFrozen")
        .withArgs(idOf(batch.invoices[0]));
    });
  });

  describe("freezeInvoice / unfreezeInvoice", function () {
    it("freezes an invoice nobody touched yet, from its proof, and unfreezes it", async function () {
      const { ledger, parties, accounts, batch } = await batchFixture();
      const invoice = batch.invoices[4];
      const invoiceId = idOf(invoice);
      await expect(ledger.connect(accounts.tax).freezeInvoice(invoice, batch.proof(4)))
        .to.emit(ledger, "InvoiceFrozen")
        .withArgs(invoiceId, TAX);
      let record = await ledger.getInvoice(invoiceId);
      expect([record.state, record.frozen, record.amount]).to.deep.equal([InvoiceState.Issued, true, invoice.amount]);
      await expect(ledger.connect(accounts.tax).unfreezeInvoice(invoiceId))
        .to.emit(ledger, "InvoiceUnfrozen")
        .withArgs(invoiceId, TAX);
      record = await ledger.getInvoice(invoiceId);
      expect(record.frozen).to.equal(false);
      await claimOf({ ledger, parties }, batch, 4);
    });

    it("rejects freezing a frozen invoice, unfreezing one that is not, and a forged invoice", async function () {
      const { ledger, accounts, batch } = await batchFixture();
      const invoice = batch.invoices[0];
      await expect(ledger.connect(accounts.tax).unfreezeInvoice(idOf(invoice)))
        .to.be.revertedWithCustomError(ledger, "InvoiceNotFrozen")
        .withArgs(idOf(invoice));
      await expect(ledger.connect(accounts.tax).freezeInvoice({ ...invoice, tax: 0n }, batch.proof(0)))
        .to.be.revertedWithCustomError(ledger, "InvoiceProofInvalid")
        .withArgs(idOf(invoice));
      await (await ledger.connect(accounts.tax).freezeInvoice(invoice, batch.proof(0))).wait();
      await expect(ledger.connect(accounts.tax).freezeInvoice(invoice, []))
        .to.be.revertedWithCustomError(ledger, "InvoiceIsFrozen")
        .withArgs(idOf(invoice));
    });

    it("keeps a reimbursed invoice's pending credit note from being confirmed", async function () {
      const { ledger, parties, accounts, batch } = await lockedFixture();
      const invoice = batch.invoices[0];
      await (await ledger.connect(parties.receiver).reimburse(idOf(invoice))).wait();
      await (await ledger.connect(parties.issuer).issueCreditNote(invoice, [], note(1n, 5n))).wait();
      await (await ledger.connect(accounts.tax).freezeInvoice(invoice, [])).wait();
      await expect(ledger.connect(parties.receiver).confirmCreditNote(invoiceIdOf(ISSUER, RED_CODE, 1n)))
        .to.be.revertedWithCustomError(ledger, "InvoiceIsFrozen")
        .withArgs(idOf(invoice));
      expect((await ledger.getInvoice(idOf(invoice))).credited).to.equal(0n);
    });
  });

  describe("verifyInvoice", function () {
    it("tells the genuine document hash from any other", async function () {
      const { ledger, batch } = await batchFixture();
      const invoice = batch.invoices[2];
      expect(await ledger.verifyInvoice(invoice, batch.proof(2))).to.deep.equal([true, InvoiceState.Issued]);
      expect(await ledger.verifyInvoice({ ...invoice, documentHash: id("other") }, batch.proof(2))).to.deep.equal([
        false,
        InvoiceState.None,
      ]);
      expect(await ledger.verifyInvoice({ ...invoice, number: 99n }, batch.proof(2))).to.deep.equal([
        false,
        InvoiceState.None,
      ]);
    });
  });

  describe("pause", function () {
    it("is wired to GUARDIAN and stops every state change until a vote unpauses", async function () {
      const system = await batchFixture();
      const { ledger, parties, accounts, batch } = system;
      await (await ledger.connect(accounts.tax).pause()).wait();
      const invoice = batch.invoices[0];
      await expect(
        ledger.connect(parties.buyer).claim(invoice, batch.proof(0), saltOf(invoice.number), RECEIVER),
      ).to.be.revertedWithCustomError(ledger, "EnforcedPause");
      await expect(ledger.connect(accounts.tax).freezeIssuer(ISSUER)).to.be.revertedWithCustomError(
        ledger,
        "EnforcedPause",
      );
      const data = ledger.interface.encodeFunctionData("unpause");
      await expect(passProposal(system, [{ target: await ledger.getAddress(), data }])).to.emit(ledger, "Unpaused");
      await claimOf(system, batch, 0);
      expect((await ledger.getInvoice(idOf(invoice))).state).to.equal(InvoiceState.Claimed);
    });
  });

  describe("life cycle", function () {
    it("issue → claim → lock → credit note confirmed → reimburse; no second reimbursement anywhere", async function () {
      const { ledger, parties } = await fixture();
      const system = { ledger, parties };
      const batch = await issueBatchOf(system, range(1000, 100));
      const index = 37;
      const invoice = batch.invoices[index];
      const invoiceId = idOf(invoice);
      await claimOf(system, batch, index);
      await (await ledger.connect(parties.receiver).lock(invoiceId)).wait();
      await (await ledger.connect(parties.issuer).issueCreditNote(invoice, [], note(1n, 500n))).wait();
      await (await ledger.connect(parties.receiver).confirmCreditNote(invoiceIdOf(ISSUER, RED_CODE, 1n))).wait();
      await (await ledger.connect(parties.receiver).reimburse(invoiceId)).wait();
      for (const company of [parties.receiver, parties.otherReceiver]) {
        await expect(ledger.connect(company).reimburse(invoiceId)).to.be.revertedWithCustomError(
          ledger,
          "InvoiceUnexpectedState",
        );
      }
      const record = await ledger.getInvoice(invoiceId);
      expect(record.reimbursed).to.equal(invoice.amount - 500n);
      expect(record.credited).to.equal(500n);
      expect(record.reimbursed + record.credited).to.equal(invoice.amount);
      expect(await ledger.verifyInvoice(invoice, batch.proof(index))).to.deep.equal([true, InvoiceState.Reimbursed]);
      // The rest of the batch is untouched.
      expect(await ledger.verifyInvoice(batch.invoices[38], batch.proof(38))).to.deep.equal([
        true,
        InvoiceState.Issued,
      ]);
    });
  });
});
