/**
 * Every table the dashboards show and export, as data: its columns (SQL expression, caption,
 * how to display it), its filters (each validated to a strict format before it reaches SQL) and
 * its order. The page and the exports run the very same SELECT, so an export's rows are the
 * page's rows; row-level security decides which rows those are (the department is set on the
 * transaction, see db.ts), never this module.
 *
 * Values leave the database already in the form staff read and exports carry: hashes as 0x hex,
 * amounts in yuan with two decimals, times in the city's time zone, department codes as text.
 * COPY takes no bind parameters, so filter values are inlined as literals: only after they
 * matched their format (hex, date, integer, one of a list), and quoted all the same.
 */
import type { TextKey } from "../i18n.js";

export type Display = "text" | "hex" | "yuan" | "count" | "time" | "state" | "department" | "tx" | "block" | "bool";

export interface ColumnDef {
  key: string;
  sql: string;
  caption: TextKey;
  display: Display;
  /** For state columns: whose states (see i18n DOMAIN_STATES). */
  domain?: string;
  /** The column a detail page hangs off (the row's id) and where it links. */
  link?: (row: Record<string, string>) => string;
}

export type FilterKind = "date" | "hex32" | "integer" | "state";

export interface FilterDef {
  key: string;
  kind: FilterKind;
  caption: TextKey;
  /** SQL condition with `$` where the literal goes (`$tz` is the city's time zone). */
  condition: string;
  states?: string[];
}

export interface TableDef {
  id: string;
  caption: TextKey;
  /** FROM and JOINs; may use `$tz` for the city's time zone. */
  from: string;
  columns: ColumnDef[];
  filters: FilterDef[];
  orderBy: string;
  /**
   * Keyset paging (tables too large for OFFSET): the columns of orderBy, all descending, that
   * identify a row. A page continues after (or before) the cursor of a row, read along the index
   * of orderBy; the pages carry no page number.
   */
  keyset?: KeyColumn[];
  /** Which filters bound the period named in an export's header. */
  period?: { from: string; to: string };
}

export interface KeyColumn {
  sql: string;
  kind: "time" | "bytes";
}

export type Filters = Record<string, string>;

/** A client error in a filter, paging or an id: answered 400 with this message. */
export class InputError extends Error {
  override name = "InputError";
}

const FORMATS: Record<FilterKind, RegExp> = {
  date: /^\d{4}-\d{2}-\d{2}$/,
  hex32: /^0x[0-9a-fA-F]{64}$/,
  integer: /^\d{1,20}$/,
  state: /^[A-Za-z]{1,20}$/,
};

const FORMAT_WORDS: Record<FilterKind, string> = {
  date: "a date YYYY-MM-DD",
  hex32: "a 0x-prefixed 32-byte hex value",
  integer: "a whole number",
  state: "one of",
};

/** The filters of `def` found in `query`, each checked; unknown keys are refused too. */
export function parseFilters(def: TableDef, query: Record<string, string>, reserved: string[] = []): Filters {
  const filters: Filters = {};
  for (const [key, value] of Object.entries(query)) {
    if (reserved.includes(key) || value === "") continue;
    const filter = def.filters.find((f) => f.key === key);
    if (!filter) throw new InputError(`unknown filter "${key.slice(0, 40)}" for ${def.id}`);
    const ok =
      FORMATS[filter.kind].test(value) &&
      (filter.kind !== "state" || filter.states!.includes(value)) &&
      (filter.kind !== "date" || !Number.isNaN(Date.parse(`${value}T00:00:00Z`)));
    if (!ok) {
      const expected = filter.kind === "state" ? `one of ${filter.states!.join(", ")}` : FORMAT_WORDS[filter.kind];
      throw new InputError(`filter "${key}" must be ${expected}`);
    }
    filters[key] = value;
  }
  return filters;
}

export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function filterValue(filter: FilterDef, value: string): string {
  if (filter.kind === "hex32") return `decode(${literal(value.slice(2).toLowerCase())}, 'hex')`;
  if (filter.kind === "date") return `${literal(value)}::date`;
  if (filter.kind === "integer") return `${literal(value)}::numeric`;
  return literal(value);
}

