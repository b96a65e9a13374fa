import { id, ZeroHash } from "ethers";
import { network } from "hardhat";

import { invoiceIdOf } from "../../deploy/lib/invoices.js";
import { describeAccess } from "../helpers/access.js";
import {
  claimOf,
  CODE,
  deployInvoiceSystem,
  issueBatchOf,
  ISSUER,
  itemFor,
  OTHER_RECEIVER,
  RECEIVER,
  range,
  RED_CODE,
  RULES,
  saltOf,
} from "./fixtures.js";

const connection = await network.create<"l1">();
const { networkHelpers } = connection;

const INVOICE_DATA = "(bytes32,bytes32,uint64,bytes32,uint96,uint96,bytes32)";
const INVOICE_ITEM = "(uint64,bytes32,uint96,uint96,bytes32)";

/**
 * Five invoices in every state a function needs: 0 issued, 1 claimed, 2 locked by the receiver,
 * 3 locked with a pending credit note (RED_CODE 1), 4 frozen.
 */
async function deployed() {
  const system = await deployInvoiceSystem(connection);
  const { ledger, parties, accounts } = system;
  const batch = await issueBatchOf(system, range(1, 5));
  for (const index of [1, 2, 3]) await claimOf(system, batch, index);
  for (const index of [2, 3]) {
    const invoice = batch.invoices[index];
    await (await ledger.connect(parties.receiver).lock(invoiceIdOf(ISSUER, CODE, invoice.number))).wait();
  }
  const red = { code: RED_CODE, number: 1n, amount: 100n, tax: 6n, documentHash: id("red") };
  await (await ledger.connect(parties.issuer).issueCreditNote(batch.invoices[3], [], red)).wait();
  await (await ledger.connect(accounts.tax).freezeInvoice(batch.invoices[4], batch.proof(4))).wait();
  const idAt = (index: number) => invoiceIdOf(ISSUER, CODE, batch.invoices[index].number);
  return { ...system, batch, idAt };
}

const fixture = () => networkHelpers.loadFixture(deployed);
type Ctx = Awaited<ReturnType<typeof deployed>>;

/** Participants and departments that hold none of the invoice roles a function needs. */
const outsiders = ({ accounts, parties }: Ctx) => ({
  samr: accounts.samr,
  issuer: parties.issuer,
  receiver: parties.receiver,
  stranger: accounts.stranger,
});

