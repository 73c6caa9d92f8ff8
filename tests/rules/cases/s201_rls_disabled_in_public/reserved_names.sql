create table public."Patient" (id bigint primary key, "user" text, diagnosis text);
