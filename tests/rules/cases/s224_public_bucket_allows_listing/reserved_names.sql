-- file: 20240101000000_buckets.sql
insert into storage.buckets (id, name, public) values
  ('avatars', 'avatars', true),
  ('O''Brien files', 'O''Brien files', true),
  ('invoices', 'invoices', false),
  ('select', 'select', true);
create policy "Anyone reads avatars" on storage.objects
  for select using (bucket_id = 'avatars');
create policy "order" on storage.objects
  for all to authenticated using (bucket_id = 'O''Brien files');
-- file: 20240102000000_not_reported.sql
create policy "Own folder" on storage.objects for select to authenticated
  using (bucket_id = 'select' and (storage.foldername(name))[1] = (select auth.uid())::text);
create policy "Private bucket" on storage.objects for select using (bucket_id = 'invoices');
create policy "Service" on storage.objects for select to service_role using (true);
