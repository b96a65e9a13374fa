/**
 * Off-chain side of the InvoiceLedger's batch commitment: invoice ids, buyer hashes, batch leaves,
 * Merkle roots and proofs, computed exactly as contracts/invoices/InvoiceLedger.sol does. Used by
 * the tests, the benchmarks and the demo; an indexer rebuilds a batch from its InvoiceIssued
 * events (in log order) and calls `batchProof`. Touches no chain.
 */
import { AbiCoder, keccak256 } from "ethers";

const coder = AbiCoder.defaultAbiCoder();

/** One invoice as issued (InvoiceItem); `issuerId` and `code` are the batch's. */
export interface InvoiceItem {
  number: bigint;
  buyer: string;
  amount: bigint;
  tax: bigint;
  documentHash: string;
}

/** An invoice with its identity (InvoiceData): what claims, voids, credit notes and freezes prove. */
export interface InvoiceData extends InvoiceItem {
  issuerId: string;
  code: string;
}

/** InvoiceLedger.InvoiceState, by on-chain value. */
export const INVOICE_STATES = ["None", "Issued", "Claimed", "Locked", "Reimbursed", "Voided"] as const;
export const InvoiceState = { None: 0n, Issued: 1n, Claimed: 2n, Locked: 3n, Reimbursed: 4n, Voided: 5n } as const;
/** InvoiceLedger.CreditNoteState, by on-chain value. */
export const CreditNoteState = { None: 0n, Pending: 1n, Applied: 2n, Lapsed: 3n } as const;

export function invoiceIdOf(issuerId: string, code: string, number: bigint): string {
  return keccak256(coder.encode(["bytes32", "bytes32", "uint64"], [issuerId, code, number]));
}

/** The buyer field for `account` with a random per-invoice `salt` handed to the buyer. */
export function buyerHash(account: string, salt: string): string {
  return keccak256(coder.encode(["address", "bytes32"], [account, salt]));
}

export function invoiceLeaf(invoice: InvoiceData): string {
  return keccak256(
    coder.encode(
      ["bytes32", "bytes32", "uint96", "uint96", "bytes32"],
      [
        invoiceIdOf(invoice.issuerId, invoice.code, invoice.number),
        invoice.buyer,
        invoice.amount,
        invoice.tax,
        invoice.documentHash,
      ],
    ),
  );
}

function commutativeHash(a: string, b: string): string {
  const [low, high] = BigInt(a) < BigInt(b) ? [a, b] : [b, a];
  return keccak256(coder.encode(["bytes32", "bytes32"], [low, high]));
}

/** The tree's levels, leaves first: pairs hashed commutatively, an odd last node carried up. */
function levels(leaves: string[]): string[][] {
  if (leaves.length === 0) throw new Error("a batch has at least one invoice");
  const result = [leaves];
  let level = leaves;
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(commutativeHash(level[i], level[i + 1]));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    result.push(next);
    level = next;
  }
  return result;
}

export function batchRoot(invoices: InvoiceData[]): string {
  const tree = levels(invoices.map(invoiceLeaf));
  return tree[tree.length - 1][0];
}

/** The Merkle proof of invoice `index` of a batch (empty for a batch of one). */
export function batchProof(invoices: InvoiceData[], index: number): string[] {
  const proof: string[] = [];
  let position = index;
  for (const level of levels(invoices.map(invoiceLeaf)).slice(0, -1)) {
    const sibling = position ^ 1;
    if (sibling < level.length) proof.push(level[sibling]);
    position >>= 1;
  }
  return proof;
}

/** The batch's invoices with their identity. */
export function withIdentity(issuerId: string, code: string, items: InvoiceItem[]): InvoiceData[] {
  return items.map((item) => ({ issuerId, code, ...item }));
}
