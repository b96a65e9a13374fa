/**
 * Off-chain side of the InvoiceLedger's batch commitment: invoice ids, buyer hashes, batch leaves,
 * Merkle roots and proofs, computed exactly as contracts/invoices/InvoiceLedger.sol does. A
 * dApp rebuilds a batch from its InvoiceIssued events (in log order; they carry everything) and
 * takes the proof `claim`, `verifyInvoice` and the issuer's calls need. Touches no chain.
 */
import { type Hex, hashWords } from "./abi-encode.js";

/** One invoice as issued (IInvoiceLedger.InvoiceItem); `issuerId` and `code` are the batch's. */
export interface InvoiceItem<H extends string = string> {
  number: bigint;
  buyer: H;
  amount: bigint;
  tax: bigint;
  documentHash: H;
}

/** An invoice with its identity (IInvoiceLedger.InvoiceData): what claims, voids, credit notes and freezes prove. */
export interface InvoiceData<H extends string = string> extends InvoiceItem<H> {
  issuerId: H;
  code: H;
}

/** The id of invoice (`issuerId`, `code`, `number`): keccak256(abi.encode(issuerId, code, number)). */
export function invoiceIdOf(issuerId: string, code: string, number: bigint | number): Hex {
  return hashWords(
    { type: "bytes32", value: issuerId },
    { type: "bytes32", value: code },
    { type: "uint", bits: 64, value: number },
  );
}

/** The buyer field for `account` with the random per-invoice `salt` the issuer hands the buyer. */
export function buyerHash(account: string, salt: string): Hex {
  return hashWords({ type: "address", value: account }, { type: "bytes32", value: salt });
}

export function invoiceLeaf(invoice: InvoiceData): Hex {
  return hashWords(
    { type: "bytes32", value: invoiceIdOf(invoice.issuerId, invoice.code, invoice.number) },
    { type: "bytes32", value: invoice.buyer },
    { type: "uint", bits: 96, value: invoice.amount },
    { type: "uint", bits: 96, value: invoice.tax },
    { type: "bytes32", value: invoice.documentHash },
  );
}

/** OpenZeppelin's commutative keccak256 (Hashes.commutativeKeccak256). */
function commutativeHash(a: Hex, b: Hex): Hex {
  const [low, high] = BigInt(a) < BigInt(b) ? [a, b] : [b, a];
  return hashWords({ type: "bytes32", value: low }, { type: "bytes32", value: high });
}

/** The tree's levels, leaves first: pairs hashed commutatively, an odd last node carried up. */
function levels(leaves: Hex[]): Hex[][] {
  if (leaves.length === 0) throw new RangeError("a batch has at least one invoice");
  const result = [leaves];
  let level = leaves;
  while (level.length > 1) {
    const next: Hex[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(commutativeHash(level[i], level[i + 1]));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    result.push(next);
    level = next;
  }
  return result;
}

/** The batch's Merkle root (what InvoiceIssued calls `batchRoot`); a single invoice's is its leaf. */
export function batchRoot(invoices: readonly InvoiceData[]): Hex {
  const tree = levels(invoices.map(invoiceLeaf));
  return tree[tree.length - 1][0];
}

/** The Merkle proof of invoice `index` of a batch (empty for a batch of one). */
export function batchProof(invoices: readonly InvoiceData[], index: number): Hex[] {
  if (!Number.isInteger(index) || index < 0 || index >= invoices.length) {
    throw new RangeError(`invoice index ${index} is outside a batch of ${invoices.length}`);
  }
  const proof: Hex[] = [];
  let position = index;
  for (const level of levels(invoices.map(invoiceLeaf)).slice(0, -1)) {
    const sibling = position ^ 1;
    if (sibling < level.length) proof.push(level[sibling]);
    position >>= 1;
  }
  return proof;
}

/**
 * The invoice `invoiceId` of a batch and its proof. `batch` is the batch's InvoiceIssued events'
 * arguments in log order (ethers' `log.args` and viem's both fit); it must rebuild `expectedRoot`
 * when given, so a batch read incompletely is an error here rather than a failed transaction.
 */
export function invoiceProof<H extends string>(
  batch: readonly InvoiceData<H>[],
  invoiceId: string,
  expectedRoot?: string,
): { invoice: InvoiceData<H>; proof: Hex[] } {
  const invoices = batch.map(({ issuerId, code, number, buyer, amount, tax, documentHash }) => ({
    issuerId,
    code,
    number: BigInt(number),
    buyer,
    amount: BigInt(amount),
    tax: BigInt(tax),
    documentHash,
  }));
  if (expectedRoot !== undefined && BigInt(batchRoot(invoices)) !== BigInt(expectedRoot)) {
    throw new Error(`the ${invoices.length} invoices given do not rebuild batch root ${expectedRoot}`);
  }
  const index = invoices.findIndex(
    (invoice) => BigInt(invoiceIdOf(invoice.issuerId, invoice.code, invoice.number)) === BigInt(invoiceId),
  );
  if (index < 0) throw new Error(`invoice ${invoiceId} is not in this batch`);
  return { invoice: invoices[index], proof: batchProof(invoices, index) };
}

/** The batch's invoices with their identity. */
export function withIdentity<H extends string>(
  issuerId: H,
  code: H,
  items: readonly InvoiceItem<H>[],
): InvoiceData<H>[] {
  return items.map((item) => ({ issuerId, code, ...item }));
}
