-- When each periodic job of the worker (jobs/worker.py) is next due, and which worker runs it
-- now. The schedule is the database's, not a worker's memory: a restarted worker does not run
-- every job at once, and two workers side by side run each job once per period. A worker
-- claims a due job by taking its lease (`leased_until`, renewed while the job runs: a
-- heartbeat), so a worker that dies, even by SIGKILL, holds the job only until its lease runs
-- out. Due times and leases are by the database clock (app.now()), as the other leases of the
-- jobs are: a test moves the clock past a lease instead of waiting for it.

-- Why: the worker's bookkeeping of its periodic jobs (service role only). `failures` counts
-- the failed runs in a row (the backoff grows with it); `runs` counts every run started, so a
-- job run twice in a period shows.
create table app.job_schedule (
  job text primary key,
  due_at timestamptz not null default '-infinity',
  leased_until timestamptz,
  leased_by text,
  failures integer not null default 0,
  runs bigint not null default 0,
  last_started_at timestamptz,
  last_finished_at timestamptz,
  last_error text
);
revoke all on app.job_schedule from anon, authenticated;
grant select, insert, update on app.job_schedule to service_role;
alter table app.job_schedule enable row level security;
