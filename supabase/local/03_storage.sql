-- Supabase Storage keeps a row per file in `storage.objects` (and per bucket in
-- `storage.buckets`), with row-level security on. Where Storage is absent (plain PostgreSQL),
-- recreate that much with Supabase's columns, grants and `storage.foldername()`, so that the
-- policies of supabase/policies/storage_objects.sql are applied and tested locally too. On
-- Supabase nothing here runs: the schema is Storage's own.

do $$
begin
  if to_regclass('storage.objects') is null then
    create schema if not exists storage;

    create table storage.buckets (
      id text primary key,
      name text not null,
      owner uuid,
      owner_id text,
      public boolean default false,
      avif_autodetection boolean default false,
      file_size_limit bigint,
      allowed_mime_types text[],
      created_at timestamptz default now(),
      updated_at timestamptz default now()
    );
    create unique index bname on storage.buckets (name);

    create table storage.objects (
      id uuid primary key default gen_random_uuid(),
      bucket_id text references storage.buckets (id),
      name text,
      owner uuid,
      owner_id text,
      metadata jsonb,
      user_metadata jsonb,
      path_tokens text[] generated always as (string_to_array(name, '/')) stored,
      version text,
      created_at timestamptz default now(),
      updated_at timestamptz default now(),
      last_accessed_at timestamptz default now()
    );
    create unique index bucketid_objname on storage.objects (bucket_id, name);
    create index name_prefix_search on storage.objects (name text_pattern_ops);

    alter table storage.buckets enable row level security;
    alter table storage.objects enable row level security;

    -- The folders of an object's name, without the file: 'a/b/c.jpg' → {a,b}.
    create function storage.foldername(name text) returns text[]
    language plpgsql immutable
    as $fn$
    declare
      _parts text[];
    begin
      select string_to_array(name, '/') into _parts;
      return _parts[1:array_length(_parts, 1) - 1];
    end
    $fn$;

    -- As on Supabase: the API roles hold every privilege; row-level security decides.
    grant usage on schema storage to anon, authenticated, service_role;
    grant all on storage.buckets, storage.objects to anon, authenticated, service_role;
  end if;
end
$$;
