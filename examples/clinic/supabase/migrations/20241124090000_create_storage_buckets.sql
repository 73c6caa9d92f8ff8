-- Storage buckets for skin analysis photos, treatment photos and avatars.
-- Object paths: treatment-photos "<clinic_id>/<customer_id>/<file>",
-- skin-analyses "<clinic_id>/<user_id>/<file>", avatars "<user_id>/<file>".

insert into storage.buckets (id, name, public)
values
  ('skin-analyses', 'skin-analyses', false),
  ('treatment-photos', 'treatment-photos', false),
  ('avatars', 'avatars', true)
on conflict (id) do nothing;

create policy "Clinic staff can read treatment photos" on storage.objects
  for select to authenticated using (
    bucket_id = 'treatment-photos'
    and (storage.foldername(name))[1]::uuid in (
      select clinic_id from public.clinic_staff where user_id = auth.uid()
    )
  );

create policy "Clinic staff can upload treatment photos" on storage.objects
  for insert to authenticated with check (
    bucket_id = 'treatment-photos'
    and (storage.foldername(name))[1]::uuid in (
      select clinic_id from public.clinic_staff where user_id = auth.uid()
    )
  );

create policy "Users can upload own skin photos" on storage.objects
  for insert to authenticated with check (
    bucket_id = 'skin-analyses' and (storage.foldername(name))[2] = auth.uid()::text
  );

create policy "Avatar images are publicly accessible" on storage.objects
  for select using (bucket_id = 'avatars');

create policy "Users can upload their own avatar" on storage.objects
  for insert to authenticated with check (
    bucket_id = 'avatars' and (storage.foldername(name))[1] = auth.uid()::text
  );