describe("InvoiceLedger", function () {
  describeAccess<Ctx>("InvoiceLedger", {
    fixture,
    contract: ({ ledger }) => ledger,
    cases: {
      "setIssuerRules(bytes32,(bool,uint96,uint128,uint32))": {
        allowed: ({ accounts }) => ({ tax: accounts.tax }),
        denied: (ctx) => ({ ...outsiders(ctx), audit: ctx.accounts.audit }),
        call: ({ ledger }, caller) => ledger.connect(caller as never).setIssuerRules(ISSUER, RULES),
      },
      "freezeIssuer(bytes32)": {
        allowed: ({ accounts }) => ({ tax: accounts.tax }),
        denied: (ctx) => ({ ...outsiders(ctx), audit: ctx.accounts.audit }),
        call: ({ ledger }, caller) => ledger.connect(caller as never).freezeIssuer(ISSUER),
      },
      "unfreezeIssuer(bytes32)": {
        allowed: ({ accounts }) => ({ tax: accounts.tax }),
        denied: (ctx) => ({ ...outsiders(ctx), audit: ctx.accounts.audit }),
        call: async ({ ledger, accounts }, caller) => {
          await (await ledger.connect(accounts.tax).freezeIssuer(ISSUER)).wait();
          return ledger.connect(caller as never).unfreezeIssuer(ISSUER);
        },
      },
      [`freezeInvoice(${INVOICE_DATA},bytes32[])`]: {
        allowed: ({ accounts }) => ({ tax: accounts.tax }),
        denied: (ctx) => ({ ...outsiders(ctx), audit: ctx.accounts.audit }),
        call: ({ ledger, batch }, caller) =>
          ledger.connect(caller as never).freezeInvoice(batch.invoices[0], batch.proof(0)),
      },
      "unfreezeInvoice(bytes32)": {
        allowed: ({ accounts }) => ({ tax: accounts.tax }),
        denied: (ctx) => ({ ...outsiders(ctx), audit: ctx.accounts.audit }),
        call: ({ ledger, idAt }, caller) => ledger.connect(caller as never).unfreezeInvoice(idAt(4)),
      },
      [`issue(bytes32,${INVOICE_ITEM})`]: {
        allowed: ({ parties }) => ({ issuer: parties.issuer }),
        denied: ({ accounts, parties }) => ({ tax: accounts.tax, receiver: parties.receiver, buyer: parties.buyer }),
        call: ({ ledger, parties }, caller) =>
          ledger.connect(caller as never).issue(CODE, itemFor(parties.buyer.address, 100n)),
      },
      [`issueBatch(bytes32,${INVOICE_ITEM}[])`]: {
        allowed: ({ parties }) => ({ issuer: parties.issuer }),
        denied: ({ accounts, parties }) => ({ tax: accounts.tax, receiver: parties.receiver, buyer: parties.buyer }),
        call: ({ ledger, parties }, caller) =>
          ledger.connect(caller as never).issueBatch(
            CODE,
            range(100, 3).map((number) => itemFor(parties.buyer.address, number)),
          ),
      },
      [`voidInvoice(${INVOICE_DATA},bytes32[])`]: {
        allowed: ({ parties }) => ({ issuer: parties.issuer }),
        denied: ({ accounts, parties }) => ({ tax: accounts.tax, receiver: parties.receiver, buyer: parties.buyer }),
        call: ({ ledger, batch }, caller) =>
          ledger.connect(caller as never).voidInvoice(batch.invoices[0], batch.proof(0)),
      },
      [`issueCreditNote(${INVOICE_DATA},bytes32[],(bytes32,uint64,uint96,uint96,bytes32))`]: {
        allowed: ({ parties }) => ({ issuer: parties.issuer }),
        denied: ({ accounts, parties }) => ({ tax: accounts.tax, receiver: parties.receiver, buyer: parties.buyer }),
        call: ({ ledger, batch }, caller) =>
          ledger.connect(caller as never).issueCreditNote(batch.invoices[1], batch.proof(1), {
            code: RED_CODE,
            number: 2n,
            amount: 10n,
            tax: 0n,
            documentHash: id("red 2"),
          }),
      },
      [`changeReceiver(${INVOICE_DATA},bytes32[],bytes32,bytes32)`]: {
        // Open to every account: the proof of the buyer hash is the permission.
        allowed: ({ parties }) => ({ buyer: parties.buyer }),
        denied: ({ accounts, parties }) => ({
          otherBuyer: parties.otherBuyer,
          tax: accounts.tax,
          issuer: parties.issuer,
          receiver: parties.receiver,
        }),
        call: ({ ledger, batch }, caller) =>
          ledger
            .connect(caller as never)
            .changeReceiver(batch.invoices[1], batch.proof(1), saltOf(batch.invoices[1].number), OTHER_RECEIVER),
        error: ({ ledger }) => ({ contract: ledger, name: "InvoiceNotBuyer" }),
      },
      [`claim(${INVOICE_DATA},bytes32[],bytes32,bytes32)`]: {
        // Open to every account: the proof of the buyer hash is the permission.
        allowed: ({ parties }) => ({ buyer: parties.buyer }),
        denied: ({ accounts, parties }) => ({
          otherBuyer: parties.otherBuyer,
          tax: accounts.tax,
          issuer: parties.issuer,
          receiver: parties.receiver,
        }),
        call: ({ ledger, batch }, caller) =>
          ledger
            .connect(caller as never)
            .claim(batch.invoices[0], batch.proof(0), saltOf(batch.invoices[0].number), RECEIVER),
        error: ({ ledger }) => ({ contract: ledger, name: "InvoiceNotBuyer" }),
      },
      "lock(bytes32)": {
        // Only the company the buyer named in the claim (issue 12, finding 2).
        allowed: ({ parties }) => ({ receiver: parties.receiver }),
        denied: ({ accounts, parties }) => ({
          tax: accounts.tax,
          issuer: parties.issuer,
          buyer: parties.buyer,
          otherReceiver: parties.otherReceiver,
        }),
        call: ({ ledger, idAt }, caller) => ledger.connect(caller as never).lock(idAt(1)),
        error: ({ ledger }, label) => ({
          contract: ledger,
          name: label === "otherReceiver" ? "InvoiceNotReceiver" : "AccessManagedUnauthorized",
        }),
      },
      "unlock(bytes32,bytes32)": {
        allowed: ({ parties }) => ({ receiver: parties.receiver }),
        denied: ({ accounts, parties }) => ({ tax: accounts.tax, issuer: parties.issuer, buyer: parties.buyer }),
        call: ({ ledger, idAt }, caller) => ledger.connect(caller as never).unlock(idAt(2), ZeroHash),
      },
      "reimburse(bytes32)": {
        allowed: ({ parties }) => ({ receiver: parties.receiver }),
        denied: ({ accounts, parties }) => ({ tax: accounts.tax, issuer: parties.issuer, buyer: parties.buyer }),
        call: ({ ledger, idAt }, caller) => ledger.connect(caller as never).reimburse(idAt(2)),
      },
      "confirmCreditNote(bytes32)": {
        allowed: ({ parties }) => ({ receiver: parties.receiver }),
        denied: ({ accounts, parties }) => ({ tax: accounts.tax, issuer: parties.issuer, buyer: parties.buyer }),
        call: ({ ledger }, caller) =>
          ledger.connect(caller as never).confirmCreditNote(invoiceIdOf(ISSUER, RED_CODE, 1n)),
      },
      "pause()": {
        allowed: ({ accounts }) => ({ tax: accounts.tax, audit: accounts.audit }),
        denied: (ctx) => outsiders(ctx),
        call: ({ ledger }, caller) => ledger.connect(caller as never).pause(),
      },
      "unpause()": {
        // ADMIN only: the governor, after a vote (see InvoiceLedger.test.ts).
        allowed: () => ({}),
        denied: ({ accounts }) => ({ deployer: accounts.deployer, tax: accounts.tax, audit: accounts.audit }),
        call: async ({ ledger, accounts }, caller) => {
          await (await ledger.connect(accounts.tax).pause()).wait();
          return ledger.connect(caller as never).unpause();
        },
      },
      "setAuthority(address)": {
        allowed: () => ({}),
        denied: ({ accounts }) => ({ deployer: accounts.deployer, tax: accounts.tax }),
        call: ({ ledger, accounts }, caller) => ledger.connect(caller as never).setAuthority(accounts.stranger.address),
      },
    },
  });
});
