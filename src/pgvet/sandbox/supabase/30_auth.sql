-- pgvet sandbox: the `auth` schema as Supabase Auth (GoTrue) leaves it.
--
-- Tables, columns, enums, keys and indexes follow GoTrue's migrations as of 2025, so
-- that migrations which reference auth.users (foreign keys, triggers on insert, views
-- over raw_user_meta_data, ...) replay as on Supabase. No GoTrue runs here: the tables
-- start empty and only what a migration or seed puts in them is there.

-- ---------------------------------------------------------------------------------
-- Enums
-- ---------------------------------------------------------------------------------
do $enums$
begin
    if to_regtype('auth.aal_level') is null then
        create type auth.aal_level as enum ('aal1', 'aal2', 'aal3');
    end if;
    if to_regtype('auth.factor_type') is null then
        create type auth.factor_type as enum ('totp', 'webauthn', 'phone');
    end if;
    if to_regtype('auth.factor_status') is null then
        create type auth.factor_status as enum ('unverified', 'verified');
    end if;
    if to_regtype('auth.code_challenge_method') is null then
        create type auth.code_challenge_method as enum ('s256', 'plain');
    end if;
    if to_regtype('auth.one_time_token_type') is null then
        create type auth.one_time_token_type as enum (
            'confirmation_token',
            'reauthentication_token',
            'recovery_token',
            'email_change_token_new',
            'email_change_token_current',
            'phone_change_token'
        );
    end if;
end
$enums$;

-- ---------------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------------
create table if not exists auth.instances (
    id              uuid not null primary key,
    uuid            uuid,
    raw_base_config text,
    created_at      timestamptz,
    updated_at      timestamptz
);
comment on table auth.instances is 'Auth: Manages users across multiple sites.';

create table if not exists auth.users (
    instance_id                 uuid,
    id                          uuid not null primary key,
    aud                         varchar(255),
    role                        varchar(255),
    email                       varchar(255),
    encrypted_password          varchar(255),
    email_confirmed_at          timestamptz,
    invited_at                  timestamptz,
    confirmation_token          varchar(255),
    confirmation_sent_at        timestamptz,
    recovery_token              varchar(255),
    recovery_sent_at            timestamptz,
    email_change_token_new      varchar(255),
    email_change                varchar(255),
    email_change_sent_at        timestamptz,
    last_sign_in_at             timestamptz,
    raw_app_meta_data           jsonb,
    raw_user_meta_data          jsonb,
    is_super_admin              boolean,
    created_at                  timestamptz,
    updated_at                  timestamptz,
    phone                       text unique default null,
    phone_confirmed_at          timestamptz,
    phone_change                text default '',
    phone_change_token          varchar(255) default '',
    phone_change_sent_at        timestamptz,
    confirmed_at                timestamptz
        generated always as (least(email_confirmed_at, phone_confirmed_at)) stored,
    email_change_token_current  varchar(255) default '',
    email_change_confirm_status smallint default 0
        check (email_change_confirm_status >= 0 and email_change_confirm_status <= 2),
    banned_until                timestamptz,
    reauthentication_token      varchar(255) default '',
    reauthentication_sent_at    timestamptz,
    is_sso_user                 boolean not null default false,
    deleted_at                  timestamptz,
    is_anonymous                boolean not null default false
);
comment on table auth.users is 'Auth: Stores user login data within a secure schema.';
comment on column auth.users.is_sso_user is
    'Auth: Set this column to true when the account comes from SSO. These accounts can have duplicate emails.';

create index if not exists users_instance_id_idx on auth.users (instance_id);
create index if not exists users_instance_id_email_idx on auth.users (instance_id, lower(email::text));
create unique index if not exists users_email_partial_key on auth.users (email) where is_sso_user = false;
create index if not exists users_is_anonymous_idx on auth.users (is_anonymous);
create unique index if not exists confirmation_token_idx on auth.users (confirmation_token)
    where confirmation_token::text !~ '^[0-9 ]*$';
create unique index if not exists recovery_token_idx on auth.users (recovery_token)
    where recovery_token::text !~ '^[0-9 ]*$';
create unique index if not exists email_change_token_current_idx on auth.users (email_change_token_current)
    where email_change_token_current::text !~ '^[0-9 ]*$';
