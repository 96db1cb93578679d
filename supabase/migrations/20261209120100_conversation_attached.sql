-- Why: attaching a conversation with a number the company did not know to one of its
-- customers (office staff) also gives that customer the texts already in it, so they appear
-- in the customer's message log, follow the customer's rules (restriction, do-not-contact) if
-- still queued, and go with the customer when they are erased. Staff may not write a message's
-- customer themselves; the company is the caller's own (app.tenant_id()), never an argument.
create function app.attach_conversation(p_conversation uuid, p_customer uuid)
returns boolean
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_tenant uuid := app.tenant_id();
begin
  if v_tenant is null or not app.is_office_staff() then
    return false;
  end if;
  update public.conversations c set customer_id = p_customer
   where c.tenant_id = v_tenant and c.id = p_conversation
     and exists (select from public.customers cu
                  where cu.tenant_id = v_tenant and cu.id = p_customer);
  if not found then
    return false;
  end if;
  update public.messages m set customer_id = p_customer
   where m.tenant_id = v_tenant and m.conversation_id = p_conversation
     and m.customer_id is distinct from p_customer;
  return true;
end
$$;
revoke all on function app.attach_conversation(uuid, uuid) from public;
grant execute on function app.attach_conversation(uuid, uuid) to authenticated;
