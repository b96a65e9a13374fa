/**
 * Headline figures and chart series of each domain's dashboard. Days are the city's days
 * (`timeZone`), amounts come back in fen as decimal strings (the view formats yuan).
 */
import type { Tx } from "../db.js";
import { COUNT_LIMIT } from "./page.js";
import { type Filters, literal, month, selectSql, TABLES } from "./tables.js";

export async function governanceSummary(tx: Tx) {
  const [row] = await tx`
    select (select count(*) from gov.departments where active)::int as active_departments,
           (select count(*) from gov.departments)::int as departments,
           (select count(*) from gov.proposals)::int as proposals,
           (select count(*) from gov.validators)::int as validators,
           (select count(*) from gov.participants)::int as participants`;
  const byStatus = await tx`select status, count(*)::int as count from gov.proposals group by 1 order by 1`;
  return { ...row, byStatus } as unknown as {
    active_departments: number;
    departments: number;
    proposals: number;
    validators: number;
    participants: number;
    byStatus: { status: string; count: number }[];
  };
}

interface InvoiceFigures {
  totals: { count: number; amount: string; tax: string; reimbursed: string };
  perDay: { day: string; count: number; amount: string }[];
  byState: { state: string; count: number }[];
}

type FigureGroup = {
  by_day: number;
  by_state: number;
  day: string;
  state: string;
  count: number;
  amount: string;
  tax: string;
  reimbursed: string;
};

/** One pass for all three figures (grouping sets), not one per figure. */
function figuresOf(groups: FigureGroup[]): InvoiceFigures {
  const totals = groups.find((g) => g.by_day === 1 && g.by_state === 1) ?? {
    count: 0,
    amount: "0",
    tax: "0",
    reimbursed: "0",
  };
  return {
    totals: { count: totals.count, amount: totals.amount, tax: totals.tax, reimbursed: totals.reimbursed },
    perDay: groups.filter((g) => g.by_day === 0),
    byState: groups.filter((g) => g.by_state === 0),
  };
}

const GROUPS = `grouping(day) as by_day, grouping(state) as by_state, day::text, state`;

/**
 * Invoice figures under the page's filters, the same rows as the table's. Without a filter that
 * picks a few invoices (issuer, number, id), from the read model's rollup per registering
 * department, local day of issue and state (0044): row-level security shows each department its
 * own rollup rows, which count exactly the invoices it sees. The period filters are days in the
 * dashboard's time zone; the rollup's days are the deployment's (indexer.utc_offset()): when the
 * two differ, or with a selective filter, the invoices themselves are counted.
 */
export async function invoiceSummary(tx: Tx, filters: Filters, timeZone: string): Promise<InvoiceFigures> {
  // The rollup has no receiver and no day of reimbursement: those filters count the invoices too.
  const selective = ["issuer", "number", "id", "receiver", "reimbursed_from", "reimbursed_to"].some(
    (key) => filters[key] !== undefined,
  );
  if (!selective) {
    const where = [
      filters.state === undefined ? null : `state = ${literal(filters.state)}`,
      filters.from === undefined ? null : `day >= ${literal(filters.from)}::date`,
      filters.to === undefined ? null : `day <= ${literal(filters.to)}::date`,
    ].filter((c) => c !== null);
    const zone = literal(timeZone);
    const groups = (await tx.unsafe(`
      with same_days as (
        -- The zone's offset in January and July (summer time) against the deployment's.
        select indexer.utc_offset() = all (array[
          extract(epoch from (timestamptz '2026-01-01 00:00Z' at time zone ${zone}) - timestamp '2026-01-01 00:00'),
          extract(epoch from (timestamptz '2026-07-01 00:00Z' at time zone ${zone}) - timestamp '2026-07-01 00:00')]) as same
      )
      select ${GROUPS}, coalesce(sum(invoices), 0)::int as count, coalesce(sum(amount), 0)::text as amount,
             coalesce(sum(tax), 0)::text as tax, coalesce(sum(reimbursed), 0)::text as reimbursed,
             (select same from same_days) as same
      from invoices.department_day_state
      where (select same from same_days)${where.map((c) => ` and ${c}`).join("")}
      group by grouping sets ((day), (state), ()) order by day, state`)) as unknown as (FigureGroup & {
      same: boolean;
    })[];
    if (groups[0]?.same) return figuresOf(groups);
  }
  const base = selectSql(
    {
      ...TABLES.invoices,
      from: "invoices.invoice v",
      orderBy: "",
      columns: [
        { key: "amount", sql: "v.amount", caption: "amount", display: "text" },
        { key: "tax", sql: "v.tax", caption: "tax", display: "text" },
        { key: "reimbursed", sql: "v.reimbursed", caption: "reimbursed", display: "text" },
        { key: "state", sql: "v.state", caption: "status", display: "text" },
        { key: "day", sql: "(v.issued_at at time zone $tz)::date", caption: "issuedAt", display: "text" },
      ],
    },
    filters,
    timeZone,
    { unordered: true },
  );
  return figuresOf(
    (await tx.unsafe(`
      select ${GROUPS}, count(*)::int as count, coalesce(sum(amount), 0)::text as amount,
             coalesce(sum(tax), 0)::text as tax, coalesce(sum(reimbursed), 0)::text as reimbursed
      from (${base}) t group by grouping sets ((day), (state), ()) order by day, state`)) as unknown as FigureGroup[],
  );
}

