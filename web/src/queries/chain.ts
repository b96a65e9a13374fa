/**
 * The chain as the database holds it: the indexed head (what exports name and live updates
 * announce) and a transaction's rows across every table the department may read.
 */
import type { Tx } from "../db.js";

export interface Head {
  number: string;
  hash: string;
  time: Date | null;
}

export async function chainHead(tx: Tx): Promise<Head | null> {
  const [row] = await tx`
    select c.block_number::text as number, '0x' || encode(c.block_hash, 'hex') as hash, b.block_time as time
    from indexer.checkpoint c left join raw.blocks b using (block_number)`;
  return row ? { number: row.number, hash: row.hash, time: row.time } : null;
}

/** Tables with provenance (block_number, log_index, tx_hash) in the project's schemas. */
export async function eventTables(tx: Tx): Promise<string[]> {
  const rows = await tx`
    select table_schema || '.' || table_name as name from information_schema.columns
    where column_name in ('tx_hash', 'log_index', 'block_number') and table_schema in ('gov', 'access', 'invoices', 'licences', 'escrow')
      and (table_schema, table_name) in (select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE')
    group by 1 having count(*) = 3 order by 1`;
  return rows.map((row) => row.name as string);
}

export interface TransactionRows {
  block: { number: string; hash: string; time: Date } | null;
  events: {
    event: string;
    log_index: string;
    args: Record<string, unknown>;
    /** Code of the department that acted, if a department did. */
    department: string | null;
    /** Code of the department that registered the enterprise that acted, if one did. */
    registrar: string | null;
    /**
     * Decimals of the event's amounts: 2 for the invoices' fen; for escrow, the project's token's
     * (or the token's own, for its transfers), 18 until known; null elsewhere.
     */
    decimals: number | null;
  }[];
  failed: Record<string, string> | null;
}

export async function transaction(tx: Tx, tables: string[], hash: string, block: string): Promise<TransactionRows> {
  const hashHex = hash.slice(2).toLowerCase();
  const [blockRow] = await tx`
    select block_number::text as number, '0x' || encode(hash, 'hex') as hash, block_time as time
    from raw.blocks where block_number = ${block}`;
  // One statement over every event table; each lookup is its primary key's prefix (block_number),
  // and each table's policy applies, so only rows this department may read come back. In the
  // order of the log, then the table: a working table (licences.issued_licence) repeats its
  // events' log indexes, and the page lists the same rows in the same order every time.
  const union = tables
    .map(
      (name) =>
        `select '${name}' as event, log_index::text, to_jsonb(t) ->> 'contract' as contract,
                to_jsonb(t) - 'block_number' - 'log_index' - 'tx_hash' - 'block_time' - 'contract' as args
         from ${name} t where block_number = $1 and tx_hash = decode($2, 'hex')`,
    )
    .join("\nunion all\n");
  // The acting department: the event's own department (or a licence's issuing department);
  // for an enterprise's action, the department that registered the enterprise.
  const events = tables.length
    ? await tx.unsafe(
        `with e as (${union})
         select e.event, e.log_index,
                -- Numbers as their digits: a uint256 (36000000000000000000000) read as a JSON
                -- number would reach the page as 3.6e+22.
                (select jsonb_object_agg(a.key, case when jsonb_typeof(a.value) = 'number' then to_jsonb(a.value #>> '{}') else a.value end)
                 from jsonb_each(e.args) a) as args,
                case when e.event like 'invoices.%' then 2
                     when e.event like 'escrow.%' then coalesce(
                       web.project_token_decimals((e.args ->> 'project_id')::numeric),
                       (select k.decimals from escrow.token k where k.token = decode(substr(e.contract, 3), 'hex')), 18)::int
                end as decimals,
                web.department_code(decode(substr(coalesce(e.args ->> 'department_id', e.args ->> 'issuer'), 3), 'hex')) as department,
                (select web.department_code(r.department_id) from gov.participant_registered r
                 where r.participant_id = decode(substr(coalesce(e.args ->> 'issuer_id', e.args ->> 'contractor',
                   e.args ->> 'developer', e.args ->> 'receiver_id', e.args ->> 'holder_participant',
                   e.args ->> 'applicant_participant',
                   -- an invoice's later events (InvoiceCredited): its issuer's
                   (select '0x' || encode(i.issuer_id, 'hex') from invoices.invoice i
                    where i.invoice_id = decode(substr(e.args ->> 'invoice_id', 3), 'hex'))), 3), 'hex') limit 1) as registrar
         from e order by e.log_index::bigint, e.event`,
        [block, hashHex],
      )
    : [];
  const [failed] = await tx`
    select department_code as department, registrar_code as registrar, '0x' || encode(sender, 'hex') as sender,
           contract_name, function_name, error_name, error_args::text
    from report.failed_attempts where block_number = ${block} and tx_hash = decode(${hashHex}, 'hex')`;
  return {
    block: blockRow ? { number: blockRow.number, hash: blockRow.hash, time: blockRow.time } : null,
    events: events as unknown as TransactionRows["events"],
    failed: (failed as Record<string, string>) ?? null,
  };
}
