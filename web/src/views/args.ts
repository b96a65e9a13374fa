/**
 * A contract event's arguments as a transaction's page shows them: each value in the form staff
 * read elsewhere in the app (a pay period as its month, fen as yuan, an enum by its name, a
 * department by its name and code), the value as the chain holds it kept beside it (data-raw, and
 * on hover where the two differ) for auditors. What each argument is comes from its name (the
 * indexer's column, snake_case of the ABI's); test/web/chain-names.test.ts fails when an event
 * argument of the compiled ABIs has no kind here. Owns no query and no caption (i18n.ts).
 */
import { html } from "hono/html";
import { toFunctionSelector, type AbiFunction } from "viem";

import { abis, roleName } from "@govledger/contracts";

import { enumArg } from "../chain-names.js";
import type { Locale } from "../i18n.js";
import { type Html, money } from "./layout.js";

/**
 * What an argument holds, and so how it reads:
 * - hex: an address, a hash or a participant's id (salted): its 0x hex is what there is to read
 * - id: a number that names a row (project, payroll, proposal, step): its digits
 * - count, money (fen, or token units by the event's decimals), bps (basis points, as a percent)
 * - time (seconds since 1970, in the city's time zone; 0 is none), day (a due date), duration (seconds)
 * - payPeriod (YYYYMM, as the contracts take a payroll's), quotaPeriod (months since January 1970
 *   in the city's time, InvoiceLedger.periodOf): both as the month
 * - department (a bytes32 department code), code (an invoice's or a step's code), licenceType,
 *   purpose (codes with names), codeOrHash (a bytes32 reason: a code, else a hash; or a string)
 * - enum (by the ABI's enum type), bool, vote, role (AccessManager role id), selector (a function's),
 *   calldata (a call, by its function), text (a string)
 * - a struct: its fields' kinds by the ABI's (camelCase) field names, each under its caption
 */
export type ArgKind =
  | "hex"
  | "id"
  | "count"
  | "money"
  | "bps"
  | "time"
  | "day"
  | "duration"
  | "payPeriod"
  | "quotaPeriod"
  | "department"
  | "code"
  | "licenceType"
  | "purpose"
  | "codeOrHash"
  | "enum"
  | "bool"
  | "vote"
  | "role"
  | "selector"
  | "calldata"
  | "text"
  | { readonly [field: string]: ArgKind };

/** Arguments by name (the indexer's column): one name is one kind in every event that has it. */
const ARG_KINDS: Record<string, ArgKind> = {
  account: "hex",
  admin: "role",
  amount: "money",
  amounts: "money",
  applicant: "hex",
  applicant_participant: "hex",
  application_id: "id",
  authority: "hex",
  balance: "money",
  bank: "department",
  batch_root: "hex",
  buyer: "hex",
  by_signature: "bool",
  caller: "hex",
  calls: { target: "hex", data: "calldata" },
  changed_department: "department",
  claimant: "hex",
  closed: "bool",
  code: "code",
  consent_required: "bool",
  contractor: "hex",
  count: "count",
  credit_note_id: "hex",
  credited: "money",
  data: "calldata",
  default_validity: "duration",
  delay: "duration",
  department_id: "department",
  depends_on: "hex",
  description: "text",
  developer: "hex",
  document_hash: "hex",
  enabled: "bool",
  evidence_hash: "hex",
  executor: "hex",
  expires_at: "time",
  from: "hex",
  from_guarantee: "money",
  from_wage_account: "money",
  guarantee_release_at: "time",
  guardian: "role",
  holder: "hex",
  holder_participant: "hex",
  identity_hash: "hex",
  invoice_id: "hex",
  issuer: "department",
  issuer_id: "hex",
  kind: "enum",
  label: "text",
  lapses_at: "time",
  licence_id: "hex",
  licence_step: "id",
  licence_type: "licenceType",
  max_amount: "money",
  milestone_index: "id",
  milestones: { amount: "money", dueDate: "day", descriptionHash: "hex" },
  name: "text",
  new_member: "bool",
  new_party: "department",
  nonce: "id",
  number: "id",
  operation_id: "hex",
  operator: "hex",
  operators: "hex",
  order_id: "id",
  owner: "hex",
  participant_id: "hex",
  party: "enum",
  payee: "hex",
  payroll_id: "id",
  period_amount_quota: "money",
  period_count_quota: "count",
  previous_party: "department",
  previous_receiver_id: "hex",
  project_id: "id",
  proposal_id: "id",
  proposer: "hex",
  purpose: "purpose",
  ready_at: "time",
  reason: "codeOrHash",
  receiver_id: "hex",
  reference_hash: "hex",
  refunded: "money",
  registry: "hex",
  reimbursable: "money",
  required: "count",
  result_hash: "hex",
  role_id: "role",
  rules: { thresholdBps: "bps", votingPeriod: "duration", executionDelay: "duration", executionWindow: "duration" },
  schedule: "time",
  sealing: "bool",
  selector: "selector",
  // (AccessManager's `since`: the moment a role or delay takes effect)
  since: "time",
  spender: "hex",
  state: "enum",
  step: "id",
  steps: { code: "code", departmentId: "department", prerequisites: "id" },
  subcontractor: "hex",
  supervisor: "hex",
  support: "vote",
  target: "hex",
  tax: "money",
  template_id: "hex",
  terms: {
    developer: "hex",
    contractor: "hex",
    supervisor: "hex",
    bank: "department",
    regulator: "department",
    humanResources: "department",
    token: "hex",
    budget: "money",
    labourShareBps: "bps",
    guaranteeAmount: "money",
    guaranteeHoldingPeriod: "duration",
    contractHash: "hex",
  },
  to: "hex",
  to_payable: "money",
  to_wage_account: "money",
  total: "money",
  total_amount: "money",
  trusted: "bool",
  type_id: "licenceType",
  until: "time",
  valid_from: "time",
  valid_until: "time",
  validator: "hex",
  validator_set: "hex",
  value: "money",
  version: "id",
  vote_end: "time",
  voter: "hex",
  worker: "hex",
  workers: "hex",
};

