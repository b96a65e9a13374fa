/**
 * The dApp guide's examples with viem (docs/dapp-guide.md): the same four as ethers.ts, with the
 * package's `as const` ABIs, so every argument and result below is typed from the contracts.
 *
 * Against `npm start`: `npx tsx docs/examples/viem.ts` (invoice 2; the ethers examples use 1).
 */
import {
  abis,
  consentTypedData,
  type DeploymentSummary,
  eip712DomainOf,
  enumName,
  type Hex,
  invoiceIdOf,
  invoiceProof,
} from "@govledger/contracts";
import { pathToFileURL } from "node:url";
import {
  type Account,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";

import { DEMO, localDemo } from "./demo.js";

export interface InvoiceRef {
  issuerId: Hex;
  code: Hex;
  number: bigint;
}

/** A wallet with its account (a browser wallet's, or the demo node's) and a client to read with. */
export type Wallet = WalletClient<Transport, Chain, Account>;
export type Reader = PublicClient<Transport, Chain>;

/** The consortium chain for viem: its id from the deployment, the node a department runs. */
export function govledgerChain(deployment: DeploymentSummary, rpcUrl: string): Chain {
  return defineChain({
    id: deployment.chainId,
    name: `govledger ${deployment.deploymentId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

/**
 * An invoice's data and Merkle proof, rebuilt from its batch's InvoiceIssued events (the read
 * API, `npm run api`, serves the same from the read model; this needs only a node).
 */
export async function findInvoice(client: Reader, deployment: DeploymentSummary, ref: InvoiceRef) {
  const address = deployment.contracts.invoiceLedger.address;
  const invoiceId = invoiceIdOf(ref.issuerId, ref.code, ref.number);
  const [issued] = await client.getContractEvents({
    address,
    abi: abis.InvoiceLedger,
    eventName: "InvoiceIssued",
    args: { invoiceId },
    fromBlock: BigInt(deployment.startBlock),
    strict: true,
  });
  if (issued === undefined) throw new Error(`invoice ${ref.number} was never issued`);
  const batch = await client.getContractEvents({
    address,
    abi: abis.InvoiceLedger,
    eventName: "InvoiceIssued",
    args: { batchRoot: issued.args.batchRoot },
    fromBlock: issued.blockNumber,
    toBlock: issued.blockNumber,
    strict: true,
  });
  const { invoice, proof } = invoiceProof(
    batch.map((log) => log.args),
    invoiceId,
    issued.args.batchRoot,
  );
  return { invoiceId, invoice, proof };
}

/** What the chain says of an invoice: `getInvoice` has no record of an untouched one, `verifyInvoice` knows it. */
export async function verifyInvoice(client: Reader, deployment: DeploymentSummary, ref: InvoiceRef) {
  const ledger = { address: deployment.contracts.invoiceLedger.address, abi: abis.InvoiceLedger } as const;
  const { invoiceId, invoice, proof } = await findInvoice(client, deployment, ref);
  const [genuine, state] = await client.readContract({
    ...ledger,
    functionName: "verifyInvoice",
    args: [invoice, proof],
  });
  const record = await client.readContract({ ...ledger, functionName: "getInvoice", args: [invoiceId] });
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
  client: Reader,
  buyer: Wallet,
  deployment: DeploymentSummary,
  ref: InvoiceRef,
  salt: Hex,
  receiverId: Hex,
) {
  const { invoiceId, invoice, proof } = await findInvoice(client, deployment, ref);
  // Simulated first: a refusal comes back as the contract's named error, before any gas is spent.
  const { request } = await client.simulateContract({
    account: buyer.account,
    address: deployment.contracts.invoiceLedger.address,
    abi: abis.InvoiceLedger,
    functionName: "claim",
    args: [invoice, proof, salt, receiverId],
  });
  const hash = await buyer.writeContract(request);
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`claim ${hash} reverted`);
  return { invoiceId, transactionHash: hash };
}

/**
 * The licence holder signs a consent in its wallet (EIP-712; no gas), and the department that
 * will use the licence submits it: the holder never needs ether or a transaction.
 */
export async function grantConsentBySignature(
  client: Reader,
  holder: Wallet,
  department: Wallet,
  deployment: DeploymentSummary,
  consent: { licenceId: Hex; purpose: Hex; days: number },
) {
  const registry = { address: deployment.contracts.licenceRegistry.address, abi: abis.LicenceRegistry } as const;
  const departmentId = await client.readContract({
    address: deployment.contracts.registry.address,
    abi: abis.ConsortiumRegistry,
    functionName: "departmentOf",
    args: [department.account.address],
  });
  const { timestamp: now } = await client.getBlock();
  const typedData = consentTypedData(
    eip712DomainOf(await client.readContract({ ...registry, functionName: "eip712Domain" })),
    {
      licenceId: consent.licenceId,
      departmentId,
      purpose: consent.purpose,
      until: now + BigInt(consent.days * 86_400),
      nonce: await client.readContract({ ...registry, functionName: "nonces", args: [holder.account.address] }),
      deadline: now + 3_600n,
    },
  );
  const signature = await holder.signTypedData(typedData);
  // ...the signature travels to the department (a QR code, a message), which submits it:
  const { licenceId, purpose, until, nonce, deadline } = typedData.message;
  const { request } = await client.simulateContract({
    ...registry,
    account: department.account,
    functionName: "grantConsentBySig",
    args: [licenceId, purpose, until, nonce, deadline, signature],
  });
  const receipt = await client.waitForTransactionReceipt({ hash: await department.writeContract(request) });
  if (receipt.status !== "success") throw new Error(`grantConsentBySig ${receipt.transactionHash} reverted`);
  return { departmentId, until };
}

/** A licence's standing now (with its dependencies) and at a past or future time. */
export async function licenceValidity(client: Reader, deployment: DeploymentSummary, licenceId: Hex, at?: bigint) {
  const registry = { address: deployment.contracts.licenceRegistry.address, abi: abis.LicenceRegistry } as const;
  const licence = await client.readContract({ ...registry, functionName: "getLicence", args: [licenceId] });
  return {
    status: enumName(
      "LicenceStatus",
      await client.readContract({ ...registry, functionName: "statusOf", args: [licenceId] }),
    ),
    valid: await client.readContract({ ...registry, functionName: "isValid", args: [licenceId] }),
    validAt:
      at === undefined
        ? undefined
        : await client.readContract({ ...registry, functionName: "isValidAt", args: [licenceId, at] }),
    validFrom: licence.validFrom,
    validUntil: licence.validUntil,
    version: licence.version,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { rpcUrl, deployment } = localDemo();
  const chain = govledgerChain(deployment, rpcUrl);
  const client = createPublicClient({ chain, transport: http() });
  // The demo node holds the demo accounts' keys (JSON-RPC accounts); a browser dApp passes
  // `custom(window.ethereum)` and the wallet's account instead.
  const addresses = await createWalletClient({ chain, transport: http() }).getAddresses();
  const wallet = (role: keyof typeof DEMO.accounts): Wallet =>
    createWalletClient({ account: addresses[DEMO.accounts[role]], chain, transport: http() });
  const invoice = { issuerId: DEMO.issuerId, code: DEMO.invoiceCode, number: 2n };
  console.log("invoice 2 before:", await verifyInvoice(client, deployment, invoice));
  console.log(
    "claimed:",
    await claimInvoice(client, wallet("buyer"), deployment, invoice, DEMO.saltOf(2n), DEMO.hotelId),
  );
  console.log("invoice 2 after:", await verifyInvoice(client, deployment, invoice));
  const consent = { licenceId: DEMO.fireCertificate, purpose: DEMO.purpose, days: 14 };
  console.log("consent:", await grantConsentBySignature(client, wallet("hotel"), wallet("fire"), deployment, consent));
  console.log("fire certificate:", await licenceValidity(client, deployment, DEMO.fireCertificate));
}
