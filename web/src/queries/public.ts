/**
 * What the read API answers to anyone: an invoice with the Merkle proof of its batch, and a
 * licence's history. Each goes through a SECURITY DEFINER function of 0050 (web.public_*), which
 * returns only what the chain's events and view functions already tell every node: these reads
 * pass row-level security on purpose and one entity at a time. Values leave as JSON: hashes as
 * 0x hex, integers as decimal strings, times as ISO 8601.
 */
import type { Tx } from "../db.js";

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

export function jsonValue(value: unknown): Json {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return `0x${value.toString("hex")}`;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(jsonValue);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "object") return value as Json; // jsonb
  return value as Json;
}

export function jsonRow(row: Record<string, unknown>): Record<string, Json> {
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [camel(key), jsonValue(value)]));
}

const bytes = (hex: string) => Buffer.from(hex.slice(2), "hex");

export interface BatchInvoice {
  issuerId: string;
  code: string;
  number: bigint;
  buyer: string;
  amount: bigint;
  tax: bigint;
  documentHash: string;
  batchRoot: string;
  blockNumber: string;
  logIndex: string;
  txHash: string;
}

/** The invoice (as invoices.invoices shows it) and its batch in leaf order; null if never issued. */
export async function publicInvoice(tx: Tx, invoiceId: string) {
  const [invoice] = await tx`select * from web.public_invoice(${bytes(invoiceId)})`;
  if (!invoice) return null;
  const batch = await tx`select * from web.public_invoice_batch(${bytes(invoiceId)})`;
  return {
    invoice: jsonRow(invoice),
    batch: batch.map((row): BatchInvoice => ({
      issuerId: jsonValue(row.issuer_id) as string,
      code: jsonValue(row.code) as string,
      number: BigInt(row.number),
      buyer: jsonValue(row.buyer) as string,
      amount: BigInt(row.amount),
      tax: BigInt(row.tax),
      documentHash: jsonValue(row.document_hash) as string,
      batchRoot: jsonValue(row.batch_root) as string,
      blockNumber: String(row.block_number),
      logIndex: String(row.log_index),
      txHash: jsonValue(row.tx_hash) as string,
    })),
  };
}

export interface LicenceRecord {
  licence: Record<string, Json>;
  versions: Record<string, Json>[];
  suspensions: Record<string, Json>[];
}

export async function publicLicence(tx: Tx, licenceId: string): Promise<LicenceRecord | null> {
  const [licence] = await tx`select * from web.public_licence(${bytes(licenceId)})`;
  if (!licence) return null;
  const versions = await tx`select * from web.public_licence_versions(${bytes(licenceId)})`;
  const suspensions = await tx`select * from web.public_licence_suspensions(${bytes(licenceId)})`;
  return { licence: jsonRow(licence), versions: versions.map(jsonRow), suspensions: suspensions.map(jsonRow) };
}
