-- A legal hold on a customer (P-10): while the company must keep a homeowner's records (an open
-- dispute, a claim, a court order), erasure is refused with the reason the owner or admin wrote.

-- Why: the reason for the hold, in the company's words; empty means no hold. It can name the
-- dispute and so the person: it is one of their personal values in the audit log (sealed under
-- their key, shredded with the rest when they are erased after the hold is lifted).
alter table public.customers
  add column legal_hold text not null default ''
    constraint customers_legal_hold_length check (length(legal_hold) <= 500);

insert into audit.personal_columns (table_name, column_name)
values ('public.customers', 'legal_hold');
select audit.attach_triggers(array['public']);

-- Why: only owners and admins set or lift a hold (the office edits the rest of the record, and
-- cannot create a customer already under one), and
-- while it is set no member can delete the customer, by the erasure or by a plain delete: the
-- refusal carries the reason. Only members' requests are held to it (claims of role
-- `authenticated`): the platform's own work (the service role: a terminated company's purge,
-- P-11, governed by the retention rules) and the database owner's maintenance are not.
create function app.customers_legal_hold_guard() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if auth.role() is distinct from 'authenticated' then
    return coalesce(new, old);
  end if;
  if tg_op = 'DELETE' then
    if old.legal_hold <> '' then
      raise exception 'this customer is under a legal hold: %', old.legal_hold
        using errcode = 'check_violation', constraint = 'customers_legal_hold_blocks_erasure';
    end if;
    return old;
  end if;
  if new.legal_hold is distinct from (case when tg_op = 'INSERT' then '' else old.legal_hold end)
     and not app.has_role('owner', 'admin') then
    raise exception 'only owners and admins set or lift a legal hold'
      using errcode = 'check_violation', constraint = 'customers_legal_hold_managers';
  end if;
  new.legal_hold := btrim(new.legal_hold);
  return new;
end
$$;
revoke execute on function app.customers_legal_hold_guard() from public;

create trigger customers_legal_hold_guard before insert or update or delete on public.customers
  for each row execute function app.customers_legal_hold_guard();
