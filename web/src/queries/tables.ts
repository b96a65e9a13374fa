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

export type Display =
  | "text"
  | "hex"
  | "yuan"
  | "count"
  | "time"
  | "state"
  | "department"
  | "tx"
  | "block"
  | "bool"
  | "month"
  | "event"
  | "error"
  | "contract"
  | "function";

export interface ColumnDef {
  key: string;
  sql: string;
  caption: TextKey;
  display: Display;
  /** For state columns: whose states (see i18n DOMAIN_STATES). */
  domain?: string;
  /** Text that never starts with = + - @ (digits, say): exports need no formula guard for it. */
  formulaSafe?: boolean;
  /** The expression with the formula guard applied, where one cheaper than the generic regexp exists. */
  guarded?: string;
  /** A code with names in the UI's languages (i18n CODE_NAMES): pages show the name, exports the code. */
  names?: "licenceType" | "purpose";
  /** The column a detail page hangs off (the row's id) and where it links. */
  link?: (row: Record<string, string>) => string;
  /** Read and exported (a full id a tool needs), not shown on the page: a link of another column uses it. */
  hidden?: boolean;
}

export type FilterKind = "date" | "hex32" | "integer" | "state" | "code" | "address";

export interface FilterDef {
  key: string;
  kind: FilterKind;
  caption: TextKey;
  /** SQL condition with `$` where the literal goes (`$tz` is the city's time zone). */
  condition: string;
  states?: string[];
  /** For state filters: whose states (see i18n DOMAIN_STATES). */
  domain?: string;
}

/**
 * One column of a keyset: its SQL, its cursor format. Every keyset runs descending. A time is
 * written in the cursor as microseconds since 1970 (integer) and compared as the timestamptz it
 * is, so the row comparison runs along the column's index; a date likewise as days since 1970.
 */
export interface KeyPart {
  sql: string;
  kind: "integer" | "hex" | "time" | "date";
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
   * Pages by keyset (after/before the cursor of a row) instead of an offset: a page reads its
   * own rows along an index however deep it is. Unique, in `orderBy`'s order (all descending).
   */
  keyset?: KeyPart[];
  /** Which filters bound the period named in an export's header. */
  period?: { from: string; to: string };
  /**
   * A condition on no row (a SECURITY DEFINER function of 0055), false only when row-level
   * security shows the department none of the table's rows: checked once before the scan, where
   * a policy is checked on each row the scan reads (all of them, to find none).
   */
  gate?: string;
  /** FROM for counting the rows: `from` without the joins that only add a row's columns. */
  countFrom?: string;
  /** The order ranks the rows (the largest first): exports keep it, not the ledger's order. */
  ranking?: boolean;
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
  code: /^[A-Z][A-Z0-9_]{0,30}$/,
  address: /^0x[0-9a-fA-F]{40}$/,
};

const FORMAT_WORDS: Record<FilterKind, string> = {
  date: "a date YYYY-MM-DD",
  hex32: "a 0x-prefixed 32-byte hex value",
  integer: "a whole number",
  state: "one of",
  code: "a code in capitals (TAX, FIRE_SAFETY)",
  address: "a 0x-prefixed 20-byte address",
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
  if (filter.kind === "hex32" || filter.kind === "address")
    return `decode(${literal(value.slice(2).toLowerCase())}, 'hex')`;
  if (filter.kind === "code") return `web.code_to_id(${literal(value)})`;
  if (filter.kind === "date") return `${literal(value)}::date`;
  if (filter.kind === "integer") return `${literal(value)}::numeric`;
  return literal(value);
}

// (a date's days since 1970 stay within the integer they are cast to)
const CURSOR_FORMATS: Record<KeyPart["kind"], RegExp> = {
  hex: /^0x[0-9a-f]{2,128}$/i,
  integer: /^\d{1,30}$/,
  time: /^\d{1,30}$/,
  date: /^\d{1,7}$/,
};

/** A keyset cursor: the key values of a row, `_`-separated (integers, 0x hex), each checked. */
export function parseCursor(def: TableDef, value: string): string[] {
  const parts = value.split("_");
  const ok =
    def.keyset !== undefined &&
    parts.length === def.keyset.length &&
    parts.every((part, i) => CURSOR_FORMATS[def.keyset![i].kind].test(part));
  if (!ok) throw new InputError(`page cursor is not one of ${def.id}'s`);
  return parts;
}

// An integer key's literal stays untyped: PostgreSQL gives it the column's type (bigint, numeric),
// so the row comparison runs along the column's index (a numeric literal would cast the column).
function keyValue(part: KeyPart, value: string): string {
  if (part.kind === "time") return `(timestamptz 'epoch' + ${literal(value)}::bigint * interval '1 microsecond')`;
  if (part.kind === "date") return `(date '1970-01-01' + ${literal(value)}::integer)`;
  return part.kind === "integer" ? literal(value) : `decode(${literal(value.slice(2).toLowerCase())}, 'hex')`;
}

