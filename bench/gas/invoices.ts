/**
 * Gas of e-invoice operations. The issuer issues sequential numbers as tax systems allocate them
 * (the first batch fills a fresh bitmap word); each measured transaction starts cold, as on chain.
 */
import { encodeBytes32String, id } from "ethers";

import { PARTICIPANT_KINDS, ROLES } from "../../deploy/lib/consortium.js";
import { batchProof, buyerHash, type InvoiceItem, invoiceIdOf, withIdentity } from "@govledger/contracts";
import { gasOf, type GasSuite } from "./suite.js";

const ISSUER = id("bench:invoice-issuer");
const RECEIVER = id("bench:invoice-receiver");
const CODE = encodeBytes32String("044031900111");
const RED_CODE = encodeBytes32String("044031900999");

export const measureInvoices: GasSuite = async ({ system: { contracts, accounts } }) => {
  const { registry, invoiceLedger: ledger } = contracts;
  const [issuer, receiver] = [accounts.enterprises[0], accounts.enterprises[1]];
  const buyer = accounts.stranger;
  const enterprise = PARTICIPANT_KINDS.indexOf("Enterprise");
  for (const [participantId, account, role] of [
    [ISSUER, issuer, ROLES.INVOICE_ISSUER],
    [RECEIVER, receiver, ROLES.INVOICE_RECEIVER],
  ] as const) {
    await gasOf(registry.connect(accounts.tax).registerParticipant(participantId, account.address, enterprise));
    await gasOf(registry.connect(accounts.tax).grantParticipantRole(participantId, role));
  }
  const rules = { enabled: true, maxAmount: 10n ** 9n, periodAmountQuota: 10n ** 15n, periodCountQuota: 1_000_000n };
  const results: Record<string, number> = {};
  results["invoice.setIssuerRules"] = await gasOf(ledger.connect(accounts.tax).setIssuerRules(ISSUER, rules));

  const item = (number: bigint): InvoiceItem => ({
    number,
    buyer: buyerHash(buyer.address, id(`bench-salt:${number}`)),
    amount: 1_060_00n + number,
    tax: 6_000n,
    documentHash: id(`bench-document:${number}`),
  });
  const numbers = (from: number, count: number) => Array.from({ length: count }, (_, i) => BigInt(from + i));

  const batch = numbers(1, 100).map(item);
  const batchGas = await gasOf(ledger.connect(issuer).issueBatch(CODE, batch));
  results["invoice.issueBatch100"] = batchGas;
  results["invoice.issueBatch100.perItem"] = Math.round(batchGas / batch.length);
  const big = numbers(1_001, 500).map(item);
  results["invoice.issueBatch500.perItem"] = Math.round(
    (await gasOf(ledger.connect(issuer).issueBatch(CODE, big))) / big.length,
  );
  // The next number of the sequence, in the bitmap word the batch started.
  results["invoice.issue"] = await gasOf(ledger.connect(issuer).issue(CODE, item(101n)));
  // The first number of a bitmap word: one fresh slot more.
  results["invoice.issue.newBitmapWord"] = await gasOf(ledger.connect(issuer).issue(CODE, item(2_048n)));

  const invoices = withIdentity(ISSUER, CODE, batch);
  const claim = (index: number) =>
    ledger
      .connect(buyer)
      .claim(invoices[index], batchProof(invoices, index), id(`bench-salt:${invoices[index].number}`), RECEIVER);
  const idAt = (index: number) => invoiceIdOf(ISSUER, CODE, invoices[index].number);
  results["invoice.claim"] = await gasOf(claim(0));
  results["invoice.lock"] = await gasOf(ledger.connect(receiver).lock(idAt(0)));
  results["invoice.reimburse"] = await gasOf(ledger.connect(receiver).reimburse(idAt(0)));

  const note = (number: bigint) => ({
    code: RED_CODE,
    number,
    amount: 10_600n,
    tax: 600n,
    documentHash: id(`bench-red:${number}`),
  });
  // A red credit note applied at once (the invoice is claimed, not yet locked).
  await gasOf(claim(1));
  // The buyer names a receiving company again (the same one here: the same work as another).
  results["invoice.changeReceiver"] = await gasOf(
    ledger
      .connect(buyer)
      .changeReceiver(invoices[1], batchProof(invoices, 1), id(`bench-salt:${invoices[1].number}`), RECEIVER),
  );
  results["invoice.creditNote"] = await gasOf(ledger.connect(issuer).issueCreditNote(invoices[1], [], note(1n)));
  // One requested while a company holds the invoice, and its confirmation.
  results["invoice.creditNote.pending"] = await gasOf(
    ledger.connect(issuer).issueCreditNote(invoices[0], [], note(2n)),
  );
  results["invoice.confirmCreditNote"] = await gasOf(
    ledger.connect(receiver).confirmCreditNote(invoiceIdOf(ISSUER, RED_CODE, 2n)),
  );
  results["invoice.void"] = await gasOf(ledger.connect(issuer).voidInvoice(invoices[2], batchProof(invoices, 2)));
  results["invoice.freezeInvoice"] = await gasOf(
    ledger.connect(accounts.tax).freezeInvoice(invoices[3], batchProof(invoices, 3)),
  );
  return results;
};
