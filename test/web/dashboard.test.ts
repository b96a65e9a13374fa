import { createHmac } from "node:crypto";

import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";
import ExcelJS from "exceljs";
import { id, parseUnits, Wallet } from "ethers";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import postgres from "postgres";
import { createSiweMessage, generateSiweNonce } from "viem/siwe";

import { codeToId, ROLES } from "../../deploy/lib/consortium.js";
import { passProposal } from "../fixtures.js";
import { openWebDatabase, webRoleUrl } from "../../web/src/db.js";
import { xlsxExport } from "../../web/src/exports.js";
import { ARG_KEYS, locale } from "../../web/src/i18n.js";
import { eventTables } from "../../web/src/queries/chain.js";
import { argKind } from "../../web/src/views/args.js";
import type { Tx } from "../../web/src/db.js";
import { tableDef } from "../../web/src/queries/tables.js";
import { escrowSummary, licenceSummary } from "../../web/src/queries/dashboards.js";
import { tablePage } from "../../web/src/queries/page.js";
import { selectSql, type TableDef, TABLES } from "../../web/src/queries/tables.js";
import {
  connectAnalyst,
  csvCells,
  type DepartmentCode,
  operator,
  OPERATORS,
  pageRecord,
  pageTable,
  pagerLink,
  postJson,
  SESSION_SECRET,
  signInOverHttp,
  startWebFixture,
  stranger,
  type WebFixture,
} from "./helpers.js";

const SCHEMAS = ["raw", "gov", "access", "invoices", "licences", "escrow", "report"];
const SCOPED_STATE_TABLES = [
  "licences.licence",
  "licences.licence_dependency",
  "licences.suspension",
  "licences.consent",
  "licences.licence_use",
  "licences.application",
  "licences.application_step",
  "licences.department_day",
  "licences.status_count",
  "licences.consent_expiry",
  "escrow.project",
  "escrow.milestone",
  "escrow.payment_order",
  "escrow.payroll",
  "escrow.worker",
  "escrow.project_day",
  "escrow.payroll_state_count",
  "escrow.department_project",
];

/**
 * Which rows of each table a department may read, written from issue 11's list (not from the
 * migration): `$1` is the department id. The regulator (AUDIT) reads every row.
 */
function expectedRows(table: string): string {
  const [schema, name] = table.split(".");
  const registered = "(select participant_id from gov.participant_registered where department_id = $1)";
  const invoicesOf = `(select invoice_id from invoices.invoice_issued where issuer_id in ${registered})`;
  const licencesOf = "(select licence_id from licences.licence_issued where issuer = $1)";
  // The bank and the regulator are the latest replacement's (0087), else the terms'.
  const partyOf = (party: number, term: string) => `coalesce((select r.new_party from escrow.project_party_replaced r
      where r.project_id = c.project_id and r.party = ${party} order by r.block_number desc, r.log_index desc limit 1),
      decode(substr(c.terms ->> '${term}', 3), 'hex'))`;
  const projectsOf = `(select c.project_id from escrow.project_created c where c.department_id = $1
      or ${partyOf(0, "bank")} = $1
      or ${partyOf(1, "regulator")} = $1
      or c.terms ->> 'supervisor' in (select '0x' || encode(participant_id, 'hex') from gov.participant_registered where department_id = $1))`;
  if (table === "gov.failed_attempt") return "department_id = $1 or registrar_id = $1";
  if (table === "gov.failed_attempt_day") return "department_id = $1";
  if (schema === "gov" || schema === "access" || table === "raw.blocks") return "true";
  if (table === "raw.events" || table === "escrow.transfer" || table === "escrow.approval") return "false";
  if (table === "raw.failed_transactions") {
    return `sender in (select decode(substr(op, 3), 'hex') from gov.department_admitted a, jsonb_array_elements_text(a.operators) op where a.department_id = $1)
      or sender in (select account from gov.operator_added where department_id = $1)
      or sender in (select account from gov.participant_registered where department_id = $1)`;
  }
  if (table === "invoices.issuer") return `issuer_id in ${registered} or department_id = $1`;
  if (table === "invoices.receiver_day") return `receiver_id in ${registered}`;
  // Rollups per registering department (the invoices', the credit notes' per lapse day): its own.
  if (table === "invoices.department_day_state" || table === "invoices.credit_note_lapse") return "registrar_id = $1";
  if (schema === "invoices") {
    return [
      "invoice_locked",
      "invoice_unlocked",
      "invoice_reimbursed",
      "invoice_credited",
      "invoice_frozen",
      "invoice_unfrozen",
      "credit_note_confirmed",
      "invoice_receiver_changed",
    ].includes(name)
      ? `invoice_id in ${invoicesOf}`
      : `issuer_id in ${registered}`;
  }
  if (schema === "licences") {
    if (
      [
        "licence_type_set",
        "trusted_issuer_set",
        "template_defined",
        "template_retired",
        "eip712_domain_changed",
        "template",
        "status_clock",
      ].includes(name)
    )
      return "true";
    if (name === "licence_issued") return "issuer = $1";
    // Report rows per department (the issuer's licences, the user's uses): that department.
    // Consents per expiry day: the department given them.
    if (name === "department_day" || name === "status_count" || name === "consent_expiry") return "department_id = $1";
    // Uses per issuer and user (0077): the issuer's and the user's.
    if (name === "issuer_use") return "issuer_id = $1 or department_id = $1";
    if (name === "signed_consents_cancelled") {
      return "exists (select 1 from gov.department_roles where department_id = $1 and role_id = 21)";
    }
    if (["licence_used", "consent_granted", "consent_withdrawn", "licence_use", "consent"].includes(name))
      return `department_id = $1 or licence_id in ${licencesOf}`;
    if (name === "application" || name.startsWith("application_") || name.startsWith("step_")) {
      return "application_id in (select application_id from licences.step_opened where department_id = $1)";
    }
    return `licence_id in ${licencesOf}`;
  }
  if (schema === "escrow") {
    if (name === "eip712_domain_changed" || name === "token") return "true";
    if (name === "deposit_minted" || name === "deposit_burned") return "department_id = $1";
    const hr = "exists (select 1 from gov.department_roles where department_id = $1 and role_id = 60)";
    // The city's wages per day (0076): every project's, so the regulator's and human resources'.
    if (name === "wage_day") return hr;
    // The projects each department has a part in (0096): its own rows, exactly the projects above.
    if (name === "department_project") return `department_id = $1 and project_id in ${projectsOf}`;
    if (name.startsWith("payroll")) return `${hr} or project_id in ${projectsOf}`;
    return `project_id in ${projectsOf}`;
  }
  throw new Error(`no expectation written for ${table}: add one (and a policy) for new tables`);
}

