import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";

import { enums } from "@govledger/contracts";

import {
  CONTRACT_NAMES,
  ENUM_NAMES,
  enumArg,
  ERROR_NAMES,
  EVENT_NAMES,
  eventOfTable,
  FUNCTION_NAMES,
  functionEntry,
} from "../../web/src/chain-names.js";
import { locale } from "../../web/src/i18n.js";

/**
 * Every ABI the system deploys, from the compiled artifacts: our contracts and their interfaces
 * (not the test doubles in contracts/mocks), and OpenZeppelin's AccessManager.
 */
function abis(): {
  file: string;
  contract: string;
  abi: { type: string; name?: string; stateMutability?: string }[];
}[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".json") && !entry.name.endsWith(".dbg.json")) files.push(full);
    }
  };
  walk(path.join("artifacts", "contracts"));
  const accessManager = [
    "artifacts/@openzeppelin/contracts/access/manager/AccessManager.sol/AccessManager.json",
    "node_modules/@openzeppelin/contracts/build/contracts/AccessManager.json",
  ].find((file) => existsSync(file));
  if (accessManager) files.push(accessManager);
  return files
    .filter((file) => !file.includes(`${path.sep}mocks${path.sep}`))
    .map((file) => {
      const artifact = JSON.parse(readFileSync(file, "utf8"));
      return { file, contract: artifact.contractName as string, abi: artifact.abi ?? [] };
    });
}

describe("contract events and errors by name (web/src/chain-names.ts)", function () {
  const all = abis();
  const names = (type: "event" | "error") => {
    const found = new Map<string, string>();
    for (const { file, abi } of all) for (const item of abi) if (item.type === type) found.set(item.name!, file);
    return found;
  };

  it("reads the compiled ABIs (run `npx hardhat compile` first)", function () {
    expect(all.some(({ file }) => file.endsWith("InvoiceLedger.json"))).to.equal(true);
    expect(all.some(({ file }) => file.endsWith("AccessManager.json"))).to.equal(true);
  });

  for (const [type, table] of [
    ["event", EVENT_NAMES],
    ["error", ERROR_NAMES],
  ] as const) {
    it(`names every ${type} of the contracts in zh-CN and English`, function () {
      const missing = [...names(type)].filter(([name]) => !table[name]).map(([name, file]) => `${name} (${file})`);
      expect(missing, `${type}s without a name in web/src/chain-names.ts`).to.deep.equal([]);
      for (const [name, [zh, en]] of Object.entries(table)) {
        expect(zh, name).to.match(/[\u4e00-\u9fff]/);
        expect(en, name).to.match(/^[A-Z][A-Za-z0-9 ,'-]+$/);
      }
    });
  }

  it("names every contract a transaction calls and each function that writes, in zh-CN and English", function () {
    const deployed = all.filter(({ file }) => !file.includes(`${path.sep}interfaces${path.sep}`));
    const missing: string[] = [];
    const used = new Set<string>();
    for (const { contract, abi } of deployed) {
      const writes = abi.filter(
        (item) => item.type === "function" && !["view", "pure"].includes(item.stateMutability!),
      );
      if (writes.length === 0) continue;
      if (!CONTRACT_NAMES[contract]) missing.push(contract);
      for (const { name } of writes) {
        if (!functionEntry(contract, name!)) missing.push(`${contract}.${name}`);
        used.add(FUNCTION_NAMES[`${contract}.${name}`] ? `${contract}.${name}` : name!);
      }
    }
    expect(missing, "contracts and functions without a name in web/src/chain-names.ts").to.deep.equal([]);
    expect(
      Object.keys(FUNCTION_NAMES).filter((key) => !used.has(key)),
      "stale function names",
    ).to.deep.equal([]);
    for (const [name, [zh, en]] of [...Object.entries(CONTRACT_NAMES), ...Object.entries(FUNCTION_NAMES)]) {
      expect(zh, name).to.match(/[\u4e00-\u9fff]/);
      expect(en, name).to.match(/^[A-Z][A-Za-z0-9 ,'()-]+$/);
    }
    const zh = locale("zh-CN", "Etc/GMT-8");
    expect([
      zh.fn("InvoiceLedger", "issue"),
      zh.fn("LicenceRegistry", "issue"),
      zh.contract("InvoiceLedger"),
    ]).to.deep.equal(["开具发票", "发证", "电子发票合约"]);
  });

  it("names each member of every enum an event carries, and finds those arguments in the ABIs", function () {
    const used = new Set<string>();
    for (const { abi } of all)
      for (const item of abi as { type: string; inputs?: { internalType?: string }[] }[])
        if (item.type === "event")
          for (const input of item.inputs ?? []) {
            const match = /^enum (?:\w+\.)?(\w+)$/.exec(input.internalType ?? "");
            if (match) used.add(match[1]);
          }
    expect(used.size).to.be.greaterThan(0);
    for (const name of used) {
      const members = (enums as Record<string, readonly string[]>)[name];
      expect(Object.keys(ENUM_NAMES[name] ?? {}), `${name}'s members in ENUM_NAMES`).to.deep.equal([...members]);
    }
    expect(enumArg("invoices.credit_note_issued", "state", "2")).to.deep.equal({
      enum: "CreditNoteState",
      member: "Applied",
    });
    expect(enumArg("gov.participant_registered", "kind", "0")).to.deep.equal({
      enum: "ParticipantKind",
      member: "Enterprise",
    });
    expect(enumArg("invoices.credit_note_issued", "amount", "2")).to.equal(undefined);
  });

  it("names only events and errors the contracts have (no stale entries)", function () {
    expect(Object.keys(EVENT_NAMES).filter((name) => !names("event").has(name))).to.deep.equal([]);
    expect(Object.keys(ERROR_NAMES).filter((name) => !names("error").has(name))).to.deep.equal([]);
  });

  it("finds the event of an indexer table, and the locale shows the name or else the identifier", function () {
    expect(eventOfTable("invoices.invoice_issued")).to.equal("InvoiceIssued");
    expect(eventOfTable("escrow.eip712_domain_changed")).to.equal("EIP712DomainChanged");
    expect(eventOfTable("licences.issued_licence")).to.equal(undefined);
    const [zh, en] = [locale("zh-CN", "Etc/GMT-8"), locale("en", "Etc/GMT-8")];
    expect([zh.event("InvoiceIssued"), en.event("InvoiceIssued")]).to.deep.equal(["开具发票", "Invoice issued"]);
    expect([zh.error("InvoiceUnexpectedState"), en.error("Unknown")]).to.deep.equal([
      "发票状态不允许此操作",
      "Unknown",
    ]);
    expect([zh.month("2026-07"), en.month("2026-07"), zh.month("202613")]).to.deep.equal([
      "2026年7月",
      "2026-07",
      "202613",
    ]);
  });
});