export async function invoiceDetail(tx: Tx, invoiceId: string, timeZone: string) {
  const id = invoiceId.slice(2).toLowerCase();
  const history = await tx`
    select h.state, web.department_code(r.department_id) as registrar, h.block_number::text,
           to_char(h.block_time at time zone ${timeZone}, 'YYYY-MM-DD HH24:MI:SS') as block_time,
           '0x' || encode(h.tx_hash, 'hex') as tx_hash
    from invoices.state_history h
    left join invoices.invoice_issued i on i.invoice_id = h.invoice_id
    left join gov.participant_registered r on r.participant_id = i.issuer_id
    where h.invoice_id = decode(${id}, 'hex')
    order by h.block_number, h.log_index`;
  const creditNotes = await tx`
    select '0x' || encode(n.credit_note_id, 'hex') as credit_note_id, n.number::text,
           round(n.amount / 100.0, 2)::text as amount, round(n.tax / 100.0, 2)::text as tax, n.state,
           e.block_number::text, to_char(e.block_time at time zone ${timeZone}, 'YYYY-MM-DD HH24:MI:SS') as block_time,
           '0x' || encode(e.tx_hash, 'hex') as tx_hash
    from invoices.credit_notes n
    join invoices.credit_note_issued e on e.credit_note_id = n.credit_note_id and e.block_number = n.issued_block
    where n.invoice_id = decode(${id}, 'hex')
    order by e.block_number, e.log_index`;
  return { history, creditNotes };
}

/**
 * Escrow figures in yuan (decimal strings, by the token's decimals). Human resources sees no
 * project row, so its balances are nought, but every project's wages and owed wages (0047).
 */
export async function escrowSummary(tx: Tx) {
  const [groups, [wages], wagesPerDay] = await Promise.all([
    // The totals and the counts per state in one read of the projects (the construction bureau
    // sees all 2,000 at city scale): the empty grouping set is the totals' row, present even
    // when no project is visible.
    tx`select grouping(state) = 1 as totals, state, count(*)::int as projects,
              round(coalesce(sum(indexer.scaled(money_in, coalesce(token_decimals, 18::smallint))), 0), 2)::text as money_in,
              round(coalesce(sum(balance_scaled), 0), 2)::text as balance,
              round(coalesce(sum(wage_account_balance_scaled), 0), 2)::text as wage_account
       from report.project_balances where (select web.sees_projects(false))
       group by grouping sets ((state), ()) order by state`,
    // Summed by the definer functions of 0055 (the rows of report.wages_paid, report.wages_owed
    // and report.wages_per_project_day, without scaling each payroll and project day on its own).
    tx`select round(wages_paid, 2)::text as wages, payrolls::int as payrolls, round(wages_owed, 2)::text as wages_owed
       from web.wage_figures()`,
    tx`select day::text, round(coalesce(wages_paid, 0), 2)::text as wages, round(coalesce(wages_owed, 0), 2)::text as owed
       from web.wages_per_day() order by day`,
  ]);
  const { projects, money_in, balance, wage_account } = groups.find((g) => g.totals)!;
  return {
    projects,
    money_in,
    balance,
    wage_account,
    ...wages,
    byState: groups.filter((g) => !g.totals).map((g) => ({ state: g.state as string, count: g.projects as number })),
    wagesPerDay: wagesPerDay as unknown as { day: string; wages: string; owed: string }[],
  } as {
    projects: number;
    money_in: string;
    balance: string;
    wage_account: string;
    wages: string;
    payrolls: number;
    wages_owed: string;
    byState: { state: string; count: number }[];
    wagesPerDay: { day: string; wages: string; owed: string }[];
  };
}