/** The SELECT of a table under its filters (no paging): what the page pages and exports copy. */
export function selectSql(
  def: TableDef,
  filters: Filters,
  timeZone: string,
  /** orderBy null: no ORDER BY (a count). */
  options: { spreadsheetSafe?: boolean; extraColumns?: string[]; where?: string[]; orderBy?: string | null } = {},
): string {
  const where = def.filters
    .filter((f) => filters[f.key] !== undefined)
    .map((f) => f.condition.replace(/\$(?!tz)/g, () => filterValue(f, filters[f.key])))
    .concat(options.where ?? []);
  // Free text from the chain (a proposal's description, say) must not reach a spreadsheet as a
  // formula: a leading = + - @ gets the apostrophe Excel and LibreOffice read as "text".
  const expression = (c: ColumnDef) =>
    options.spreadsheetSafe && c.display === "text" ? `regexp_replace((${c.sql})::text, '^([=+@-])', '''\\1')` : c.sql;
  const columns = def.columns
    .map((c) => `${expression(c)} as "${c.key}"`)
    .concat(options.extraColumns ?? [])
    .join(",\n  ");
  const from = def.from.replaceAll("$tz", literal(timeZone));
  return `select ${columns.replaceAll("$tz", literal(timeZone))}\nfrom ${from}${
    where.length ? `\nwhere ${where.join(" and ").replaceAll("$tz", literal(timeZone))}` : ""
  }${options.orderBy === null ? "" : `\norder by ${options.orderBy ?? def.orderBy}`}`;
}

// Expressions shared by the tables ------------------------------------------------------------

const hex = (column: string) => `'0x' || encode(${column}, 'hex')`;
const yuan = (column: string) => `round((${column}) / 100.0, 2)::text`;
/**
 * Escrow amounts are settlement-token units: 18 decimals, one token a yuan (deposits in the
 * bank's ledger). A project in another ERC-20 would need its token's decimals (not indexed yet).
 */
const tokenYuan = (column: string) => `round((${column}) / 1e18, 2)::text`;
// (::timestamp(0)::text writes the same YYYY-MM-DD HH24:MI:SS as to_char, at a third of its cost.)
const time = (column: string) => `(${column} at time zone $tz)::timestamp(0)::text`;
// A bytes32 code as text, inline (the same as web.department_code, which PostgreSQL does not inline).
const code = (column: string) => `convert_from(rtrim(${column}, '\\x00'::bytea), 'UTF8')`;
/**
 * A bytes32 code an enterprise chose (an invoice code): bytes that are not valid UTF-8 must not
 * make the query fail, so they are written as octal escapes (encode … 'escape') instead.
 */
const chainCode = (column: string) => `encode(rtrim(${column}, '\\x00'::bytea), 'escape')`;
const provenance = (alias: string): ColumnDef[] => [
  { key: "block_number", sql: `${alias}.block_number`, caption: "block", display: "block" },
  { key: "block_time", sql: time(`${alias}.block_time`), caption: "blockTime", display: "time" },
  { key: "tx_hash", sql: hex(`${alias}.tx_hash`), caption: "txHash", display: "tx" },
];

const INVOICE_STATES = ["Issued", "Claimed", "Locked", "Reimbursed", "Voided"];
const PROPOSAL_STATES = ["Active", "Succeeded", "Executed", "Defeated", "Expired", "Cancelled"];

/** On invoices.invoices (the read model's state table), so the headline can skip the event tables. */
const invoiceFilters: FilterDef[] = [
  { key: "state", kind: "state", caption: "status", condition: "v.state = $", states: INVOICE_STATES },
  { key: "from", kind: "date", caption: "from", condition: "v.issued_at >= ($::timestamp at time zone $tz)" },
  { key: "to", kind: "date", caption: "to", condition: "v.issued_at < (($::date + 1)::timestamp at time zone $tz)" },
  { key: "issuer", kind: "hex32", caption: "issuer", condition: "v.issuer_id = $" },
  // By the number's index through web.numbered_invoices (0045): row-level security would apply
  // `v.number = $` only after its policy, to every invoice the department reads.
  {
    key: "number",
    kind: "integer",
    caption: "invoiceNumber",
    condition: "v.invoice_id = any ((select web.numbered_invoices($))::bytea[])",
  },
  { key: "id", kind: "hex32", caption: "detail", condition: "v.invoice_id = $" },
];

