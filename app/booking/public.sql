-- name: page
select company, company_phone, logo_key, brand_colour, time_zone, kinds, needs_confirmation
from app.public_booking_page(%(slug)s)

-- name: windows
select window_starts_at, window_ends_at
from app.public_bookable_windows(%(slug)s, %(kind)s, null)

-- name: book
select status, window_starts_at, window_ends_at
from app.book_online_as_new_customer(
  %(slug)s, %(first_name)s, %(last_name)s, %(phone)s, %(email)s, %(street)s, %(unit)s,
  %(city)s, %(region)s, %(postal_code)s, %(kind)s, %(description)s, %(window)s)