/**
 * The payrolls the department sees, from the counts the indexer keeps per project and state
 * (escrow.payroll_state_count, under the payrolls' own policy): the escrow page's latest payrolls
 * need their number, which counting the rows took 10-13 ms as the construction bureau at city scale.
 */
export async function payrollCount(tx: Tx): Promise<number> {
  const [{ payrolls }] = await tx`select coalesce(sum(payrolls), 0)::int as payrolls from escrow.payroll_state_count`;
  return payrolls as number;
}

/**
 * Licence counts per status (from the status counts the indexer keeps) and the department's days.
 * Uses (web.licence_use_counts, 0055): the department's daily counts when they are all it sees
 * (the regulator: every department's; a department that issued no licence: its own uses); an
 * authority also sees the uses of its licences by others, which no count keeps: counted up to
 * COUNT_LIMIT, as the tables are (2,000,000 uses take seconds to count).
 */
export async function licenceSummary(tx: Tx) {
  const [byStatus, [uses], perDay] = await Promise.all([
    tx`select status, sum(licences)::int as count from report.licences_per_status group by 1 order by 1`,
    licenceUses(tx),
    tx`select day::text, sum(issued)::int as issued, sum(used)::int as used
       from report.licences_per_department_day group by day order by day`,
  ]);
  return {
    byStatus: byStatus as unknown as { status: string; count: number }[],
    uses: uses.uses as number,
    notValid: uses.not_valid as number,
    perDay: perDay as unknown as { day: string; issued: number; used: number }[],
  };
}

function licenceUses(tx: Tx) {
  return tx`select uses::int, not_valid::int from web.licence_use_counts(${COUNT_LIMIT + 1})`;
}

/** The licence uses the department sees, as licenceSummary counts them (over COUNT_LIMIT: more). */
export async function licenceUseCount(tx: Tx): Promise<number> {
  return (await licenceUses(tx))[0].uses as number;
}

const TIME = (column: string, timeZone: string) =>
  `to_char(${column} at time zone '${timeZone.replace(/'/g, "''")}', 'YYYY-MM-DD HH24:MI:SS')`;

export interface TimelineRow {
  event: string;
  detail: string | null;
  amount: string | null;
  block_number: string;
  block_time: string;
  tx_hash: string;
}

/**
 * A licence's life (issue, renewals, suspensions, reinstatements, revocation), each step with its
 * transaction. Its uses, with whether it was valid at each, are the licence_uses table.
 */
export async function licenceHistory(tx: Tx, licenceId: string, timeZone: string): Promise<TimelineRow[]> {
  const id = licenceId.slice(2).toLowerCase();
  return (await tx.unsafe(
    `select event, detail, null as amount, block_number::text, ${TIME("block_time", timeZone)} as block_time,
            '0x' || encode(tx_hash, 'hex') as tx_hash
     from (
       select 'Issued' as event, 'v1 ' || ${TIME("to_timestamp(valid_from)", timeZone)} || ' – ' || ${TIME("to_timestamp(valid_until)", timeZone)} as detail,
              block_number, log_index, block_time, tx_hash from licences.licence_issued where licence_id = decode($1, 'hex')
       union all
       select 'Renewed', 'v' || version || ' ' || ${TIME("to_timestamp(valid_from)", timeZone)} || ' – ' || ${TIME("to_timestamp(valid_until)", timeZone)},
              block_number, log_index, block_time, tx_hash from licences.licence_renewed where licence_id = decode($1, 'hex')
       union all
       select 'Suspended', null, block_number, log_index, block_time, tx_hash from licences.licence_suspended where licence_id = decode($1, 'hex')
       union all
       select 'Reinstated', null, block_number, log_index, block_time, tx_hash from licences.licence_reinstated where licence_id = decode($1, 'hex')
       union all
       select 'Revoked', null, block_number, log_index, block_time, tx_hash from licences.licence_revoked where licence_id = decode($1, 'hex')
     ) e order by block_number, log_index`,
    [id],
  )) as unknown as TimelineRow[];
}

