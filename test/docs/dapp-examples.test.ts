/**
 * The dApp guide's examples (docs/examples/) against the demo chain: a Hardhat JSON-RPC node on
 * 127.0.0.1 with the demo deployed and run, as `npm start` leaves it. Each example file runs
 * from the command line as the guide says, then its functions are called for what the command
 * line does not show; every outcome is read back from the contracts' own views.
 */
import { spawn } from "node:child_process";

import { codeToId, enumValues, invoiceIdOf } from "@govledger/contracts";
import { expect } from "chai";
import type { Provider } from "ethers";
import { createPublicClient, createWalletClient, custom, type Hex } from "viem";

import { ROOT } from "../../deploy/lib/consortium.js";
import * as withEthers from "../../docs/examples/ethers.js";
import { DEMO } from "../../docs/examples/demo.js";
import * as withViem from "../../docs/examples/viem.js";
import { type Chain, startChain } from "../indexer/harness.js";

/** `npx tsx docs/examples/<file>` against the chain; never waits more than a minute. */
/** The message a promise is rejected with (these examples throw, they do not revert in a test's chai). */
async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected a rejection");
}

function runExample(file: string, chain: Chain): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", `docs/examples/${file}`], {
    cwd: ROOT,
    env: { ...process.env, GOVLEDGER_RPC_URL: chain.url, GOVLEDGER_DEPLOYMENT: chain.deploymentFile },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return new Promise((resolve) =>
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

describe("dApp guide examples (docs/examples)", function () {
  let chain: Chain;
  let provider: Provider;
  let viem: { client: withViem.Reader; wallet: (role: keyof typeof DEMO.accounts) => withViem.Wallet };

  before(async function () {
    chain = await startChain();
    provider = chain.accounts.deployer.provider as unknown as Provider;
    const viemChain = withViem.govledgerChain(chain.summary, chain.url);
    const transport = custom(chain.provider);
    const addresses = chain.accounts.all.map((signer) => signer.address as Hex);
    viem = {
      client: createPublicClient({ chain: viemChain, transport }),
      wallet: (role) => createWalletClient({ account: addresses[DEMO.accounts[role]], chain: viemChain, transport }),
    };
  });

  after(async () => {
    await chain?.close();
  });

  const invoiceId = (number: bigint) => invoiceIdOf(DEMO.issuerId, DEMO.invoiceCode, number);

  for (const [library, file, number, department] of [
    ["ethers", "ethers.ts", 1n, "CONS"],
    ["viem", "viem.ts", 2n, "FIRE"],
  ] as const) {
    it(`${library}: the command-line run verifies and claims invoice ${number}, grants a consent by signature, reads a licence`, async function () {
      const { invoiceLedger, licenceRegistry } = chain.contracts;
      expect((await invoiceLedger.getInvoice(invoiceId(number))).state).to.equal(enumValues.InvoiceState.None);

      const run = await runExample(file, chain);

      expect(run.code, run.output).to.equal(0);
      // Before the claim: no record (getInvoice says None), yet genuine and Issued by its proof.
      expect(run.output).to.match(
        new RegExp(`invoice ${number} before: \\{[^}]*genuine: true,\\s*state: 'Issued',\\s*recorded: 'None'`),
      );
      expect(run.output).to.match(
        new RegExp(`invoice ${number} after: \\{[^}]*genuine: true,\\s*state: 'Claimed',\\s*recorded: 'Claimed'`),
      );
      expect(run.output).to.match(/fire certificate: \{[^}]*status: 'Active',\s*valid: true/);
      const record = await invoiceLedger.getInvoice(invoiceId(number));
      expect(record.state).to.equal(enumValues.InvoiceState.Claimed);
      expect(record.receiverId).to.equal(DEMO.hotelId);
      expect(await licenceRegistry.hasConsent(DEMO.fireCertificate, codeToId(department), DEMO.purpose)).to.equal(true);
    });
  }

  it("both: an invoice issued alone has an empty proof, and a claim with the wrong salt is refused by name", async function () {
    const single = { issuerId: DEMO.issuerId, code: DEMO.invoiceCode, number: 6n };
    const [byEthers, byViem] = await Promise.all([
      withEthers.verifyInvoice(provider, chain.summary, single),
      withViem.verifyInvoice(viem.client, chain.summary, single),
    ]);
    expect(byEthers).to.deep.equal(byViem);
    expect(byViem).to.include({ genuine: true, state: "Issued", recorded: "None" });
    expect((await withViem.findInvoice(viem.client, chain.summary, single)).proof).to.deep.equal([]);

    const salt = DEMO.saltOf(5n);
    expect(
      await rejection(
        withViem.claimInvoice(viem.client, viem.wallet("buyer"), chain.summary, single, salt, DEMO.hotelId),
      ),
    ).to.match(/InvoiceNotBuyer/);
    await expect(
      withEthers.claimInvoice(chain.accounts.stranger, chain.summary, single, salt, DEMO.hotelId),
    ).to.be.revertedWithCustomError(chain.contracts.invoiceLedger, "InvoiceNotBuyer");
    expect((await chain.contracts.invoiceLedger.getInvoice(invoiceId(6n))).state).to.equal(
      enumValues.InvoiceState.None,
    );
    // An invoice never issued: a clear error before any transaction.
    expect(await rejection(withViem.findInvoice(viem.client, chain.summary, { ...single, number: 99n }))).to.equal(
      "invoice 99 was never issued",
    );
  });

  it("both: a licence's validity over time, suspended by its issuer", async function () {
    const { licenceRegistry } = chain.contracts;
    const before = BigInt((await provider.getBlock("latest"))!.timestamp);
    await (
      await licenceRegistry
        .connect(chain.accounts.all[DEMO.accounts.fire])
        .suspend(DEMO.fireCertificate, codeToId("EXIT_BLOCKED"))
    ).wait();

    const byEthers = await withEthers.licenceValidity(provider, chain.summary, DEMO.fireCertificate, before);
    const byViem = await withViem.licenceValidity(viem.client, chain.summary, DEMO.fireCertificate, before);
    for (const answer of [byEthers, byViem]) {
      expect(answer).to.include({ status: "Suspended", valid: false, validAt: true });
    }
    expect(byEthers.validUntil).to.equal(byViem.validUntil);
    expect(enumValues.LicenceStatus[byViem.status]).to.equal(await licenceRegistry.statusOf(DEMO.fireCertificate));
    expect(await licenceRegistry.isValid(DEMO.fireCertificate)).to.equal(false);
    expect(await licenceRegistry.isValidAt(DEMO.fireCertificate, before)).to.equal(true);
  });
});
