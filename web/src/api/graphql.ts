/**
 * GraphQL over the read model (PostGraphile v5): which relations are exposed, how they relate,
 * and the per-request settings that make PostgreSQL's row-level security apply. This module
 * builds the schema and the grafserv instance; it never decides who may see a row (the policies
 * of indexer/migrations/0040-0043 do) and never reads a row itself.
 *
 * Exposed: the views of the read model's schemas (docs/reporting.md: state views and reports),
 * all of which run as their caller, and report.invoice_count (0070) as `invoiceCount`. Hidden:
 * the tables under them (event tables, state tables, working tables), the raw and indexer
 * schemas, every other function, and every mutation. docs/schema.graphql prints the result.
 */
import "./env.js";

import type { PgClass } from "postgraphile/graphile-build-pg/pg-introspection";
import { postgraphile, type PostGraphileInstance } from "postgraphile";
import { TYPES } from "postgraphile/@dataplan/pg";
import { makePgService } from "postgraphile/adaptors/pg";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { pgSmartTags, type PgSmartTagRule } from "postgraphile/utils";
import { PgSimplifyInflectionPreset } from "@graphile/simplify-inflection";
import { PostGraphileConnectionFilterPreset } from "postgraphile-plugin-connection-filter";
import { GraphQLError, Kind } from "postgraphile/graphql";
import type { Pool } from "pg";
import { makeMaskError } from "./errors.js";
import type { Sql } from "postgres";

export const SCHEMAS = ["invoices", "licences", "escrow", "gov", "access", "report"];

/** Which department a request reads as: set by the API's authentication (app.ts). */
declare global {
  namespace Grafast {
    interface Context {
      department?: string;
    }
  }
}

