-- The price book's reads and writes. Every statement names the company; the policies decide
-- again who may read and change it.

-- name: list_items
-- A page of the book, by name: matching the search (name, code, description), of a kind, in a
-- category, active or archived. One row more than the page says whether another follows.
select i.id, i.kind, i.code, i.name, i.unit, i.price, i.cost, i.markup_percent,
       i.member_price, i.member_discount_percent, i.taxable, i.archived_at,
       c.name as category_name
from public.price_items i
left join public.price_categories c on c.tenant_id = i.tenant_id and c.id = i.category_id
where i.tenant_id = %(tenant_id)s
  and (%(pattern)s::text is null or i.search_text like %(pattern)s)
  and (%(kind)s::text is null or i.kind = %(kind)s)
  and (%(category_id)s::uuid is null or i.category_id = %(category_id)s)
  and (case %(status)s when 'archived' then i.archived_at is not null
                       when 'all' then true
                       else i.archived_at is null end)
order by lower(i.name), i.id
limit %(limit)s offset %(offset)s

-- name: item
select i.id, i.kind, i.code, i.name, i.description, i.category_id, i.unit, i.price, i.cost,
       i.markup_percent, i.member_price, i.member_discount_percent, i.taxable, i.archived_at,
       i.created_at, i.updated_at, c.name as category_name
from public.price_items i
left join public.price_categories c on c.tenant_id = i.tenant_id and c.id = i.category_id
where i.tenant_id = %(tenant_id)s and i.id = %(id)s

-- name: insert_item
insert into public.price_items (
  tenant_id, kind, code, name, description, category_id, unit, price, cost, markup_percent,
  member_price, member_discount_percent, taxable
) values (
  %(tenant_id)s, %(kind)s, %(code)s, %(name)s, %(description)s, %(category_id)s, %(unit)s,
  %(price)s, %(cost)s, %(markup_percent)s, %(member_price)s, %(member_discount_percent)s,
  %(taxable)s
)
returning id

-- name: update_item
-- The kind is kept: a package's parts, and documents' lines, were made for it.
update public.price_items
   set code = %(code)s, name = %(name)s, description = %(description)s,
       category_id = %(category_id)s, unit = %(unit)s, price = %(price)s, cost = %(cost)s,
       markup_percent = %(markup_percent)s, member_price = %(member_price)s,
       member_discount_percent = %(member_discount_percent)s, taxable = %(taxable)s,
       updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s
returning id

-- name: archive_item
update public.price_items
   set archived_at = case when %(archived)s then coalesce(archived_at, now()) end,
       updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s
returning id

-- name: package_parts
-- What a package contains, in its order, with each part's current price (for the parts'
-- value beside the package's own price).
select p.id, p.item_id, p.quantity, i.kind, i.code, i.name, i.unit, i.price, i.archived_at
from public.price_package_parts p
join public.price_items i on i.tenant_id = p.tenant_id and i.id = p.item_id
where p.tenant_id = %(tenant_id)s and p.package_id = %(package_id)s
order by p.position, lower(i.name), p.id

-- name: add_part
insert into public.price_package_parts (tenant_id, package_id, item_id, item_kind, quantity, position)
select %(tenant_id)s, %(package_id)s, i.id, i.kind, %(quantity)s,
       coalesce((select max(position) + 1 from public.price_package_parts
                  where tenant_id = %(tenant_id)s and package_id = %(package_id)s), 0)
from public.price_items i
where i.tenant_id = %(tenant_id)s and i.id = %(item_id)s
returning id

-- name: remove_part
delete from public.price_package_parts
 where tenant_id = %(tenant_id)s and id = %(id)s
returning package_id

-- name: part_choices
-- What can go into a package: the active services, materials and labour, by name.
select id, kind, code, name, unit, price
from public.price_items
where tenant_id = %(tenant_id)s and kind <> 'package' and archived_at is null
order by lower(name), id
limit 1000

-- name: categories
-- The company's categories with how many active items each holds, active ones first.
select c.id, c.name, c.archived_at,
       (select count(*) from public.price_items i
         where i.tenant_id = c.tenant_id and i.category_id = c.id and i.archived_at is null)
         as items
from public.price_categories c
where c.tenant_id = %(tenant_id)s
order by c.archived_at is not null, lower(c.name), c.id

-- name: category
select id, name, archived_at from public.price_categories
where tenant_id = %(tenant_id)s and id = %(id)s

-- name: insert_category
insert into public.price_categories (tenant_id, name) values (%(tenant_id)s, %(name)s)
returning id

-- name: rename_category
update public.price_categories set name = %(name)s
 where tenant_id = %(tenant_id)s and id = %(id)s
returning id

-- name: archive_category
update public.price_categories
   set archived_at = case when %(archived)s then coalesce(archived_at, now()) end
 where tenant_id = %(tenant_id)s and id = %(id)s
returning id

-- Tax rates ----------------------------------------------------------------------------------
-- What new estimates and invoices charge on their taxable lines: every active rate that
-- applies. Documents copy the rates they use, so changing one here changes no document.

-- name: tax_rates
-- The company's rates, active ones first, by name.
select id, name, percent, applies, archived_at
from public.tax_rates
where tenant_id = %(tenant_id)s
order by archived_at is not null, lower(name), id

-- name: tax_rate
select id, name, percent, applies, archived_at
from public.tax_rates
where tenant_id = %(tenant_id)s and id = %(id)s

-- name: insert_tax_rate
insert into public.tax_rates (tenant_id, name, percent, applies)
values (%(tenant_id)s, %(name)s, %(percent)s, %(applies)s)
returning id

-- name: update_tax_rate
update public.tax_rates
   set name = %(name)s, percent = %(percent)s, applies = %(applies)s, updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s
returning id

-- name: archive_tax_rate
update public.tax_rates
   set archived_at = case when %(archived)s then coalesce(archived_at, now()) end,
       updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s
returning id

-- name: export_items
-- Every item of the book, active and archived, in the columns of its CSV file
-- (transfer_file.COLUMNS), which the import reads back.
select i.kind, i.code, i.name, i.description, c.name as category, i.unit, i.price, i.cost,
       i.markup_percent, i.member_price, i.member_discount_percent, i.taxable,
       i.archived_at is not null as archived
from public.price_items i
left join public.price_categories c on c.tenant_id = i.tenant_id and c.id = i.category_id
where i.tenant_id = %(tenant_id)s
order by lower(i.name), i.id

-- name: items_to_import_into
-- The whole book as an import compares a file with it: each item with the file's columns.
select i.id, i.kind, i.code, i.name, i.description, c.name as category, i.unit, i.price,
       i.cost, i.markup_percent, i.member_price, i.member_discount_percent, i.taxable,
       i.archived_at is not null as archived
from public.price_items i
left join public.price_categories c on c.tenant_id = i.tenant_id and c.id = i.category_id
where i.tenant_id = %(tenant_id)s

-- name: line_item
-- A price book item as a document's line copies it: active, with the price a member pays.
select id, kind, name, description, unit, price, member_price, member_discount_percent, taxable
from public.price_items
where tenant_id = %(tenant_id)s and id = %(id)s and archived_at is null

-- name: line_choices
-- The active items a document's line may be copied from, by name.
select id, kind, code, name, unit, price from public.price_items
where tenant_id = %(tenant_id)s and archived_at is null
order by lower(name), id
limit 2000