export interface SelectOptions {
  /** Free text that looks like a spreadsheet formula is written as text. */
  spreadsheetSafe?: boolean;
  /** Keyset paging: rows after (or before) this cursor, and each row's own cursor as `__cursor`. */
  keyset?: { after?: string[]; before?: string[] };
  /** The row count alone: no columns (their subqueries would run for every row), no order. */
  count?: boolean;
  /** With count: stop counting there (a keyset page reads its own rows; its count need not read all). */
  countLimit?: number;
  /** No ORDER BY: the rows are summed, not shown. */
  unordered?: boolean;
  /**
   * For COPY: amounts, counts and times without their `::text` cast. COPY writes every value
   * with its type's output function, which is what the cast calls (the same text); the page
   * needs the cast (postgres.js would parse a timestamp into a Date), COPY only pays for it: a
   * copy of each value, 0.2 s of the backend's CPU in an export of 1,000,000 invoices.
   */
  copy?: boolean;
  /** An export: rows in ledger order (exportOrder below). */
  ledgerOrder?: boolean;
}

const UNCAST = new Set<Display>(["yuan", "count", "time"]);

/**
 * The zone the columns show times in. The city's zone is the chain's fixed UTC offset, named
 * Etc/GMT-8 and the like (config.ts, cityTimeZone): written as the offset, `at time zone`
 * shifts each time by it, where a zone's name is looked up again on every row (5% of the
 * backend's CPU in an export of 1,000,000 invoices, one time a row). The same times: an Etc
 * zone has no daylight saving. Other names stay names.
 */
function shownZone(timeZone: string): string {
  if (timeZone === "Etc/UTC") return "interval '00:00'";
  const etc = /^Etc\/GMT([+-])(\d{1,2})$/.exec(timeZone);
  // POSIX counts the other way round: Etc/GMT-8 is UTC+08:00.
  return etc ? `interval '${etc[1] === "-" ? "+" : "-"}${etc[2].padStart(2, "0")}:00'` : literal(timeZone);
}

/** Text that a spreadsheet would read as a formula (= + - @ first) made text with an apostrophe. */
function formulaGuard(text: string): string {
  return `regexp_replace(${text}, '^([=+@-])', '''\\1')`;
}

/**
 * The order an export lists a table's rows in, ledger order: the page's, each descending part
 * ascending, unless the order is a ranking (kept as it is). A page shows the newest first; a file
 * a department files is a ledger, oldest first (a day's totals, a project's payrolls, the chain's
 * invoices alike). It is also the order the chain's rows were written in: an export reads the
 * table's pages forwards, where the kernel's read-ahead fetches them before they are asked for,
 * not one at a time backwards (1,000,000 invoices read from disk: 6.6 s forwards, 14.4 s
 * backwards on the bench's machine). The same index serves both.
 */
export function exportOrder(def: TableDef): string {
  if (def.ranking) return def.orderBy;
  return def.orderBy
    .split(",")
    .map((part) => part.trim().replace(/\s+desc$/i, ""))
    .join(", ");
}

/** The SELECT of a table under its filters (no paging): what the page pages and exports copy. */
export function selectSql(def: TableDef, filters: Filters, timeZone: string, options: SelectOptions = {}): string {
  const where = def.filters
    .filter((f) => filters[f.key] !== undefined)
    .map((f) => f.condition.replace(/\$(?!tz)/g, () => filterValue(f, filters[f.key])));
  if (def.gate) where.unshift(`(select ${def.gate})`);
  // Free text from the chain (a proposal's description, say) must not reach a spreadsheet as a
  // formula: a leading = + - @ gets the apostrophe Excel and LibreOffice read as "text".
  const expression = (c: ColumnDef) => {
    if (options.spreadsheetSafe && c.display === "text" && !c.formulaSafe)
      return c.guarded ?? formulaGuard(`(${c.sql})::text`);
    // Only the types whose cast to text is their output function (not boolean's: true, not t).
    if (options.copy && UNCAST.has(c.display) && c.sql.endsWith("::text")) return c.sql.slice(0, -"::text".length);
    return c.sql;
  };
  const columns = def.columns.map((c) => `${expression(c)} as "${c.key}"`);
  let orderBy = options.ledgerOrder ? exportOrder(def) : def.orderBy;
  if (options.keyset && def.keyset) {
    const keys = def.keyset;
    const text = (k: KeyPart) =>
      k.kind === "integer"
        ? `(${k.sql})::text`
        : k.kind === "time"
          ? `((extract(epoch from ${k.sql}) * 1000000)::bigint)::text`
          : k.kind === "date"
            ? `(${k.sql} - date '1970-01-01')::text`
            : `'0x' || encode(${k.sql}, 'hex')`;
    columns.push(`${keys.map(text).join(" || '_' || ")} as "__cursor"`);
    const { after, before } = options.keyset;
    const tuple = `(${keys.map((k) => k.sql).join(", ")})`;
    if (after) where.push(`${tuple} < (${keys.map((k, i) => keyValue(k, after[i])).join(", ")})`);
    if (before) where.push(`${tuple} > (${keys.map((k, i) => keyValue(k, before[i])).join(", ")})`);
    // Before a cursor: walk up from it (ascending); the page puts the rows back in order.
    orderBy = keys.map((k) => `${k.sql} ${before ? "asc" : "desc"}`).join(", ");
  }
  const from = (options.count && def.countFrom ? def.countFrom : def.from).replaceAll("$tz", literal(timeZone));
  const selected = options.count ? "1" : columns.join(",\n  ").replaceAll("$tz", shownZone(timeZone));
  const sql = `select ${selected}\nfrom ${from}${
    where.length ? `\nwhere ${where.join(" and ").replaceAll("$tz", literal(timeZone))}` : ""
  }`;
  if (options.unordered) return sql;
  if (!options.count) return `${sql}\norder by ${orderBy}`;
  return `select count(*)::int as total from (${sql}${options.countLimit ? ` limit ${options.countLimit}` : ""}) t`;
}