// Views have no keys of their own: these name the keys the state tables under them have (every
// exposed view has one: nodeId, a lookup by key, cursors in a stable order), and
// the relations integrators follow (invoice -> credit notes -> transactions, licence -> uses,
// project -> payrolls, ...). `@foreignFieldName` names the list on the referenced side.
const VIEW_TAGS: Record<string, Record<string, string | string[]>> = {
  "invoices.invoices": { primaryKey: "invoice_id" },
  "invoices.credit_notes": {
    primaryKey: "credit_note_id",
    foreignKey:
      "(invoice_id) references invoices.invoices (invoice_id)|@fieldName invoice|@foreignFieldName creditNotes",
  },
  "invoices.credit_note_history": {
    primaryKey: "block_number,log_index",
    foreignKey:
      "(credit_note_id) references invoices.credit_notes (credit_note_id)|@fieldName creditNote|@foreignFieldName transactions",
  },
  "invoices.state_history": {
    primaryKey: "block_number,log_index",
    foreignKey:
      "(invoice_id) references invoices.invoices (invoice_id)|@fieldName invoice|@foreignFieldName transactions",
  },
  "invoices.issuers": { primaryKey: "issuer_id" },
  "licences.licences": { primaryKey: "licence_id" },
  "licences.licence_uses": {
    primaryKey: "used_block,used_log_index",
    foreignKey: "(licence_id) references licences.licences (licence_id)|@fieldName licence|@foreignFieldName uses",
  },
  "licences.suspensions": {
    primaryKey: "licence_id,number",
    foreignKey:
      "(licence_id) references licences.licences (licence_id)|@fieldName licence|@foreignFieldName suspensionHistory",
  },
  "licences.licence_versions": {
    primaryKey: "licence_id,version",
    foreignKey: "(licence_id) references licences.licences (licence_id)|@fieldName licence|@foreignFieldName versions",
  },
  "escrow.projects": { primaryKey: "project_id" },
  "escrow.payrolls": {
    primaryKey: "project_id,payroll_id",
    foreignKey: "(project_id) references escrow.projects (project_id)|@fieldName project|@foreignFieldName payrolls",
  },
  "escrow.milestones": {
    primaryKey: "project_id,milestone_index",
    foreignKey: "(project_id) references escrow.projects (project_id)|@fieldName project|@foreignFieldName milestones",
  },
  "escrow.payment_orders": {
    primaryKey: "project_id,order_id",
    foreignKey:
      "(project_id) references escrow.projects (project_id)|@fieldName project|@foreignFieldName paymentOrders",
  },
  "licences.consents": {
    primaryKey: "licence_id,department_id,purpose",
    foreignKey: "(licence_id) references licences.licences (licence_id)|@fieldName licence|@foreignFieldName consents",
  },
  "licences.templates": { primaryKey: "template_id" },
  "licences.applications": { primaryKey: "application_id" },
  "licences.application_steps": {
    primaryKey: "application_id,step",
    foreignKey:
      "(application_id) references licences.applications (application_id)|@fieldName application|@foreignFieldName steps",
  },
  "escrow.subcontractors": { primaryKey: "project_id,subcontractor_id" },
  "escrow.workers": { primaryKey: "project_id,worker" },
  "gov.departments": { primaryKey: "department_id" },
  "gov.participants": { primaryKey: "participant_id" },
  "gov.proposals": { primaryKey: "proposal_id" },
  // Governance and access: the state tables' keys, or what the contracts keep unique (an account
  // operates for one department at a time; a department holds a role once; the registry's
  // validators, paused contracts and votes are one per key). api.test.ts proves each in SQL.
  "gov.operators": { primaryKey: "account" },
  "gov.operator_history": { primaryKey: "account,from_block,from_log_index" },
  "gov.department_roles": { primaryKey: "department_id,role_id" },
  "gov.participant_roles": { primaryKey: "participant_id,role_id" },
  "gov.proposal_votes": { primaryKey: "proposal_id,department_id" },
  "gov.paused_contracts": { primaryKey: "contract" },
  "gov.validators": { primaryKey: "validator" },
  "gov.sealing_validators": { primaryKey: "validator" },
  "access.role_members": { primaryKey: "role_id,account" },
  "access.function_roles": { primaryKey: "target,selector" },
  "invoices.issuer_rules": { primaryKey: "issuer_id" },
  // A holder's nonce is used once (LicenceRegistry's Nonces).
  "licences.cancelled_signed_consents": { primaryKey: "holder,nonce" },
  "escrow.project_ledgers": { primaryKey: "project_id" },
  // A subcontractor is added again only after its removal, which hides the earlier row.
  "escrow.project_subcontractors": { primaryKey: "project_id,subcontractor" },
  // Reports: one row per key (a department, an issuer or a project, per day), which cursors need.
  "report.failed_attempts": { primaryKey: "block_number,tx_index" },
  "report.failed_attempts_per_department": { primaryKey: "department_id,day" },
  "report.invoices_per_issuer_day": { primaryKey: "issuer_id,day" },
  "report.reimbursements_per_receiver_day": { primaryKey: "receiver_id,day" },
  "report.invoice_totals_per_issuer_day": { primaryKey: "issuer_id,day" },
  "report.invoice_reimbursements_per_receiver_day": { primaryKey: "receiver_id,day" },
  "report.licences_per_department_day": { primaryKey: "department_id,day" },
  "report.licences_per_department": { primaryKey: "department_id" },
  "report.licence_uses_not_valid": { primaryKey: "used_block,used_log_index" },
  "report.project_balances": { primaryKey: "project_id" },
  "report.project_balances_per_day": { primaryKey: "project_id,day" },
  "report.wages_paid": { primaryKey: "project_id,payroll_id" },
  "report.wages_per_project_day": { primaryKey: "project_id,day" },
  "report.wages_owed": { primaryKey: "project_id" },
  "report.cancelled_wage_claims": { primaryKey: "project_id,payroll_id,entry" },
  "report.consents_per_state": { primaryKey: "department_id,state" },
  "report.credit_notes_per_state": { primaryKey: "registrar_id,state" },
  // department_id is null only for an issuer no department registered, which the ledger refuses.
  "report.invoices_per_department_day": { primaryKey: "department_id,day,state" },
  "report.invoices_per_state": { primaryKey: "issuer_id,state" },
  "report.licences_per_status": { primaryKey: "department_id,type_id,status" },
  "report.payrolls_per_state": { primaryKey: "project_id,state" },
};

