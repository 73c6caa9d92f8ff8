create table public."Customer" (id uuid primary key default gen_random_uuid(), "user" uuid not null);
create index "Customer_user_idx" on public."Customer" ("user");
create index "select" on public."Customer" ("user");