/**
 * Where one name holds different things (event table, then column): a payroll's pay period is
 * YYYYMM (202607), an invoice batch's quota period months since January 1970 (678).
 */
const EVENT_ARG_KINDS: Record<string, Record<string, ArgKind>> = {
  payroll_submitted: { period: "payPeriod" },
  invoice_batch_issued: { period: "quotaPeriod" },
};

/** The kind of `column` of the event table `table` (`invoices.invoice_issued` or `invoice_issued`), or undefined. */
export function argKind(table: string, column: string): ArgKind | undefined {
  const name = table.slice(table.indexOf(".") + 1);
  const own = EVENT_ARG_KINDS[name];
  if (own && Object.hasOwn(own, column)) return own[column];
  return Object.hasOwn(ARG_KINDS, column) ? ARG_KINDS[column] : undefined;
}

/** The functions of the contracts by selector (0x12345678 → reimburse), for a selector or a call's data. */
const SELECTORS: ReadonlyMap<string, string> = (() => {
  const found = new Map<string, string>();
  for (const abi of Object.values(abis) as readonly (readonly { type: string }[])[])
    for (const item of abi)
      if (item.type === "function") found.set(toFunctionSelector(item as AbiFunction), (item as AbiFunction).name);
  return found;
})();

/** An amount of `decimals` decimals as yuan, rounded half up to the fen: ¥36,000.00. */
function scaledYuan(units: bigint, decimals: number): string {
  const fen =
    decimals >= 2
      ? (units + (decimals > 2 ? 5n * 10n ** BigInt(decimals - 3) : 0n)) / 10n ** BigInt(decimals - 2)
      : units * 10n ** BigInt(2 - decimals);
  return money(`${fen / 100n}.${(fen % 100n).toString().padStart(2, "0")}`);
}

/** The code a bytes32 holds (CONS, FIRE_SAFETY: capitals, then zero bytes), or undefined. */
function codeIn(hex: string): string | undefined {
  if (!/^0x[0-9a-f]{64}$/i.test(hex)) return undefined;
  const text = Buffer.from(hex.slice(2), "hex").toString("latin1").replace(/\0+$/, "");
  // (an invoice code is digits: 044031900111)
  return /^[A-Z0-9][A-Z0-9_]{1,31}$/.test(text) ? text : undefined;
}

/** Bytes as 0x hex: PostgreSQL's jsonb writes a bytea as \\x…, the indexer's jsonb as 0x… (an address checksummed). */
const hexOf = (value: unknown): string | undefined =>
  typeof value === "string" && /^(\\x|0x)[0-9a-fA-F]*$/.test(value) ? `0x${value.slice(2)}` : undefined;

const digits = (value: unknown): bigint | undefined =>
  (typeof value === "string" || typeof value === "number") && /^\d{1,78}$/.test(String(value))
    ? BigInt(value)
    : undefined;

/** The value as the chain holds it: digits, 0x hex, true/false, JSON for lists and structs. */
export function rawArg(value: unknown): string {
  if (typeof value === "string") return hexOf(value) ?? value;
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "string" ? (hexOf(v) ?? v) : v)) ?? String(value);
}

/** A code with its name where it has one: 住房和城乡建设局 (CONS). */
const named = (name: string, code: string) => (name === code ? code : `${name} (${code})`);