/** Each exposed view's key columns ("schema.view" -> columns), which the tests prove unique. */
export function viewKeys(): Map<string, string[]> {
  return new Map(Object.entries(VIEW_TAGS).map(([name, tags]) => [name, (tags.primaryKey as string).split(",")]));
}

/**
 * The lists that offer `totalCount`: those whose size the consortium's set-up bounds (departments,
 * roles, validators, templates, proposals) or that hold a few rows per department and day (the
 * rollups). Every other list grows with the city's business, and `totalCount` is `count(*)` under
 * row-level security over all of it (a second or more at 1,000,000 invoices): counts of those come
 * from the rollups instead (`invoiceCount`, `invoicesPerDepartmentDay`, `licencesPerStatus`,
 * `payrollsPerState`), and paging needs only `pageInfo.hasNextPage`.
 */
const COUNTED = new Set([
  "gov.departments",
  "gov.department_roles",
  "gov.operators",
  "gov.operator_history",
  "gov.validators",
  "gov.sealing_validators",
  "gov.paused_contracts",
  "gov.proposals",
  "gov.proposal_votes",
  "access.function_roles",
  "access.role_members",
  "licences.templates",
  "report.failed_attempts_per_department",
  "report.consents_per_state",
  "report.credit_notes_per_state",
  "report.invoices_per_department_day",
  "report.licences_per_department",
  "report.licences_per_department_day",
  "report.licences_per_status",
]);

/** Functions offered as query fields (every other function is hidden). */
const QUERY_FUNCTIONS = new Set(["report.invoice_count"]);

function qualified(pgClass: PgClass): string {
  return `${pgClass.getNamespace()?.nspname}.${pgClass.relname}`;
}

/** A view's name when it is not a plural noun (its last word is its own singular), else undefined. */
function viewNamedAsIs(
  inflection: { singularize(text: string): string },
  codec: { extensions?: { pg?: { schemaName?: string; name?: string } } },
): string | undefined {
  const pg = codec.extensions?.pg;
  if (!pg?.schemaName || !pg.name || !SCHEMAS.includes(pg.schemaName)) return undefined;
  const last = pg.name.split("_").pop()!;
  return inflection.singularize(last) === last ? pg.name : undefined;
}

function smartTagRules(tables: string[]): PgSmartTagRule[] {
  const rules: PgSmartTagRule[] = [
    // Tables (event rows, state tables, working tables) stay internal: the views are the API.
    // A state table shares its view's name in the singular (invoices.invoice, invoices.invoices):
    // an internal name keeps the hidden one from claiming the view's type names.
    ...tables.map((name): PgSmartTagRule => ({
      kind: "class",
      match: (c: PgClass) => qualified(c) === name,
      tags: { behavior: "-*", name: `internal_${name.replace(".", "_")}` },
    })),
    // Functions are the read model's machinery (chain time, refreshes, RLS helpers), but for the
    // few offered as query fields.
    {
      kind: "procedure",
      match: (p) => !QUERY_FUNCTIONS.has(`${p.getNamespace()?.nspname}.${p.proname}`),
      tags: { behavior: "-*" },
    },
    {
      kind: "procedure",
      match: (p) => QUERY_FUNCTIONS.has(`${p.getNamespace()?.nspname}.${p.proname}`),
      tags: { behavior: "-* +queryField" },
    },
    {
      kind: "class",
      match: (c: PgClass) =>
        c.relkind === "v" && SCHEMAS.includes(c.getNamespace()?.nspname ?? "") && !COUNTED.has(qualified(c)),
      tags: { behavior: "-totalCount" },
    },
  ];
  for (const [name, tags] of Object.entries(VIEW_TAGS)) {
    const fk = tags.foreignKey as string | undefined;
    rules.push({
      kind: "class",
      match: (c: PgClass) => qualified(c) === name,
      tags: { primaryKey: tags.primaryKey as string, ...(fk ? { foreignKey: fk } : {}) },
    });
  }
  return rules;
}