/**
 * A project's ledger steps in chain order: funding, milestones, payment orders, payrolls, guarantee,
 * parties replaced by vote, closing.
 * Each table is read by the blocks of the project's events (web.project_event_blocks, 0075): bigint
 * equality is leakproof, so under row-level security it is an index condition, where the project
 * id's numeric equality ran after the policy on every event row (hundreds of ms a page).
 */
const MINE = "block_number = any((select blocks from b)::bigint[]) and project_id = $1::numeric";

export async function projectTimeline(tx: Tx, projectId: string, timeZone: string): Promise<TimelineRow[]> {
  const yuan = (column: string) => `round((${column}) / 1e18, 2)::text`;
  return (await tx.unsafe(
    `with b as (select web.project_event_blocks($1::numeric) as blocks)
     select event, detail, amount, block_number::text, ${TIME("block_time", timeZone)} as block_time,
            '0x' || encode(tx_hash, 'hex') as tx_hash
     from (
       select 'ProjectCreated' as event, null as detail, null as amount, block_number, log_index, block_time, tx_hash from escrow.project_created where ${MINE}
       union all select 'ProjectFunded', null, ${yuan("amount")}, block_number, log_index, block_time, tx_hash from escrow.project_funded where ${MINE}
       union all select 'GuaranteeDeposited', null, ${yuan("amount")}, block_number, log_index, block_time, tx_hash from escrow.guarantee_deposited where ${MINE}
       union all select 'MilestoneSubmitted', '#' || milestone_index, null, block_number, log_index, block_time, tx_hash from escrow.milestone_submitted where ${MINE}
       union all select 'MilestoneReleased', '#' || milestone_index, ${yuan("to_wage_account + to_payable")}, block_number, log_index, block_time, tx_hash from escrow.milestone_released where ${MINE}
       union all select 'MilestoneRejected', '#' || milestone_index, null, block_number, log_index, block_time, tx_hash from escrow.milestone_rejected where ${MINE}
       union all select 'PaymentOrdered', '#' || order_id, ${yuan("amount")}, block_number, log_index, block_time, tx_hash from escrow.payment_ordered where ${MINE}
       union all select 'PaymentOrderPaid', '#' || order_id, ${yuan("amount")}, block_number, log_index, block_time, tx_hash from escrow.payment_order_paid where ${MINE}
       union all select 'PaymentOrderRejected', '#' || order_id, null, block_number, log_index, block_time, tx_hash from escrow.payment_order_rejected where ${MINE}
       union all select 'PayrollSubmitted', '#' || payroll_id || ' ' || ${month("period")} || ' (' || jsonb_array_length(workers) || ')', ${yuan("total")}, block_number, log_index, block_time, tx_hash from escrow.payroll_submitted where ${MINE}
       union all select 'PayrollApproved', '#' || payroll_id, ${yuan("total")}, block_number, log_index, block_time, tx_hash from escrow.payroll_approved where ${MINE}
       union all select 'PayrollPaid', '#' || payroll_id, ${yuan("from_wage_account + from_guarantee")}, block_number, log_index, block_time, tx_hash from escrow.payroll_paid where ${MINE}
       union all select 'PayrollRejected', '#' || payroll_id, null, block_number, log_index, block_time, tx_hash from escrow.payroll_rejected where ${MINE}
       union all select 'PayrollCancelled', '#' || payroll_id, null, block_number, log_index, block_time, tx_hash from escrow.payroll_cancelled where ${MINE}
       union all select 'ProjectFrozen', null, null, block_number, log_index, block_time, tx_hash from escrow.project_frozen where ${MINE}
       union all select 'ProjectUnfrozen', null, null, block_number, log_index, block_time, tx_hash from escrow.project_unfrozen where ${MINE}
       union all select 'ProjectClosed', null, ${yuan("refunded")}, block_number, log_index, block_time, tx_hash from escrow.project_closed where ${MINE}
       union all select 'GuaranteeReturned', null, ${yuan("amount")}, block_number, log_index, block_time, tx_hash from escrow.guarantee_returned where ${MINE}
       union all select 'ProjectPartyReplaced', (array['Bank', 'Regulator', 'HumanResources'])[party + 1] || ' ' || indexer.code_text(previous_party) || ' → ' || indexer.code_text(new_party), null, block_number, log_index, block_time, tx_hash from escrow.project_party_replaced where ${MINE}
     ) e order by block_number, log_index`,
    [projectId],
  )) as unknown as TimelineRow[];
}