export const TABLES = {
  departments: {
    id: "departments",
    caption: "members",
    from: `gov.department_admitted a join gov.departments d using (department_id)`,
    columns: [
      { key: "code", sql: code("a.department_id"), caption: "code", display: "department" },
      { key: "name", sql: "a.name", caption: "name", display: "text" },
      {
        key: "status",
        sql: "case when d.active then 'member' else 'suspended' end",
        caption: "status",
        display: "state",
      },
      {
        key: "operators",
        sql: `(select string_agg('0x' || encode(o.account, 'hex'), ' ' order by o.account) from gov.operators o where o.department_id = a.department_id)`,
        caption: "operators",
        display: "text",
      },
      ...provenance("a"),
    ],
    filters: [],
    orderBy: "a.block_number, a.log_index",
  },
  proposals: {
    id: "proposals",
    caption: "proposals",
    from: `gov.proposal_created p join gov.proposals v using (proposal_id)`,
    columns: [
      {
        key: "proposal_id",
        sql: "p.proposal_id::text",
        caption: "proposal",
        display: "text",
        link: (r) => `/governance/proposals/${r.proposal_id}`,
      },
      { key: "proposer", sql: code("p.department_id"), caption: "proposer", display: "department" },
      { key: "description", sql: "p.description", caption: "description", display: "text" },
      { key: "status", sql: "v.status", caption: "status", display: "state" },
      { key: "yes", sql: "v.yes::text", caption: "yes", display: "count" },
      { key: "no", sql: "v.no::text", caption: "no", display: "count" },
      { key: "required", sql: "p.required::text", caption: "required", display: "count" },
      { key: "vote_end", sql: time("v.vote_end"), caption: "voteEnd", display: "time" },
      ...provenance("p"),
    ],
    filters: [
      { key: "state", kind: "state", caption: "status", condition: "v.status = $", states: PROPOSAL_STATES },
      { key: "id", kind: "integer", caption: "proposal", condition: "p.proposal_id = $" },
    ],
    orderBy: "p.proposal_id desc",
  },
  votes: {
    id: "votes",
    caption: "votes",
    from: `gov.vote_cast c`,
    columns: [
      { key: "proposal_id", sql: "c.proposal_id::text", caption: "proposal", display: "text" },
      { key: "department", sql: code("c.department_id"), caption: "voter", display: "department" },
      { key: "support", sql: "case when c.support then 'yes' else 'no' end", caption: "support", display: "text" },
      ...provenance("c"),
    ],
    filters: [{ key: "proposal", kind: "integer", caption: "proposal", condition: "c.proposal_id = $" }],
    orderBy: "c.block_number, c.log_index",
  },
  validators: {
    id: "validators",
    caption: "validators",
    from: `gov.validator_added a join gov.validators v on v.validator = a.validator and v.added_block = a.block_number`,
    columns: [
      { key: "validator", sql: hex("a.validator"), caption: "validator", display: "hex" },
      { key: "department", sql: code("a.department_id"), caption: "department", display: "department" },
      ...provenance("a"),
    ],
    filters: [],
    orderBy: "a.block_number, a.log_index",
  },
  invoices: {
    id: "invoices",
    caption: "invoices",
    // The issuance event only for its transaction hash. Joined on the invoice id alone: with the
    // block number too, the planner took the two conditions for independent and expected a few
    // dozen rows of a million, then hashed every invoice for a page of twenty. Now a page reads
    // along the order's index and looks each row's event up; an export hashes and sorts once
    // (1,000,000 index lookups in random order took four times as long).
    from: `invoices.invoices v
      join invoices.invoice_issued i on i.invoice_id = v.invoice_id
      left join gov.participant_registered pr on pr.participant_id = v.issuer_id`,
    columns: [
      {
        key: "invoice_id",
        sql: hex("v.invoice_id"),
        caption: "detail",
        display: "hex",
        link: (r) => `/invoices/${r.invoice_id}`,
      },
      { key: "code", sql: chainCode("v.code"), caption: "invoiceCode", display: "text" },
      { key: "number", sql: "v.number::text", caption: "invoiceNumber", display: "text" },
      {
        key: "issuer",
        sql: `${code("pr.department_id")} || ':' || left(encode(v.issuer_id, 'hex'), 8)`,
        caption: "issuer",
        display: "text",
      },
      { key: "amount", sql: yuan("v.amount"), caption: "amount", display: "yuan" },
      { key: "tax", sql: yuan("v.tax"), caption: "tax", display: "yuan" },
      { key: "total", sql: yuan("v.amount + v.tax"), caption: "totalWithTax", display: "yuan" },
      { key: "state", sql: "v.state", caption: "status", display: "state" },
      { key: "credited", sql: yuan("v.credited"), caption: "credited", display: "yuan" },
      { key: "reimbursed", sql: yuan("v.reimbursed"), caption: "reimbursed", display: "yuan" },
      { key: "block_number", sql: "v.issued_block", caption: "block", display: "block" },
      { key: "block_time", sql: time("v.issued_at"), caption: "blockTime", display: "time" },
      { key: "tx_hash", sql: hex("i.tx_hash"), caption: "txHash", display: "tx" },
    ],
    filters: invoiceFilters,
    // Newest first along an index (0041), so a page reads its own rows, not every invoice; deep
    // pages continue from a row's key rather than counting the rows before them (OFFSET).
    orderBy: "v.issued_at desc, v.invoice_id desc",
    keyset: [
      { sql: "v.issued_at", kind: "time" },
      { sql: "v.invoice_id", kind: "bytes" },
    ],
    period: { from: "from", to: "to" },
  },
  failed: {
    id: "failed",
    caption: "failed",
    from: `report.failed_attempts f`,
    columns: [
      {
        key: "department",
        sql: "coalesce(f.department_code, f.registrar_code)",
        caption: "actingDepartment",
        display: "department",
      },
      { key: "sender", sql: hex("f.sender"), caption: "sender", display: "hex" },
      { key: "contract", sql: "f.contract_name", caption: "contract", display: "text" },
      { key: "function", sql: "f.function_name", caption: "function", display: "text" },
      { key: "error", sql: "f.error_name", caption: "error", display: "text" },
      ...provenance("f"),
    ],
    filters: [
      { key: "from", kind: "date", caption: "from", condition: "f.block_time >= ($::timestamp at time zone $tz)" },
      {
        key: "to",
        kind: "date",
        caption: "to",
        condition: "f.block_time < (($::date + 1)::timestamp at time zone $tz)",
      },
    ],
    orderBy: "f.block_number desc",
    period: { from: "from", to: "to" },
  },
  licences: {
    id: "licences",
    caption: "licences",
    from: `licences.licence_issued i join licences.licences v using (licence_id)`,
    columns: [
      {
        key: "licence_id",
        sql: hex("i.licence_id"),
        caption: "licenceId",
        display: "hex",
        link: (r) => `/licences/${r.licence_id}`,
      },
      { key: "type", sql: chainCode("i.type_id"), caption: "licenceType", display: "text" },
      { key: "issuer", sql: code("i.issuer"), caption: "issuingDepartment", display: "department" },
      {
        key: "status",
        sql: "case when v.suspended and v.status = 'Active' then 'Suspended' else v.status end",
        caption: "status",
        display: "state",
        domain: "licence",
      },
      { key: "valid_from", sql: time("to_timestamp(v.valid_from)"), caption: "validFrom", display: "time" },
      { key: "valid_until", sql: time("to_timestamp(v.valid_until)"), caption: "validUntil", display: "time" },
      {
        key: "uses",
        sql: "(select count(*) from licences.licence_used u where u.licence_id = i.licence_id)::text",
        caption: "uses",
        display: "count",
      },
      ...provenance("i"),
    ],
    filters: [{ key: "id", kind: "hex32", caption: "licenceId", condition: "i.licence_id = $" }],
    orderBy: "i.block_number desc, i.log_index desc",
  },
  licence_uses: {
    id: "licence_uses",
    caption: "uses",
    from: `licences.licence_used u`,
    columns: [
      { key: "licence_id", sql: hex("u.licence_id"), caption: "licenceId", display: "hex" },
      { key: "department", sql: code("u.department_id"), caption: "actingDepartment", display: "department" },
      { key: "purpose", sql: chainCode("u.purpose"), caption: "purpose", display: "text" },
      { key: "version", sql: "u.version::text", caption: "version", display: "count" },
      ...provenance("u"),
    ],
    filters: [],
    orderBy: "u.block_number desc, u.log_index desc",
  },
  projects: {
    id: "projects",
    caption: "projects",
    from: `escrow.project_created p join report.project_balances b using (project_id)`,
    columns: [
      {
        key: "project_id",
        sql: "p.project_id::text",
        caption: "project",
        display: "text",
        link: (r) => `/escrow/projects/${r.project_id}`,
      },
      { key: "opened_by", sql: code("p.department_id"), caption: "actingDepartment", display: "department" },
      {
        key: "bank",
        sql: `web.department_code(decode(substr(p.terms ->> 'bank', 3), 'hex'))`,
        caption: "bank",
        display: "department",
      },
      { key: "money_in", sql: tokenYuan("b.money_in"), caption: "moneyIn", display: "yuan" },
      { key: "money_out", sql: tokenYuan("b.money_out"), caption: "moneyOut", display: "yuan" },
      { key: "balance", sql: tokenYuan("b.balance"), caption: "balance", display: "yuan" },
      { key: "wage_account", sql: tokenYuan("b.wage_account_balance"), caption: "wageAccount", display: "yuan" },
      { key: "closed", sql: "case when b.closed then 'yes' else 'no' end", caption: "closed", display: "bool" },
      { key: "frozen", sql: "case when b.frozen then 'yes' else 'no' end", caption: "frozen", display: "bool" },
      ...provenance("p"),
    ],
    filters: [{ key: "id", kind: "integer", caption: "project", condition: "p.project_id = $" }],
    orderBy: "p.block_number desc, p.log_index desc",
  },
  wages: {
    id: "wages",
    caption: "wagesPaid",
    from: `escrow.payroll_paid p join escrow.payroll_submitted s using (project_id, payroll_id)`,
    columns: [
      { key: "project_id", sql: "p.project_id::text", caption: "project", display: "text" },
      { key: "period", sql: "s.period::text", caption: "period", display: "text" },
      { key: "workers", sql: "jsonb_array_length(s.workers)::text", caption: "workers", display: "count" },
      { key: "total", sql: tokenYuan("s.total"), caption: "amount", display: "yuan" },
      { key: "from_guarantee", sql: tokenYuan("p.from_guarantee"), caption: "wagesPaid", display: "yuan" },
      { key: "paid_by", sql: code("p.department_id"), caption: "actingDepartment", display: "department" },
      ...provenance("p"),
    ],
    filters: [],
    orderBy: "p.block_number desc, p.log_index desc",
  },
  invoice_totals: {
    id: "invoice_totals",
    caption: "reportInvoiceTotals",
    from: `report.invoice_totals_per_issuer_day r left join gov.participant_registered pr on pr.participant_id = r.issuer_id`,
    columns: [
      {
        key: "issuer",
        sql: "web.department_code(pr.department_id) || ':' || left(encode(r.issuer_id, 'hex'), 8)",
        caption: "issuer",
        display: "text",
      },
      { key: "day", sql: "r.day::text", caption: "day", display: "text" },
      { key: "invoices", sql: "r.invoices::text", caption: "invoiceCount", display: "count" },
      { key: "amount", sql: yuan("r.amount"), caption: "amount", display: "yuan" },
      { key: "tax", sql: yuan("r.tax"), caption: "tax", display: "yuan" },
    ],
    filters: [
      { key: "from", kind: "date", caption: "from", condition: "r.day >= $" },
      { key: "to", kind: "date", caption: "to", condition: "r.day <= $" },
    ],
    orderBy: "r.day desc, r.issuer_id",
    period: { from: "from", to: "to" },
  },
  reimbursements: {
    id: "reimbursements",
    caption: "reportReimbursements",
    from: `report.invoice_reimbursements_per_receiver_day r left join gov.participant_registered pr on pr.participant_id = r.receiver_id`,
    columns: [
      {
        key: "receiver",
        sql: "web.department_code(pr.department_id) || ':' || left(encode(r.receiver_id, 'hex'), 8)",
        caption: "receiver",
        display: "text",
      },
      { key: "day", sql: "r.day::text", caption: "day", display: "text" },
      { key: "invoices", sql: "r.invoices::text", caption: "invoiceCount", display: "count" },
      { key: "amount", sql: yuan("r.amount"), caption: "reimbursed", display: "yuan" },
    ],
    filters: [
      { key: "from", kind: "date", caption: "from", condition: "r.day >= $" },
      { key: "to", kind: "date", caption: "to", condition: "r.day <= $" },
    ],
    orderBy: "r.day desc, r.receiver_id",
    period: { from: "from", to: "to" },
  },
  licences_per_department: {
    id: "licences_per_department",
    caption: "reportLicences",
    from: `report.licences_per_department r`,
    columns: [
      { key: "department", sql: code("r.department_id"), caption: "department", display: "department" },
      { key: "issued", sql: "r.issued::text", caption: "issuedCount", display: "count" },
      { key: "revoked", sql: "r.revoked::text", caption: "revokedCount", display: "count" },
      { key: "used", sql: "r.used::text", caption: "uses", display: "count" },
    ],
    filters: [],
    orderBy: "r.department_id",
  },
} satisfies Record<string, TableDef>;

export type TableId = keyof typeof TABLES;

export function tableDef(id: string): TableDef | undefined {
  return (TABLES as Record<string, TableDef>)[id];
}
