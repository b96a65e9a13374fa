/**
 * E-invoice part of the `npm start` demo: the tax bureau sets ACME-TRADING's issuing rules, ACME
 * issues a batch and a single invoice, a buyer claims one for CITY-HOTEL, which locks and reimburses it, and
 * a second reimbursement is rejected on chain. Runs after the governance demo, which registered
 * both enterprises and gave them their invoice roles.
 */
import { encodeBytes32String, id } from "ethers";

import {
  batchProof,
  batchRoot,
  buyerHash,
  enumName,
  invoiceIdOf,
  type InvoiceItem,
  withIdentity,
} from "@govledger/contracts";
import { participantId } from "./governance.js";
import type { DemoContext } from "./index.js";

const CODE = encodeBytes32String("044031900111");
const RED_CODE = encodeBytes32String("044031900999");

function yuan(fen: bigint): string {
  return `${fen / 100n}.${(fen % 100n).toString().padStart(2, "0")} yuan`;
}

/** The InvoiceLedger error a transaction was rejected with, as `Name(args)` (states by name). */
async function rejection(
  ledger: DemoContext["contracts"]["invoiceLedger"],
  tx: () => Promise<{ wait: () => Promise<unknown> }>,
  replay?: () => Promise<unknown>,
): Promise<string> {
  try {
    await (await tx()).wait();
  } catch (failure) {
    let error = failure;
    // A node that mines the failed transaction (Besu, anvil) answers with a receipt of status 0
    // and no revert data: the same call, replayed on the unchanged state, names the error.
    if ((error as { data?: unknown }).data == null && (error as { receipt?: unknown }).receipt && replay) {
      error = await replay().then(
        () => failure,
        (replayed: unknown) => replayed,
      );
    }
    const data = (error as { data?: unknown }).data;
    const parsed = typeof data === "string" ? ledger.interface.parseError(data) : null;
    if (parsed === null) throw error;
    const args = parsed.args.map((arg, i) =>
      parsed.fragment.inputs[i].type === "uint8" && parsed.name === "InvoiceUnexpectedState"
        ? enumName("InvoiceState", arg as bigint)
        : String(arg),
    );
    return `${parsed.name}(${args.join(", ")})`;
  }
  throw new Error("the transaction was expected to be rejected, and was not");
}

export async function runInvoicesDemo({ contracts, accounts, log }: DemoContext): Promise<void> {
  const ledger = contracts.invoiceLedger;
  const issuerId = participantId("ACME-TRADING");
  const issuer = accounts.enterprises[0];
  const hotel = accounts.enterprises[1];
  const employee = accounts.stranger;

  await (
    await ledger.connect(accounts.tax).setIssuerRules(issuerId, {
      enabled: true,
      maxAmount: 1_000_000n,
      periodAmountQuota: 100_000_000n,
      periodCountQuota: 10_000n,
    })
  ).wait();
  log("TAX set ACME-TRADING's rules: up to 10,000.00 yuan an invoice, 1,000,000.00 yuan and 10,000 invoices a month");

  const saltOf = (number: bigint) => id(`demo-salt:${number}`);
  const item = (number: bigint, amount: bigint): InvoiceItem => ({
    number,
    buyer: buyerHash(employee.address, saltOf(number)),
    amount,
    tax: (amount * 6n) / 106n,
    documentHash: id(`demo invoice document ${number}`),
  });
  const items = [1n, 2n, 3n, 4n, 5n].map((number) => item(number, 10_600n * number));
  const receipt = await (await ledger.connect(issuer).issueBatch(CODE, items)).wait();
  const invoices = withIdentity(issuerId, CODE, items);
  log(
    `ACME issued invoices 1-5 in one batch (${receipt!.gasUsed.toLocaleString("en-US")} gas in all), ` +
      `stored as one Merkle root ${batchRoot(invoices)}`,
  );
  await (await ledger.connect(issuer).issue(CODE, item(6n, 2_000n))).wait();
  log("ACME issued invoice 6 on its own");

  const index = 2;
  const invoice = invoices[index];
  const invoiceId = invoiceIdOf(issuerId, CODE, invoice.number);
  const proof = batchProof(invoices, index);
  const hotelId = participantId("CITY-HOTEL");
  await (await ledger.connect(employee).claim(invoice, proof, saltOf(invoice.number), hotelId)).wait();
  log(
    `the buyer (${employee.address}) claimed invoice 3 (${yuan(invoice.amount)}) with its salt and proof, ` +
      "for its employer CITY-HOTEL, the only company that may lock it",
  );
  await (await ledger.connect(hotel).lock(invoiceId)).wait();
  log("CITY-HOTEL locked invoice 3 while it checks the expense claim");
  await (await ledger.connect(hotel).reimburse(invoiceId)).wait();
  const record = await ledger.getInvoice(invoiceId);
  log(`CITY-HOTEL reimbursed ${yuan(record.reimbursed)}: invoice 3 is ${enumName("InvoiceState", record.state)}`);
  // Sent with a gas limit, so it is mined and fails on chain (ethers would refuse it at gas
  // estimation): report.failed_attempts then shows who tried what and which error stopped it.
  const nonce = await hotel.getNonce();
  const reason = await rejection(
    ledger,
    () => ledger.connect(hotel).reimburse(invoiceId, { gasLimit: 200_000, nonce }),
    () => ledger.connect(hotel).reimburse.staticCall(invoiceId),
  );
  if ((await hotel.getNonce()) !== nonce + 1) throw new Error("the second reimbursement was expected to be mined");
  log(`a second reimbursement is mined and rejected: ${reason} (see report.failed_attempts)`);
  log(`so is a second lock: ${await rejection(ledger, () => ledger.connect(hotel).lock(invoiceId))}`);

  const [genuine] = await ledger.verifyInvoice(invoice, proof);
  const [forged] = await ledger.verifyInvoice({ ...invoice, documentHash: id("a doctored PDF") }, proof);
  log(
    `document hash check on chain: the issued document ${genuine ? "is" : "is not"} genuine, a doctored one ${forged ? "is" : "is not"}`,
  );

  const partial = invoices[3];
  await (
    await ledger.connect(issuer).issueCreditNote(partial, batchProof(invoices, 3), {
      code: RED_CODE,
      number: 1n,
      amount: 10_600n,
      tax: 600n,
      documentHash: id("demo credit note 1"),
    })
  ).wait();
  const credited = await ledger.getInvoice(invoiceIdOf(issuerId, CODE, partial.number));
  log(
    `ACME issued a red credit note of 106.00 yuan against invoice 4: ${yuan(credited.amount - credited.credited)} left to reimburse`,
  );
  await (await ledger.connect(issuer).voidInvoice(invoices[4], batchProof(invoices, 4))).wait();
  log("ACME voided invoice 5 before anyone claimed it");
}
