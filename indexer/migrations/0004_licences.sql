-- E-licences mirror (schema licences): licence register and joint approvals, one typed table
-- per event; views of current state; reports.

create schema if not exists licences;

create table licences.application_completed (
  application_id numeric(78,0),
  licence_id bytea,
  issuer bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table licences.application_submitted (
  application_id numeric(78,0),
  template_id bytea,
  applicant bytea,
  applicant_participant bytea,
  document_hash bytea,
  depends_on jsonb,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table licences.application_withdrawn (
  application_id numeric(78,0),
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table licences.consent_granted (
  licence_id bytea,
  department_id bytea,
  purpose bytea,
  holder bytea,
  holder_participant bytea,
  until numeric(78,0),
  by_signature boolean,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table licences.consent_withdrawn (
  licence_id bytea,
  department_id bytea,
  purpose bytea,
  holder bytea,
  holder_participant bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table licences.eip712_domain_changed (
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table licences.licence_issued (
  licence_id bytea,
  type_id bytea,
  issuer bytea,
  holder bytea,
  document_hash bytea,
  valid_from numeric(78,0),
  valid_until numeric(78,0),
  depends_on jsonb,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table licences.licence_reinstated (
  licence_id bytea,
  issuer bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table licences.licence_renewed (
  licence_id bytea,
  issuer bytea,
  version bigint,
  document_hash bytea,
  valid_from numeric(78,0),
  valid_until numeric(78,0),
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table licences.licence_revoked (
  licence_id bytea,
  department_id bytea,
  reason bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table licences.licence_suspended (
  licence_id bytea,
  issuer bytea,
  reason bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table licences.licence_type_set (
  type_id bytea,
  default_validity numeric(78,0),
  consent_required boolean,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table licences.licence_used (
  licence_id bytea,
  department_id bytea,
  purpose bytea,
  operator bytea,
  version bigint,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table licences.step_approved (
  application_id numeric(78,0),
  department_id bytea,
  step bigint,
  result_hash bytea,
  operator bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table licences.step_opened (
  application_id numeric(78,0),
  department_id bytea,
  step bigint,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table licences.step_rejected (
  application_id numeric(78,0),
  department_id bytea,
  step bigint,
  reason bytea,
  operator bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table licences.step_resubmitted (
  application_id numeric(78,0),
  step bigint,
  document_hash bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table licences.template_defined (
  template_id bytea,
  licence_type bytea,
  issuer bytea,
  licence_step bigint,
  steps jsonb,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table licences.template_retired (
  template_id bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table licences.trusted_issuer_set (
  type_id bytea,
  department_id bytea,
  trusted boolean,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);

create index licence_issued_licence on licences.licence_issued (licence_id);
create index licence_renewed_licence on licences.licence_renewed (licence_id);
create index licence_suspended_licence on licences.licence_suspended (licence_id);
create index licence_reinstated_licence on licences.licence_reinstated (licence_id);
create index licence_revoked_licence on licences.licence_revoked (licence_id);
create index licence_used_licence on licences.licence_used (licence_id);

-- Each licence as it stands now (its latest version; status from time, suspension, revocation).
-- A revoked licence it depends on makes it invalid too (dependency_revoked).
create view licences.licences as
with current_version as (
  select l.licence_id, l.type_id, l.issuer, l.holder, l.depends_on, l.block_time as issued_at,
         coalesce(r.version, 1) as version,
         coalesce(r.document_hash, l.document_hash) as document_hash,
         coalesce(r.valid_from, l.valid_from) as valid_from,
         coalesce(r.valid_until, l.valid_until) as valid_until
  from licences.licence_issued l
  left join lateral (
    select version, document_hash, valid_from, valid_until from licences.licence_renewed n
    where n.licence_id = l.licence_id order by n.block_number desc, n.log_index desc limit 1
  ) r on true
)
select c.*,
       exists (select 1 from licences.licence_revoked v where v.licence_id = c.licence_id) as revoked,
       coalesce((
         select e.suspended from (
           select block_number, log_index, true as suspended from licences.licence_suspended where licence_id = c.licence_id
           union all
           select block_number, log_index, false from licences.licence_reinstated where licence_id = c.licence_id
         ) e order by e.block_number desc, e.log_index desc limit 1
       ), false) as suspended,
       exists (
         select 1 from jsonb_array_elements_text(c.depends_on) d
         join licences.licence_revoked v on v.licence_id = decode(substr(d, 3), 'hex')
       ) as dependency_revoked,
       case
         when exists (select 1 from licences.licence_revoked v where v.licence_id = c.licence_id) then 'Revoked'
         when to_timestamp(c.valid_until) <= indexer.chain_time() then 'Expired'
         when to_timestamp(c.valid_from) > indexer.chain_time() then 'Pending'
         else 'Active'
       end as status
from current_version c;

-- Consents in force: the latest grant or withdrawal per licence, department and purpose.
create view licences.consents as
select distinct on (licence_id, department_id, purpose)
       licence_id, department_id, purpose, holder, until, by_signature, granted, block_number, block_time
from (
  select licence_id, department_id, purpose, holder, until, by_signature, true as granted, block_number, log_index, block_time
  from licences.consent_granted
  union all
  select licence_id, department_id, purpose, holder, null, null, false, block_number, log_index, block_time
  from licences.consent_withdrawn
) e
order by licence_id, department_id, purpose, block_number desc, log_index desc;

-- Joint applications and where they stand.
create view licences.applications as
select a.application_id, a.template_id, a.applicant, a.applicant_participant, a.block_time as submitted_at,
       case
         when exists (select 1 from licences.application_completed c where c.application_id = a.application_id) then 'Completed'
         when exists (select 1 from licences.application_withdrawn w where w.application_id = a.application_id) then 'Withdrawn'
         else 'InProgress'
       end as status,
       (select c.licence_id from licences.application_completed c where c.application_id = a.application_id) as licence_id
from licences.application_submitted a;

-- Each step's latest decision (Open, Approved, Rejected) per application.
create view licences.application_steps as
select distinct on (application_id, step) application_id, step, department_id, state, block_number, block_time
from (
  select application_id, step, department_id, 'Open' as state, block_number, log_index, block_time from licences.step_opened
  union all
  select application_id, step, department_id, 'Approved', block_number, log_index, block_time from licences.step_approved
  union all
  select application_id, step, department_id, 'Rejected', block_number, log_index, block_time from licences.step_rejected
  union all
  select s.application_id, s.step, o.department_id, 'Open', s.block_number, s.log_index, s.block_time
  from licences.step_resubmitted s
  join licences.step_opened o on o.application_id = s.application_id and o.step = s.step
) e
order by application_id, step, block_number desc, log_index desc;

-- Reports --------------------------------------------------------------------------------------

create view report.licences_per_department as
with issued as (
  select issuer as department_id, count(*) as issued from licences.licence_issued group by 1
), revoked as (
  select department_id, count(*) as revoked from licences.licence_revoked group by 1
), used as (
  select department_id, count(*) as used from licences.licence_used group by 1
)
select coalesce(i.department_id, r.department_id, u.department_id) as department_id,
       coalesce(i.issued, 0) as issued,
       coalesce(r.revoked, 0) as revoked,
       coalesce(u.used, 0) as used
from issued i
full join revoked r on r.department_id = i.department_id
full join used u on u.department_id = coalesce(i.department_id, r.department_id);