// Expressions shared by the tables ------------------------------------------------------------

const hex = (column: string) => `'0x' || encode(${column}, 'hex')`;
// Fen to yuan: times 0.01 is exact and gives two decimals, at half the cost of round(x / 100.0, 2).
const yuan = (column: string) => `((${column}) * 0.01)::text`;
/**
 * Escrow amounts are settlement-token units, one token a yuan (deposits in the bank's ledger):
 * scaled by the project's token's decimals (escrow.token `t`; 18 until they are read).
 */
const tokenYuan = (column: string) => `round((${column}) / 10::numeric ^ coalesce(t.decimals, 18), 2)::text`;
/** The same where the project row is not joined (payrolls: human resources reads no project row). */
const payrollYuan = (column: string, project = "r.project_id") =>
  `round((${column}) / 10::numeric ^ coalesce(web.project_token_decimals(${project}), 18), 2)::text`;
/**
 * A pay period as the contract takes it (202607, YYYYMM) written as the month it is, 2026-07 (as
 * days are written 2026-07-31); anything else the contract let through as its digits.
 */
export const month = (column: string) =>
  `case when ${column}::text ~ '^[0-9]{4}(0[1-9]|1[0-2])$' then left(${column}::text, 4) || '-' || right(${column}::text, 2) else ${column}::text end`;
// (::timestamp(0)::text writes the same YYYY-MM-DD HH24:MI:SS as to_char, at a third of its cost.)
const time = (column: string) => `(${column} at time zone $tz)::timestamp(0)::text`;
/** A timestamptz that names a day (a milestone's due date): the city's day it falls on, YYYY-MM-DD. */
const day = (column: string) => `(${column} at time zone $tz)::date::text`;
// A bytes32 code as text, inline (the same as web.department_code, which PostgreSQL does not inline).
const code = (column: string) => `convert_from(rtrim(${column}, '\\x00'::bytea), 'UTF8')`;
/**
 * A bytes32 code an enterprise chose (an invoice code): bytes that are not valid UTF-8 must not
 * make the query fail, so they are written as octal escapes (encode … 'escape') instead.
 */
const chainCode = (column: string) => `encode(rtrim(${column}, '\\x00'::bytea), 'escape')`;
/**
 * chainCode with the formula guard, read from the code's first byte: the escaped text starts
 * with = + - @ exactly when the code's first byte is one (escape writes printable ASCII as it
 * is). The same text as formulaGuard's, without a regexp on every row (0.2 s of an export of
 * 1,000,000 invoices); an empty code (no bytes to read) is empty text.
 */
const guardedChainCode = (column: string) =>
  `case when octet_length(${column}) = 0 then '' when get_byte(${column}, 0) in (43, 45, 61, 64) then '''' || ${chainCode(column)} else ${chainCode(column)} end`;
/** The registration of a participant (an invoice's issuer or receiving company), as `pr`. */
const registrarJoin = (column: string) => `left join gov.participant_registered pr on pr.participant_id = ${column}`;
/** A participant as the department that registered it and its id's first 8 hex digits (needs registrarJoin). */
const participantLabel = (column: string) => `${code("pr.department_id")} || ':' || left(encode(${column}, 'hex'), 8)`;
const provenance = (alias: string): ColumnDef[] => [
  { key: "block_number", sql: `${alias}.block_number`, caption: "block", display: "block" },
  { key: "block_time", sql: time(`${alias}.block_time`), caption: "blockTime", display: "time" },
  { key: "tx_hash", sql: hex(`${alias}.tx_hash`), caption: "txHash", display: "tx" },
];

const YES_NO = ["yes", "no"];
const yesNo = (condition: string) => `case when ${condition} then 'yes' else 'no' end`;

/** From and to (local days, inclusive) on a timestamptz column. */
function period(column: string, captions: [TextKey, TextKey] = ["from", "to"]): FilterDef[] {
  return [
    { key: "from", kind: "date", caption: captions[0], condition: `${column} >= ($::timestamp at time zone $tz)` },
    {
      key: "to",
      kind: "date",
      caption: captions[1],
      condition: `${column} < (($::date + 1)::timestamp at time zone $tz)`,
    },
  ];
}

