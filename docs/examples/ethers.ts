/**
 * The dApp guide's examples with ethers v6 (docs/dapp-guide.md): verify an invoice nobody has
 * touched, claim an invoice, grant a licence consent by signature, read a licence's validity.
 * Each function takes what a dApp has (a provider or a wallet's signer, the deployment, the
 * user's input); none needs the indexer or the database.
 *
 * Against `npm start`: `npx tsx docs/examples/ethers.ts` (invoice 1; the viem examples use 2).
 */
import { type DeploymentSummary, enumName, invoiceIdOf, invoiceProof } from "@govledger/contracts";
import {
  ConsortiumRegistry__factory,
  InvoiceLedger__factory,
  LicenceRegistry__factory,
  signConsent,
} from "@govledger/contracts/ethers";
import { JsonRpcProvider, type Provider, type Signer } from "ethers";
import { pathToFileURL } from "node:url";

import { DEMO, localDemo } from "./demo.js";

export interface InvoiceRef {
  issuerId: string;
  code: string;
  number: bigint;
}

/**
 * An invoice's data and Merkle proof, rebuilt from its batch's InvoiceIssued events: the
 * invoice's own event names its batch root, and the batch's events (one transaction, in leaf
 * order) carry every leaf. `npm run api` serves the same for (issuer, code, number) from the
 * read model; this works with nothing but a node.
 */
export async function findInvoice(runner: Provider | Signer, deployment: DeploymentSummary, ref: InvoiceRef) {
  const ledger = InvoiceLedger__factory.connect(deployment.contracts.invoiceLedger.address, runner);
  const invoiceId = invoiceIdOf(ref.issuerId, ref.code, ref.number);
  const [issued] = await ledger.queryFilter(ledger.filters.InvoiceIssued(invoiceId), deployment.startBlock);
  if (issued === undefined) throw new Error(`invoice ${ref.number} was never issued`);
  const batch = await ledger.queryFilter(
    ledger.filters.InvoiceIssued(undefined, undefined, issued.args.batchRoot),
    issued.blockNumber,
    issued.blockNumber,
  );
  const { invoice, proof } = invoiceProof(
    batch.map(({ args }) => ({
      issuerId: args.issuerId,
      code: args.code,
      number: args.number,
      buyer: args.buyer,
      amount: args.amount,
      tax: args.tax,
      documentHash: args.documentHash,
    })),
    invoiceId,
    issued.args.batchRoot,
  );
  return { invoiceId, invoice, proof };
}

/** What the chain says of an invoice: `getInvoice` has no record of an untouched one, `verifyInvoice` knows it. */
export async function verifyInvoice(provider: Provider, deployment: DeploymentSummary, ref: InvoiceRef) {
  const ledger = InvoiceLedger__factory.connect(deployment.contracts.invoiceLedger.address, provider);
  const { invoiceId, invoice, proof } = await findInvoice(provider, deployment, ref);
  const [genuine, state] = await ledger.verifyInvoice(invoice, proof);
  const record = await ledger.getInvoice(invoiceId);
  return {
    invoiceId,
    genuine,
    state: enumName("InvoiceState", state),
    recorded: enumName("InvoiceState", record.state),
    amount: invoice.amount,
    documentHash: invoice.documentHash,
  };
}

/** The buyer claims an invoice for its employer with the salt the issuer handed it. */
export async function claimInvoice(
  buyer: Signer,
  deployment: DeploymentSummary,
  ref: InvoiceRef,
  salt: string,
  receiverId: string,
) {
  const ledger = InvoiceLedger__factory.connect(deployment.contracts.invoiceLedger.address, buyer);
  const { invoiceId, invoice, proof } = await findInvoice(buyer, deployment, ref);
  const receipt = await (await ledger.claim(invoice, proof, salt, receiverId)).wait();
  return { invoiceId, transactionHash: receipt!.hash };
}

/**
 * The licence holder signs a consent in its wallet (EIP-712; no gas), and the department that
 * will use the licence submits it: the holder never needs ether or a transaction.
 */
export async function grantConsentBySignature(
  holder: Signer,
  department: Signer,
  deployment: DeploymentSummary,
  consent: { licenceId: string; purpose: string; days: number },
) {
  const registry = LicenceRegistry__factory.connect(deployment.contracts.licenceRegistry.address, department);
  const consortium = ConsortiumRegistry__factory.connect(deployment.contracts.registry.address, department);
  const departmentId = await consortium.departmentOf(await department.getAddress());
  const now = (await department.provider!.getBlock("latest"))!.timestamp;
  const message = {
    licenceId: consent.licenceId,
    departmentId,
    purpose: consent.purpose,
    until: BigInt(now + consent.days * 86_400),
    nonce: await registry.nonces(await holder.getAddress()),
    deadline: BigInt(now + 3_600),
  };
  const signature = await signConsent(holder, registry, message);
  // ...the signature travels to the department (a QR code, a message), which submits it:
  const tx = await registry.grantConsentBySig(
    message.licenceId,
    message.purpose,
    message.until,
    message.nonce,
    message.deadline,
    signature,
  );
  await tx.wait();
  return { departmentId, until: message.until };
}

/** A licence's standing now (with its dependencies) and at a past or future time. */
export async function licenceValidity(
  provider: Provider,
  deployment: DeploymentSummary,
  licenceId: string,
  at?: bigint,
) {
  const registry = LicenceRegistry__factory.connect(deployment.contracts.licenceRegistry.address, provider);
  const licence = await registry.getLicence(licenceId);
  return {
    status: enumName("LicenceStatus", await registry.statusOf(licenceId)),
    valid: await registry.isValid(licenceId),
    validAt: at === undefined ? undefined : await registry.isValidAt(licenceId, at),
    validFrom: licence.validFrom,
    validUntil: licence.validUntil,
    version: Number(licence.version),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { rpcUrl, deployment } = localDemo();
  const provider = new JsonRpcProvider(rpcUrl);
  const signer = (role: keyof typeof DEMO.accounts) => provider.getSigner(DEMO.accounts[role]);
  const invoice = { issuerId: DEMO.issuerId, code: DEMO.invoiceCode, number: 1n };
  console.log("invoice 1 before:", await verifyInvoice(provider, deployment, invoice));
  console.log(
    "claimed:",
    await claimInvoice(await signer("buyer"), deployment, invoice, DEMO.saltOf(1n), DEMO.hotelId),
  );
  console.log("invoice 1 after:", await verifyInvoice(provider, deployment, invoice));
  const consent = { licenceId: DEMO.fireCertificate, purpose: DEMO.purpose, days: 7 };
  console.log(
    "consent:",
    await grantConsentBySignature(await signer("hotel"), await signer("cons"), deployment, consent),
  );
  console.log("fire certificate:", await licenceValidity(provider, deployment, DEMO.fireCertificate));
  provider.destroy();
}
