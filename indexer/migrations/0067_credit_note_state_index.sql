-- Credit notes per state (`npm run bench:reports`, "credit notes per state": 24-38 ms at p50,
-- 46-56 ms at p95 at city scale). A note's state (invoices.credit_notes) follows from three
-- columns and the chain's time; counting the 20,746 notes read the whole table (682 pages of
-- wide rows). Those three columns alone are 50 pages: an index-only scan, half the time.
create index credit_note_state on invoices.credit_note (issued_state, confirmed_at, lapses_at);
