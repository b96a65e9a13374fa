-- The licence list's use count (`select count(*) from licences.licence_use u where u.licence_id =
-- l.licence_id`, one per shown licence) as an index-only scan. Row-level security checks each use
-- it counts (user_or_issuer: the use's department_id, and its licence's issuer by licence_id),
-- so with department_id only in the heap every counted use was a heap fetch: an export of all
-- 200,000 licences as the regulator fetched its 2,000,000 uses one by one from a table five
-- times the size of shared buffers (49 s at city scale). With department_id in the index the
-- count reads one leaf page a licence. At BENCH_SCALE=0.25 (50,000 licences, 503,178 uses), as
-- AUDIT, warm: 1.9-2.9 s → 0.57 s, 650,000 → 150,000 buffers; cold, 53,000 → 10,000 reads.
-- The same order and name as 0020's index (a licence's uses page reads along it), one column more.
create index licence_use_licence_department on licences.licence_use (licence_id, used_block desc, used_log_index desc)
  include (department_id);
drop index licences.licence_use_licence;
alter index licences.licence_use_licence_department rename to licence_use_licence;
