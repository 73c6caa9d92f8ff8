-- names that must be quoted: mixed case and reserved words
create table public."AuditEvent" (
  "happenedAt" timestamptz not null default now(),
  "user" uuid,
  "order" text not null
);
