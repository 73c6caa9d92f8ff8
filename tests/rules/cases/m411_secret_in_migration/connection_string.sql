-- a connection string with a password, in a comment and in a string
-- postgres://postgres:Sup3rS3cretPassw0rd@db.abcdefghijklmnopqrst.supabase.co:5432/postgres
create table public."Setting" (key text primary key, value text);
insert into public."Setting" values
  ('replica', 'postgresql://replicator:An0therS3cret!@10.0.0.5:5432/app');
