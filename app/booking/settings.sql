-- name: settings
select slug, public_page, kinds, horizon_days, lead_hours, needs_confirmation, buffer_minutes,
       window_hours, portal_change_cutoff_hours
from public.online_booking_settings
where tenant_id = %(tenant_id)s

-- name: save_settings
update public.online_booking_settings
   set slug = %(slug)s, public_page = %(public_page)s, kinds = %(kinds)s,
       horizon_days = %(horizon_days)s, lead_hours = %(lead_hours)s,
       needs_confirmation = %(needs_confirmation)s, buffer_minutes = %(buffer_minutes)s,
       window_hours = %(window_hours)s,
       portal_change_cutoff_hours = %(portal_change_cutoff_hours)s, updated_at = now()
 where tenant_id = %(tenant_id)s
returning tenant_id
