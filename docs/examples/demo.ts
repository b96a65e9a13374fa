/**
 * What the `npm start` demo (scripts/demo/) handed out, for the dApp guide's examples: the ids
 * and salts an issuer or a department would give a real dApp's user, and which of the demo
 * node's accounts plays whom. Only the examples' command-line runs and their test use this.
 */
import { readFileSync } from "node:fs";

import { codeToId, type DeploymentSummary, licenceIdOf, textHash } from "@govledger/contracts";

export const DEMO = {
  /** ACME-TRADING, which issued invoices 1-5 in one batch and 6 alone. */
  issuerId: textHash("govledger-demo-salt:ACME-TRADING"),
  /** CITY-HOTEL, the buyer's employer: the receiving company a claim names. */
  hotelId: textHash("govledger-demo-salt:CITY-HOTEL"),
  invoiceCode: codeToId("044031900111"),
  /** The salt ACME handed the buyer with invoice `number`. Invoices 1 and 2 are untouched. */
  saltOf: (number: bigint) => textHash(`demo-salt:${number}`),
  /** CITY-HOTEL's fire safety certificate (FIRE issued it; its consents are required). */
  fireCertificate: licenceIdOf(codeToId("FIRE"), textHash("govledger-demo-salt:licence:FIRE-FS-0001")),
  /** What the examples' consents are for (any code: a purpose is the department's own label). */
  purpose: codeToId("SITE_INSPECTION"),
  /** Indexes into the node's accounts (deploy/parameters/localhost.json, scripts/demo/). */
  accounts: { tax: 1, cons: 3, fire: 4, buyer: 8, hotel: 11 },
};

/** The summary `npm start` wrote (or $GOVLEDGER_DEPLOYMENT), and the node's URL. */
export function localDemo(): { rpcUrl: string; deployment: DeploymentSummary } {
  const file = process.env.GOVLEDGER_DEPLOYMENT ?? "deploy/deployments/localhost/govledger.json";
  let deployment: DeploymentSummary;
  try {
    deployment = JSON.parse(readFileSync(file, "utf8")) as DeploymentSummary;
  } catch (error) {
    throw new Error(
      `cannot read ${file} (${(error as Error).message}): run npm start first, or set GOVLEDGER_DEPLOYMENT`,
    );
  }
  return { rpcUrl: process.env.GOVLEDGER_RPC_URL ?? "http://127.0.0.1:8545", deployment };
}
