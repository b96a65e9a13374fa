/**
 * InvoiceLedger's access matrix: every state-changing function × every kind of caller, including
 * a second tax authority that is not the issuer's registrar, a suspended department and a
 * suspended participant that still hold their roles in the AccessManager, another issuer and
 * another receiving company (the "own party" checks: issue 12, finding 2 slipped through those).
 */
import { id } from "ethers";
import { network } from "hardhat";

import { ROLES } from "../../deploy/lib/consortium.js";
import { invoiceIdOf } from "@govledger/contracts";
import { HRSS } from "../fixtures.js";
import { describeAccessMatrix } from "../helpers/accessMatrix.js";
import { governorSigner, suspendedDepartmentHolding, suspendedParticipantHolding } from "../helpers/consortium.js";
import {
  claimOf,
  CODE,
  deployInvoiceSystem,
  issueBatchOf,
  ISSUER,
  itemFor,
  OTHER_RECEIVER,
  range,
  RED_CODE,
  RULES,
  saltOf,
  withSecondTaxAuthority,
} from "./fixtures.js";

const connection = await network.create<"l1">();
const { networkHelpers } = connection;

const INVOICE_DATA = "(bytes32,bytes32,uint64,bytes32,uint96,uint96,bytes32)";
const INVOICE_ITEM = "(uint64,bytes32,uint96,uint96,bytes32)";
const SUSPENDED_PARTY = id("test:SUSPENDED-TRADER");

/**
 * Five invoices in every state a function needs: 0 issued, 1 claimed (for RECEIVER), 2 locked by
 * the receiver, 3 locked with a pending credit note (RED_CODE 1), 4 frozen. AUDIT is a second tax
 * authority; HRSS a suspended one still holding TAX_AUTHORITY in the AccessManager; a suspended
 * participant still holds both invoice participant roles there.
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

  await withSecondTaxAuthority(connection, system);
  await suspendedDepartmentHolding(connection, system, HRSS, accounts.hrss, [ROLES.TAX_AUTHORITY]);
  const suspendedParty = accounts.all[14];
  await suspendedParticipantHolding(
    connection,
    system,
    { id: SUSPENDED_PARTY, account: suspendedParty, registrar: accounts.tax, administrator: accounts.tax },
    [ROLES.INVOICE_ISSUER, ROLES.INVOICE_RECEIVER],
  );
  const governor = await governorSigner(connection, system);
  const idAt = (index: number) => invoiceIdOf(ISSUER, CODE, batch.invoices[index].number);
  return { ...system, batch, idAt, governor, suspendedParty };
}

const fixture = () => networkHelpers.loadFixture(deployed);
type Ctx = Awaited<ReturnType<typeof deployed>>;

const callers = (ctx: Ctx) => ({
  governor: ctx.governor,
  tax: ctx.accounts.tax,
  secondTaxAuthority: ctx.accounts.audit,
  suspendedTaxAuthority: ctx.accounts.hrss,
  samr: ctx.accounts.samr,
  issuer: ctx.parties.issuer,
  otherIssuer: ctx.parties.otherIssuer,
  receiver: ctx.parties.receiver,
  otherReceiver: ctx.parties.otherReceiver,
  suspendedParticipant: ctx.suspendedParty,
  buyer: ctx.parties.buyer,
  otherBuyer: ctx.parties.otherBuyer,
});
const LABELS = [
  "governor",
  "tax",
  "secondTaxAuthority",
  "suspendedTaxAuthority",
  "samr",
  "issuer",
  "otherIssuer",
  "receiver",
  "otherReceiver",
  "suspendedParticipant",
  "buyer",
  "otherBuyer",
];

/** Every caller but `allowed` gets `error` (functions open to all that check a proof instead). */
function everyoneElse(allowed: string[], error: string): Record<string, string> {
  return Object.fromEntries(LABELS.filter((label) => !allowed.includes(label)).map((label) => [label, error]));
}

const registrarOnly = {
  allowed: ["tax"],
  errors: { secondTaxAuthority: "InvoiceNotRegistrar", suspendedTaxAuthority: "ConsortiumCallerNotDepartment" },
};
const anyTaxAuthority = {
  allowed: ["tax", "secondTaxAuthority"],
  errors: { suspendedTaxAuthority: "ConsortiumCallerNotDepartment" },
};
const issuerErrors = (notOwn: string) => ({
  otherIssuer: notOwn,
  suspendedParticipant: "ConsortiumCallerNotParticipant",
});
const receiverErrors = {
  otherReceiver: "InvoiceNotReceiver",
  suspendedParticipant: "ConsortiumCallerNotParticipant",
};

