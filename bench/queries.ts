/**
 * The queries `npm run bench:reports` times: what department analysts, regulators and the
 * dashboards ask of the read side. One list, so that the dashboard and API work can add theirs:
 * a name, the SQL, its parameters (from sample entities of the benchmark's database) and the
 * relations it reads. A query whose relations do not exist yet is reported as pending, not
 * dropped. Every report in schema `report` also gets a first-page query, listed or not.
 */

/** Sample entities of the database, found once before timing (see reports.ts). */
export interface QueryContext {
  invoiceId: string; // hex without 0x
  issuerId: string;
  licenceId: string;
  projectId: string;
  departmentId: string;
  /** The chain's last day and month in the city's time zone (UTC+8), as dates. */
  day: string;
  monthStart: string;
  nextMonthStart: string;
  /** The chain's last week: [weekStart, chainTime) as timestamptz. */
  weekStart: string;
  chainTime: string;
}

export interface BenchQuery {
  name: string;
  sql: string;
  params?: (ctx: QueryContext) => unknown[];
  /** Relations read (schema.name): missing ones make the query pending. */
  relations: string[];
}

const hex = (value: string) => Buffer.from(value, "hex");

export const QUERIES: BenchQuery[] = [
  // ---- one entity by id ----------------------------------------------------------------------
  {
    name: "invoice by id",
    sql: "select * from invoices.invoices where invoice_id = $1",
    params: (c) => [hex(c.invoiceId)],
    relations: ["invoices.invoices"],
  },
  {
    name: "licence by id",
    sql: "select * from licences.licences where licence_id = $1",
    params: (c) => [hex(c.licenceId)],
    relations: ["licences.licences"],
  },
  {
    name: "project ledger by id",
    sql: "select * from escrow.project_ledgers where project_id = $1",
    params: (c) => [c.projectId],
    relations: ["escrow.project_ledgers"],
  },
  {
    name: "department by id",
    sql: "select * from gov.departments where department_id = $1",
    params: (c) => [hex(c.departmentId)],
    relations: ["gov.departments"],
  },
  {
    name: "participant by id",
    sql: "select * from gov.participants where participant_id = $1",
    params: (c) => [hex(c.issuerId)],
    relations: ["gov.participants"],
  },
  {
    name: "issuer by id (rules, frozen, usage this period)",
    sql: "select * from invoices.issuers where issuer_id = $1",
    params: (c) => [hex(c.issuerId)],
    relations: ["invoices.issuers"],
  },
  // ---- one issuer --------------------------------------------------------------------------
  {
    name: "issuer's invoices this month (first page)",
    sql: `select * from invoices.invoices where issuer_id = $1 and issued_at >= $2::date::timestamp at time zone '+08'
          order by issued_at desc, invoice_id limit 100`,
    params: (c) => [hex(c.issuerId), c.monthStart],
    relations: ["invoices.invoices"],
  },
  {
    name: "issuer's daily totals for a month",
    sql: `select * from report.invoices_per_issuer_day where issuer_id = $1 and day >= $2 and day < $3 order by day`,
    params: (c) => [hex(c.issuerId), c.monthStart, c.nextMonthStart],
    relations: ["report.invoices_per_issuer_day"],
  },
  {
    name: "all issuers' totals for one day",
    sql: `select * from report.invoices_per_issuer_day where day = $1 order by issuer_id`,
    params: (c) => [c.day],
    relations: ["report.invoices_per_issuer_day"],
  },
  // ---- licences ----------------------------------------------------------------------------
  {
    name: "licence's use history",
    sql: `select * from licences.licence_used where licence_id = $1 order by block_number desc, log_index desc`,
    params: (c) => [hex(c.licenceId)],
    relations: ["licences.licence_used"],
  },
  {
    name: "licence's uses with validity at the time",
    sql: `select * from licences.licence_uses where licence_id = $1 order by used_block desc, used_log_index desc`,
    params: (c) => [hex(c.licenceId)],
    relations: ["licences.licence_uses"],
  },
  {
    name: "department's licence counts",
    sql: `select * from report.licences_per_department where department_id = $1`,
    params: (c) => [hex(c.departmentId)],
    relations: ["report.licences_per_department"],
  },
  // ---- escrow ------------------------------------------------------------------------------
  {
    name: "project's balances",
    sql: `select * from report.project_balances where project_id = $1`,
    params: (c) => [c.projectId],
    relations: ["report.project_balances"],
  },
  {
    name: "project's wages paid",
    sql: `select * from report.wages_paid where project_id = $1 order by paid_at, payroll_id`,
    params: (c) => [c.projectId],
    relations: ["report.wages_paid"],
  },
  {
    name: "project's wages owed",
    sql: `select * from report.wages_owed where project_id = $1`,
    params: (c) => [c.projectId],
    relations: ["report.wages_owed"],
  },
  {
    name: "project's milestones, orders and payrolls",
    sql: `select 'milestone' as kind, milestone_index as id, state from escrow.milestones where project_id = $1
          union all select 'order', order_id, state from escrow.payment_orders where project_id = $1
          union all select 'payroll', payroll_id, state from escrow.payrolls where project_id = $1
          order by 1, 2`,
    params: (c) => [c.projectId],
    relations: ["escrow.milestones", "escrow.payment_orders", "escrow.payrolls"],
  },
  // ---- failed attempts -----------------------------------------------------------------------
  {
    name: "department's failed attempts in a week",
    sql: `select * from report.failed_attempts where department_id = $1 and block_time >= $2 and block_time < $3
          order by block_time desc`,
    params: (c) => [hex(c.departmentId), c.weekStart, c.chainTime],
    relations: ["report.failed_attempts"],
  },
  // ---- counts per state --------------------------------------------------------------------
  {
    // The department rollup (a few rows a day), not the issuer rows (thousands).
    name: "invoices per state",
    sql: `select state, sum(invoices)::bigint as invoices, sum(amount) as amount
          from report.invoices_per_department_day group by state order by state`,
    relations: ["report.invoices_per_department_day"],
  },
  {
    // The status table, not count(*) over licences.licences (whose status follows from the
    // chain's time, row by row).
    name: "licences per status",
    sql: `select status, sum(licences)::bigint as licences from report.licences_per_status group by status order by status`,
    relations: ["report.licences_per_status"],
  },
  {
    name: "projects per state",
    sql: `select closed, frozen, count(*) from escrow.project_ledgers group by 1, 2 order by 1, 2`,
    relations: ["escrow.project_ledgers"],
  },
  // Read-model relations announced by the read-model issue (names as the branches that add them
  // document them in docs/reporting.md; pending until they exist).
  {
    // Summed from the counts kept per issuer and lapse day (0081), today's notes read one by one.
    name: "credit notes per state",
    sql: `select state, sum(credit_notes)::bigint as credit_notes from report.credit_notes_per_state group by state order by state`,
    relations: ["report.credit_notes_per_state"],
  },
  {
    // The counts kept per project and state, not the payrolls.
    name: "payrolls per state",
    sql: `select state, sum(payrolls)::bigint as payrolls from report.payrolls_per_state group by state order by state`,
    relations: ["report.payrolls_per_state"],
  },
  // The state tables themselves (their views join each row to its project for the token's
  // decimals, which a count does not need).
  {
    name: "milestones per state",
    sql: `select state, count(*) from escrow.milestone group by state order by state`,
    relations: ["escrow.milestone"],
  },
  {
    name: "payment orders per state",
    sql: `select state, count(*) from escrow.payment_order group by state order by state`,
    relations: ["escrow.payment_order"],
  },
  {
    // The counts kept per department and expiry day (today's split by reading its consents), not
    // the consents (whose state follows from the chain's time, row by row).
    name: "consents per state",
    sql: `select state, sum(consents)::bigint as consents from report.consents_per_state group by state order by state`,
    relations: ["report.consents_per_state"],
  },
  // ---- first pages of the reports ----------------------------------------------------------
  {
    name: "report.invoices_per_issuer_day first page",
    sql: "select * from report.invoices_per_issuer_day order by issuer_id, day limit 100",
    relations: ["report.invoices_per_issuer_day"],
  },
  {
    name: "report.reimbursements_per_receiver_day first page",
    sql: "select * from report.reimbursements_per_receiver_day order by receiver_id, day limit 100",
    relations: ["report.reimbursements_per_receiver_day"],
  },
  {
    name: "report.invoices_per_state first page",
    sql: "select * from report.invoices_per_state order by issuer_id, state limit 100",
    relations: ["report.invoices_per_state"],
  },
  {
    name: "report.invoice_totals_per_issuer_day first page",
    sql: "select * from report.invoice_totals_per_issuer_day order by issuer_id, day limit 100",
    relations: ["report.invoice_totals_per_issuer_day"],
  },
  {
    name: "report.invoice_reimbursements_per_receiver_day first page",
    sql: "select * from report.invoice_reimbursements_per_receiver_day order by receiver_id, day limit 100",
    relations: ["report.invoice_reimbursements_per_receiver_day"],
  },
  {
    name: "report.licences_per_department first page",
    sql: "select * from report.licences_per_department order by department_id limit 100",
    relations: ["report.licences_per_department"],
  },
  {
    name: "report.project_balances first page",
    sql: "select * from report.project_balances order by project_id limit 100",
    relations: ["report.project_balances"],
  },
  {
    name: "report.wages_paid first page",
    sql: "select * from report.wages_paid order by project_id, payroll_id limit 100",
    relations: ["report.wages_paid"],
  },
  {
    name: "report.failed_attempts_per_department first page",
    sql: "select * from report.failed_attempts_per_department order by department_id, day limit 100",
    relations: ["report.failed_attempts_per_department"],
  },
  {
    name: "report.failed_attempts first page",
    sql: "select * from report.failed_attempts order by block_number desc, tx_hash limit 100",
    relations: ["report.failed_attempts"],
  },
  {
    name: "report.invoices_per_department_day first page",
    sql: "select * from report.invoices_per_department_day order by department_id, day, state limit 100",
    relations: ["report.invoices_per_department_day"],
  },
  {
    name: "report.licences_per_department_day first page",
    sql: "select * from report.licences_per_department_day order by department_id, day limit 100",
    relations: ["report.licences_per_department_day"],
  },
  {
    name: "report.consents_per_state first page",
    sql: "select * from report.consents_per_state order by department_id, state limit 100",
    relations: ["report.consents_per_state"],
  },
  {
    name: "report.licences_per_status first page",
    sql: "select * from report.licences_per_status order by department_id, type_id, status limit 100",
    relations: ["report.licences_per_status"],
  },
  {
    name: "report.licence_uses_not_valid first page",
    sql: "select * from report.licence_uses_not_valid order by used_block desc, used_log_index desc limit 100",
    relations: ["report.licence_uses_not_valid"],
  },
  {
    name: "report.project_balances_per_day first page",
    sql: "select * from report.project_balances_per_day order by project_id, day limit 100",
    relations: ["report.project_balances_per_day"],
  },
  {
    name: "report.wages_per_project_day first page",
    sql: "select * from report.wages_per_project_day order by project_id, day limit 100",
    relations: ["report.wages_per_project_day"],
  },
  {
    name: "report.wages_owed first page",
    sql: "select * from report.wages_owed order by project_id limit 100",
    relations: ["report.wages_owed"],
  },
  {
    name: "report.payrolls_per_state first page",
    sql: "select * from report.payrolls_per_state order by project_id, state limit 100",
    relations: ["report.payrolls_per_state"],
  },
];