/** From and to (inclusive) on a report's local-day column. */
function dayPeriod(column: string): FilterDef[] {
  return [
    { key: "from", kind: "date", caption: "from", condition: `${column} >= $` },
    { key: "to", kind: "date", caption: "to", condition: `${column} <= $` },
  ];
}

/** What time says of a licence (Pending, Active, Expired) beside its standing, at the chain's time. */
const LICENCE_STATUS = "licences.status_at(l.standing, l.valid_from, l.valid_until, (select indexer.chain_time()))";

const projectLink = (r: Record<string, string>) => `/escrow/projects/${r.project_id}`;
/** A department of a project, linked to the projects where it takes any part (the department filter). */
const projectsOf = (key: string) => (r: Record<string, string>) => `/escrow?department=${r[key]}`;

/**
 * The latest event of a project's milestone, order or payroll as `e` (block, time, transaction):
 * the row's audit trail is the transaction that last changed it. A milestone nobody submitted
 * yet was set by the project's creation.
 *
 * Looked up in the row's `updated_block` (the block of its latest event among these tables, as the
 * read model writes it): bigint equality is leakproof, so under row-level security it is an index
 * condition on the events' key, where the ids' numeric equality is not and each shown row read
 * every event row of each table (a page of payrolls: seconds).
 */
function lastEvent(alias: string, tables: string[], key: string, orCreation = false): string {
  const events = tables.map(
    (t) => `select block_number, log_index, block_time, tx_hash from escrow.${t} x
            where x.block_number = ${alias}.updated_block and x.project_id = ${alias}.project_id and x.${key} = ${alias}.${key}`,
  );
  if (orCreation)
    events.push(`select block_number, log_index, block_time, tx_hash from escrow.project_created x
                 where x.block_number = ${alias}.updated_block and x.project_id = ${alias}.project_id`);
  return `left join lateral (select * from (${events.join(" union all ")}) x
    order by block_number desc, log_index desc limit 1) e on true`;
}

/**
 * A project's rows of a table (the project page's milestones, orders and payrolls): looked up by
 * their row addresses (web.project_*_rows, 0075), which tid equality, being leakproof, lets
 * row-level security use as a TID scan; `project_id = $` (numeric equality is not leakproof) ran
 * after the policy on every row of the table. The policy and the id condition still apply.
 */
const projectRows = (alias: string, table: string) =>
  `${alias}.ctid = any((select web.project_${table}_rows($))::tid[]) and ${alias}.project_id = $`;

const INVOICE_STATES = ["Issued", "Claimed", "Locked", "Reimbursed", "Voided"];
const PROPOSAL_STATES = ["Active", "Succeeded", "Executed", "Defeated", "Expired", "Cancelled"];

/** On invoices.invoice (the read model's state table), so the headline can skip the event tables. */
const invoiceFilters: FilterDef[] = [
  { key: "state", kind: "state", caption: "status", condition: "v.state = $", states: INVOICE_STATES },
  { key: "from", kind: "date", caption: "from", condition: "v.issued_at >= ($::timestamp at time zone $tz)" },
  { key: "to", kind: "date", caption: "to", condition: "v.issued_at < (($::date + 1)::timestamp at time zone $tz)" },
  { key: "issuer", kind: "hex32", caption: "issuer", condition: "v.issuer_id = $" },
  // On the number's digits (0060): text equality is leakproof, so row-level security lets it be
  // an index condition; `v.number = $` (numeric) would run after the policy, on every invoice.
  // The literal goes through numeric so 042 finds 42.
  { key: "number", kind: "integer", caption: "invoiceNumber", condition: "v.number_text = ($)::text" },
  // A reimbursement report's row (report.invoice_reimbursements_per_receiver_day): the receiving
  // company, and the day of reimbursement (local days, inclusive).
  { key: "receiver", kind: "hex32", caption: "receiver", condition: "v.receiver_id = $" },
  {
    key: "reimbursed_from",
    kind: "date",
    caption: "reimbursedFrom",
    condition: "v.reimbursed_at >= ($::timestamp at time zone $tz)",
  },
  {
    key: "reimbursed_to",
    kind: "date",
    caption: "reimbursedTo",
    condition: "v.reimbursed_at < (($::date + 1)::timestamp at time zone $tz)",
  },
  { key: "id", kind: "hex32", caption: "invoiceId", condition: "v.invoice_id = $" },
];

/** The invoice list of a report row: exactly the invoices the row counts, under the same row-level security. */
const invoicesOf = (params: Record<string, string>) => `/invoices?${new URLSearchParams(params)}`;