const HEX = /^0x(?:[0-9a-fA-F]{2})*$/;
function hexBytes(value: unknown): string {
  if (typeof value !== "string" || !HEX.test(value)) {
    throw new GraphQLError(
      `HexBytes must be 0x followed by an even number of hex digits, not ${JSON.stringify(value)}`,
    );
  }
  return value.toLowerCase();
}

// bytea values travel through PostGraphile as PostgreSQL's own hex text (\\x…) rather than as
// Buffers, and leave as 0x hex (HexBytes below). A cursor holds the key's values as JSON, and
// PostGraphile sends them back as query parameters without decoding them: a Buffer came back as
// {"type":"Buffer",…} and a 0x string as escape-format bytea, so paging by a key with a bytea
// column (most of the read model's: invoice ids, licence ids) repeated or skipped rows
// (PostGraphile 5.1.5, @dataplan/pg 1.1.2). PostgreSQL's text survives the round trip.
// Ids and hashes are what integrators filter by (an issuer's invoices, a licence's uses), and
// PostgreSQL compares bytea bytewise: equality and order are natural, so filters and orderBy
// may use them (PostGraphile leaves binary columns out of both by default).
const bytea = TYPES.bytea as unknown as {
  fromPg(text: string): string;
  toPg(value: unknown): string;
  isBinary?: boolean;
  hasNaturalEquality: boolean;
  hasNaturalOrdering: boolean;
};
bytea.isBinary = false;
bytea.hasNaturalEquality = true;
bytea.hasNaturalOrdering = true;
bytea.fromPg = (text: string) => {
  if (!text.startsWith("\\x")) throw new Error("bytea must come in hex format (bytea_output = 'hex')");
  return text;
};
bytea.toPg = (value: unknown) =>
  Buffer.isBuffer(value) ? `\\x${value.toString("hex")}` : `\\x${String(value).replace(/^(0x|\\x)/, "")}`;

/**
 * Names and scalars integrators expect: hashes, ids and accounts as 0x hex (as the chain and the
 * contracts' ABIs show them), not PostGraphile's default Base64; type names without a schema
 * prefix (the relations' names do not collide across the read model's schemas).
 */
const ReadModelNamesPlugin: GraphileConfig.Plugin = {
  name: "GovledgerReadModelNamesPlugin",
  version: "1.0.0",
  inflection: {
    replace: {
      builtin(previous, _options, text) {
        return text === "Base64EncodedBinary" ? "HexBytes" : previous!(text);
      },
      _schemaPrefix() {
        return "";
      },
      // Functions are hidden, but still named: overloads across schemas must not collide.
      functionResourceName(_previous, _options, { pgProc }) {
        const name = `${pgProc.getNamespace()?.nspname}_${pgProc.proname}`;
        return QUERY_FUNCTIONS.has(`${pgProc.getNamespace()?.nspname}.${pgProc.proname}`) ? pgProc.proname : name;
      },
      // A view whose name is not a plural noun (a report per something, a history: its last word
      // is no plural) keeps its name for its list (`wagesOwed`, `invoiceTotalsPerIssuerDay`,
      // `stateHistory`) rather than PostGraphile's plural of that word (`wagesOweds`,
      // `…PerIssuerDays`, `stateHistories`), and a row by its key is `<type>By<Key>`
      // (`wagesOwedByProjectId`), since the list has the short name. Views named in the plural
      // (`invoices`) give `invoices` and `invoice(invoiceId)`.
      allRowsConnection(previous, _options, resource) {
        const view = viewNamedAsIs(this, resource.codec);
        return view ? this.connectionField(this.camelCase(view)) : previous!(resource);
      },
      rowByUnique(previous, _options, details) {
        const { resource, unique } = details;
        const view = viewNamedAsIs(this, resource.codec);
        if (!view) return previous!(details);
        return this.camelCase(`${view}-by-${(unique.attributes as string[]).join("-and-")}`);
      },
      // A row's own ids are `invoiceId`, `projectId`…: the global object id is `nodeId` (fetched
      // by `invoiceByNodeId`), not an `id` to mistake for them.
      nodeIdFieldName() {
        return "nodeId";
      },
    },
  },
  schema: {
    hooks: {
      GraphQLScalarType(config) {
        if (config.name !== "HexBytes") return config;
        return {
          ...config,
          description: "Bytes as 0x-prefixed hex (hashes, ids, accounts)",
          serialize: (data: unknown) =>
            Buffer.isBuffer(data) ? `0x${data.toString("hex")}` : `0x${String(data).replace(/^\\x/, "")}`,
          parseValue: hexBytes,
          parseLiteral: (ast) => hexBytes(ast.kind === Kind.STRING ? ast.value : undefined),
        };
      },
    },
  },
};

