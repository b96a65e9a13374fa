/**
 * Headline figures and chart series of each domain's dashboard. Days are the city's days
 * (`timeZone`), amounts come back in fen as decimal strings (the view formats yuan).
 */
import type { Tx } from "../db.js";
import { type Filters, selectSql, TABLES } from "./tables.js";

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

/**
 * Invoice figures under the page's filters: the same FROM and WHERE as the table (selectSql),
 * wrapped, so the headline, the charts and the table always agree.
 */
export async function invoiceSummary(tx: Tx, filters: Filters, timeZone: string) {
  const base = selectSql(
    {
      ...TABLES.invoices,
      columns: [
        { key: "amount", sql: "i.amount", caption: "amount", display: "text" },
        { key: "tax", sql: "i.tax", caption: "tax", display: "text" },
        { key: "reimbursed", sql: "v.reimbursed", caption: "reimbursed", display: "text" },
        { key: "state", sql: "v.state", caption: "status", display: "text" },
        { key: "day", sql: "(i.block_time at time zone $tz)::date", caption: "issuedAt", display: "text" },
      ],
    },
    filters,
    timeZone,
  );
  // One pass over the rows for all three (grouping sets), not one per figure.
  const groups = (await tx.unsafe(`
    select grouping(day) as by_day, grouping(state) as by_state, day::text, state, count(*)::int as count,
           coalesce(sum(amount), 0)::text as amount, coalesce(sum(tax), 0)::text as tax,
           coalesce(sum(reimbursed), 0)::text as reimbursed
    from (${base}) t group by grouping sets ((day), (state), ()) order by day, state`)) as unknown as {
    by_day: number;
    by_state: number;
    day: string;
    state: string;
    count: number;
    amount: string;
    tax: string;
    reimbursed: string;
  }[];
  const totals = groups.find((g) => g.by_day === 1 && g.by_state === 1)!;
  const perDay = groups.filter((g) => g.by_day === 0);
  const byState = groups.filter((g) => g.by_state === 0);
  return {
    totals: totals as unknown as { count: number; amount: string; tax: string; reimbursed: string },
    perDay: perDay as unknown as { day: string; count: number; amount: string }[],
    byState: byState as unknown as { state: string; count: number }[],
  };
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
           round(n.amount / 100.0, 2)::text as amount,
           round(n.tax / 100.0, 2)::text as tax,
           exists (select 1 from invoices.credit_note_confirmed c where c.credit_note_id = n.credit_note_id) as confirmed,
           n.block_number::text, to_char(n.block_time at time zone ${timeZone}, 'YYYY-MM-DD HH24:MI:SS') as block_time,
           '0x' || encode(n.tx_hash, 'hex') as tx_hash
    from invoices.credit_note_issued n where n.invoice_id = decode(${id}, 'hex')
    order by n.block_number, n.log_index`;
  return { history, creditNotes };
}

/** Escrow figures in yuan (decimal strings): settlement-token units, 18 decimals. */
export async function escrowSummary(tx: Tx) {
  const [row] = await tx`
    select count(*)::int as projects, round(coalesce(sum(money_in), 0) / 1e18, 2)::text as money_in,
           round(coalesce(sum(balance), 0) / 1e18, 2)::text as balance,
           round(coalesce(sum(wage_account_balance), 0) / 1e18, 2)::text as wage_account
    from report.project_balances`;
  const [wages] =
    await tx`select round(coalesce(sum(total), 0) / 1e18, 2)::text as wages, count(*)::int as payrolls from report.wages_paid`;
  return { ...row, ...wages } as {
    projects: number;
    money_in: string;
    balance: string;
    wage_account: string;
    wages: string;
    payrolls: number;
  };
}

export async function licenceSummary(tx: Tx) {
  const byStatus = await tx`select status, count(*)::int as count from licences.licences group by 1 order by 1`;
  const [uses] = await tx`select count(*)::int as uses from licences.licence_used`;
  return { byStatus: byStatus as unknown as { status: string; count: number }[], uses: uses.uses as number };
}
