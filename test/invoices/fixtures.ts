/**
 * Invoice fixtures: the whole system (real Ignition module) plus the parties of the invoice tests,
 * registered as the demo does it: the tax bureau registers an issuer and two receiving companies
 * and grants their roles; the market regulator registers a second issuer (whose rules the tax
 * bureau may not set); the issuer's rules are set. Buyers are accounts that belong to nobody.
 */
import { encodeBytes32String, id } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { PARTICIPANT_KINDS, ROLES } from "../../deploy/lib/consortium.js";
import {
  batchProof,
  batchRoot,
  buyerHash,
  type InvoiceData,
  type InvoiceItem,
  withIdentity,
} from "@govledger/contracts";
import { AUDIT, deploySystem, impersonate } from "../fixtures.js";

export const ISSUER = id("test:ACME-TRADING");
export const OTHER_ISSUER = id("test:SAMR-REGISTERED-SHOP");
export const RECEIVER = id("test:CITY-HOTEL");
export const OTHER_RECEIVER = id("test:HARBOUR-LOGISTICS");
export const CODE = encodeBytes32String("044031900111");
export const RED_CODE = encodeBytes32String("044031900999");

/** Rules the issuer starts with: 10,000.00 yuan per invoice, ample quotas. */
export const RULES = { enabled: true, maxAmount: 1_000_000n, periodAmountQuota: 10n ** 12n, periodCountQuota: 10_000n };

const ENTERPRISE = PARTICIPANT_KINDS.indexOf("Enterprise");

export async function deployInvoiceSystem(connection: NetworkConnection<"l1">) {
  const system = await deploySystem(connection);
  const { registry, invoiceLedger: ledger } = system.contracts;
  const { tax, samr, all, stranger, newcomer } = system.accounts;
  const parties = {
    issuer: all[10],
    receiver: all[11],
    otherReceiver: all[12],
    otherIssuer: all[13],
    buyer: stranger,
    otherBuyer: newcomer,
  };
  const registrations: [string, (typeof all)[number], typeof tax, bigint][] = [
    [ISSUER, parties.issuer, tax, ROLES.INVOICE_ISSUER],
    [RECEIVER, parties.receiver, tax, ROLES.INVOICE_RECEIVER],
    [OTHER_RECEIVER, parties.otherReceiver, tax, ROLES.INVOICE_RECEIVER],
    [OTHER_ISSUER, parties.otherIssuer, samr, ROLES.INVOICE_ISSUER],
  ];
  for (const [participantId, account, registrar, role] of registrations) {
    await (await registry.connect(registrar).registerParticipant(participantId, account.address, ENTERPRISE)).wait();
    // The tax bureau administers both invoice roles, whoever registered the participant.
    await (await registry.connect(tax).grantParticipantRole(participantId, role)).wait();
  }
  await (await ledger.connect(tax).setIssuerRules(ISSUER, RULES)).wait();
  return { ...system, ledger, parties };
}

export type InvoiceSystem = Awaited<ReturnType<typeof deployInvoiceSystem>>;

/**
 * Makes the audit office a second tax authority, as a vote would (the governor, impersonated,
 * calls the registry), so that tests can tell "a tax authority" from "the issuer's registrar".
 * Returns the governor's signer for further governance calls (suspending a department, say).
 */
export async function withSecondTaxAuthority(connection: NetworkConnection<"l1">, system: InvoiceSystem) {
  const governor = await impersonate(connection, await system.contracts.governor.getAddress());
  await (await system.contracts.registry.connect(governor).grantDepartmentRole(AUDIT, ROLES.TAX_AUTHORITY)).wait();
  return governor;
}
/** What the helpers below use of the system. */
type Parties = Pick<InvoiceSystem, "ledger" | "parties">;

/** The salt the issuer hands the buyer with invoice `number`. */
export function saltOf(number: bigint): string {
  return id(`test-salt:${number}`);
}

/** A test invoice: amount 10,000 + number fen, 6% VAT included, bought by `buyer`. */
export function itemFor(buyer: string, number: bigint, overrides: Partial<InvoiceItem> = {}): InvoiceItem {
  const amount = overrides.amount ?? 10_000n + number;
  return {
    number,
    buyer: buyerHash(buyer, saltOf(number)),
    amount,
    tax: (amount * 6n) / 106n,
    documentHash: id(`test-document:${number}`),
    ...overrides,
  };
}

export interface IssuedBatch {
  invoices: InvoiceData[];
  root: string;
  proof: (index: number) => string[];
}

/** Issues invoices `numbers` (to `buyer`, default the fixture's buyer) in one batch. */
export async function issueBatchOf(
  { ledger, parties }: Parties,
  numbers: bigint[],
  options: { code?: string; buyer?: string } = {},
): Promise<IssuedBatch> {
  const code = options.code ?? CODE;
  const items = numbers.map((number) => itemFor(options.buyer ?? parties.buyer.address, number));
  await (await ledger.connect(parties.issuer).issueBatch(code, items)).wait();
  const invoices = withIdentity(ISSUER, code, items);
  return { invoices, root: batchRoot(invoices), proof: (index) => batchProof(invoices, index) };
}

/** Claims invoice `index` of `batch` as the fixture's buyer, for `receiverId` (default RECEIVER). */
export async function claimOf({ ledger, parties }: Parties, batch: IssuedBatch, index: number, receiverId = RECEIVER) {
  const invoice = batch.invoices[index];
  await (
    await ledger.connect(parties.buyer).claim(invoice, batch.proof(index), saltOf(invoice.number), receiverId)
  ).wait();
}

export function range(from: number, count: number): bigint[] {
  return Array.from({ length: count }, (_, i) => BigInt(from + i));
}