export const TABLES = {
  departments: {
    id: "departments",
    caption: "members",
    from: `gov.department_admitted a join gov.departments d using (department_id)`,
    columns: [
      // The department by its name in the UI's language (its code in the cell's title and in exports),
      // beside the name it registered on chain.
      { key: "code", sql: code("a.department_id"), caption: "department", display: "department" },
      { key: "name", sql: "a.name", caption: "registeredName", display: "text" },
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
      {
        key: "support",
        sql: "case when c.support then 'yes' else 'no' end",
        caption: "support",
        display: "state",
        domain: "vote",
      },
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
    // The state table itself: the row holds its issuance's transaction hash (0060), so a page
    // and an export read along the order's index with no join to the events and no sort. The
    // issuer's label is made once per issuer, not once per invoice: `offset 0` keeps the
    // subquery whole, and PostgreSQL memoizes it by issuer (5,000 labels for 1,000,000 rows).
    from: `invoices.invoice v
      left join lateral (
        select ${formulaGuard(participantLabel("pr.participant_id"))} as label
        from gov.participant_registered pr where pr.participant_id = v.issuer_id offset 0
      ) pr on true`,
    columns: [
      {
        key: "invoice_id",
        sql: hex("v.invoice_id"),
        caption: "invoiceId",
        display: "hex",
        link: (r) => `/invoices/${r.invoice_id}`,
      },
      {
        key: "code",
        sql: chainCode("v.code"),
        guarded: guardedChainCode("v.code"),
        caption: "invoiceCode",
        display: "text",
      },
      { key: "number", sql: "v.number_text", caption: "invoiceNumber", display: "text", formulaSafe: true },
      // Guarded against formulas where the label is made (from, above), on the page too.
      { key: "issuer", sql: "pr.label", caption: "issuer", display: "text", formulaSafe: true },
      { key: "amount", sql: yuan("v.amount"), caption: "amount", display: "yuan" },
      { key: "tax", sql: yuan("v.tax"), caption: "tax", display: "yuan" },
      { key: "total", sql: yuan("v.amount + v.tax"), caption: "totalWithTax", display: "yuan" },
      { key: "state", sql: "v.state", caption: "status", display: "state" },
      { key: "credited", sql: yuan("v.credited"), caption: "credited", display: "yuan" },
      { key: "reimbursed", sql: yuan("v.reimbursed"), caption: "reimbursed", display: "yuan" },
      { key: "block_number", sql: "v.issued_block", caption: "block", display: "block" },
      { key: "block_time", sql: time("v.issued_at"), caption: "blockTime", display: "time" },
      { key: "tx_hash", sql: hex("v.tx_hash"), caption: "txHash", display: "tx" },
    ],
    filters: invoiceFilters,
    // Newest first along an index (0041; by state and by number, 0044), so a page reads its own
    // rows, not every invoice; deep pages continue from a row's key (keyset), not an OFFSET.
    orderBy: "v.issued_at desc, v.invoice_id desc",
    keyset: [
      { sql: "v.issued_at", kind: "time" },
      { sql: "v.invoice_id", kind: "hex" },
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
      { key: "contract", sql: "f.contract_name", caption: "contract", display: "contract" },
      // (shown by the name it has in the row's contract)
      { key: "function", sql: "f.function_name", caption: "function", display: "function" },
      { key: "error", sql: "f.error_name", caption: "error", display: "error" },
      ...provenance("f"),
    ],
    filters: period("f.block_time"),
    // The block, then the transaction's position in it: a block holds several failed attempts.
    orderBy: "f.block_number desc, f.tx_index desc",
    period: { from: "from", to: "to" },
  },
  licences: {
    id: "licences",
    caption: "licences",
    // No join: the planner would join every licence before taking a page (it cannot tell that
    // issued_block picks one issuance); the transaction hash is one index lookup per shown row.
    from: `licences.licence l`,
    gate: "web.sees_licences()",
    columns: [
      {
        key: "licence_id",
        sql: hex("l.licence_id"),
        caption: "licenceId",
        display: "hex",
        link: (r) => `/licences/${r.licence_id}`,
      },
      {
        key: "type",
        sql: chainCode("l.type_id"),
        guarded: guardedChainCode("l.type_id"),
        caption: "licenceType",
        display: "text",
        names: "licenceType",
      },
      { key: "issuer", sql: code("l.department_id"), caption: "issuingDepartment", display: "department" },
      { key: "holder", sql: hex("l.holder"), caption: "holder", display: "hex" },
      { key: "status", sql: LICENCE_STATUS, caption: "status", display: "state", domain: "licence" },
      { key: "version", sql: "l.version::text", caption: "version", display: "count" },
      { key: "valid_from", sql: time("l.valid_from"), caption: "validFrom", display: "time" },
      { key: "valid_until", sql: time("l.valid_until"), caption: "validUntil", display: "time" },
      {
        key: "uses",
        sql: "(select count(*) from licences.licence_use u where u.licence_id = l.licence_id)::text",
        caption: "uses",
        display: "count",
      },
      { key: "block_number", sql: "l.issued_block", caption: "block", display: "block" },
      { key: "block_time", sql: time("l.issued_at"), caption: "blockTime", display: "time" },
      {
        key: "tx_hash",
        sql: hex(
          "(select i.tx_hash from licences.licence_issued i where i.licence_id = l.licence_id and i.block_number = l.issued_block)",
        ),
        caption: "txHash",
        display: "tx",
      },
    ],
    filters: [
      {
        key: "status",
        kind: "state",
        caption: "status",
        condition: `${LICENCE_STATUS} = $`,
        states: ["Pending", "Active", "Suspended", "Expired", "Revoked"],
        domain: "licence",
      },
      { key: "type", kind: "code", caption: "licenceType", condition: "l.type_id = $" },
      { key: "department", kind: "code", caption: "issuingDepartment", condition: "l.department_id = $" },
      { key: "holder", kind: "address", caption: "holder", condition: "l.holder = $" },
      ...period("l.issued_at"),
      { key: "id", kind: "hex32", caption: "licenceId", condition: "l.licence_id = $" },
    ],
    orderBy: "l.issued_block desc, l.licence_id desc",
    keyset: [
      { sql: "l.issued_block", kind: "integer" },
      { sql: "l.licence_id", kind: "hex" },
    ],
    period: { from: "from", to: "to" },
  },
  licence_uses: {
    id: "licence_uses",
    caption: "uses",
    from: `licences.licence_use u`,
    columns: [
      {
        key: "licence_id",
        sql: hex("u.licence_id"),
        caption: "licenceId",
        display: "hex",
        link: (r) => `/licences/${r.licence_id}`,
      },
      { key: "department", sql: code("u.department_id"), caption: "actingDepartment", display: "department" },
      {
        key: "purpose",
        sql: chainCode("u.purpose"),
        guarded: guardedChainCode("u.purpose"),
        caption: "purpose",
        display: "text",
        names: "purpose",
      },
      { key: "operator", sql: hex("u.operator"), caption: "operator", display: "hex" },
      { key: "version", sql: "u.version::text", caption: "version", display: "count" },
      { key: "valid", sql: yesNo("u.valid_at_use"), caption: "validAtUse", display: "bool" },
      { key: "consent", sql: yesNo("u.consent_until is not null"), caption: "consentInForce", display: "bool" },
      { key: "block_number", sql: "u.used_block", caption: "block", display: "block" },
      { key: "block_time", sql: time("u.used_at"), caption: "blockTime", display: "time" },
      { key: "tx_hash", sql: hex("u.tx_hash"), caption: "txHash", display: "tx" },
    ],
    filters: [
      { key: "licence", kind: "hex32", caption: "licenceId", condition: "u.licence_id = $" },
      { key: "department", kind: "code", caption: "actingDepartment", condition: "u.department_id = $" },
      { key: "purpose", kind: "code", caption: "purpose", condition: "u.purpose = $" },
      { key: "valid", kind: "state", caption: "validAtUse", condition: "u.valid_at_use = ($ = 'yes')", states: YES_NO },
      ...period("u.used_at"),
    ],
    orderBy: "u.used_block desc, u.used_log_index desc",
    keyset: [
      { sql: "u.used_block", kind: "integer" },
      { sql: "u.used_log_index", kind: "integer" },
    ],
    period: { from: "from", to: "to" },
  },
  projects: {
    id: "projects",
    caption: "projects",
    from: `escrow.project p
      join escrow.project_created c on c.project_id = p.project_id
      left join escrow.token t on t.token = p.token`,
    gate: "web.sees_projects(false)",
    columns: [
      {
        key: "project_id",
        sql: "p.project_id::text",
        caption: "project",
        display: "text",
        link: (r) => `/escrow/projects/${r.project_id}`,
      },
      { key: "state", sql: "p.state", caption: "status", display: "state", domain: "project" },
      { key: "frozen", sql: yesNo("p.frozen"), caption: "frozen", display: "bool" },
      { key: "bureau", sql: code("p.bureau_id"), caption: "bureau", display: "department", link: projectsOf("bureau") },
      { key: "bank", sql: code("p.bank_id"), caption: "bank", display: "department", link: projectsOf("bank") },
      // The two departments a project names for its oversight (0068): null before the contract named them.
      {
        key: "regulator",
        sql: code("p.regulator_id"),
        caption: "projectRegulator",
        display: "department",
        link: projectsOf("regulator"),
      },
      {
        key: "human_resources",
        sql: code("p.human_resources_id"),
        caption: "humanResources",
        display: "department",
        link: projectsOf("human_resources"),
      },
      { key: "budget", sql: tokenYuan("p.budget"), caption: "budget", display: "yuan" },
      { key: "money_in", sql: tokenYuan("p.funded + p.guarantee_deposited"), caption: "moneyIn", display: "yuan" },
      {
        key: "balance",
        sql: tokenYuan("p.unreleased + p.wage_balance + p.payable_balance + p.guarantee_balance"),
        caption: "balance",
        display: "yuan",
      },
      { key: "wage_account", sql: tokenYuan("p.wage_balance"), caption: "wageAccount", display: "yuan" },
      { key: "wages_owed", sql: tokenYuan("p.wages_owed"), caption: "wagesOwed", display: "yuan" },
      { key: "milestones", sql: "p.milestone_count::text", caption: "milestones", display: "count" },
      ...provenance("c"),
    ],
    filters: [
      {
        key: "state",
        kind: "state",
        caption: "status",
        condition: "p.state = $",
        states: ["Open", "Closed", "Settled"],
        domain: "project",
      },
      {
        key: "department",
        kind: "code",
        caption: "department",
        condition: "$ in (p.bureau_id, p.bank_id, p.regulator_id, p.human_resources_id)",
      },
      { key: "frozen", kind: "state", caption: "frozen", condition: "p.frozen = ($ = 'yes')", states: YES_NO },
      ...period("p.created_at"),
      { key: "id", kind: "integer", caption: "project", condition: "p.project_id = $" },
    ],
    orderBy: "p.project_id desc",
    keyset: [{ sql: "p.project_id", kind: "integer" }],
    period: { from: "from", to: "to" },
  },
  milestones: {
    id: "milestones",
    // The settlement token's decimals by the definer function, memoized per project (`offset 0`,
    // as the invoices' issuer label): joining escrow.project ran its policy over every project
    // (3-4 ms a read as the construction bureau at city scale), whichever project the page shows.
    caption: "milestones",
    from: `escrow.milestone m
      left join lateral (select web.project_token_decimals(m.project_id) as decimals offset 0) t on true
      ${lastEvent("m", ["milestone_submitted", "milestone_released", "milestone_rejected"], "milestone_index", true)}`,
    columns: [
      { key: "project_id", sql: "m.project_id::text", caption: "project", display: "text", link: projectLink },
      { key: "milestone", sql: "m.milestone_index::text", caption: "milestone", display: "text" },
      { key: "state", sql: "m.state", caption: "status", display: "state", domain: "milestone" },
      { key: "amount", sql: tokenYuan("m.amount"), caption: "amount", display: "yuan" },
      { key: "due", sql: day("m.due_date"), caption: "dueDate", display: "text", formulaSafe: true },
      { key: "to_wage_account", sql: tokenYuan("m.to_wage_account"), caption: "wageAccount", display: "yuan" },
      { key: "rejections", sql: "m.rejections::text", caption: "rejections", display: "count" },
      ...provenance("e"),
    ],
    filters: [
      { key: "project", kind: "integer", caption: "project", condition: projectRows("m", "milestone") },
      {
        key: "state",
        kind: "state",
        caption: "status",
        condition: "m.state = $",
        states: ["Pending", "Submitted", "Released", "Rejected"],
        domain: "milestone",
      },
    ],
    orderBy: "m.project_id desc, m.milestone_index",
  },
  payment_orders: {
    id: "payment_orders",
    caption: "paymentOrders",
    from: `escrow.payment_order o
      left join lateral (select web.project_token_decimals(o.project_id) as decimals offset 0) t on true
      ${lastEvent("o", ["payment_ordered", "payment_order_paid", "payment_order_rejected"], "order_id")}`,
    columns: [
      { key: "project_id", sql: "o.project_id::text", caption: "project", display: "text", link: projectLink },
      { key: "order_id", sql: "o.order_id::text", caption: "paymentOrder", display: "text" },
      { key: "state", sql: "o.state", caption: "status", display: "state", domain: "paymentOrder" },
      { key: "payee", sql: hex("o.payee_id"), caption: "payee", display: "hex" },
      { key: "amount", sql: tokenYuan("o.amount"), caption: "amount", display: "yuan" },
      ...provenance("e"),
    ],
    filters: [
      { key: "project", kind: "integer", caption: "project", condition: projectRows("o", "payment_order") },
      {
        key: "state",
        kind: "state",
        caption: "status",
        condition: "o.state = $",
        states: ["Ordered", "Paid", "Rejected"],
        domain: "paymentOrder",
      },
    ],
    orderBy: "o.project_id desc, o.order_id desc",
  },
  payrolls: {
    id: "payrolls",
    caption: "payrolls",
    // Decimals by a definer function, not a join on escrow.project: human resources reads every
    // payroll but no project row (0043).
    from: `escrow.payroll r
      ${lastEvent("r", ["payroll_submitted", "payroll_approved", "payroll_paid", "payroll_rejected", "payroll_cancelled"], "payroll_id")}`,
    countFrom: "escrow.payroll r",
    gate: "web.sees_projects(true)",
    columns: [
      { key: "project_id", sql: "r.project_id::text", caption: "project", display: "text", link: projectLink },
      { key: "payroll_id", sql: "r.payroll_id::text", caption: "payroll", display: "text" },
      { key: "period", sql: month("r.period"), caption: "payPeriod", display: "month" },
      { key: "state", sql: "r.state", caption: "status", display: "state", domain: "payroll" },
      { key: "workers", sql: "r.workers::text", caption: "workers", display: "count" },
      { key: "total", sql: payrollYuan("r.total"), caption: "amount", display: "yuan" },
      { key: "from_guarantee", sql: payrollYuan("r.from_guarantee"), caption: "fromGuarantee", display: "yuan" },
      { key: "paid_by", sql: code("r.paid_by"), caption: "bank", display: "department" },
      ...provenance("e"),
    ],
    filters: [
      { key: "project", kind: "integer", caption: "project", condition: projectRows("r", "payroll") },
      {
        key: "state",
        kind: "state",
        caption: "status",
        condition: "r.state = $",
        states: ["Submitted", "Approved", "Paid", "Rejected", "Cancelled"],
        domain: "payroll",
      },
      // The day of submission, which a pay period (a month) is not.
      ...period("r.submitted_at", ["submittedFrom", "submittedTo"]),
    ],
    orderBy: "r.project_id desc, r.payroll_id desc",
    keyset: [
      { sql: "r.project_id", kind: "integer" },
      { sql: "r.payroll_id", kind: "integer" },
    ],
    period: { from: "from", to: "to" },
  },
  wages_owed: {
    id: "wages_owed",
    caption: "wagesOwed",
    from: `report.wages_owed w`,
    gate: "web.sees_projects(true)",
    columns: [
      { key: "project_id", sql: "w.project_id::text", caption: "project", display: "text", link: projectLink },
      { key: "state", sql: "w.state", caption: "status", display: "state", domain: "project" },
      { key: "bank", sql: "w.bank_code", caption: "bank", display: "department" },
      { key: "wages_owed", sql: "round(w.wages_owed_scaled, 2)::text", caption: "wagesOwed", display: "yuan" },
      {
        key: "wage_account",
        sql: payrollYuan("w.wage_account_balance", "w.project_id"),
        caption: "wageAccount",
        display: "yuan",
      },
      {
        key: "guarantee",
        sql: payrollYuan("w.guarantee_balance", "w.project_id"),
        caption: "wageGuarantee",
        display: "yuan",
      },
    ],
    filters: [],
    orderBy: "w.wages_owed desc, w.project_id",
    ranking: true,
  },
  invoice_totals: {
    id: "invoice_totals",
    caption: "reportInvoiceTotals",
    from: `report.invoice_totals_per_issuer_day r ${registrarJoin("r.issuer_id")}`,
    countFrom: `report.invoice_totals_per_issuer_day r`,
    columns: [
      {
        key: "issuer",
        sql: participantLabel("r.issuer_id"),
        caption: "issuer",
        display: "text",
      },
      { key: "day", sql: "r.day::text", caption: "day", display: "text" },
      {
        key: "invoices",
        sql: "r.invoices::text",
        caption: "invoiceCount",
        display: "count",
        // The invoices issued by the issuer that day (its local day, which the table's filters share).
        link: (r) => invoicesOf({ issuer: r.issuer_id, from: r.day, to: r.day }),
      },
      { key: "amount", sql: yuan("r.amount"), caption: "amount", display: "yuan" },
      { key: "tax", sql: yuan("r.tax"), caption: "tax", display: "yuan" },
      { key: "issuer_id", sql: hex("r.issuer_id"), caption: "issuer", display: "hex", hidden: true },
    ],
    filters: dayPeriod("r.day"),
    orderBy: "r.day desc, r.issuer_id desc",
    keyset: [
      { sql: "r.day", kind: "date" },
      { sql: "r.issuer_id", kind: "hex" },
    ],
    period: { from: "from", to: "to" },
  },
  reimbursements: {
    id: "reimbursements",
    caption: "reportReimbursements",
    from: `report.invoice_reimbursements_per_receiver_day r ${registrarJoin("r.receiver_id")}`,
    countFrom: `report.invoice_reimbursements_per_receiver_day r`,
    columns: [
      {
        key: "receiver",
        sql: participantLabel("r.receiver_id"),
        caption: "receiver",
        display: "text",
      },
      { key: "day", sql: "r.day::text", caption: "day", display: "text" },
      {
        key: "invoices",
        sql: "r.invoices::text",
        caption: "invoiceCount",
        display: "count",
        // The invoices reimbursed by the company that day, still reimbursed (what the row counts).
        link: (r) =>
          invoicesOf({
            receiver: r.receiver_id,
            state: "Reimbursed",
            reimbursed_from: r.day,
            reimbursed_to: r.day,
          }),
      },
      { key: "amount", sql: yuan("r.amount"), caption: "reimbursed", display: "yuan" },
      { key: "receiver_id", sql: hex("r.receiver_id"), caption: "receiver", display: "hex", hidden: true },
    ],
    filters: dayPeriod("r.day"),
    orderBy: "r.day desc, r.receiver_id desc",
    keyset: [
      { sql: "r.day", kind: "date" },
      { sql: "r.receiver_id", kind: "hex" },
    ],
    period: { from: "from", to: "to" },
  },
  invoices_per_state: {
    id: "invoices_per_state",
    caption: "reportInvoicesPerState",
    from: `report.invoices_per_state r ${registrarJoin("r.issuer_id")}`,
    countFrom: `report.invoices_per_state r`,
    columns: [
      { key: "issuer", sql: participantLabel("r.issuer_id"), caption: "issuer", display: "text" },
      { key: "state", sql: "r.state", caption: "status", display: "state" },
      {
        key: "invoices",
        sql: "r.invoices::text",
        caption: "invoiceCount",
        display: "count",
        link: (r) => invoicesOf({ issuer: r.issuer_id, state: r.state }),
      },
      { key: "amount", sql: yuan("r.amount"), caption: "amount", display: "yuan" },
      { key: "issuer_id", sql: hex("r.issuer_id"), caption: "issuer", display: "hex", hidden: true },
    ],
    filters: [],
    orderBy: "r.issuer_id, r.state",
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