/** One value of a kind as staff read it, or undefined when it is not what the kind expects. */
function readable(
  l: Locale,
  kind: ArgKind,
  table: string,
  key: string,
  value: unknown,
  decimals: number | null,
): string | undefined {
  if (value === null || value === undefined) return "—";
  if (Array.isArray(value)) {
    // An empty list (a licence with no prerequisite licences) as "none", not as JSON's [].
    if (value.length === 0) return "—";
    const items = value.map((item) => readable(l, kind, table, key, item, decimals));
    return items.every((item) => item !== undefined) ? `[${items.join(", ")}]` : undefined;
  }
  if (typeof kind === "object") {
    if (typeof value !== "object") return undefined;
    // Each field under its caption in the page's language (labourShareBps → 人工费用占比); the
    // ABI's field names stay in the raw JSON (data-raw, and on hover).
    const fields = Object.entries(value as Record<string, unknown>).map(([field, item]) => {
      const fieldKind = Object.hasOwn(kind, field) ? kind[field] : undefined;
      return `${l.field(field)}: ${(fieldKind && readable(l, fieldKind, table, field, item, decimals)) ?? rawArg(item)}`;
    });
    return `{${fields.join(", ")}}`;
  }
  const hex = hexOf(value);
  const number = digits(value);
  switch (kind) {
    case "hex":
      return hex;
    case "id":
      return number?.toString();
    case "count":
      return number === undefined ? undefined : l.count(number);
    case "money":
      return number === undefined || decimals === null ? undefined : scaledYuan(number, decimals);
    case "bps":
      return number === undefined ? undefined : `${number / 100n}.${(number % 100n).toString().padStart(2, "0")}%`;
    case "time":
    case "day": {
      const format = kind === "time" ? l.dateTime : l.date;
      if (number !== undefined) return number === 0n ? "—" : format(new Date(Number(number) * 1000));
      // (a state table's timestamptz, as jsonb writes it)
      return typeof value === "string" && !Number.isNaN(Date.parse(value)) ? format(value) : undefined;
    }
    case "duration":
      return number === undefined ? undefined : l.duration(number);
    case "payPeriod": {
      const match = /^(\d{4})(0[1-9]|1[0-2])$/.exec(String(value));
      return match ? l.month(`${match[1]}-${match[2]}`) : undefined;
    }
    case "quotaPeriod": {
      // (a four-digit year, as l.month takes it)
      if (number === undefined || 1970n + number / 12n > 9999n) return undefined;
      return l.month(`${1970n + number / 12n}-${String((number % 12n) + 1n).padStart(2, "0")}`);
    }
    case "department": {
      const code = hex && codeIn(hex);
      return code ? named(l.department(code), code) : hex;
    }
    case "code":
      return (hex && codeIn(hex)) ?? hex;
    case "licenceType":
    case "purpose": {
      const code = hex && codeIn(hex);
      return code ? named(l.named(kind, code), code) : hex;
    }
    case "codeOrHash":
      return hex ? (codeIn(hex) ?? hex) : typeof value === "string" ? value : undefined;
    case "enum": {
      // (the chain writes its number: "state: 已红冲 (Applied)")
      const member = enumArg(table, key, value);
      return member && named(l.enumMember(member.enum, member.member), member.member);
    }
    case "bool":
    case "vote":
      return typeof value === "boolean"
        ? l.state(value ? "yes" : "no", kind === "vote" ? "vote" : undefined)
        : undefined;
    case "role": {
      // (by its caption with the role's name beside it, as Roles.sol and the deploy parameters
      // write it: "税务部门 (TAX_AUTHORITY)"; the id in data-raw)
      if (number === undefined) return undefined;
      const name = roleName(number);
      return named(l.role(name), name);
    }
    case "selector":
    case "calldata": {
      const name = hex && SELECTORS.get(hex.slice(0, 10).toLowerCase());
      if (!name) return hex;
      const fn = named(l.fn("", name), name);
      return kind === "selector" ? fn : `${fn}: ${hex}`;
    }
    case "text":
      return typeof value === "string" ? value : undefined;
  }
}

/** An argument whose name has no kind: its raw text, a bytes32 that holds a code as the code. */
function fallback(l: Locale, value: unknown): string {
  return rawArg(value).replace(/0x([0-9a-fA-F]{64})\b/g, (hex) => {
    const code = codeIn(hex);
    return code ? named(l.department(code), code) : hex;
  });
}

/** One argument's value: readable, the chain's value in data-raw, and on hover where the two differ. */
export function argValue(l: Locale, table: string, key: string, value: unknown, decimals: number | null): Html {
  const kind = argKind(table, key);
  const raw = rawArg(value);
  const text = (kind && readable(l, kind, table, key, value, decimals)) ?? fallback(l, value);
  return text === raw
    ? html`<span class="val" data-raw="${raw}">${text}</span>`
    : html`<span class="val" data-raw="${raw}" title="${raw}">${text}</span>`;
}

/**
 * An event's arguments, one per line, each under its caption (issuer_id → 开票方, the key on
 * hover): staff read "部门: 住房和城乡建设局 (CONS)", not department_id and 64 hex digits.
 */
export function argText(l: Locale, table: string, args: Record<string, unknown>, decimals: number | null): Html {
  const lines = Object.entries(args).map(([key, value]) => {
    // By its caption in the page's language; the table's own key (issuer_id), as exports and
    // the indexer's tables write it, on hover and in the markup (data-key) for auditors.
    const caption = l.arg(key);
    const label =
      caption === key
        ? html`<code class="arg" data-key="${key}">${key}</code>`
        : html`<span class="arg" data-key="${key}" title="${key}">${caption}</span>`;
    return html`${label}: ${argValue(l, table, key, value, decimals)}`;
  });
  // (one argument a line: td.args keeps the line breaks)
  return html`${lines.flatMap((line, i) => (i === 0 ? [line] : ["\n", line]))}`;
}
