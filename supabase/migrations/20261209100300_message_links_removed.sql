-- Why: a message's text may carry a link that opens a document (a long token in its path). Once
-- the message has left or failed, the worker keeps the text without it, so the message log holds
-- no usable link: "https://…/invoice/<token>" becomes "https://…/invoice/[link]".
create function app.without_document_links(p_text text)
returns text
language sql immutable parallel safe set search_path = ''
as $$ select regexp_replace(p_text, '(https?://\S*/)[A-Za-z0-9_-]{20,}', '\1[link]', 'g') $$;
revoke execute on function app.without_document_links(text) from public;
grant execute on function app.without_document_links(text) to service_role;
