create table public."Account" (id uuid primary key, email text, "order" numeric);
alter table public."Account" enable row level security;
create view public."AccountBalance" as select id, "order" from public."Account";