create unique index if not exists email_change_token_new_idx on auth.users (email_change_token_new)
    where email_change_token_new::text !~ '^[0-9 ]*$';
create unique index if not exists reauthentication_token_idx on auth.users (reauthentication_token)
    where reauthentication_token::text !~ '^[0-9 ]*$';

create table if not exists auth.identities (
    provider_id     text not null,
    user_id         uuid not null references auth.users (id) on delete cascade,
    identity_data   jsonb not null,
    provider        text not null,
    last_sign_in_at timestamptz,
    created_at      timestamptz,
    updated_at      timestamptz,
    email           text generated always as (lower(identity_data ->> 'email')) stored,
    id              uuid not null default gen_random_uuid() primary key,
    constraint identities_provider_id_provider_unique unique (provider_id, provider)
);
comment on table auth.identities is 'Auth: Stores identities associated to a user.';
create index if not exists identities_user_id_idx on auth.identities (user_id);
create index if not exists identities_email_idx on auth.identities (email text_pattern_ops);

create table if not exists auth.sessions (
    id           uuid not null primary key,
    user_id      uuid not null references auth.users (id) on delete cascade,
    created_at   timestamptz,
    updated_at   timestamptz,
    factor_id    uuid,
    aal          auth.aal_level,
    not_after    timestamptz,
    refreshed_at timestamp,
    user_agent   text,
    ip           inet,
    tag          text
);
comment on table auth.sessions is 'Auth: Stores session data associated to a user.';
create index if not exists sessions_user_id_idx on auth.sessions (user_id);
create index if not exists sessions_not_after_idx on auth.sessions (not_after desc);
create index if not exists user_id_created_at_idx on auth.sessions (user_id, created_at);

create sequence if not exists auth.refresh_tokens_id_seq;
create table if not exists auth.refresh_tokens (
    instance_id uuid,
    id          bigint not null default nextval('auth.refresh_tokens_id_seq') primary key,
    token       varchar(255) constraint refresh_tokens_token_unique unique,
    user_id     varchar(255),
    revoked     boolean,
    created_at  timestamptz,
    updated_at  timestamptz,
    parent      varchar(255),
    session_id  uuid references auth.sessions (id) on delete cascade
);
alter sequence auth.refresh_tokens_id_seq owned by auth.refresh_tokens.id;
comment on table auth.refresh_tokens is
    'Auth: Store of tokens used to refresh JWT tokens once they expire.';
create index if not exists refresh_tokens_instance_id_idx on auth.refresh_tokens (instance_id);
create index if not exists refresh_tokens_instance_id_user_id_idx on auth.refresh_tokens (instance_id, user_id);
create index if not exists refresh_tokens_parent_idx on auth.refresh_tokens (parent);
create index if not exists refresh_tokens_session_id_revoked_idx on auth.refresh_tokens (session_id, revoked);
create index if not exists refresh_tokens_updated_at_idx on auth.refresh_tokens (updated_at desc);

create table if not exists auth.mfa_factors (
    id                   uuid not null primary key,
    user_id              uuid not null references auth.users (id) on delete cascade,
    friendly_name        text,
    factor_type          auth.factor_type not null,
    status               auth.factor_status not null,
    created_at           timestamptz not null,
    updated_at           timestamptz not null,
    secret               text,
    phone                text,
    last_challenged_at   timestamptz unique,
    web_authn_credential jsonb,
    web_authn_aaguid     uuid
);
comment on table auth.mfa_factors is 'auth: stores metadata about factors';
create index if not exists mfa_factors_user_id_idx on auth.mfa_factors (user_id);
create index if not exists factor_id_created_at_idx on auth.mfa_factors (user_id, created_at);
create unique index if not exists mfa_factors_user_friendly_name_unique
    on auth.mfa_factors (friendly_name, user_id) where trim(friendly_name) <> '';
create unique index if not exists unique_phone_factor_per_user on auth.mfa_factors (user_id, phone);

create table if not exists auth.mfa_challenges (
    id                     uuid not null primary key,
    factor_id              uuid not null
        constraint mfa_challenges_auth_factor_id_fkey references auth.mfa_factors (id) on delete cascade,
    created_at             timestamptz not null,
    verified_at            timestamptz,
    ip_address             inet not null,
    otp_code               text,
    web_authn_session_data jsonb
);
comment on table auth.mfa_challenges is 'auth: stores metadata about challenge requests made';
create index if not exists mfa_challenge_created_at_idx on auth.mfa_challenges (created_at desc);

