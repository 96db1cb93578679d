-- The office's reports read a company's payments by the day received (payments by day and
-- method, the accounting export): without this they scan every payment the company has.
create index payments_received_idx on public.payments (tenant_id, received_on);