describe("InvoiceLedger", function () {
  describeAccessMatrix<Ctx>("InvoiceLedger", {
    fixture,
    contract: ({ ledger }) => ledger,
    callers,
    refusal: "AccessManagedUnauthorized",
    rows: {
      "setIssuerRules(bytes32,(bool,uint96,uint128,uint32))": {
        ...registrarOnly,
        call: ({ ledger }, caller) => ledger.connect(caller as never).setIssuerRules(ISSUER, RULES),
      },
      "freezeIssuer(bytes32)": {
        ...registrarOnly,
        call: ({ ledger }, caller) => ledger.connect(caller as never).freezeIssuer(ISSUER),
      },
      "unfreezeIssuer(bytes32)": {
        ...registrarOnly,
        call: async ({ ledger, accounts }, caller) => {
          await (await ledger.connect(accounts.tax).freezeIssuer(ISSUER)).wait();
          return ledger.connect(caller as never).unfreezeIssuer(ISSUER);
        },
      },
      [`freezeInvoice(${INVOICE_DATA},bytes32[])`]: {
        ...anyTaxAuthority,
        call: ({ ledger, batch }, caller) =>
          ledger.connect(caller as never).freezeInvoice(batch.invoices[0], batch.proof(0)),
      },
      "unfreezeInvoice(bytes32)": {
        ...anyTaxAuthority,
        call: ({ ledger, idAt }, caller) => ledger.connect(caller as never).unfreezeInvoice(idAt(4)),
      },
      [`issue(bytes32,${INVOICE_ITEM})`]: {
        // Another issuer issues for itself, within its own rules: it has none yet.
        allowed: ["issuer"],
        errors: issuerErrors("InvoiceIssuerNotEnabled"),
        call: ({ ledger, parties }, caller) =>
          ledger.connect(caller as never).issue(CODE, itemFor(parties.buyer.address, 100n)),
      },
      [`issueBatch(bytes32,${INVOICE_ITEM}[])`]: {
        allowed: ["issuer"],
        errors: issuerErrors("InvoiceIssuerNotEnabled"),
        call: ({ ledger, parties }, caller) =>
          ledger.connect(caller as never).issueBatch(
            CODE,
            range(100, 3).map((number) => itemFor(parties.buyer.address, number)),
          ),
      },
      [`voidInvoice(${INVOICE_DATA},bytes32[])`]: {
        allowed: ["issuer"],
        errors: issuerErrors("InvoiceNotIssuer"),
        call: ({ ledger, batch }, caller) =>
          ledger.connect(caller as never).voidInvoice(batch.invoices[0], batch.proof(0)),
      },
      [`issueCreditNote(${INVOICE_DATA},bytes32[],(bytes32,uint64,uint96,uint96,bytes32))`]: {
        allowed: ["issuer"],
        errors: issuerErrors("InvoiceNotIssuer"),
        call: ({ ledger, batch }, caller) =>
          ledger.connect(caller as never).issueCreditNote(batch.invoices[1], batch.proof(1), {
            code: RED_CODE,
            number: 2n,
            amount: 10n,
            tax: 0n,
            documentHash: id("red 2"),
          }),
      },
      [`claim(${INVOICE_DATA},bytes32[],bytes32,bytes32)`]: {
        // Open to every account: the proof of the buyer hash is the permission.
        allowed: ["buyer"],
        errors: everyoneElse(["buyer"], "InvoiceNotBuyer"),
        call: ({ ledger, batch }, caller) =>
          ledger
            .connect(caller as never)
            .claim(batch.invoices[0], batch.proof(0), saltOf(batch.invoices[0].number), OTHER_RECEIVER),
      },
      [`changeReceiver(${INVOICE_DATA},bytes32[],bytes32,bytes32)`]: {
        allowed: ["buyer"],
        errors: everyoneElse(["buyer"], "InvoiceNotBuyer"),
        call: ({ ledger, batch }, caller) =>
          ledger
            .connect(caller as never)
            .changeReceiver(batch.invoices[1], batch.proof(1), saltOf(batch.invoices[1].number), OTHER_RECEIVER),
      },
      "lock(bytes32)": {
        // Only the company the buyer named in the claim (finding 2).
        allowed: ["receiver"],
        errors: receiverErrors,
        call: ({ ledger, idAt }, caller) => ledger.connect(caller as never).lock(idAt(1)),
      },
      "unlock(bytes32,bytes32)": {
        allowed: ["receiver"],
        errors: receiverErrors,
        call: ({ ledger, idAt }, caller) => ledger.connect(caller as never).unlock(idAt(2), id("rejected")),
      },
      "reimburse(bytes32)": {
        allowed: ["receiver"],
        errors: receiverErrors,
        call: ({ ledger, idAt }, caller) => ledger.connect(caller as never).reimburse(idAt(2)),
      },
      "confirmCreditNote(bytes32)": {
        allowed: ["receiver"],
        errors: receiverErrors,
        call: ({ ledger }, caller) =>
          ledger.connect(caller as never).confirmCreditNote(invoiceIdOf(ISSUER, RED_CODE, 1n)),
      },
      "pause()": {
        // GUARDIAN: the tax bureau and the audit office.
        allowed: ["tax", "secondTaxAuthority"],
        call: ({ ledger }, caller) => ledger.connect(caller as never).pause(),
      },
      "unpause()": {
        // ADMIN: the governor, after a vote (see InvoiceLedger.test.ts).
        allowed: ["governor"],
        call: async ({ ledger, accounts }, caller) => {
          await (await ledger.connect(accounts.tax).pause()).wait();
          return ledger.connect(caller as never).unpause();
        },
      },
      "setAuthority(address)": {
        // Only the AccessManager itself (updateAuthority, by a vote).
        allowed: [],
        call: ({ ledger, accounts }, caller) => ledger.connect(caller as never).setAuthority(accounts.stranger.address),
      },
    },
  });
});