create table if not exists auth.mfa_amr_claims (
    session_id            uuid not null references auth.sessions (id) on delete cascade,
    created_at            timestamptz not null,
    updated_at            timestamptz not null,
    authentication_method text not null,
    id                    uuid not null constraint amr_id_pk primary key,
    constraint mfa_amr_claims_session_id_authentication_method_pkey
        unique (session_id, authentication_method)
);
comment on table auth.mfa_amr_claims is
    'auth: stores authenticator method reference claims for multi factor authentication';

create table if not exists auth.audit_log_entries (
    instance_id uuid,
    id          uuid not null primary key,
    payload     json,
    created_at  timestamptz,
    ip_address  varchar(64) not null default ''
);
comment on table auth.audit_log_entries is 'Auth: Audit trail for user actions.';
create index if not exists audit_logs_instance_id_idx on auth.audit_log_entries (instance_id);

create table if not exists auth.flow_state (
    id                     uuid not null primary key,
    user_id                uuid,
    auth_code              text not null,
    code_challenge_method  auth.code_challenge_method not null,
    code_challenge         text not null,
    provider_type          text not null,
    provider_access_token  text,
    provider_refresh_token text,
    created_at             timestamptz,
    updated_at             timestamptz,
    authentication_method  text not null,
    auth_code_issued_at    timestamptz
);
comment on table auth.flow_state is 'stores metadata for pkce logins';
create index if not exists idx_auth_code on auth.flow_state (auth_code);
create index if not exists idx_user_id_auth_method on auth.flow_state (user_id, authentication_method);
create index if not exists flow_state_created_at_idx on auth.flow_state (created_at desc);

create table if not exists auth.sso_providers (
    id          uuid not null primary key,
    resource_id text constraint "resource_id not empty"
        check (resource_id = null or char_length(resource_id) > 0),
    created_at  timestamptz,
    updated_at  timestamptz,
    disabled    boolean
);
comment on table auth.sso_providers is
    'Auth: Manages SSO identity provider information; see saml_providers for SAML.';
create unique index if not exists sso_providers_resource_id_idx on auth.sso_providers (lower(resource_id));
create index if not exists sso_providers_resource_id_pattern_idx
    on auth.sso_providers (resource_id text_pattern_ops);

create table if not exists auth.sso_domains (
    id              uuid not null primary key,
    sso_provider_id uuid not null references auth.sso_providers (id) on delete cascade,
    domain          text not null constraint "domain not empty" check (char_length(domain) > 0),
    created_at      timestamptz,
    updated_at      timestamptz
);
comment on table auth.sso_domains is
    'Auth: Manages SSO email address domain mapping to an SSO Identity Provider.';
create index if not exists sso_domains_sso_provider_id_idx on auth.sso_domains (sso_provider_id);
create unique index if not exists sso_domains_domain_idx on auth.sso_domains (lower(domain));

create table if not exists auth.saml_providers (
    id                uuid not null primary key,
    sso_provider_id   uuid not null references auth.sso_providers (id) on delete cascade,
    entity_id         text not null unique
        constraint "entity_id not empty" check (char_length(entity_id) > 0),
    metadata_xml      text not null
        constraint "metadata_xml not empty" check (char_length(metadata_xml) > 0),
    metadata_url      text
        constraint "metadata_url not empty" check (metadata_url = null or char_length(metadata_url) > 0),
    attribute_mapping jsonb,
    created_at        timestamptz,
    updated_at        timestamptz,
    name_id_format    text
);
comment on table auth.saml_providers is 'Auth: Manages SAML Identity Provider connections.';
create index if not exists saml_providers_sso_provider_id_idx on auth.saml_providers (sso_provider_id);

create table if not exists auth.saml_relay_states (
    id              uuid not null primary key,
    sso_provider_id uuid not null references auth.sso_providers (id) on delete cascade,
    request_id      text not null constraint "request_id not empty" check (char_length(request_id) > 0),
    for_email       text,
    redirect_to     text,
    created_at      timestamptz,
    updated_at      timestamptz,
    flow_state_id   uuid references auth.flow_state (id) on delete cascade
);
comment on table auth.saml_relay_states is
    'Auth: Contains SAML Relay State information for each Service Provider initiated login.';
