/**
 * @govledger/contracts: its off-chain helpers give what the contracts' own functions give, and
 * it builds to a package that plain Node (no tsx, no paths) imports from its dist/.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";

import {
  abis,
  buyerHash,
  codeToId,
  enumName,
  enumValues,
  invoiceIdOf,
  licenceIdOf,
  roleId,
  roleName,
  textHash,
} from "@govledger/contracts";
import { expect } from "chai";
import { encodeBytes32String, id, Wallet } from "ethers";
import { network } from "hardhat";

import { ROOT } from "../../deploy/lib/consortium.js";
import { deploySystem } from "../fixtures.js";

const connection = await network.create<"l1">();

describe("@govledger/contracts", function () {
  it("hashes and ids match the contracts' own pure functions", async function () {
    const { invoiceLedger, licenceRegistry } = (await deploySystem(connection)).contracts;
    for (let i = 0; i < 5; i++) {
      const account = Wallet.createRandom().address;
      const [issuer, code, salt] = [id(`issuer ${i}`), codeToId(`04403190${i}`), id(`salt ${i}`)];
      const number = 2n ** BigInt(13 * i) - 1n;
      expect(buyerHash(account, salt)).to.equal(await invoiceLedger.buyerHash(account, salt));
      expect(invoiceIdOf(issuer, code, number)).to.equal(await invoiceLedger.invoiceIdOf(issuer, code, number));
      expect(licenceIdOf(issuer, salt)).to.equal(await licenceRegistry.licenceIdOf(issuer, salt));
    }
    expect(codeToId("TAX")).to.equal(encodeBytes32String("TAX"));
    expect(codeToId("消防")).to.equal(encodeBytes32String("消防"));
    expect(textHash("govledger")).to.equal(id("govledger"));
    expect(() => codeToId("x".repeat(32))).to.throw(/1 to 31 bytes/);
    expect(() => buyerHash("0x1234", id("salt"))).to.throw(/an address must be 0x and 40 hex digits/);
    expect(() => invoiceIdOf(id("issuer"), id("code"), 2n ** 64n)).to.throw(/does not fit a uint64/);
  });

  it("names enums and roles as the Solidity sources do", function () {
    expect(enumName("InvoiceState", 2n)).to.equal("Claimed");
    expect(enumName("LicenceStatus", 3)).to.equal("Suspended");
    expect(enumValues.PayrollState.Cancelled).to.equal(5);
    expect(() => enumName("InvoiceState", 6)).to.throw("6 is not a InvoiceState");
    expect(roleName(10n)).to.equal("TAX_AUTHORITY");
    expect(roleId("PUBLIC")).to.equal(2n ** 64n - 1n);
    expect(roleName(999)).to.equal("ROLE_999");
    // Deployable contracts only: no test doubles, no interfaces.
    expect(Object.keys(abis)).to.deep.equal([
      "AccessManager",
      "ConsortiumGovernor",
      "ConsortiumRegistry",
      "ConstructionEscrow",
      "InvoiceLedger",
      "JointApprovals",
      "LicenceRegistry",
      "SettlementToken",
      "ValidatorSet",
    ]);
  });

  it("packs dist/ (ESM and .d.ts) that plain Node imports", function () {
    const pack = spawnSync("npm", ["pack", "-w", "packages/contracts", "--dry-run", "--json"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, GOVLEDGER_PACKAGE_DEPLOYMENTS: "" },
      timeout: 120_000,
    });
    expect(pack.status, pack.stderr).to.equal(0);
    // prepack's build prints a line before npm's JSON.
    const [packed] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf("["))) as { files: { path: string }[] }[];
    const files = packed.files.map((file) => file.path);
    for (const file of [
      "package.json",
      "README.md",
      "dist/index.js",
      "dist/index.d.ts",
      "dist/ethers.js",
      "dist/ethers.d.ts",
      "dist/generated/abis.d.ts",
      "dist/typechain/factories/contracts/invoices/InvoiceLedger__factory.js",
    ]) {
      expect(files, file).to.include(file);
    }
    expect(
      files.filter((file) => !file.startsWith("dist/") && !["package.json", "README.md"].includes(file)),
    ).to.deep.equal([]);
    expect(files.filter((file) => file.includes("hardhat.d.ts"))).to.deep.equal([]);
    // Test doubles (contracts/mocks/) are the project's tests' alone: typechain-types/ has them.
    const doubles = readdirSync(path.join(ROOT, "contracts", "mocks")).map((file) => path.basename(file, ".sol"));
    expect(doubles).to.include("EscrowTestToken");
    const mentionsDouble = (name: string) => /mocks/i.test(name) || doubles.some((double) => name.includes(double));
    expect(files.filter(mentionsDouble)).to.deep.equal([]);
    expect(readdirSync(path.join(ROOT, "typechain-types"))).to.include.members(doubles.map((d) => `${d}.ts`));

    const account = "0x" + "ab".repeat(20);
    const salt = id("salt");
    const check = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const m = await import("@govledger/contracts");
         const e = await import("@govledger/contracts/ethers");
         if (!import.meta.resolve("@govledger/contracts").endsWith("/packages/contracts/dist/index.js")) throw new Error("not dist");
         console.log(JSON.stringify({
           buyer: m.buyerHash(${JSON.stringify(account)}, ${JSON.stringify(salt)}),
           sameAbi: JSON.stringify(e.InvoiceLedger__factory.abi) === JSON.stringify(m.abis.InvoiceLedger),
           exported: [...Object.keys(m), ...Object.keys(e), ...Object.keys(m.abis)],
           deployments: Object.keys(m.deployments),
         }));`,
      ],
      { cwd: ROOT, encoding: "utf8", timeout: 30_000 },
    );
    expect(check.status, check.stderr).to.equal(0);
    const { exported, ...answer } = JSON.parse(check.stdout) as { exported: string[] };
    expect(answer).to.deep.equal({
      buyer: buyerHash(account, salt),
      sameAbi: true,
      deployments: [],
    });
    expect(exported).to.include.members(["abis", "InvoiceLedger__factory", "SettlementToken__factory"]);
    expect(exported.filter(mentionsDouble)).to.deep.equal([]);
  });
});