export interface GraphqlOptions {
  /** A pool of govledger_web (a non-owner role, subject to row-level security); the caller ends it. */
  pool: Pool;
  /** Every table of SCHEMAS ("schema.table"), hidden: tableNames() lists them. */
  tables: string[];
  /** Where an execution error masked for the client (errors.ts) is logged in full. */
  log?: (message: string) => void;
}

/** The tables of the exposed schemas, to hide (views are the API). */
export async function tableNames(sql: Sql): Promise<string[]> {
  const rows = await sql`select n.nspname || '.' || c.relname as name from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any(${SCHEMAS}) and c.relkind in ('r', 'p', 'm', 'f') order by 1`;
  return rows.map((row) => row.name as string);
}

export function createGraphql(options: GraphqlOptions): PostGraphileInstance {
  const preset: GraphileConfig.Preset = {
    extends: [PostGraphileAmberPreset, PgSimplifyInflectionPreset, PostGraphileConnectionFilterPreset],
    plugins: [
      ReadModelNamesPlugin,
      pgSmartTags(smartTagRules(options.tables), null, { name: "GovledgerReadModelTagsPlugin" }),
    ],
    disablePlugins: [
      // Filtering one list by another's rows (a join per row, at a million invoices): not offered.
      "PgConnectionArgFilterBackwardRelationsPlugin",
      "PgConnectionArgFilterForwardRelationsPlugin",
    ],
    pgServices: [makePgService({ pool: options.pool, schemas: SCHEMAS })],
    schema: {
      // Read only: govledger_web may not write these relations anyway; no mutation is offered.
      defaultBehavior: "-insert -update -delete",
      // Filters only where they can be planned well: no filtering through relations' lists.
      connectionFilterRelations: false,
      connectionFilterComputedColumns: false,
      connectionFilterSetofFunctions: false,
      connectionFilterArrays: false,
    },
    grafserv: {
      graphqlPath: "/graphql",
      graphiql: true,
      graphiqlOnGraphQLGET: true,
      // Queries come by POST only, past app.ts's authentication and limits; GET serves GraphiQL.
      graphqlOverGET: false,
      graphiqlPath: "/graphql",
      watch: false,
      maxRequestLength: 100_000,
      websockets: false,
      // Every error gets an extensions.code; PostgreSQL's and the server's own are masked.
      maskError: makeMaskError(options.log ?? ((message) => console.error(message))),
    },
    grafast: {
      explain: false,
      // Every operation runs in a transaction that sets the department with SET LOCAL
      // (set_config(..., true)): the same setting the dashboard sets, so the same rows.
      context(requestContext) {
        const department = requestContext.honov4?.ctx.get("department" as never) as string | undefined;
        return { department, pgSettings: { "govledger.department": department ?? "" } };
      },
    },
  };
  return postgraphile(preset);
}