describe("dashboard (web/)", function () {
  this.timeout(300_000);
  let fx: WebFixture;
  let owner: postgres.Sql;
  let base: string;
  const analysts = new Map<DepartmentCode, postgres.Sql>();

  before(async function () {
    fx = await startWebFixture();
    base = fx.dashboard.url;
    owner = postgres(fx.databaseUrl, { max: 2, onnotice: () => {} });
    for (const code of OPERATORS) {
      analysts.set(code, await connectAnalyst(owner, fx.databaseUrl, code));
    }
  });
  after(async function () {
    for (const sql of analysts.values()) await sql.end();
    await owner?.end();
    await fx?.close();
  });

  describe("row-level security (real PostgreSQL roles)", function () {
    before(async function () {
      // A failed attempt by TAX's operator (a registry change only governance may make), mined
      // with an explicit gas limit so it lands on chain as a reverted transaction.
      const registry = fx.chain.contracts.registry.connect(fx.chain.accounts.tax);
      // (The simulated node mines it and then answers with the revert: the error is expected.)
      await registry
        .suspendDepartment(codeToId("CONS"), { gasLimit: 200_000 })
        .then((sent) => sent.wait())
        .catch(() => {});
      // A dependency and a suspension interval (the demo has neither): FIRE issues the hotel a
      // licence that depends on its SAMR registration; SAMR suspends and reinstates ACME's.
      const licenceRegistry = fx.chain.contracts.licenceRegistry;
      const { samr, fire } = fx.chain.accounts;
      const [hotelRegistration, acmeRegistration] = await owner`
        select '0x' || encode(licence_id, 'hex') as id from licences.licence
        where department_id = ${Buffer.from(codeToId("SAMR").slice(2), "hex")} order by holder = ${Buffer.from(fx.chain.accounts.all[11].address.slice(2), "hex")} desc limit 2`;
      await (
        await licenceRegistry
          .connect(fire)
          .issue(
            id("rls-test:fire-2"),
            codeToId("FIRE_SAFETY"),
            fx.chain.accounts.all[11].address,
            id("rls-test:fs-2"),
            0,
            0,
            [hotelRegistration.id],
          )
      ).wait();
      await (await licenceRegistry.connect(samr).suspend(acmeRegistration.id, id("rls-test:inspection"))).wait();
      await (await licenceRegistry.connect(samr).reinstate(acmeRegistration.id)).wait();
      // Wages owed (the demo cancels its owed payroll): NORTH-BUILD's payroll over what the wage
      // account holds, approved by the bank, stays owed.
      const { escrow } = fx.chain.contracts;
      const worker = new Wallet(id("govledger-demo-worker:0")).address;
      const owed = (await escrow.getLedger(1n)).wageBalance + parseUnits("500", 18);
      await (
        await escrow
          .connect(fx.chain.accounts.all[13])
          .submitPayroll(1n, 202608n, id("rls-test:payroll"), [worker], [owed])
      ).wait();
      const payrollId = (await escrow.getProject(1n)).payrollCount;
      await (await escrow.connect(fx.chain.accounts.bank).approvePayroll(1n, payrollId, [worker], [owed])).wait();
      // A project whose regulator is not its bureau: SAMR, given PROJECT_REGULATOR by vote. The
      // regulator a project names is one of its parts (0068).
      const governance = fx.chain.contracts.registry;
      const grant = (code: string) =>
        governance.interface.encodeFunctionData("grantDepartmentRole", [codeToId(code), ROLES.PROJECT_REGULATOR]);
      const target = await governance.getAddress();
      await (
        await passProposal(fx.chain, [
          { target, data: grant("SAMR") },
          { target, data: grant("FIRE") },
        ])
      ).wait();
      const demo = await escrow.getProject(1n);
      const terms = {
        developer: demo.developer,
        contractor: demo.contractor,
        supervisor: demo.supervisor,
        bank: demo.bank,
        regulator: codeToId("SAMR"),
        humanResources: demo.humanResources,
        token: demo.token,
        budget: 1_000n,
        labourShareBps: 2_000,
        guaranteeAmount: 0n,
        guaranteeHoldingPeriod: 3_600,
        contractHash: id("rls-test:contract"),
      };
      const milestones = [{ amount: 1_000n, dueDate: 1_900_000_000, descriptionHash: id("rls-test:milestone") }];
      await (await escrow.connect(fx.chain.accounts.cons).createProject(terms, milestones, [])).wait();
      // Another project SAMR regulated until a vote handed that part to FIRE (0087): FIRE sees
      // it now and SAMR no longer does.
      const handed = { ...terms, contractHash: id("rls-test:contract-2") };
      await (await escrow.connect(fx.chain.accounts.cons).createProject(handed, milestones, [])).wait();
      const replace = escrow.interface.encodeFunctionData("replaceParty", [
        await escrow.projectCount(),
        1,
        codeToId("FIRE"),
      ]);
      await (await passProposal(fx.chain, [{ target: await escrow.getAddress(), data: replace }])).wait();
      await fx.index();
    });

    it("guards every table with a policy and runs every view as its caller", async function () {
      const tables = await owner`
        select c.relnamespace::regnamespace::text || '.' || c.relname as name, c.relrowsecurity,
               (select count(*) from pg_policies p where p.schemaname = c.relnamespace::regnamespace::text and p.tablename = c.relname)::int as policies
        from pg_class c where c.relkind = 'r' and c.relpersistence <> 'u' and c.relnamespace::regnamespace::text in ${owner(SCHEMAS)}`;
      expect(tables.length).to.be.greaterThan(60);
      // The read model's unlogged working tables are the writer's: readers cannot even select them.
      const working = await owner`
        select c.oid::regclass::text as name, has_table_privilege('govledger_reader', c.oid, 'select') as readable
        from pg_class c where c.relkind = 'r' and c.relpersistence = 'u' and c.relnamespace::regnamespace::text in ${owner(SCHEMAS)}`;
      for (const table of working) expect(table.readable, table.name).to.equal(false);
      for (const table of tables) {
        expect(table.relrowsecurity, `${table.name} has row-level security`).to.equal(true);
        expect(table.policies, `${table.name} has a policy`).to.be.greaterThan(0);
      }
      const views = await owner`
        select c.relnamespace::regnamespace::text || '.' || c.relname as name, coalesce(c.reloptions, '{}') as options
        from pg_class c where c.relkind = 'v' and c.relnamespace::regnamespace::text in ${owner(SCHEMAS)}`;
      expect(views.length).to.be.greaterThan(10);
      for (const view of views) expect(view.options, view.name).to.include("security_invoker=true");
    });

    it("shows each department exactly the rows the issue lists, in every table", async function () {
      const seenCounts = new Map<string, number[]>();
      const tables = await owner`
        select c.oid::regclass::text as name from pg_class c
        where c.relkind = 'r' and c.relpersistence <> 'u' and c.relnamespace::regnamespace::text in ${owner(SCHEMAS)} order by 1`;
      for (const code of OPERATORS) {
        const analyst = analysts.get(code)!;
        for (const { name } of tables) {
          const predicate = code === "AUDIT" ? "true" : expectedRows(name);
          const expected = await owner.unsafe(
            `select ctid::text from ${name} where ${predicate} order by 1`,
            predicate.includes("$1") ? [Buffer.from(codeToId(code).slice(2), "hex")] : [],
          );
          const seen = await analyst.unsafe(`select ctid::text from ${name} order by 1`);
          expect(
            seen.map((r) => r.ctid),
            `${code} reading ${name}`,
          ).to.deep.equal(expected.map((r) => r.ctid));
          const counts = seenCounts.get(name) ?? [];
          seenCounts.set(name, [...counts, seen.length]);
        }
      }
      // Not vacuous for the read model's department-scoped tables: the demo fills them, and some
      // department sees part of them only.
      const vacuous = SCOPED_STATE_TABLES.filter((name) => {
        const counts = seenCounts.get(name)!;
        return Math.max(...counts) === 0 || Math.min(...counts) === Math.max(...counts);
      });
      expect(vacuous, "tables empty or seen whole by every department").to.deep.equal([]);
    });

    it("counts in the invoice rollups exactly the invoices and credit notes each department sees", async function () {
      const grouped = `select indexer.local_day(issued_at)::text as day, state, count(*)::int as invoices,
          sum(amount)::text as amount, sum(tax)::text as tax, sum(reimbursed)::text as reimbursed
        from invoices.invoice group by 1, 2 order by 1, 2`;
      const rolled = `select day::text, state, sum(invoices)::int as invoices, sum(amount)::text as amount,
          sum(tax)::text as tax, sum(reimbursed)::text as reimbursed
        from invoices.department_day_state group by 1, 2 order by 1, 2`;
      for (const code of OPERATORS) {
        const analyst = analysts.get(code)!;
        const seen = await analyst.unsafe(grouped);
        expect(await analyst.unsafe(rolled), code).to.deep.equal(seen);
        if (code === "TAX" || code === "AUDIT") expect(seen.length, code).to.be.greaterThan(1);
        // The credit notes per state (0081's counts per department and lapse day) likewise.
        const notes = await analyst`select state, count(*)::int as n from invoices.credit_notes group by 1 order by 1`;
        expect(
          await analyst`select state, sum(credit_notes)::int as n from report.credit_notes_per_state group by 1 order by 1`,
          `${code}: credit notes per state`,
        ).to.deep.equal(notes);
        if (code === "TAX" || code === "AUDIT") expect(notes.length, `${code}: credit notes`).to.be.greaterThan(0);
        if (code === "CONS") expect(notes.length, `${code}: credit notes`).to.equal(0);
      }
    });

    it("pages the invoice table by cursor, forwards and back, in the order of the whole list", async function () {
      const cookie = await signInOverHttp(base, operator("TAX"));
      const all = (
        await owner`select '0x' || encode(invoice_id, 'hex') as id from invoices.invoice
                               order by issued_at desc, invoice_id desc`
      ).map((r) => r.id as string);
      expect(all.length).to.be.greaterThan(3);
      const idsOf = (text: string) => [...text.matchAll(/href="\/invoices\/(0x[0-9a-f]{64})"/g)].map((m) => m[1]);
      const link = (text: string, label: "next" | "previous") =>
        new RegExp(`<a href="([^"]+)" class="${label}"`).exec(text)?.[1].replaceAll("&amp;", "&");
      const seen: string[] = [];
      const pages: string[] = [];
      let query: string | undefined = "?size=2";
      while (query) {
        const response = await fetch(`${base}/invoices${query}`, { headers: { cookie } });
        expect(response.status, query).to.equal(200);
        const text = await response.text();
        pages.push(text);
        seen.push(...idsOf(text));
        query = link(text, "next");
      }
      expect(seen).to.deep.equal(all);
      // Back from the last page: the page before it.
      const back = await fetch(`${base}/invoices${link(pages.at(-1)!, "previous")}`, { headers: { cookie } });
      expect(idsOf(await back.text())).to.deep.equal(idsOf(pages.at(-2)!));
      for (const [path, message] of [
        ["/invoices?after=zz", "page cursor is not one of invoices"],
        ["/invoices?after=1_0x00&before=1_0x00", "page after or before a row, not both"],
      ]) {
        const refused = await fetch(`${base}${path}`, { headers: { cookie } });
        expect(refused.status, path).to.equal(400);
        expect(await refused.text(), path).to.include(message);
      }
    });

    it("gives the demo's departments their own figures and not the others'", async function () {
      const count = async (code: DepartmentCode, relation: string) =>
        (await analysts.get(code)!.unsafe(`select count(*)::int as n from ${relation}`))[0].n as number;
      const [all] = await owner`select (select count(*) from invoices.invoices)::int as invoices,
        (select count(*) from escrow.project_ledgers)::int as projects, (select count(*) from licences.licences)::int as licences`;
      expect(all.invoices).to.be.greaterThan(3);
      expect(await count("TAX", "invoices.invoices")).to.equal(all.invoices);
      expect(await count("TAX", "report.invoice_totals_per_issuer_day")).to.be.greaterThan(0);
      expect(await count("TAX", "escrow.project_ledgers")).to.equal(0);
      expect(await count("TAX", "report.project_balances")).to.equal(0);
      expect(await count("CONS", "invoices.invoices")).to.equal(0);
      expect(await count("CONS", "report.invoice_totals_per_issuer_day")).to.equal(0);
      expect(await count("CONS", "escrow.project_ledgers")).to.equal(all.projects);
      expect(await count("BANK", "report.project_balances")).to.equal(all.projects);
      expect(await count("HRSS", "escrow.project_ledgers")).to.equal(0);
      // SAMR regulates one project (named above) and has no other part in any.
      expect(await count("SAMR", "escrow.projects")).to.equal(1);
      expect(await count("SAMR", "escrow.milestones")).to.equal(1);
      expect(await count("SAMR", "escrow.project_party_replaced")).to.equal(0);
      // FIRE regulates the one SAMR was replaced on, and sees the replacement.
      expect(await count("FIRE", "escrow.projects")).to.equal(1);
      expect(await count("FIRE", "escrow.project_party_replaced")).to.equal(1);
      expect(await count("HRSS", "report.wages_paid")).to.be.greaterThan(0);
      expect(await count("SAMR", "licences.licences")).to.be.greaterThan(0);
      expect(await count("SAMR", "licences.licences")).to.be.lessThan(all.licences);
      expect(await count("AUDIT", "invoices.invoices")).to.equal(all.invoices);
      expect(await count("AUDIT", "licences.licences")).to.equal(all.licences);
      for (const code of OPERATORS) expect(await count(code, "gov.departments")).to.equal(7);
      // The demo's failed attempts (an issuer's repeated reimbursement) and the one above are all TAX's.
      const [{ failed }] = await owner`select count(*)::int as failed from report.failed_attempts`;
      expect(failed).to.be.greaterThan(0);
      expect(await count("TAX", "report.failed_attempts")).to.equal(failed);
      expect(await count("CONS", "report.failed_attempts")).to.equal(0);
      expect(await count("AUDIT", "report.failed_attempts")).to.equal(failed);
    });

    it("shows human resources every project's wages and owed wages, and no other project rows", async function () {
      const rows = async (sql: postgres.Sql, relation: string, key: string) =>
        (await sql.unsafe(`select ${key} as key from ${relation} order by 1`)).map((r) => String(r.key));
      const hr = analysts.get("HRSS")!;
      const wages: [string, string][] = [
        ["report.wages_owed", "project_id::text || ' ' || wages_owed::text"],
        ["report.wages_per_project_day", "project_id::text || ' ' || day::text || ' ' || wages_owed::text"],
        ["report.wages_paid", "project_id::text || ' ' || payroll_id::text"],
        ["escrow.payroll", "project_id::text || ' ' || payroll_id::text"],
        // The view over the table, as GraphQL lists it (0055: no longer through the project row).
        ["escrow.payrolls", "project_id::text || ' ' || payroll_id::text || ' ' || state"],
      ];
      for (const [relation, key] of wages) {
        const all = await rows(owner, relation, key);
        expect(all.length, `${relation} has rows in the demo`).to.be.greaterThan(0);
        expect(await rows(hr, relation, key), `HRSS reading ${relation}`).to.deep.equal(all);
        // A department with no part in any project and no HUMAN_RESOURCES role sees none of them.
        expect(await rows(analysts.get("TAX")!, relation, key), `TAX reading ${relation}`).to.deep.equal([]);
      }
      // The projects' other figures stay with their parts.
      for (const relation of [
        "escrow.project",
        "escrow.projects",
        "escrow.project_day",
        "report.project_balances",
        "report.project_balances_per_day",
        "escrow.milestone",
        "escrow.payment_order",
        "escrow.worker",
      ]) {
        expect(await rows(hr, relation, "1"), `HRSS reading ${relation}`).to.deep.equal([]);
      }
      // The bank sees the owed wages of its projects (all of the demo's) through the same reports.
      expect(await rows(analysts.get("BANK")!, "report.wages_owed", wages[0][1])).to.deep.equal(
        await rows(owner, "report.wages_owed", wages[0][1]),
      );
    });

    it("gates the licence and payroll lists without changing their rows, and sums the headline figures over exactly those rows", async function () {
      // 0055's gates skip the scan for a department that sees none of a table's rows: each view
      // still shows every department exactly its table's rows (TAX: no licence, no payroll).
      const seen = async (sql: postgres.Sql, query: string) =>
        (await sql.unsafe(query)).map((r) => Object.values(r).map(String).join(" "));
      const pairs: [string, string][] = [
        [
          "select licence_id, status from licences.licences order by 1",
          `select l.licence_id, v.status from licences.licence l join licences.licences v using (licence_id) order by 1`,
        ],
        [
          "select project_id, payroll_id, total_scaled from escrow.payrolls order by 1, 2",
          `select project_id, payroll_id, indexer.scaled(total, web.project_token_decimals(project_id))
           from escrow.payroll order by 1, 2`,
        ],
      ];
      const sizes = new Map<string, number[]>();
      for (const code of OPERATORS) {
        const analyst = analysts.get(code)!;
        for (const [view, table] of pairs) {
          const rows = await seen(analyst, view);
          expect(rows, `${code}: ${view}`).to.deep.equal(await seen(analyst, table));
          sizes.set(view, [...(sizes.get(view) ?? []), rows.length]);
        }
        // The dashboards' figures (web/src/queries/dashboards.ts) from the rows the department sees.
        await analyst.begin(async (tx) => {
          const licences = await licenceSummary(tx);
          const [uses] =
            await tx`select count(*)::int as uses, count(*) filter (where not valid_at_use)::int as not_valid
                                  from licences.licence_use`;
          expect([licences.uses, licences.notValid], `${code}: licence uses`).to.deep.equal([
            uses.uses,
            uses.not_valid,
          ]);
          const escrowFigures = await escrowSummary(tx);
          const [wages] = await tx`
            select round(coalesce((select sum(total_scaled) from report.wages_paid), 0), 2)::text as wages,
                   (select count(*) from report.wages_paid)::int as payrolls,
                   round(coalesce((select sum(wages_owed_scaled) from report.wages_owed), 0), 2)::text as wages_owed`;
          expect(
            [escrowFigures.wages, escrowFigures.payrolls, escrowFigures.wages_owed],
            `${code}: wages`,
          ).to.deep.equal([wages.wages, wages.payrolls, wages.wages_owed]);
          const perDay = await tx`
            select day::text, round(coalesce(sum(wages_paid_scaled), 0), 2)::text as wages,
                   round(coalesce(sum(wages_owed_scaled), 0), 2)::text as owed
            from report.wages_per_project_day group by day order by day`;
          expect(escrowFigures.wagesPerDay, `${code}: wages per day`).to.deep.equal(perDay.map((r) => ({ ...r })));
        });
      }
      // Not vacuous: some department sees all of each list, and TAX none.
      for (const [view] of pairs) {
        const counts = sizes.get(view)!;
        expect(counts[OPERATORS.indexOf("TAX")], view).to.equal(0);
        expect(Math.max(...counts), view).to.be.greaterThan(0);
      }
    });

    it("gates the invoice report lists without changing their rows: each gate is false exactly for a department that sees none", async function () {
      // 0080's gates skip the scan of invoices.issuer_day and invoices.receiver_day for a department
      // that sees none of their rows; the views still show each department exactly its tables' rows.
      const seen = async (sql: postgres.Sql, query: string) =>
        (await sql.unsafe(query)).map((r) => Object.values(r).map(String).join(" "));
      const pairs: [string, string][] = [
        [
          "select issuer_id, day, invoices, amount, tax from report.invoice_totals_per_issuer_day order by 1, 2",
          "select issuer_id, day, issued, issued_amount, issued_tax from invoices.issuer_day where issued > 0 order by 1, 2",
        ],
        [
          "select receiver_id, day, invoices, amount from report.invoice_reimbursements_per_receiver_day order by 1, 2",
          "select receiver_id, day, reimbursed, reimbursed_amount from invoices.receiver_day order by 1, 2",
        ],
        [
          "select issuer_id, day, issued, claimed, reimbursed, reimbursed_amount from report.invoices_per_issuer_day order by 1, 2",
          "select issuer_id, day, issued, claimed, reimbursed, reimbursed_amount from invoices.issuer_day order by 1, 2",
        ],
        [
          "select receiver_id, day, reimbursed, reimbursed_amount from report.reimbursements_per_receiver_day order by 1, 2",
          "select receiver_id, day, reimbursed, reimbursed_amount from invoices.receiver_day order by 1, 2",
        ],
      ];
      const sizes = new Map<string, number[]>();
      const registered = new Map(
        (
          await owner`select web.department_code(department_id) as code, count(*)::int as n
                      from gov.participant_registered group by 1`
        ).map((r) => [r.code as string, r.n as number]),
      );
      for (const code of OPERATORS) {
        const analyst = analysts.get(code)!;
        for (const [view, table] of pairs) {
          const rows = await seen(analyst, view);
          expect(rows, `${code}: ${view}`).to.deep.equal(await seen(analyst, table));
          sizes.set(view, [...(sizes.get(view) ?? []), rows.length]);
        }
        const [gates] = await analyst`
          select web.sees_invoices() as invoices, exists (select 1 from invoices.invoice) as sees_invoice,
                 exists (select 1 from invoices.issuer_day) as sees_issuer_day,
                 web.sees_receiver_days() as receivers, exists (select 1 from invoices.receiver_day) as sees_receiver_day`;
        expect([gates.invoices, gates.invoices], `${code}: web.sees_invoices()`).to.deep.equal([
          gates.sees_invoice,
          gates.sees_issuer_day,
        ]);
        expect(gates.receivers, `${code}: web.sees_receiver_days()`).to.equal(gates.sees_receiver_day);
      }
      // Not vacuous: the tax bureau and the regulator see rows of each list, the construction
      // bureau none although it registered participants (its gates probe them and say no).
      expect(registered.get("CONS") ?? 0, "participants CONS registered").to.be.greaterThan(0);
      for (const [view] of pairs) {
        const counts = sizes.get(view)!;
        expect(counts[OPERATORS.indexOf("TAX")], view).to.be.greaterThan(0);
        expect(counts[OPERATORS.indexOf("AUDIT")], view).to.be.greaterThan(0);
        expect(counts[OPERATORS.indexOf("CONS")], view).to.equal(0);
      }
    });

    it("pages the /reports lists by cursor (a day and a participant), forwards and back, in the order of the whole list", async function () {
      // The whole list as the page's own SELECT, then page by page of one row along the cursors.
      const walk = async (tx: postgres.TransactionSql, def: TableDef, label: string) => {
        const all = await tx.unsafe(selectSql(def, {}, "Asia/Shanghai"));
        const pages = [];
        let after: string | undefined;
        do {
          const page = await tablePage(tx, def, {}, { page: 1, size: 1, after }, "Asia/Shanghai");
          expect(page.total, label).to.equal(all.length);
          pages.push(page);
          after = page.cursors?.next;
        } while (after);
        const strip = (rows: Record<string, string>[]) => rows.map(({ __cursor, ...row }) => ({ ...row }));
        expect(strip(pages.flatMap((p) => p.rows)), label).to.deep.equal(strip([...all]));
        if (pages.length > 1) {
          const before = pages.at(-1)!.cursors!.previous;
          const back = await tablePage(tx, def, {}, { page: 1, size: 1, before }, "Asia/Shanghai");
          expect(back.rows, `${label}: back`).to.deep.equal(pages.at(-2)!.rows);
        }
        return all.length;
      };
      const defs = [TABLES.invoice_totals, TABLES.reimbursements];
      for (const def of defs) {
        for (const code of ["TAX", "CONS", "AUDIT"] as const) {
          const rows = await analysts.get(code)!.begin((tx) => walk(tx, def, `${code} ${def.id}`));
          if (code === "CONS") expect(rows, `${code} ${def.id}`).to.equal(0);
          else expect(rows, `${code} ${def.id}`).to.be.greaterThan(0);
        }
      }
      // The demo holds a day or two of each: more days and participants (same day, several
      // participants; one participant, several days), written and rolled back by the owner.
      const rolledBack = new Error("rolled back");
      const walked = await owner
        .begin(async (tx) => {
          const ids = [1, 2, 3].map((n) => Buffer.alloc(32, 0xe0 + n));
          for (const [n, participant] of ids.entries()) {
            for (const day of ["2026-01-30", "2026-01-31", "2026-02-01"].slice(n)) {
              await tx`insert into invoices.issuer_day values (${participant}, ${day}, 2, 300, 30, 0, 0, 0, 0)`;
              await tx`insert into invoices.receiver_day values (${participant}, ${day}, 1, 100)`;
            }
          }
          const sizes = [];
          for (const def of defs) sizes.push(await walk(tx, def, `owner ${def.id}`));
          throw Object.assign(rolledBack, { sizes });
        })
        .catch((error: Error & { sizes?: number[] }) => {
          if (error !== rolledBack) throw error;
          return error.sizes!;
        });
      for (const size of walked) expect(size).to.be.greaterThan(6);
    });

    it("finds a project's rows by 0075's keys exactly as by its id, for each department, and gives no keys to others", async function () {
      // The project page reads the event tables by block and the state tables by row address
      // (web.project_event_blocks, web.project_*_rows): with the policies and the id condition on
      // top, the same rows as `project_id = n`; for a project a department does not see, no keys.
      const projects = (await owner`select project_id::text as id from escrow.project order by 1`).map((r) => r.id);
      expect(projects.length).to.be.greaterThan(1);
      const events = [
        ["project_created", "project_funded", "guarantee_deposited", "milestone_submitted", "milestone_released"],
        ["milestone_rejected", "payment_ordered", "payment_order_paid", "payment_order_rejected", "project_frozen"],
        ["project_unfrozen", "project_closed", "guarantee_returned", "payroll_submitted", "payroll_approved"],
        ["payroll_paid", "payroll_rejected", "payroll_cancelled", "project_party_replaced"],
      ].flat();
      const keyed = [
        ["milestone", "project_milestone_rows"],
        ["payment_order", "project_payment_order_rows"],
        ["payroll", "project_payroll_rows"],
      ];
      const seen = new Map<string, number>();
      for (const code of OPERATORS) {
        const analyst = analysts.get(code)!;
        for (const id of projects) {
          const counts = (query: string) => analyst.unsafe(query, [id]).then((rows) => rows.map((r) => r.n as number));
          const byBlock = events
            .map(
              (t) => `(select count(*)::int from escrow.${t}
                        where block_number = any(web.project_event_blocks($1::numeric)) and project_id = $1::numeric)`,
            )
            .join(" + ");
          const byId = events
            .map((t) => `(select count(*)::int from escrow.${t} where project_id = $1::numeric)`)
            .join(" + ");
          expect(await counts(`select ${byBlock} as n`), `${code} project ${id}: events`).to.deep.equal(
            await counts(`select ${byId} as n`),
          );
          for (const [table, rows] of keyed) {
            const [n] = await counts(`select count(*)::int as n from escrow.${table} where project_id = $1::numeric`);
            expect(
              await counts(`select count(*)::int as n from escrow.${table}
                            where ctid = any(web.${rows}($1::numeric)) and project_id = $1::numeric`),
              `${code} project ${id}: ${table}`,
            ).to.deep.equal([n]);
            seen.set(`${code} ${table}`, (seen.get(`${code} ${table}`) ?? 0) + n);
            if (n === 0) {
              // Not even an address of a row the department's policy hides.
              const [{ keys }] = await analyst.unsafe(`select cardinality(web.${rows}($1::numeric))::int as keys`, [
                id,
              ]);
              expect(keys, `${code} project ${id}: ${rows}`).to.equal(0);
            }
          }
          const [{ sees, blocks }] = await analyst.unsafe(
            `select exists (select 1 from escrow.project where project_id = $1::numeric) as sees,
                    cardinality(web.project_event_blocks($1::numeric))::int as blocks`,
            [id],
          );
          if (!sees && code !== "HRSS") expect(blocks, `${code} project ${id}: blocks`).to.equal(0);
        }
      }
      // Not vacuous: the construction bureau sees its projects' rows, the tax bureau none.
      expect(seen.get("CONS payroll")).to.be.greaterThan(0);
      expect(seen.get("CONS milestone")).to.be.greaterThan(0);
      expect(seen.get("TAX milestone")).to.equal(0);
    });

    it("sets govledger_web's password from its file once, leaves it alone at the next start, takes the operator's without a file", async function () {
      const file = path.join(fx.db.dataDir, "dashboard-db-password");
      const password = async () =>
        (await owner`select rolpassword from pg_authid where rolname = 'govledger_web'`)[0].rolpassword as string;
      const before = await password();
      expect(before, "the fixture's dashboard set it at its start").to.be.a("string");
      const url = await webRoleUrl(fx.databaseUrl, { file });
      expect(await password(), "a second start keeps the password").to.equal(before);
      expect(new URL(url).password).to.equal(readFileSync(file, "utf8").trim());
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      const loginAs = async (url: string) => {
        const web = postgres(url, { max: 1, onnotice: () => {} });
        try {
          return (await web`select current_user as role`)[0].role as string;
        } finally {
          await web.end();
        }
      };
      expect(await loginAs(url)).to.equal("govledger_web");

      // The operator's own password (GOVLEDGER_DASHBOARD_DB_PASSWORD): set on the role, quoted
      // by PostgreSQL, and no file anywhere.
      const given = "it's the city's vault: 0123456789";
      const logs: string[] = [];
      const givenUrl = await webRoleUrl(fx.databaseUrl, { password: given }, (line) => logs.push(line));
      expect(decodeURIComponent(new URL(givenUrl).password)).to.equal(given);
      expect(await loginAs(givenUrl)).to.equal("govledger_web");
      expect(logs).to.deep.equal(["dashboard: set govledger_web's password (GOVLEDGER_DASHBOARD_DB_PASSWORD)"]);
      expect(readFileSync(file, "utf8").trim(), "the file is left alone").to.equal(new URL(url).password);
      // Back to the file's (the fixture's dashboard opens new connections with it): it no longer logs in, so it is set again.
      await webRoleUrl(fx.databaseUrl, { file });
      expect(await loginAs(url)).to.equal("govledger_web");
    });

    it("keeps an analyst to its own department whatever it sets, and a role outside the map sees nothing", async function () {
      const tax = analysts.get("TAX")!;
      const [row] = await tax.begin(async (tx) => {
        await tx`select set_config('govledger.department', 'AUDIT', true)`;
        return tx`select (select count(*) from escrow.project_ledgers)::int as projects, web.is_regulator() as regulator`;
      });
      expect(row).to.deep.equal({ projects: 0, regulator: false });
      await owner.unsafe(`do $$ begin if not exists (select 1 from pg_roles where rolname = 'govledger_test_outsider') then
        create role govledger_test_outsider login password 'outsider-password-1'; end if; end $$`);
      await owner.unsafe("grant govledger_reader to govledger_test_outsider");
      const url = new URL(fx.databaseUrl);
      url.username = "govledger_test_outsider";
      url.password = "outsider-password-1";
      const outsider = postgres(url.toString(), { max: 1, onnotice: () => {} });
      try {
        const [seen] = await outsider.begin(async (tx) => {
          await tx`select set_config('govledger.department', 'AUDIT', true)`;
          return tx`select (select count(*) from invoices.invoice_issued)::int as invoices, (select count(*) from gov.departments)::int as departments`;
        });
        expect(seen).to.deep.equal({ invoices: 0, departments: 7 });
      } finally {
        await outsider.end();
      }
    });
  });

  describe("sign-in and bad input (HTTP)", function () {
    const noLeak = (message: string) =>
      expect(message).to.not.match(/select|postgres|stack|at \w+ \(|relation|syntax/i);

    it("signs an operator in with a SIWE message and a signed, HttpOnly, SameSite=Strict cookie", async function () {
      const account = operator("TAX");
      const { body } = await postJson(base, "/auth/nonce", { address: account.address });
      expect(body.message).to.include(`${new URL(base).host} wants you to sign in with your Ethereum account:`);
      expect(body.message).to.match(/Expiration Time: /);
      const signature = await account.signMessage({ message: body.message });
      const verified = await postJson(base, "/auth/verify", { message: body.message, signature });
      expect(verified.status).to.equal(200);
      expect(verified.body).to.deep.equal({ account: account.address, department: "TAX" });
      const cookie = verified.response.headers.get("set-cookie")!;
      expect(cookie)
        .to.match(/HttpOnly/)
        .and.match(/SameSite=Strict/)
        .and.match(/Max-Age=\d+/);
      // Replaying the same signed message: the nonce is spent.
      const replay = await postJson(base, "/auth/verify", { message: body.message, signature });
      expect(replay.status).to.equal(401);
      expect(replay.body.error).to.equal("nonce unknown, expired or already used; sign a new message");
    });

    it("refuses a bad signature, an expired message, an account that is not an operator", async function () {
      const tax = operator("TAX");
      const { body } = await postJson(base, "/auth/nonce", { address: tax.address });
      const wrongSigner = await operator("CONS").signMessage({ message: body.message });
      const bad = await postJson(base, "/auth/verify", { message: body.message, signature: wrongSigner });
      expect([bad.status, bad.body.error]).to.deep.equal([401, "signature does not match the message and its account"]);
      const garbage = await postJson(base, "/auth/verify", { message: body.message, signature: "0x1234" });
      expect([garbage.status, garbage.body.error]).to.deep.equal([400, "signature must be 0x-prefixed hex"]);

      const host = new URL(base).host;
      const expired = createSiweMessage({
        address: tax.address,
        chainId: 31337,
        domain: host,
        nonce: generateSiweNonce(),
        uri: base,
        version: "1",
        issuedAt: new Date(Date.now() - 600_000),
        expirationTime: new Date(Date.now() - 300_000),
      });
      const late = await postJson(base, "/auth/verify", {
        message: expired,
        signature: await tax.signMessage({ message: expired }),
      });
      expect([late.status, late.body.error]).to.deep.equal([401, "sign-in message expired; sign a new one"]);

      const nobody = stranger();
      const own = await postJson(base, "/auth/nonce", { address: nobody.address });
      const refused = await postJson(base, "/auth/verify", {
        message: own.body.message,
        signature: await nobody.signMessage({ message: own.body.message }),
      });
      expect([refused.status, refused.body.error]).to.deep.equal([
        403,
        `account ${nobody.address} is not an operator of any member department`,
      ]);
      const malformed = await postJson(base, "/auth/nonce", { address: "0x' or 1=1 --" });
      expect(malformed.status).to.equal(400);
      for (const answer of [bad, garbage, late, refused, malformed]) noLeak(answer.body.error);
    });

    it("refuses a forged or expired cookie, bad filters and an oversized page with a 4xx and a message", async function () {
      const cookie = await signInOverHttp(base, operator("TAX"));
      const get = async (path: string, withCookie = cookie) => {
        const response = await fetch(`${base}${path}`, {
          headers: { cookie: withCookie, accept: "text/html" },
          redirect: "manual",
        });
        return { status: response.status, text: await response.text() };
      };
      expect((await get("/invoices")).status).to.equal(200);

      const [name, value] = cookie.split("=");
      const claim = decodeURIComponent(value).split(".")[0];
      const forged = claim.replace("TAX", "AUDIT");
      const forgedAnswer = await get(
        "/invoices",
        `${name}=${encodeURIComponent(`${forged}.${decodeURIComponent(value).split(".")[1]}`)}`,
      );
      expect(forgedAnswer.status).to.equal(401);
      expect(forgedAnswer.text).to.include("session cookie is not valid; sign in again");

      const stale = `${operator("TAX").address}|TAX|${Math.floor(Date.now() / 1000) - 10}`;
      const mac = createHmac("sha256", SESSION_SECRET).update(stale).digest("base64");
      const expiredAnswer = await get("/invoices", `${name}=${encodeURIComponent(`${stale}.${mac}`)}`);
      expect(expiredAnswer.status).to.equal(401);
      expect(expiredAnswer.text).to.include("session expired; sign in again");

      const cases: [string, number, string][] = [
        ["/invoices?state=Paid", 400, 'filter "state" must be one of Issued, Claimed, Locked, Reimbursed, Voided'],
        ["/invoices?issuer=%27%20or%201%3D1--", 400, 'filter "issuer" must be a 0x-prefixed 32-byte hex value'],
        ["/invoices?from=2026-13-45", 400, 'filter "from" must be a date YYYY-MM-DD'],
        ["/invoices?number=1;drop%20table%20x", 400, 'filter "number" must be a whole number'],
        ["/invoices?issuer_id=1", 400, 'unknown filter "issuer_id" for invoices'],
        ["/invoices?size=101", 400, "page size must be between 1 and 100"],
        [
          "/export/invoices.csv?state=1%27%3B--",
          400,
          'filter "state" must be one of Issued, Claimed, Locked, Reimbursed, Voided',
        ],
        ["/export/secrets.csv", 400, "no such export; use /export/<table>.csv or .xlsx"],
        ["/tx/0x12?block=1", 400, "transaction hash must be a 0x-prefixed 32-byte hex value"],
      ];
      for (const [path, status, message] of cases) {
        const answer = await get(path);
        expect(answer.status, path).to.equal(status);
        expect(answer.text.replaceAll("&quot;", '"').replaceAll('\\"', '"'), path).to.include(message);
        noLeak(answer.text.replace(/<style>[\s\S]*<\/style>/, ""));
      }
      const anonymous = await fetch(`${base}/export/invoices.csv`);
      expect(anonymous.status).to.equal(401);
    });

    it("exports the same rows as the page, under row-level security, with a header naming department, period and chain head", async function () {
      const [head] =
        await owner`select block_number::text as number, '0x' || encode(block_hash, 'hex') as hash from indexer.checkpoint`;
      const [{ n: all }] = await owner`select count(*)::int as n from invoices.invoice_issued`;
      for (const [code, expected] of [
        ["TAX", all],
        ["CONS", 0],
      ] as const) {
        const cookie = await signInOverHttp(base, operator(code));
        const response = await fetch(`${base}/export/invoices.csv?from=2000-01-01`, { headers: { cookie } });
        expect(response.status).to.equal(200);
        const lines = (await response.text())
          .replace(/^\uFEFF/, "")
          .trim()
          .split("\n");
        const header = lines.filter((line) => line.startsWith("#,")).map(csvCells);
        expect(header[1]).to.deep.equal(["#", "部门", code, code === "TAX" ? "税务局" : "住房和城乡建设局"]);
        expect(header[2][2]).to.equal("2000-01-01 – … (UTC+08:00)");
        expect(header[3]).to.deep.equal(["#", "导出时区块高度", head.number, head.hash]);
        expect(lines.length - header.length - 1, `${code}'s invoice rows`).to.equal(expected);
        if (code === "TAX") {
          // Each row's transaction and number are its InvoiceIssued event's (kept on the invoice
          // row since 0060), in ledger order: the page's order reversed, oldest first.
          const columns = csvCells(lines[header.length]).map((caption) => /\((\w+)\)$/.exec(caption)![1]);
          const rows = lines
            .slice(header.length + 1)
            .map((line) => Object.fromEntries(csvCells(line).map((cell, i) => [columns[i], cell])));
          const issued = await owner`
            select '0x' || encode(e.invoice_id, 'hex') as invoice_id, '0x' || encode(e.tx_hash, 'hex') as tx_hash,
                   e.number::text as number
            from invoices.invoice_issued e join invoices.invoice v using (invoice_id)
            order by v.issued_at, v.invoice_id`;
          expect(rows.map((r) => [r.invoice_id, r.tx_hash, r.number])).to.deep.equal(
            issued.map((r) => [r.invoice_id, r.tx_hash, r.number]),
          );
          // The number filter, as the page applies it (on the digits; 0042 finds 42).
          const number = issued[0].number as string;
          const numbered = await (
            await fetch(`${base}/export/invoices.csv?number=0${number}`, { headers: { cookie } })
          ).text();
          const ids = numbered
            .trim()
            .split("\n")
            .filter((line) => /^0x[0-9a-f]{64},/.test(line))
            .map((line) => line.slice(0, 66));
          expect(ids).to.deep.equal(issued.filter((r) => r.number === number).map((r) => r.invoice_id));
        }
        // The XLSX holds what the CSV holds, line for line (but the export time): the header
        // block, the captions, the rows in the same order, amounts, counts and blocks as numbers.
        const xlsx = await fetch(`${base}/export/invoices.xlsx?from=2000-01-01`, { headers: { cookie } });
        expect(xlsx.status).to.equal(200);
        const workbook = new ExcelJS.Workbook();
        await workbook.xlsx.load(await xlsx.arrayBuffer());
        const sheet: (string | number)[][] = [];
        workbook.worksheets[0].eachRow((row) => sheet.push((row.values as (string | number)[]).slice(1)));
        const numeric = tableDef("invoices")!.columns.map((c) => ["yuan", "count", "block"].includes(c.display));
        const csv = lines
          .map(csvCells)
          .map((cells, n) =>
            n < header.length + 1 ? cells : cells.map((cell, i) => (numeric[i] && cell !== "" ? Number(cell) : cell)),
          );
        const exportedAt = (rows: unknown[][]) => rows.filter((_, n) => n !== 4);
        const cells = (rows: unknown[][]) => rows.map((row, n) => Array.from(csv[n], (_, i) => row[i] ?? ""));
        expect(sheet.length).to.equal(csv.length);
        expect(exportedAt(cells(sheet))).to.deep.equal(exportedAt(csv));
      }
    });

    it("stops an XLSX export at the sheet's row limit, its last row saying so", async function () {
      const db = await openWebDatabase({
        databaseUrl: fx.databaseUrl,
        webRolePassword: { file: path.join(fx.db.dataDir, "dashboard-db-password") },
      });
      try {
        const request = { def: tableDef("invoices")!, filters: {}, department: "TAX", l: locale("en", "Etc/GMT-8") };
        const read = async (sheetRows: number) => {
          const parts: Buffer[] = [];
          for await (const chunk of xlsxExport(db, request, { sheetRows })) parts.push(chunk as Buffer);
          const workbook = new ExcelJS.Workbook();
          await workbook.xlsx.load(Buffer.concat(parts) as unknown as ArrayBuffer);
          const rows: string[][] = [];
          workbook.worksheets[0].eachRow((row) => rows.push((row.values as string[]).slice(1).map(String)));
          return rows;
        };
        const [{ n: all }] = await owner`select count(*)::int as n from invoices.invoice`;
        expect(all, "the fixture's invoices").to.be.greaterThan(3);
        // A sheet of 10 rows: 6 of header and captions, 3 invoices, the notice.
        const cut = await read(10);
        expect(cut.length).to.equal(10);
        expect(cut.slice(6, 9).every((row) => /^0x[0-9a-f]{64}$/.test(row[0]))).to.equal(true);
        expect(cut[9]).to.deep.equal([
          "#",
          "Excel's sheet limit reached: this file holds the first 3 rows only, the rest are not in it; export CSV for all rows (no limit)",
        ]);
        // Room for every invoice: all of them, no notice.
        const whole = await read(all + 7);
        expect(whole.length).to.equal(all + 6);
        expect(whole.at(-1)![0]).to.match(/^0x[0-9a-f]{64}$/);
      } finally {
        await db.end();
      }
    });

    it("exports chain text that looks like a spreadsheet formula as text", async function () {
      const { governor } = fx.chain.contracts;
      const registry = fx.chain.contracts.registry;
      const call = {
        target: await registry.getAddress(),
        data: registry.interface.encodeFunctionData("suspendDepartment", [codeToId("HRSS")]),
      };
      await (
        await governor.connect(fx.chain.accounts.samr).propose([call], '=HYPERLINK("http://evil.example","x")')
      ).wait();
      await fx.index();
      const cookie = await signInOverHttp(base, operator("AUDIT"));
      const text = await (await fetch(`${base}/export/proposals.csv`, { headers: { cookie } })).text();
      const row = text
        .split("\n")
        .map(csvCells)
        .find((cells) => cells[2]?.includes("HYPERLINK"))!;
      expect(row[2]).to.equal(`'=HYPERLINK("http://evil.example","x")`);
    });

    it("orders every table by a key no two of its rows share: exports list rows in one order, pages neither skip nor repeat", async function () {
      // Two failed attempts in one block, as a busy chain has them: report.failed_attempts'
      // block alone (the order before) tied them, so two exports could list them either way.
      const registry = fx.chain.contracts.registry.connect(fx.chain.accounts.tax);
      await fx.chain.provider.request({ method: "evm_setAutomine", params: [false] });
      try {
        for (const code of ["CONS", "SAMR"]) await registry.suspendDepartment(codeToId(code), { gasLimit: 200_000 });
        await fx.chain.provider.request({ method: "evm_mine" });
      } finally {
        await fx.chain.provider.request({ method: "evm_setAutomine", params: [true] });
      }
      await fx.index();
      const tied = await owner`select block_number from report.failed_attempts group by 1 having count(*) > 1`;
      expect(tied.length, "blocks with more than one failed attempt").to.be.greaterThan(0);

      // Every table's order (the page's and the export's) is unique over its rows: all of them,
      // as the owner reads them (row-level security only removes rows).
      for (const def of Object.values(TABLES) as TableDef[]) {
        const keys = def.orderBy.split(",").map((part) => part.trim().replace(/\s+(asc|desc)$/i, ""));
        const [{ rows, keyed }] = await owner.unsafe(
          `select count(*)::int as rows, count(distinct (${keys.join(", ")}))::int as keyed
           from ${def.from.replaceAll("$tz", "'Etc/GMT-8'")}`,
        );
        expect(keyed, `${def.id}: rows with their own key (${def.orderBy})`).to.equal(rows);
      }

      // The failed attempts' export: in the key's order, the same twice.
      const cookie = await signInOverHttp(base, operator("TAX"));
      const exported = async () =>
        (await (await fetch(`${base}/export/failed.csv`, { headers: { cookie } })).text())
          .split("\n")
          .map(csvCells)
          .filter((cells) => cells[0] !== "#" && /^0x[0-9a-f]{64}$/.test(cells.at(-1)!))
          .map((cells) => cells.at(-1));
      const expected = await owner`select '0x' || encode(tx_hash, 'hex') as tx from report.failed_attempts
                                   order by block_number, tx_index`;
      const first = await exported();
      expect(first).to.deep.equal(expected.map((row) => row.tx));
      expect(await exported()).to.deep.equal(first);
    });

    it("ends a session at the next request once its department is suspended, and refuses to sign it in", async function () {
      const fire = operator("FIRE");
      const cookie = await signInOverHttp(base, fire);
      expect((await fetch(`${base}/governance`, { headers: { cookie } })).status).to.equal(200);
      const { nonce } = { nonce: await postJson(base, "/auth/nonce", { address: fire.address }) };
      await suspend(fx, "FIRE");
      const after = await fetch(`${base}/governance`, { headers: { cookie } });
      expect(after.status).to.equal(403);
      expect(await after.text()).to.include("department FIRE is suspended");
      const signature = await fire.signMessage({ message: nonce.body.message });
      const refused = await postJson(base, "/auth/verify", { message: nonce.body.message, signature });
      expect([refused.status, refused.body.error]).to.deep.equal([403, "department FIRE is suspended"]);
      expect(await analysts.get("FIRE")!`select count(*)::int as n from licences.licence_issued`).to.deep.equal([
        { n: 0 },
      ]);
    });
  });
  describe("licence and escrow tables, detail pages and days (HTTP)", function () {
    const cookies = new Map<DepartmentCode, string>();
    const get = async (code: DepartmentCode, path: string) => {
      if (!cookies.has(code)) cookies.set(code, await signInOverHttp(base, operator(code)));
      const response = await fetch(`${base}${path}`, { headers: { cookie: cookies.get(code)!, accept: "text/html" } });
      const text = await response.text();
      expect(response.status, `${path}: ${text.slice(0, 300)}`).to.equal(200);
      return text;
    };
    const hexIds = (rows: readonly object[]) => (rows as { id: Buffer }[]).map((r) => `0x${r.id.toString("hex")}`);
    const samrId = Buffer.from(codeToId("SAMR").slice(2), "hex");

    it("pages the licences by keyset, forth and back, each department its own", async function () {
      const expected = hexIds(
        await owner`select licence_id as id from licences.licence where department_id = ${samrId}
                    order by issued_block desc, licence_id desc`,
      );
      expect(expected.length).to.be.greaterThan(1);
      const seen: string[][] = [];
      let path: string | undefined = "/licences?size=1";
      while (path) {
        const text = await get("SAMR", path);
        seen.push(pageTable(text, "licences").map((r) => r.titles[0]));
        const next = pagerLink(text, "licences", "next");
        path = next && `/licences${next}`;
        if (seen.length === 1) expect(pagerLink(text, "licences", "previous")).to.equal(undefined);
      }
      expect(seen.flat()).to.deep.equal(expected);
      // Back from the second page: the first again.
      const second = await get(
        "SAMR",
        `/licences${pagerLink(await get("SAMR", "/licences?size=1"), "licences", "next")}`,
      );
      const back = `/licences${pagerLink(second, "licences", "previous")}`;
      expect(pageTable(await get("SAMR", back), "licences").map((r) => r.titles[0])).to.deep.equal(seen[0]);
      // The tax bureau issues no licences: it sees none.
      expect(pageTable(await get("TAX", "/licences"), "licences")).to.deep.equal([]);
      // The count above the table, unfiltered or by status, comes from the summary's counts per
      // status: the same as the rows the policy shows.
      const shownTotal = (html: string) => {
        const start = html.indexOf('data-table="licences"');
        return /<span class="total"\s*>([\d,]+)/.exec(html.slice(start))?.[1].replaceAll(",", "");
      };
      for (const code of ["SAMR", "AUDIT", "TAX"] as const) {
        for (const status of ["", "Active", "Suspended", "Expired"]) {
          const [{ n }] = await owner`select count(*)::int as n from licences.licence
            where (${code} = 'AUDIT' or department_id = ${Buffer.from(codeToId(code).slice(2), "hex")})
              and (${status} = '' or licences.status_at(standing, valid_from, valid_until, indexer.chain_time()) = ${status})`;
          const text = await get(code, `/licences${status ? `?status=${status}` : ""}`);
          expect(shownTotal(text), `${code} /licences?status=${status}`).to.equal(String(n));
        }
      }
    });

    it("filters licences by status, type, department and holder, and exports exactly the page's rows", async function () {
      const [licence] = await owner`select '0x' || encode(holder, 'hex') as holder, indexer.code_text(type_id) as type
        from licences.licence where department_id = ${samrId} limit 1`;
      const query = `status=Active&type=${licence.type}&department=SAMR&holder=${licence.holder}&from=2000-01-01`;
      const expected = hexIds(
        await owner`select licence_id as id from licences.licence
          where licences.status_at(standing, valid_from, valid_until, indexer.chain_time()) = 'Active'
            and indexer.code_text(type_id) = ${licence.type} and department_id = ${samrId}
            and holder = decode(${licence.holder.slice(2)}, 'hex')
          order by issued_block desc, licence_id desc`,
      );
      expect(expected.length).to.be.greaterThan(0);
      const page = pageTable(await get("AUDIT", `/licences?${query}&size=100`), "licences");
      expect(page.map((r) => r.titles[0])).to.deep.equal(expected);
      for (const row of page) expect(row.tx.length, "a row links to its transaction").to.equal(1);
      // The regulator sees SAMR's licences under the department filter; TAX sees none of them.
      expect(pageTable(await get("TAX", `/licences?${query}`), "licences")).to.deep.equal([]);
      const response = await fetch(`${base}/export/licences.csv?${query}`, {
        headers: { cookie: cookies.get("AUDIT")! },
      });
      const lines = (await response.text())
        .replace(/^\uFEFF/, "")
        .trim()
        .split("\n")
        .map(csvCells);
      const header = lines.filter((cells) => cells[0] === "#");
      expect(header[1].slice(2)).to.deep.equal(["AUDIT", "审计局"]);
      expect(header[2][2]).to.equal("2000-01-01 – … (UTC+08:00)");
      expect(header[2][3]).to.include("status=Active");
      expect(header[3][2]).to.match(/^\d+$/);
      // In ledger order: the page's, oldest first.
      expect(lines.slice(header.length + 1).map((cells) => cells[0])).to.deep.equal(expected.toReversed());
    });

    it("shows a licence's history and every use with its validity then, each linked to its transaction", async function () {
      const [used] = await owner`select u.licence_id as id, count(*)::int as uses,
          count(*) filter (where u.valid_at_use)::int as valid
        from licences.licence_use u join licences.licence l using (licence_id) where l.department_id = ${samrId}
        group by 1 order by 2 desc limit 1`;
      const id = `0x${used.id.toString("hex")}`;
      const text = await get("SAMR", `/licences/${id}`);
      const uses = pageTable(text, "licence_uses");
      expect(uses.length).to.equal(used.uses);
      expect(uses.filter((r) => r.cells[5] === "✓").length).to.equal(used.valid);
      for (const row of uses) expect(row.tx.length).to.equal(1);
      // The same rows through the uses page's filter, and as an export.
      const filtered = pageTable(await get("SAMR", `/licences/uses?licence=${id}&size=100`), "licence_uses");
      expect(filtered.map((r) => r.tx[0])).to.deep.equal(uses.map((r) => r.tx[0]));
      const tx = await get("SAMR", uses[0].tx[0]);
      expect(tx).to.include(`id="tx-block">${/block=(\d+)/.exec(uses[0].tx[0])![1]}<`);
      expect(await get("TAX", `/licences/${id}`)).to.include("无数据");
    });

    it("shows a project's milestones, orders, payrolls and ledger to its parts, and wages to human resources", async function () {
      const [counts] =
        await owner`select (select count(*) from escrow.milestone where project_id = 1)::int as milestones,
        (select count(*) from escrow.payment_order where project_id = 1)::int as orders,
        (select count(*) from escrow.payroll where project_id = 1)::int as payrolls,
        (select count(*) from escrow.payroll)::int as all_payrolls,
        (select count(*) from report.wages_owed)::int as owed,
        (select count(*) from escrow.project where state = 'Open')::int as open`;
      const project = await get("CONS", "/escrow/projects/1");
      for (const [table, n] of [
        ["milestones", counts.milestones],
        ["payment_orders", counts.orders],
        ["payrolls", counts.payrolls],
      ] as const) {
        const rows = pageTable(project, table);
        expect(rows.length, table).to.equal(n);
        expect(n, `the demo's project 1 has ${table}`).to.be.greaterThan(0);
        for (const row of rows) expect(row.tx.length, `${table} row links to its transaction`).to.equal(1);
      }
      // A milestone's due date is a day: the city's day it falls on (UTC+08:00), no time of day,
      // on the page and in both exports.
      const dues = (
        await owner`select to_char(due_date at time zone 'Etc/GMT-8', 'YYYY-MM-DD') as due from escrow.milestone
          where project_id = 1 order by milestone_index`
      ).map((row) => row.due as string);
      const dueColumn = TABLES.milestones.columns.findIndex((c) => c.key === "due");
      expect(pageTable(project, "milestones").map((row) => row.cells[dueColumn])).to.deep.equal(dues);
      expect(dues.every((due) => /^\d{4}-\d{2}-\d{2}$/.test(due))).to.equal(true);
      const exported = (
        await (
          await fetch(`${base}/export/milestones.csv?project=1`, { headers: { cookie: cookies.get("CONS")! } })
        ).text()
      )
        .replace(/^\uFEFF/, "")
        .trim()
        .split("\n")
        .filter((line) => !line.startsWith("#"))
        .map(csvCells);
      const csvDue = exported[0].findIndex((caption) => caption.endsWith("(due)"));
      expect(exported.slice(1).map((cells) => cells[csvDue])).to.deep.equal(dues);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(
        await (
          await fetch(`${base}/export/milestones.xlsx?project=1`, { headers: { cookie: cookies.get("CONS")! } })
        ).arrayBuffer(),
      );
      const sheet: unknown[][] = [];
      workbook.worksheets[0].eachRow((row) => sheet.push((row.values as unknown[]).slice(1)));
      const captions = sheet.findIndex((row) => row[0] !== "#");
      const xlsxDue = sheet[captions].findIndex((caption) => String(caption).endsWith("(due)"));
      expect(sheet.slice(captions + 1).map((row) => row[xlsxDue])).to.deep.equal(dues);
      expect(pageTable(await get("CONS", "/escrow?state=Open"), "projects").length).to.equal(counts.open);
      // The regulator a project names (SAMR, set up above) finds it on its escrow page: the
      // page's gate counts that part too.
      expect(pageTable(await get("SAMR", "/escrow"), "projects").length).to.equal(1);
      // Human resources: every payroll and owed wage, no project.
      const hr = await get("HRSS", "/escrow");
      expect(pageTable(hr, "projects")).to.deep.equal([]);
      expect(pageTable(hr, "wages_owed").length).to.equal(counts.owed);
      expect(pageTable(await get("HRSS", "/escrow/payrolls?size=100"), "payrolls").length).to.equal(
        counts.all_payrolls,
      );
      expect(pageTable(await get("HRSS", "/escrow/projects/1"), "milestones")).to.deep.equal([]);
      expect(await get("HRSS", "/escrow/projects/1")).to.include("无数据（记录不存在，或本部门无权查看）");
      const csv = await (
        await fetch(`${base}/export/payrolls.csv?state=Paid`, { headers: { cookie: cookies.get("HRSS")! } })
      ).text();
      const [{ paid }] = await owner`select count(*)::int as paid from escrow.payroll where state = 'Paid'`;
      expect(
        csv
          .trim()
          .split("\n")
          .filter((line) => !line.startsWith("#")).length - 1,
      ).to.equal(paid);
    });

    it("names each project's regulator and human-resources department on the list, its page and its export", async function () {
      // The demo's project (regulator CONS), the one set up above (SAMR) and the one whose
      // regulator part a vote handed from SAMR to FIRE (0087: the columns follow it), all naming HRSS.
      const named =
        await owner`select project_id::text as id, bureau_code, bank_code, regulator_code, human_resources_code
                    from escrow.projects order by project_id desc`;
      expect(named.map((p) => p.regulator_code)).to.deep.equal(["FIRE", "SAMR", "CONS"]);
      const list = await get("AUDIT", "/escrow");
      const rows = pageTable(list, "projects");
      expect(rows.map((r) => r.cells[0])).to.deep.equal(named.map((p) => p.id));
      const zh: Record<string, string> = {
        CONS: "住房和城乡建设局",
        BANK: "银行（监管银行）",
        SAMR: "市场监督管理局",
        FIRE: "消防救援支队",
        HRSS: "人力资源和社会保障局",
      };
      for (const [i, project] of named.entries()) {
        const codes = [project.bureau_code, project.bank_code, project.regulator_code, project.human_resources_code];
        expect(rows[i].cells.slice(3, 7), `project ${project.id}`).to.deep.equal(codes.map((c) => zh[c]));
        // The project's page: each department with its code, linked to the projects it takes part in.
        const record = pageRecord(await get("AUDIT", `/escrow/projects/${project.id}`), "projects");
        for (const [caption, code] of [
          ["住建部门", project.bureau_code],
          ["监管银行", project.bank_code],
          ["项目监管部门", project.regulator_code],
          ["人社部门", project.human_resources_code],
        ]) {
          expect(record.get(caption), `project ${project.id}: ${caption}`).to.deep.equal({
            text: zh[code],
            title: code,
            href: `/escrow?department=${code}`,
          });
        }
        const english = pageRecord(await get("AUDIT", `/escrow/projects/${project.id}?lang=en`), "projects");
        expect(english.get("Project regulator")?.title).to.equal(project.regulator_code);
      }
      // The vote that handed the regulator part from SAMR to FIRE is in that project's ledger (0090),
      // with its transaction; SAMR, left with no part in it, sees neither the project nor the vote.
      const page = await get("AUDIT", `/escrow/projects/${named[0].id}`);
      const ledger = page.slice(page.indexOf('<table class="timeline"'));
      const replaced = pageTable(
        `<section data-table="ledger">${ledger.slice(0, ledger.indexOf("</table>"))}</section>`,
        "ledger",
      ).filter((r) => r.cells[1] === "项目监管部门: 市场监督管理局 → 消防救援支队");
      expect(replaced.map((r) => [r.cells[0], r.tx.length])).to.deep.equal([["更换项目参与部门", 1]]);
      expect(await get("SAMR", `/escrow/projects/${named[0].id}`)).to.include("无数据（记录不存在，或本部门无权查看）");
      // The department filter (where those links lead) counts the two new parts too.
      const filtered = async (code: string) =>
        pageTable(await get("AUDIT", `/escrow?department=${code}`), "projects").map((r) => r.cells[0]);
      expect(await filtered("SAMR")).to.deep.equal([named[1].id]);
      expect(await filtered("HRSS")).to.deep.equal(named.map((p) => p.id));
      expect(await filtered("FIRE")).to.deep.equal([named[0].id]);
      // The export carries them as codes, under their captions.
      const csv = (
        await (await fetch(`${base}/export/projects.csv`, { headers: { cookie: cookies.get("AUDIT")! } })).text()
      )
        .replace(/^\uFEFF/, "")
        .trim()
        .split("\n")
        .filter((line) => !line.startsWith("#,"))
        .map(csvCells);
      expect(csv[0].slice(3, 7)).to.deep.equal([
        "住建部门 (bureau)",
        "监管银行 (bank)",
        "项目监管部门 (regulator)",
        "人社部门 (human_resources)",
      ]);
      // In ledger order: the page's (newest first) reversed.
      expect(csv.slice(1).map((cells) => cells.slice(3, 7))).to.deep.equal(
        named.map((p) => [p.bureau_code, p.bank_code, p.regulator_code, p.human_resources_code]).toReversed(),
      );
      // A transaction's arguments name the departments a bytes32 holds (the terms' fields, under
      // their captions), the bytes32 itself in the value's data-raw.
      const tx = pageRecord(await get("AUDIT", `/escrow/projects/${named[0].id}`), "projects").get("交易哈希")!.href!;
      const txPage = (await get("AUDIT", tx)).replaceAll("&quot;", '"');
      expect(txPage).to.include("项目监管部门: 市场监督管理局 (SAMR),");
      expect(txPage).to.include(`"regulator":"0x${Buffer.from("SAMR").toString("hex").padEnd(64, "0")}"`);
    });

    it("counts a day on the page as report.* counts it (the chain's day boundary)", async function () {
      const days =
        await owner`select day::text, sum(invoices)::int as invoices from report.invoice_totals_per_issuer_day
        group by day order by day`;
      expect(days.length).to.be.greaterThan(0);
      const figure = (html: string) => Number(/<div class="figure"><b>([\d,]+)<\/b>/.exec(html)![1].replace(/,/g, ""));
      for (const { day, invoices } of days) {
        // A from/to filter takes the page off the report tables, to the invoices' own times in the
        // dashboard's zone: the same count is the proof that both cut days at the same moment.
        expect(figure(await get("TAX", `/invoices?from=${day}&to=${day}`)), day).to.equal(invoices);
      }
    });

    it("links each invoice report row to exactly its invoices: the list's count is the row's figure", async function () {
      const reports = ["invoice_totals", "reimbursements", "invoices_per_state"];
      for (const code of ["TAX", "AUDIT"] as const) {
        const html = await get(code, "/reports");
        for (const report of reports) {
          const start = html.indexOf(`data-table="${report}"`);
          const section = html.slice(start, html.indexOf("</section>", start));
          const links = [...section.matchAll(/<td class="num"><a href="(\/invoices\?[^"]+)">([\d,]+)<\/a><\/td>/g)];
          expect(links.length, `${code} ${report}: rows with a link`).to.equal(pageTable(html, report).length);
          expect(links.length, `${code} ${report}: the demo has rows`).to.be.greaterThan(0);
          for (const [, href, figure] of links) {
            const list = await get(code, href.replaceAll("&amp;", "&"));
            // The headline count and the table's own count (its pager) are the row's figure.
            const headline = Number(/<div class="figure"><b>([\d,]+)<\/b>/.exec(list)![1].replace(/,/g, ""));
            const total = Number(/<span class="total"\s*>([\d,]+)/.exec(list)![1].replace(/,/g, ""));
            const expected = Number(figure.replace(/,/g, ""));
            expect([headline, total], `${code} ${report} ${href}`).to.deep.equal([expected, expected]);
            expect(pageTable(list, "invoices").length).to.equal(Math.min(expected, 20));
          }
        }
      }
      // A department that registered no issuer sees no report rows, so no links.
      expect(await get("SAMR", "/reports")).not.to.include('href="/invoices?');
    });

    it("shows a payroll's pay period as its month on the list, the project's page and ledger, and in the export", async function () {
      const payrolls = await owner`select payroll_id::text as id, period::text from escrow.payroll
        where project_id = 1 order by payroll_id desc`;
      expect(payrolls.length).to.be.greaterThan(0);
      const month = (period: string) => `${period.slice(0, 4)}-${period.slice(4)}`;
      const zh = (period: string) => `${period.slice(0, 4)}年${Number(period.slice(4))}月`;
      const list = pageTable(await get("AUDIT", "/escrow/payrolls?project=1"), "payrolls");
      expect(list.map((row) => row.cells[2])).to.deep.equal(payrolls.map((p) => zh(p.period)));
      const en = pageTable(await get("AUDIT", "/escrow/payrolls?project=1&lang=en"), "payrolls");
      expect(en.map((row) => row.cells[2])).to.deep.equal(payrolls.map((p) => month(p.period)));
      const project = await get("AUDIT", "/escrow/projects/1");
      expect(pageTable(project, "payrolls").map((row) => row.cells[2])).to.deep.equal(
        payrolls.map((p) => zh(p.period)),
      );
      // The ledger's submitted payrolls: "#1 2026年6月 · 工人 5", never the contract's 202606.
      for (const p of payrolls) {
        expect(project).to.include(`#${p.id} ${zh(p.period)} · 工人 `);
        expect(project).not.to.include(`#${p.id} ${p.period}`);
      }
      const csv = await (
        await fetch(`${base}/export/payrolls.csv?project=1`, { headers: { cookie: cookies.get("AUDIT")! } })
      ).text();
      const rows = csv
        .replace(/^\uFEFF/, "")
        .trim()
        .split("\n")
        .filter((line) => !line.startsWith("#"))
        .map(csvCells);
      const column = rows[0].findIndex((caption) => caption.endsWith("(period)"));
      // In ledger order: the page's (newest first) reversed.
      expect(rows.slice(1).map((cells) => cells[column])).to.deep.equal(
        payrolls.map((p) => month(p.period)).toReversed(),
      );
    });

    it("refuses bad licence and escrow filters and cursors", async function () {
      const cookie = cookies.get("SAMR") ?? (await signInOverHttp(base, operator("SAMR")));
      for (const [path, message] of [
        ["/licences?status=Valid", 'filter "status" must be one of Pending, Active, Suspended, Expired, Revoked'],
        ["/licences?department=tax%27--", 'filter "department" must be a code in capitals (TAX, FIRE_SAFETY)'],
        ["/licences?holder=0x12", 'filter "holder" must be a 0x-prefixed 20-byte address'],
        ["/licences?after=1%27_0x00", "page cursor is not one of licences's"],
        ["/escrow?after=1&before=2", "page after or before a row, not both"],
        [
          "/export/payrolls.csv?state=Owed",
          'filter "state" must be one of Submitted, Approved, Paid, Rejected, Cancelled',
        ],
      ]) {
        const response = await fetch(`${base}${path}`, { headers: { cookie, accept: "text/html" } });
        expect(response.status, path).to.equal(400);
        const text = (await response.text()).replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll('\\"', '"');
        expect(text, path).to.include(message);
      }
    });
  });

  describe("in the browser (headless Chromium, an injected EIP-1193 wallet)", function () {
    let browser: Browser;
    const contexts: BrowserContext[] = [];
    const shots = process.env.GOVLEDGER_SCREENSHOTS;

    before(async function () {
      const executablePath = process.env.GOVLEDGER_CHROMIUM ?? "/usr/bin/chromium";
      if (!existsSync(executablePath))
        throw new Error(`no Chromium at ${executablePath}: apt-get install chromium (.ci/run does)`);
      browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
    });
    // Each test's browsers close after it: their open event streams would hold connections.
    afterEach(async function () {
      for (const context of contexts.splice(0)) await context.close().catch(() => {});
    });
    after(async function () {
      await browser?.close();
    });

    /** A browser whose wallet holds `code`'s operator key; signs in through the login page. */
    async function wallet(code: DepartmentCode): Promise<Page> {
      const account = operator(code);
      const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true });
      contexts.push(context);
      await context.exposeFunction("__govledgerSign", (message: string) => account.signMessage({ message }));
      // A string, not a function: the test runner's transpiler would add helpers the page lacks.
      await context.addInitScript({
        content: `window.ethereum = { request: async ({ method, params }) => {
          if (method === "eth_requestAccounts" || method === "eth_accounts") return [${JSON.stringify(account.address)}];
          if (method === "personal_sign") {
            if (params[1].toLowerCase() !== ${JSON.stringify(account.address.toLowerCase())}) throw new Error("unknown account");
            return window.__govledgerSign(params[0]);
          }
          throw new Error("unsupported method " + method);
        } };`,
      });
      const page = await context.newPage();
      await page.goto(`${base}/login`);
      return page;
    }

    async function signedIn(code: DepartmentCode): Promise<Page> {
      const page = await wallet(code);
      await page.click("#sign-in");
      await page.waitForURL(`${base}/governance`);
      expect(await page.getAttribute("#who", "data-department")).to.equal(code);
      return page;
    }

    const figure = (page: Page, n: number) => page.locator(".figure b").nth(n).innerText();

    it("shows each department its own figures, draws the charts, links rows to transactions, exports what the page shows", async function () {
      const [{ n: invoices }] = await owner`select count(*)::int as n from invoices.invoice_issued`;
      const [{ n: projects }] = await owner`select count(*)::int as n from escrow.project_created`;
      const tax = await signedIn("TAX");
      const cons = await signedIn("CONS");

      await tax.goto(`${base}/invoices`);
      expect(await figure(tax, 0)).to.equal(String(invoices));
      await tax.waitForSelector('#invoices-per-day[data-rendered="true"] canvas');
      await tax.waitForSelector('#invoices-by-state[data-rendered="true"] canvas');
      const rows = tax.locator('section[data-table="invoices"] tbody tr');
      expect(await rows.count()).to.equal(invoices);
      const pageIds = await tax
        .locator('section[data-table="invoices"] tbody tr td:first-child code')
        .evaluateAll((cells) => cells.map((cell) => cell.getAttribute("title")));
      const pageAmounts = await tax.locator('section[data-table="invoices"] tbody tr td:nth-child(5)').allInnerTexts();

      await cons.goto(`${base}/invoices`);
      expect(await figure(cons, 0)).to.equal("0");
      expect(await cons.locator('section[data-table="invoices"] tbody').innerText()).to.equal(
        "无数据（本部门可查看的范围内暂无记录）",
      );
      await cons.goto(`${base}/escrow`);
      expect(await figure(cons, 0)).to.equal(String(projects));
      await tax.goto(`${base}/escrow`);
      expect(await figure(tax, 0)).to.equal("0");

      // Export from the page: the CSV's rows are the table's rows, in ledger order (oldest first).
      await tax.goto(`${base}/invoices`);
      const [download] = await Promise.all([
        tax.waitForEvent("download"),
        tax.click('section[data-table="invoices"] .exports a:text("CSV")'),
      ]);
      const lines = readFileSync((await download.path())!, "utf8")
        .replace(/^\uFEFF/, "")
        .trim()
        .split("\n");
      expect(csvCells(lines[1]).slice(2)).to.deep.equal(["TAX", "税务局"]);
      const data = lines
        .filter((line) => !line.startsWith("#,"))
        .slice(1)
        .map(csvCells);
      expect(data.map((cells) => cells[0]).toReversed()).to.deep.equal(pageIds);
      expect(
        data.map((cells) => `¥${Number(cells[4]).toLocaleString("en-US", { minimumFractionDigits: 2 })}`).toReversed(),
      ).to.deep.equal(pageAmounts);

      // A date filter: the browser draws its input in the browser's locale (this one's en-US:
      // mm/dd/yyyy); beside the caption, the format the filter takes until a day is chosen, then
      // the day chosen as YYYY-MM-DD, as the input changes and once applied.
      const from = () => tax.locator('section[data-table="invoices"] form.filters label.date').first();
      expect(await from().innerText()).to.include("开始日期 YYYY-MM-DD");
      expect(await from().getAttribute("title")).to.include("YYYY-MM-DD");
      expect(await from().locator("input").getAttribute("placeholder")).to.equal("YYYY-MM-DD");
      expect(await from().locator("output").innerText()).to.equal("YYYY-MM-DD");
      await from().locator("input").fill("2000-01-02");
      expect(await from().locator("output").innerText()).to.equal("2000-01-02");
      await Promise.all([
        tax.waitForURL(/[?&]from=2000-01-02&/),
        tax.click('section[data-table="invoices"] form.filters button[type="submit"]'),
      ]);
      expect(await from().locator("input").inputValue()).to.equal("2000-01-02");
      expect(await from().locator("output").innerText()).to.equal("2000-01-02");
      expect(await rows.count()).to.equal(invoices);
      await tax.goto(`${base}/invoices`);

      // The audit trail: a row's transaction, with its block, time and acting department.
      const link = tax.locator('section[data-table="invoices"] tbody tr').first().locator("a.tx");
      const href = (await link.getAttribute("href"))!;
      const block = await tax
        .locator('section[data-table="invoices"] tbody tr')
        .first()
        .locator("td:nth-child(11)")
        .innerText();
      await link.click();
      await tax.waitForURL(`${base}${href}`);
      expect(await tax.locator("#tx-hash").innerText()).to.equal(href.slice(4, 70));
      expect(await tax.locator("#tx-block").innerText()).to.equal(block);
      expect(await tax.locator("td.acting").first().innerText()).to.include("税务局");
      // Each event by its name, its identifier beside it.
      expect(await tax.locator("tbody").innerText()).to.include("开具发票 InvoiceIssued");
    });

    it("updates pages live from the indexer's commits, and refuses a department once it is suspended", async function () {
      const tax = await signedIn("TAX");
      const bank = await signedIn("BANK");
      if (process.env.GOVLEDGER_DEBUG_BROWSER) {
        bank.on("console", (m) => console.log("bank console:", m.text()));
        bank.on("request", (r) => console.log("bank request:", r.url()));
        bank.on("response", (r) => console.log("bank response:", r.status(), r.url()));
      }
      const before = Number(await tax.locator("#head-number").innerText());
      await suspend(fx, "BANK");
      // No reload: the server-sent event brings the new head and the page re-reads its rows.
      await until(async () => Number(await tax.locator("#head-number").innerText()) > before, "the head to move");
      await until(
        async () => (await tax.locator('section[data-table="departments"]').innerText()).includes("已暂停"),
        "the departments table to show BANK suspended",
      );
      await until(async () => (await bank.locator("#error-message").count()) > 0, "BANK's open page to be refused");
      expect(await bank.locator("#error-message").innerText()).to.equal("department BANK is suspended");
      const again = await wallet("BANK");
      await again.click("#sign-in");
      await again.waitForSelector("#sign-in-error:not([hidden])");
      expect(await again.locator("#sign-in-error").innerText()).to.equal("department BANK is suspended");
    });

    it("renders the main pages in both languages (screenshots for the README when GOVLEDGER_SCREENSHOTS is set)", async function () {
      const audit = await signedIn("AUDIT");
      const [invoice] =
        await owner`select '0x' || encode(invoice_id, 'hex') as id from invoices.invoice_credited limit 1`;
      const pages: [string, string][] = [
        ["governance", "/governance"],
        ["invoices", "/invoices"],
        ["invoice", `/invoices/${invoice.id}`],
        ["escrow", "/escrow"],
        ["licences", "/licences?status=Active"],
        ["licence-uses", "/licences/uses"],
        ["project", "/escrow/projects/1"],
        ["payrolls", "/escrow/payrolls?state=Paid"],
        ["reports", "/reports"],
        ["invoices-en", "/invoices?lang=en"],
      ];
      if (shots) mkdirSync(shots, { recursive: true });
      for (const [name, url] of pages) {
        const response = await audit.goto(`${base}${url}`);
        expect(response!.status(), url).to.equal(200);
        if (await audit.locator("[data-chart]").count()) await audit.waitForSelector('[data-rendered="true"] canvas');
        if (shots) await audit.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
      }
      expect(await audit.locator("h1").innerText()).to.equal("E-invoices");
      await audit.goto(`${base}/invoices?lang=zh-CN`);
      expect(await audit.locator("h1").innerText()).to.equal("电子发票");
      // A licence's history with each use and whether the licence was valid then.
      const [used] =
        await owner`select '0x' || encode(licence_id, 'hex') as id, count(*)::int as uses from licences.licence_used group by 1 order by 2 desc limit 1`;
      await audit.goto(`${base}/licences/${used.id}`);
      const uses = audit.locator('section[data-table="licence_uses"] tbody tr');
      expect(await uses.count()).to.equal(used.uses);
      expect(await uses.locator("td:nth-child(6)").allInnerTexts()).to.deep.equal(Array(used.uses).fill("✓"));
      if (shots) await audit.screenshot({ path: path.join(shots, "licence.png"), fullPage: true });
      const tx = await audit.locator("a.tx").first().getAttribute("href");
      await audit.goto(`${base}${tx}`);
      if (shots) await audit.screenshot({ path: path.join(shots, "transaction.png"), fullPage: true });
    });

    it("fits the header on one line from 1280 to 1920 px wide, in both languages, with the longest department name", async function () {
      const hr = await signedIn("HRSS");
      for (const lang of ["zh-CN", "en"]) {
        for (const width of [1280, 1360, 1920]) {
          await hr.setViewportSize({ width, height: 900 });
          await hr.goto(`${base}/governance?lang=${lang}`);
          const boxes = await hr
            .locator("header")
            .locator("a, button, #who, #zone, #head, .brand")
            .evaluateAll((items) =>
              items.map((e) => {
                const r = e.getBoundingClientRect();
                return { top: r.top, height: r.height, right: r.right };
              }),
            );
          const middles = boxes.map((r) => r.top + r.height / 2);
          const fit = {
            spread: Math.max(...middles) - Math.min(...middles),
            right: Math.max(...boxes.map((r) => r.right)),
            scroll: await hr.locator("html").evaluate((e) => e.scrollWidth),
          };
          // One row: every item's middle on the same line (a second line would be 30 px lower),
          // nothing past the window's edge.
          expect(fit.spread, `${lang} ${width}px: header items ${fit.spread} px apart`).to.be.below(8);
          expect(fit.right, `${lang} ${width}px`).to.be.at.most(width);
          expect(fit.scroll, `${lang} ${width}px`).to.equal(width);
        }
      }
    });

    it("names a failed attempt's error and a transaction's events in the page's language, the identifier beside", async function () {
      const audit = await signedIn("AUDIT");
      const [failed] =
        await owner`select error_name, '0x' || encode(tx_hash, 'hex') as hash, block_number::text as block from report.failed_attempts
          where error_name = 'InvoiceUnexpectedState' limit 1`;
      expect(failed, "the demo has a failed reimbursement").to.not.equal(undefined);
      await audit.goto(`${base}/failed?lang=zh-CN`);
      const failedRow = await audit.locator('section[data-table="failed"] tbody').innerText();
      for (const text of [
        "电子发票合约 InvoiceLedger",
        "报销 reimburse",
        "发票状态不允许此操作 InvoiceUnexpectedState",
      ])
        expect(failedRow).to.include(text);
      await audit.goto(`${base}/tx/${failed.hash}?block=${failed.block}&lang=en`);
      const failure = await audit.locator(".error").innerText();
      expect(failure).to.include("Invoice in the wrong state InvoiceUnexpectedState");
      // Sent by an enterprise: the department that registered it acted (as on /failed).
      expect(failure).to.include("Acting department: Participant (registered by: City Tax Bureau)");
      // An amount in yuan by the project's token's decimals (as a JSON number it showed 3.6e+22), a pay period as its month.
      const [payroll] =
        await owner`select '0x' || encode(tx_hash, 'hex') as hash, block_number::text as block, period::text,
            to_char(round(total / 10::numeric ^ coalesce(web.project_token_decimals(project_id), 18), 2), 'FM999,999,999,990.00') as total
          from escrow.payroll_submitted order by block_number limit 1`;
      await audit.goto(`${base}/tx/${payroll.hash}?block=${payroll.block}&lang=en`);
      const args = await audit.locator("td.args").first().innerText();
      expect(args).to.include(`Total: ¥${payroll.total}\n`);
      expect(args).to.include(`Period: ${payroll.period.slice(0, 4)}-${payroll.period.slice(4)}\n`);
      // A credit note's issuance: its state by name, its invoice code as the code, amounts in yuan,
      // and the invoice's crediting acted for by the issuer's registering department.
      const [credit] =
        await owner`select '0x' || encode(tx_hash, 'hex') as hash, block_number::text as block from invoices.invoice_credited limit 1`;
      await audit.goto(`${base}/tx/${credit.hash}?block=${credit.block}&lang=zh-CN`);
      const notes = await audit.locator("tbody").innerText();
      for (const text of [
        "开具红字发票 CreditNoteIssued",
        "发票红冲 InvoiceCredited",
        "状态: 已红冲 (Applied)",
        "发票代码: 0440",
        "开票方: 0x",
        "发票链上编号: 0x",
      ])
        expect(notes).to.include(text);
      expect(notes).to.match(/金额: ¥[\d,]+\.\d\d\n/);
      // Captions, not the tables' snake_case keys; each key on hover (title) for auditors.
      expect(notes).not.to.match(/\b(issuer_id|invoice_id|credit_note_id):/);
      expect(await audit.locator('td.args span.arg[title="issuer_id"]').first().innerText()).to.equal("开票方");
      expect(await audit.locator('td.args span.arg[title="invoice_id"]').first().innerText()).to.equal("发票链上编号");
      expect(await audit.locator("td.acting").allInnerTexts()).to.deep.equal(
        Array(2).fill("企业/主体 (登记部门: 税务局)"),
      );
      const [issued] =
        await owner`select '0x' || encode(tx_hash, 'hex') as hash, block_number::text as block from invoices.invoice_issued limit 1`;
      await audit.goto(`${base}/tx/${issued.hash}?block=${issued.block}&lang=en`);
      const issuedText = await audit.locator("tbody").innerText();
      expect(issuedText).to.include("Invoice issued InvoiceIssued");
      for (const text of ["Issuer: 0x", "Invoice id: 0x", "Buyer: ", "Invoice number: "])
        expect(issuedText).to.include(text);
      expect(await audit.locator('td.args span.arg[title="issuer_id"]').first().innerText()).to.equal("Issuer");
      // Every argument any event table holds has its caption in both languages (a key without
      // one would show as the bare key).
      const tables = await eventTables(owner as unknown as Tx);
      const [{ keys }] = await owner`
        select array_agg(distinct column_name::text order by column_name::text) as keys from information_schema.columns
        where table_schema || '.' || table_name in ${owner(tables)}
          and column_name not in ('block_number', 'log_index', 'tx_hash', 'block_time', 'contract')`;
      expect((keys as string[]).filter((key) => !ARG_KEYS.includes(key))).to.deep.equal([]);
      // ... and a kind that reads it (web/src/views/args.ts), in its own table.
      const columns = await owner`
        select table_schema || '.' || table_name as name, column_name::text as column from information_schema.columns
        where table_schema || '.' || table_name in ${owner(tables)}
          and column_name not in ('block_number', 'log_index', 'tx_hash', 'block_time', 'contract')`;
      expect(columns.length).to.be.greaterThan(200);
      expect(columns.filter((c) => !argKind(c.name, c.column)).map((c) => `${c.name}.${c.column}`)).to.deep.equal([]);

      // An invoice batch's quota period as its month (InvoiceLedger.periodOf: the month of the
      // block's time in the city's time zone), its total in yuan; the chain's values in data-raw.
      const [batch] = await owner`
        select '0x' || encode(tx_hash, 'hex') as hash, block_number::text as block, period::text, total_amount::text,
               to_char(indexer.local_day(block_time), 'YYYY-MM') as month,
               to_char(total_amount / 100.0, 'FM999,999,999,990.00') as yuan
        from invoices.invoice_batch_issued order by block_number limit 1`;
      expect(batch, "the demo issues a batch").to.not.equal(undefined);
      const [year, month] = batch.month.split("-");
      for (const [lang, caption, period, total] of [
        ["en", "Period", batch.month, "Total amount"],
        ["zh-CN", "期间", `${year}年${Number(month)}月`, "合计金额"],
      ]) {
        await audit.goto(`${base}/tx/${batch.hash}?block=${batch.block}&lang=${lang}`);
        const row = audit.locator("tbody tr", { hasText: "InvoiceBatchIssued" });
        const text = await row.locator("td.args").innerText();
        // (one argument a line)
        const lines = text.split("\n");
        expect(lines).to.include(`${caption}: ${period}`);
        expect(lines).to.include(`${total}: ¥${batch.yuan}`);
        const value = (key: string) => row.locator(`td.args span.arg[data-key="${key}"] + span.val`);
        expect(await value("period").getAttribute("data-raw")).to.equal(batch.period);
        expect(await value("period").getAttribute("title")).to.equal(batch.period);
        expect(await value("total_amount").getAttribute("data-raw")).to.equal(batch.total_amount);
      }
    });
  });
});

/** Polls `condition` (in this process, not in the page: the pages' CSP forbids eval). */
async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Suspends a department by a consortium vote (TAX, SAMR, CONS, AUDIT vote) and indexes it. */
export async function suspend(fx: WebFixture, code: DepartmentCode): Promise<void> {
  const registry = fx.chain.contracts.registry;
  const calls = [
    {
      target: await registry.getAddress(),
      data: registry.interface.encodeFunctionData("suspendDepartment", [codeToId(code)]),
    },
  ];
  const { governor } = fx.chain.contracts;
  const { accounts } = fx.chain;
  await (await governor.connect(accounts.tax).propose(calls, `suspend ${code}`)).wait();
  const id = await governor.proposalCount();
  for (const voter of [accounts.tax, accounts.samr, accounts.cons, accounts.audit])
    await (await governor.connect(voter).castVote(id, true)).wait();
  await (await governor.connect(accounts.tax).execute(id)).wait();
  await fx.index();
}
