-- Why: pages that join a customer only for its name (the dispatch board, "my day", job lists)
-- were planned through customers_name_idx, the one index that covers (tenant_id, id,
-- display_name) for an index-only scan: it is ordered by name, so each lookup by id read the
-- company's whole name index (889 entries per visit on a board of 150 visits; 2,000 per visit on
-- "my day"). The planner costs that on an average company, where it is cheap. A key lookup that
-- covers the name is cheaper still for every company.
create index customers_id_name_idx on public.customers (tenant_id, id) include (display_name);
