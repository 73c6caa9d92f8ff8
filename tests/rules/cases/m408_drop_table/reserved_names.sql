-- file: 20240101000000_create_audit_log.sql
create table public."AuditLog" (
  id bigint generated always as identity primary key,
  "user" text not null,
  "createdAt" timestamptz not null default now()
);
-- file: 20240301000000_drop_audit_log.sql
drop table public."AuditLog";