create index if not exists saml_relay_states_sso_provider_id_idx on auth.saml_relay_states (sso_provider_id);
create index if not exists saml_relay_states_for_email_idx on auth.saml_relay_states (for_email);
create index if not exists saml_relay_states_created_at_idx on auth.saml_relay_states (created_at desc);

create table if not exists auth.one_time_tokens (
    id         uuid not null primary key,
    user_id    uuid not null references auth.users (id) on delete cascade,
    token_type auth.one_time_token_type not null,
    token_hash text not null check (char_length(token_hash) > 0),
    relates_to text not null,
    created_at timestamp not null default now(),
    updated_at timestamp not null default now()
);
create index if not exists one_time_tokens_token_hash_hash_idx on auth.one_time_tokens using hash (token_hash);
create index if not exists one_time_tokens_relates_to_hash_idx on auth.one_time_tokens using hash (relates_to);
create unique index if not exists one_time_tokens_user_id_token_type_key
    on auth.one_time_tokens (user_id, token_type);

create table if not exists auth.schema_migrations (
    version varchar(255) not null primary key
);
comment on table auth.schema_migrations is 'Auth: Manages updates to the auth system.';

-- Every auth table has RLS on and no policy: only the auth admin (and superusers) see rows.
do $rls$
declare
    t regclass;
begin
    for t in
        select c.oid::regclass
        from pg_catalog.pg_class c
        where c.relnamespace = 'auth'::regnamespace and c.relkind in ('r', 'p')
    loop
        execute format('alter table %s enable row level security', t);
    end loop;
end
$rls$;

-- ---------------------------------------------------------------------------------
-- JWT helpers, as Supabase defines them: PostgREST sets request.jwt.claims (JSON) for
-- each request; older PostgREST versions set one request.jwt.claim.<name> per claim.
-- ---------------------------------------------------------------------------------
create or replace function auth.uid()
    returns uuid
    language sql
    stable
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim.sub', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
    )::uuid
$$;
comment on function auth.uid() is 'Deprecated. Use auth.jwt() -> ''sub'' instead.';

create or replace function auth.role()
    returns text
    language sql
    stable
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim.role', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
    )::text
$$;
comment on function auth.role() is 'Deprecated. Use auth.jwt() -> ''role'' instead.';

create or replace function auth.email()
    returns text
    language sql
    stable
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim.email', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
    )::text
$$;
comment on function auth.email() is 'Deprecated. Use auth.jwt() -> ''email'' instead.';

create or replace function auth.jwt()
    returns jsonb
    language sql
    stable
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim', true), ''),
        nullif(current_setting('request.jwt.claims', true), '')
    )::jsonb
$$;

-- ---------------------------------------------------------------------------------
-- Ownership and grants, as on Supabase: GoTrue (supabase_auth_admin) owns its schema;
-- the API roles may call the helpers but not read the tables.
-- ---------------------------------------------------------------------------------
alter schema auth owner to supabase_auth_admin;

do $own$
declare
    r record;
begin
    for r in
        select c.oid::regclass as rel
        from pg_catalog.pg_class c
        where c.relnamespace = 'auth'::regnamespace and c.relkind in ('r', 'p', 'S', 'v')
          and not exists (  -- sequences owned by a column follow their table
              select from pg_catalog.pg_depend d
              where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'a'
          )
    loop
        execute format('alter table %s owner to supabase_auth_admin', r.rel);
    end loop;
    for r in
        select t.oid::regtype as typ
        from pg_catalog.pg_type t
        where t.typnamespace = 'auth'::regnamespace and t.typtype = 'e'
    loop
        execute format('alter type %s owner to supabase_auth_admin', r.typ);
    end loop;
end
$own$;

alter function auth.uid() owner to supabase_auth_admin;
alter function auth.role() owner to supabase_auth_admin;
alter function auth.email() owner to supabase_auth_admin;
alter function auth.jwt() owner to supabase_auth_admin;

grant all on all tables in schema auth to supabase_auth_admin, dashboard_user, postgres;
grant all on all sequences in schema auth to supabase_auth_admin, dashboard_user, postgres;
grant all on all functions in schema auth to supabase_auth_admin, dashboard_user, postgres;
grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt()
    to public, anon, authenticated, service_role;
