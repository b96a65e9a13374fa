import { expect } from "chai";
import postgres from "postgres";

import { type Chain, configFor, type Database, indexToHead, startChain, startDatabase } from "./harness.js";

const hex = (value: Buffer | Uint8Array) => `0x${Buffer.from(value).toString("hex")}`;
const INVOICE_STATES = ["None", "Issued", "Claimed", "Locked", "Reimbursed", "Voided"];
const LICENCE_STATUSES = ["None", "Pending", "Active", "Suspended", "Revoked", "Expired"];
const STEP_STATES = ["Locked", "Open", "Approved", "Rejected"];

/**
 * The demo's activity in every domain (npm start's), indexed, then each domain view compared
 * with what the contracts' own view functions say.
 */
describe("indexer: domains", function () {
  this.timeout(180_000);
  let db: Database;
  let chain: Chain;
  let sql: postgres.Sql;

  before(async function () {
    db = await startDatabase();
    chain = await startChain();
    const url = await db.create();
    await indexToHead(configFor(chain, url));
    sql = postgres(url, { max: 1, onnotice: () => {} });
  });
  after(async function () {
    await sql?.end();
    await chain?.close();
    await db?.stop();
  });

  it("mirrors every invoice's state, credits and reimbursement as the ledger reports them", async function () {
    const ledger = chain.contracts.invoiceLedger;
    const invoices =
      await sql`select invoice_id, issuer_id, amount, state, credited, reimbursed, frozen from invoices.invoices`;
    expect(invoices.length).to.be.greaterThan(3);
    const states = new Set<string>();
    for (const row of invoices) {
      const record = await ledger.getInvoice(hex(row.invoice_id));
      states.add(row.state);
      if (record.state === 0n) {
        // Untouched since issuance: no record on chain yet (created lazily).
        expect(row.state).to.equal("Issued");
        continue;
      }
      expect(row.state).to.equal(INVOICE_STATES[Number(record.state)]);
      expect(BigInt(row.amount)).to.equal(record.amount);
      expect(BigInt(row.credited)).to.equal(record.credited);
      expect(BigInt(row.reimbursed)).to.equal(record.reimbursed);
      expect(row.frozen).to.equal(record.frozen);
    }
    expect(states).to.include("Reimbursed");
    const [totals] =
      await sql`select sum(invoices)::int as n, sum(amount) as amount from report.invoice_totals_per_issuer_day`;
    const [issued] = await sql`select count(*)::int as n, sum(amount) as amount from invoices.invoice_issued`;
    expect(totals).to.deep.equal(issued);
  });

  it("mirrors the receiving company each claim named, and every signed consent cancelled", async function () {
    const ledger = chain.contracts.invoiceLedger;
    const named = await sql`
      select distinct on (invoice_id) invoice_id, receiver_id from (
        select invoice_id, receiver_id, block_number, log_index from invoices.invoice_claimed
        union all
        select invoice_id, receiver_id, block_number, log_index from invoices.invoice_receiver_changed
      ) e order by invoice_id, block_number desc, log_index desc`;
    expect(named.length).to.be.greaterThan(0);
    for (const row of named) {
      expect(hex(row.receiver_id)).to.equal((await ledger.getInvoice(hex(row.invoice_id))).receiverId);
    }
    const cancelled = await sql`select holder, nonce from licences.signed_consents_cancelled`;
    expect(cancelled.length, "the demo cancels a signed consent").to.be.greaterThan(0);
    for (const row of cancelled) {
      expect(await chain.contracts.licenceRegistry.nonces(hex(row.holder))).to.be.greaterThan(BigInt(row.nonce));
    }
  });

  it("mirrors every licence's status and version, and every application step", async function () {
    const registry = chain.contracts.licenceRegistry;
    const licences = await sql`select licence_id, status, suspended, version, document_hash from licences.licences`;
    expect(licences.length).to.be.greaterThan(2);
    for (const row of licences) {
      const status = LICENCE_STATUSES[Number(await registry.statusOf(hex(row.licence_id)))];
      expect(row.suspended ? "Suspended" : row.status).to.equal(status);
      const { current } = await registry.verify(hex(row.licence_id), hex(row.document_hash));
      expect(current, "the mirrored document hash is the current one").to.equal(true);
    }
    const approvals = chain.contracts.jointApprovals;
    const steps = await sql`select application_id, step, state from licences.application_steps`;
    expect(steps.length).to.be.greaterThan(0);
    for (const row of steps) {
      expect(row.state).to.equal(STEP_STATES[Number(await approvals.stepState(row.application_id, row.step))]);
    }
    const [uses] = await sql`select sum(used)::int as n from report.licences_per_department`;
    const [raw] = await sql`select count(*)::int as n from licences.licence_used`;
    expect(uses.n).to.equal(raw.n);
    expect(raw.n).to.be.greaterThan(0);
  });

  it("rebuilds every project's ledger from events as the escrow reports it", async function () {
    const escrow = chain.contracts.escrow;
    const projects = await sql`select * from escrow.project_ledgers`;
    expect(projects.length).to.equal(Number(await escrow.projectCount()));
    for (const row of projects) {
      const ledger = await escrow.getLedger(row.project_id);
      expect(BigInt(row.funded)).to.equal(ledger.funded);
      expect(BigInt(row.paid_out)).to.equal(ledger.paidOut);
      expect(BigInt(row.refunded)).to.equal(ledger.refunded);
      expect(BigInt(row.released_to_wages)).to.equal(ledger.wageCredited);
      expect(BigInt(row.wages_paid_from_wage_account) + BigInt(row.wages_paid_from_guarantee)).to.equal(
        ledger.wagesPaid,
      );
      expect(BigInt(row.guarantee_deposited)).to.equal(ledger.guaranteeDeposited);
      expect(BigInt(row.guarantee_returned)).to.equal(ledger.guaranteeReturned);
      const [report] = await sql`select * from report.project_balances where project_id = ${row.project_id}`;
      expect(BigInt(report.wage_account_balance)).to.equal(ledger.wageBalance);
      expect(BigInt(report.balance)).to.equal(
        ledger.unreleased + ledger.wageBalance + ledger.payableBalance + ledger.guaranteeBalance,
      );
    }
    const wages = await sql`select * from report.wages_paid`;
    expect(wages.length).to.be.greaterThan(0);
  });

  it("mirrors subcontractors removed and payrolls cancelled as the escrow reports them", async function () {
    const escrow = chain.contracts.escrow;
    const added = await sql`select distinct project_id, subcontractor from escrow.subcontractor_added`;
    const current = await sql`select project_id, subcontractor from escrow.project_subcontractors`;
    const listed = new Set(current.map((row) => `${row.project_id}:${hex(row.subcontractor)}`));
    for (const row of added) {
      const registered = await escrow.isSubcontractor(row.project_id, hex(row.subcontractor));
      expect(listed.has(`${row.project_id}:${hex(row.subcontractor)}`)).to.equal(registered);
    }
    expect(listed.size, "the demo removes a subcontractor").to.be.lessThan(added.length);
    const claims = await sql`select project_id, payroll_id, amount from report.cancelled_wage_claims`;
    expect(claims.length).to.be.greaterThan(0);
    for (const claim of claims) {
      const payroll = await escrow.getPayroll(claim.project_id, claim.payroll_id);
      expect(payroll.state, "Cancelled").to.equal(5n);
      expect(BigInt(claim.amount)).to.be.lessThanOrEqual(payroll.total);
    }
  });

  it("lists the validators that seal as the validator set reports them", async function () {
    const sealing = await sql`select validator from gov.sealing_validators`;
    const onChain = await chain.contracts.validatorSet.getValidators();
    expect(sealing.map((row) => hex(row.validator)).sort()).to.deep.equal(
      onChain.map((address: string) => address.toLowerCase()).sort(),
    );
  });
});
