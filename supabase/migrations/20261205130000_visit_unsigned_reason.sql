-- A visit completed without the customer's signature says why ("nobody home", "tenant at
-- work"): the office sees the reason on the job page. The technician's completion form asks
-- for it (older visits, and visits closed otherwise, have none).

-- Why: the technician's word for a missing signature; personal (it can name people).
alter table public.visits
  add column unsigned_reason text not null default ''
    constraint visits_unsigned_reason_length check (length(unsigned_reason) <= 500);
grant update (unsigned_reason) on public.visits to authenticated;

insert into audit.personal_columns (table_name, column_name)
values ('public.visits', 'unsigned_reason');

-- Why: like the signer's name, the reason is written as the visit is completed and never
-- after (nor before), whoever writes: a technician cannot change it once the office relies on
-- it, and nobody rewrites a finished visit.
create function app.visits_unsigned_reason_on_completion() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if new.unsigned_reason <> old.unsigned_reason
     and not (old.status = 'on_site' and new.status = 'completed') then
    raise exception 'why nobody signed is said as the visit is completed, and not changed'
      using errcode = 'check_violation', constraint = 'visits_unsigned_reason_on_completion';
  end if;
  return new;
end
$$;
revoke execute on function app.visits_unsigned_reason_on_completion() from public;

create trigger visits_unsigned_reason_on_completion
  before update of unsigned_reason on public.visits
  for each row execute function app.visits_unsigned_reason_on_completion();
