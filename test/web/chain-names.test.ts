import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";

import { enums, roles } from "@govledger/contracts";

import {
  CONTRACT_NAMES,
  ENUM_NAMES,
  enumArg,
  eventTable,
  ERROR_NAMES,
  EVENT_NAMES,
  eventOfTable,
  FUNCTION_NAMES,
  functionEntry,
  ROLE_NAMES,
} from "../../web/src/chain-names.js";
import { ARG_KEYS, FIELD_KEYS, locale } from "../../web/src/i18n.js";
import { argKind, type ArgKind, argValue } from "../../web/src/views/args.js";

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

  it("names every AccessManager role (contracts/governance/Roles.sol) in zh-CN and English, and no other", function () {
    expect(Object.keys(ROLE_NAMES).sort(), "roles in ROLE_NAMES").to.deep.equal(Object.values(roles).sort());
    for (const [name, [zh, en]] of Object.entries(ROLE_NAMES)) {
      expect(zh, name).to.match(/[\u4e00-\u9fff]/);
      expect(en, name).to.match(/^[A-Z][A-Za-z0-9 ,'()-]+$/);
    }
    const [zh, en] = [locale("zh-CN", "Etc/GMT-8"), locale("en", "Etc/GMT-8")];
    expect([zh.role("LICENCE_AUTHORITY"), en.role("LICENCE_AUTHORITY"), zh.role("ROLE_999")]).to.deep.equal([
      "发证部门",
      "Issuing department",
      "ROLE_999",
    ]);
  });

  it("names only events and errors the contracts have (no stale entries)", function () {
    expect(Object.keys(EVENT_NAMES).filter((name) => !names("event").has(name))).to.deep.equal([]);
    expect(Object.keys(ERROR_NAMES).filter((name) => !names("error").has(name))).to.deep.equal([]);
  });

  it("shows every event argument of the ABIs by a kind its type fits, under a caption (web/src/views/args.ts)", function () {
    // The ABI types each kind reads (arrays: their items').
    const fits = (kind: ArgKind, type: string, internalType: string): boolean => {
      if (typeof kind === "object") return type === "tuple";
      if (kind === "enum") return /^enum /.test(internalType);
      const types: Record<Exclude<ArgKind, object>, RegExp> = {
        hex: /^(address|bytes\d*)$/,
        id: /^uint\d*$/,
        count: /^uint\d*$/,
        money: /^uint\d*$/,
        bps: /^uint\d*$/,
        time: /^uint\d*$/,
        day: /^uint\d*$/,
        duration: /^uint\d*$/,
        payPeriod: /^uint\d*$/,
        quotaPeriod: /^uint\d*$/,
        role: /^uint64$/,
        department: /^bytes32$/,
        code: /^bytes32$/,
        licenceType: /^bytes32$/,
        purpose: /^bytes32$/,
        codeOrHash: /^(bytes32|string)$/,
        enum: /^$/,
        bool: /^bool$/,
        vote: /^bool$/,
        selector: /^bytes4$/,
        calldata: /^bytes$/,
        text: /^string$/,
      };
      return types[kind].test(type);
    };
    type Input = { name: string; type: string; internalType?: string; components?: Input[] };
    const wrong: string[] = [];
    let count = 0;
    // The struct types that have each field name (FIELD_NAMES is keyed by the name alone).
    const structsOf = new Map<string, Set<string>>();
    const check = (where: string, kind: ArgKind | undefined, input: Input) => {
      count++;
      const type = input.type.replace(/(\[\d*\])+$/, "");
      const internalType = (input.internalType ?? "").replace(/(\[\d*\])+$/, "");
      if (kind === undefined) return void wrong.push(`${where}: no kind`);
      if (!fits(kind, type, internalType))
        return void wrong.push(`${where}: ${JSON.stringify(kind)} does not read ${input.type}`);
      if (typeof kind === "object") {
        for (const field of input.components ?? []) {
          check(`${where}.${field.name}`, Object.hasOwn(kind, field.name) ? kind[field.name] : undefined, field);
          if (!FIELD_KEYS.includes(field.name)) wrong.push(`${where}.${field.name}: no caption for ${field.name}`);
          structsOf.set(field.name, (structsOf.get(field.name) ?? new Set()).add(internalType));
        }
        const fields = new Set((input.components ?? []).map((field) => field.name));
        for (const field of Object.keys(kind)) if (!fields.has(field)) wrong.push(`${where}.${field}: no such field`);
      }
    };
    for (const { abi } of all)
      for (const item of abi as { type: string; name?: string; inputs?: Input[] }[])
        if (item.type === "event")
          for (const input of item.inputs ?? []) {
            const [table, column] = [eventTable(item.name!), eventTable(input.name)];
            check(`${item.name}.${input.name} (${column})`, argKind(table, column), input);
            if (!ARG_KEYS.includes(column)) wrong.push(`${item.name}.${input.name}: no caption for ${column}`);
          }
    for (const [field, structs] of structsOf)
      if (structs.size > 1) wrong.push(`${field}: a field of ${[...structs].join(", ")}: one caption cannot fit all`);
    for (const field of FIELD_KEYS) if (!structsOf.has(field)) wrong.push(`${field}: a caption for no struct field`);
    expect(count).to.be.greaterThan(200);
    expect(structsOf.size).to.be.greaterThan(20);
    expect(
      [...new Set(wrong)],
      "event arguments without a fitting kind in web/src/views/args.ts, or struct fields without a caption in web/src/i18n.ts",
    ).to.deep.equal([]);

    // Each kind as the rest of the app shows it, the chain's value kept in data-raw and on hover.
    const [zh, en] = [locale("zh-CN", "Etc/GMT-8"), locale("en", "Etc/GMT-8")];
    const shown = (l: typeof zh, table: string, key: string, value: unknown, decimals: number | null = null) =>
      String(argValue(l, table, key, value, decimals));
    // An invoice batch's quota period (InvoiceLedger.periodOf: months since January 1970, local
    // time) and a payroll's pay period (YYYYMM) as the month each is.
    expect(shown(zh, "invoices.invoice_batch_issued", "period", "678")).to.equal(
      '<span class="val" data-raw="678" title="678">2026年7月</span>',
    );
    expect(shown(en, "invoices.invoice_batch_issued", "period", "683")).to.include(">2026-12<");
    expect(shown(en, "invoices.invoice_batch_issued", "period", "0")).to.include(">1970-01<");
    expect(shown(en, "escrow.payroll_submitted", "period", "202607")).to.include(
      'data-raw="202607" title="202607">2026-07<',
    );
    // Fen as yuan; token units by the token's decimals.
    expect(shown(en, "invoices.invoice_batch_issued", "total_amount", "161000", 2)).to.include(">¥1,610.00<");
    expect(shown(en, "escrow.payroll_submitted", "total", "36000000000000000000000", 18)).to.include(">¥36,000.00<");
    expect(shown(en, "escrow.payroll_submitted", "amounts", ["1500000000000000000", "2"], 18)).to.include(
      ">[¥1.50, ¥0.00]<",
    );
    // An empty list (a licence that depends on none) as none, the chain's [] in data-raw.
    expect(shown(zh, "licences.licence_issued", "depends_on", [])).to.include('data-raw="[]" title="[]">—<');
    // Seconds since 1970 in the city's time; a duration; a role; a bool; a vote; a department.
    expect(shown(en, "licences.licence_issued", "valid_until", "1782835200")).to.include(">2026-07-01 00:00:00<");
    expect(shown(zh, "access.role_granted", "delay", "90061")).to.include(">1 天 1 小时 1 分钟 1 秒<");
    expect(shown(en, "access.role_granted", "role_id", "10")).to.include(
      'data-raw="10" title="10">Tax authority (TAX_AUTHORITY)<',
    );
    expect(shown(zh, "access.role_granted", "role_id", "10")).to.include(">税务部门 (TAX_AUTHORITY)<");
    expect(shown(zh, "access.role_admin_changed", "admin", "0")).to.include(
      'data-raw="0" title="0">联盟治理管理员 (ADMIN)<',
    );
    expect(shown(zh, "access.role_granted", "role_id", "999")).to.include('data-raw="999" title="999">ROLE_999<');
    expect(shown(zh, "invoices.issuer_rules_set", "enabled", true)).to.include('data-raw="true" title="true">是<');
    expect(shown(en, "gov.vote_cast", "support", false)).to.include(">No<");
    const cons = `\\x${Buffer.from("CONS").toString("hex").padEnd(64, "0")}`;
    expect(shown(zh, "gov.vote_cast", "department_id", cons)).to.include(">住房和城乡建设局 (CONS)<");
    expect(shown(en, "gov.vote_cast", "department_id", cons)).to.include(`data-raw="0x434f4e53${"0".repeat(56)}"`);
    // A hash is its hex: nothing to hover.
    expect(shown(en, "invoices.invoice_issued", "invoice_id", `\\x${"ab".repeat(32)}`)).to.equal(
      `<span class="val" data-raw="0x${"ab".repeat(32)}">0x${"ab".repeat(32)}</span>`,
    );
    // A struct's fields by their kinds, each under its caption; the ABI's field names in data-raw.
    const rules = { thresholdBps: 6667, votingPeriod: 259200, executionDelay: 0, executionWindow: 3600 };
    expect(shown(en, "gov.voting_rules_changed", "rules", rules)).to.include(
      ">{Threshold: 66.67%, Voting period: 3 days, Execution delay: 0 seconds, Execution window: 1 hour}<",
    );
    expect(shown(zh, "gov.voting_rules_changed", "rules", rules)).to.include(
      `data-raw="${JSON.stringify(rules).replaceAll('"', "&quot;")}"`,
    );
    expect(shown(zh, "gov.voting_rules_changed", "rules", rules)).to.include(
      ">{通过比例: 66.67%, 表决期限: 3 天, 执行延迟: 0 秒, 执行期限: 1 小时}<",
    );
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
