-- =============================================================================
-- Seed data for local development and RLS tests
-- Two clinics, two branches each, staff of every role, customers with app accounts.
-- Runs after all migrations, as postgres. Password for every account: password123
--
-- Personas (auth.users.id = public.users.id):
--   super admin                        00000000-0000-0000-0000-0000000000ff
--   Bangkok Glow Clinic   (c0000000-0000-0000-0000-000000000001)
--     a1 clinic_admin  a2 branch_manager  a3 doctor  a4 doctor
--     a5 sales_staff   a6 sales_staff     a7 receptionist  a8 nurse
--     customers c1 c2 c3 (app accounts)
--   Chiang Mai Skin Center (c0000000-0000-0000-0000-000000000002)
--     b1 clinic_admin  b2 branch_manager  b3 doctor  b4 doctor
--     b5 sales_staff   b6 sales_staff     b7 receptionist  b8 nurse
--     customers d1 d2 d3 (app accounts)
--   (ids are 00000000-0000-0000-0000-0000000000<xx>)
-- =============================================================================

-- -----------------------------------------------------------------------------
-- Clinics and branches
-- -----------------------------------------------------------------------------
insert into public.clinics (id, name, slug, legal_name, email, phone, subscription_plan, subscription_status, settings)
values
  ('c0000000-0000-0000-0000-000000000001', 'Bangkok Glow Clinic', 'bangkok-glow',
   'Bangkok Glow Clinic Co., Ltd.', 'hello@bangkokglow.example', '+66 2 123 4567',
   'enterprise', 'active', '{"booking": {"deposit_percent": 20}, "line_oa": "@bkkglow"}'),
  ('c0000000-0000-0000-0000-000000000002', 'Chiang Mai Skin Center', 'chiang-mai-skin',
   'Chiang Mai Skin Center Co., Ltd.', 'contact@cmskin.example', '+66 53 987 654',
   'professional', 'active', '{"booking": {"deposit_percent": 0}, "line_oa": "@cmskin"}');

insert into public.branches (id, clinic_id, name, code, address, district, province, postal_code, phone, is_main, opening_hours)
values
  ('b0000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', 'Siam Square', 'SIAM',
   '991 Rama I Rd', 'Pathum Wan', 'Bangkok', '10330', '+66 2 123 4501', true, '{"mon_sat": "10:00-20:00"}'),
  ('b0000000-0000-0000-0000-000000000012', 'c0000000-0000-0000-0000-000000000001', 'Thonglor', 'TLR',
   '55 Sukhumvit 55', 'Watthana', 'Bangkok', '10110', '+66 2 123 4502', false, '{"mon_sun": "11:00-21:00"}'),
  ('b0000000-0000-0000-0000-000000000021', 'c0000000-0000-0000-0000-000000000002', 'Nimman', 'NMM',
   '12 Nimmanhaemin Rd', 'Mueang Chiang Mai', 'Chiang Mai', '50200', '+66 53 987 601', true, '{"mon_sat": "09:00-19:00"}'),
  ('b0000000-0000-0000-0000-000000000022', 'c0000000-0000-0000-0000-000000000002', 'Old City', 'OLD',
   '8 Ratchadamnoen Rd', 'Mueang Chiang Mai', 'Chiang Mai', '50200', '+66 53 987 602', false, '{"tue_sun": "10:00-19:00"}');

-- -----------------------------------------------------------------------------
-- Auth users (the on_auth_user_created trigger creates the public.users rows)
-- -----------------------------------------------------------------------------
insert into auth.users (
  instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at
)
select
  '00000000-0000-0000-0000-000000000000',
  p.id::uuid,
  'authenticated',
  'authenticated',
  p.email,
  extensions.crypt('password123', extensions.gen_salt('bf')),
  now(),
  '{"provider": "email", "providers": ["email"]}'::jsonb,
  jsonb_strip_nulls(jsonb_build_object(
    'full_name', p.full_name, 'role', p.app_role, 'clinic_id', p.clinic_id, 'branch_id', p.branch_id
  )),
  timestamptz '2024-11-01 09:00+07',
  timestamptz '2024-11-01 09:00+07'
from (values
  ('00000000-0000-0000-0000-0000000000ff', 'platform@beautyai.example', 'Platform Admin', 'super_admin', null, null),
  -- Bangkok Glow Clinic
  ('00000000-0000-0000-0000-0000000000a1', 'ploy.admin@bangkokglow.example', 'Ploy Srisuk', 'clinic_admin', 'c0000000-0000-0000-0000-000000000001', null),
  ('00000000-0000-0000-0000-0000000000a2', 'nan.manager@bangkokglow.example', 'Nan Chaiyaporn', 'staff', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011'),
  ('00000000-0000-0000-0000-0000000000a3', 'dr.kanya@bangkokglow.example', 'Kanya Wongsakul', 'staff', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011'),
  ('00000000-0000-0000-0000-0000000000a4', 'dr.arthit@bangkokglow.example', 'Arthit Rattanakorn', 'staff', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000012'),
  ('00000000-0000-0000-0000-0000000000a5', 'mint.sales@bangkokglow.example', 'Mint Thanawat', 'sales_staff', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011'),
  ('00000000-0000-0000-0000-0000000000a6', 'beam.sales@bangkokglow.example', 'Beam Phongsri', 'sales_staff', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000012'),
  ('00000000-0000-0000-0000-0000000000a7', 'fah.front@bangkokglow.example', 'Fah Inthira', 'staff', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011'),
  ('00000000-0000-0000-0000-0000000000a8', 'joy.nurse@bangkokglow.example', 'Joy Saelim', 'staff', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000012'),
  ('00000000-0000-0000-0000-0000000000c1', 'pim.customer@gmail.example', 'Pimchanok Boonmee', 'customer', 'c0000000-0000-0000-0000-000000000001', null),
  ('00000000-0000-0000-0000-0000000000c2', 'tarn.customer@gmail.example', 'Tarn Suwan', 'customer', 'c0000000-0000-0000-0000-000000000001', null),
  ('00000000-0000-0000-0000-0000000000c3', 'jane.customer@gmail.example', 'Jane Miller', 'customer', 'c0000000-0000-0000-0000-000000000001', null),
  -- Chiang Mai Skin Center
  ('00000000-0000-0000-0000-0000000000b1', 'somsak.admin@cmskin.example', 'Somsak Kittisak', 'clinic_admin', 'c0000000-0000-0000-0000-000000000002', null),
  ('00000000-0000-0000-0000-0000000000b2', 'lek.manager@cmskin.example', 'Lek Duangjai', 'staff', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021'),
  ('00000000-0000-0000-0000-0000000000b3', 'dr.malee@cmskin.example', 'Malee Chantara', 'staff', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021'),
  ('00000000-0000-0000-0000-0000000000b4', 'dr.chai@cmskin.example', 'Chai Inpanya', 'staff', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000022'),
  ('00000000-0000-0000-0000-0000000000b5', 'noon.sales@cmskin.example', 'Noon Kaewmanee', 'sales_staff', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021'),
  ('00000000-0000-0000-0000-0000000000b6', 'ice.sales@cmskin.example', 'Ice Panyadee', 'sales_staff', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000022'),
  ('00000000-0000-0000-0000-0000000000b7', 'dao.front@cmskin.example', 'Dao Sriwan', 'staff', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021'),
  ('00000000-0000-0000-0000-0000000000b8', 'nok.nurse@cmskin.example', 'Nok Jaidee', 'staff', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000022'),
  ('00000000-0000-0000-0000-0000000000d1', 'ying.customer@gmail.example', 'Ying Thongdee', 'customer', 'c0000000-0000-0000-0000-000000000002', null),
  ('00000000-0000-0000-0000-0000000000d2', 'ball.customer@gmail.example', 'Ball Chaiwong', 'customer', 'c0000000-0000-0000-0000-000000000002', null),
  ('00000000-0000-0000-0000-0000000000d3', 'emma.customer@gmail.example', 'Emma Schmidt', 'customer', 'c0000000-0000-0000-0000-000000000002', null)
) as p(id, email, full_name, app_role, clinic_id, branch_id);

-- attach profiles to their clinic / branch
update public.users u
   set clinic_id = (a.raw_user_meta_data ->> 'clinic_id')::uuid,
       branch_id = (a.raw_user_meta_data ->> 'branch_id')::uuid,
       locale = case when a.email like '%miller%' or a.email like '%schmidt%' then 'en' else 'th' end,
       last_login_at = timestamptz '2025-02-20 10:00+07'
  from auth.users a
 where a.id = u.id;

-- -----------------------------------------------------------------------------
-- Clinic staff
-- -----------------------------------------------------------------------------
insert into public.clinic_staff (user_id, clinic_id, branch_id, role, title, employee_code, commission_rate, joined_at)
values
  ('00000000-0000-0000-0000-0000000000a1', 'c0000000-0000-0000-0000-000000000001', null,                                   'clinic_admin',   'Clinic Director',  'BG-001', 0,  '2024-11-01'),
  ('00000000-0000-0000-0000-0000000000a2', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', 'branch_manager', 'Branch Manager',   'BG-002', 0,  '2024-11-01'),
  ('00000000-0000-0000-0000-0000000000a3', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', 'doctor',         'Dermatologist',    'BG-003', 0,  '2024-11-01'),
  ('00000000-0000-0000-0000-0000000000a4', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000012', 'doctor',         'Aesthetic Doctor', 'BG-004', 0,  '2024-11-15'),
  ('00000000-0000-0000-0000-0000000000a5', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', 'sales_staff',    'Beauty Consultant','BG-005', 5,  '2024-11-01'),
  ('00000000-0000-0000-0000-0000000000a6', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000012', 'sales_staff',    'Beauty Consultant','BG-006', 5,  '2024-12-01'),
  ('00000000-0000-0000-0000-0000000000a7', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', 'receptionist',   'Front Desk',       'BG-007', 0,  '2024-11-01'),
  ('00000000-0000-0000-0000-0000000000a8', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000012', 'nurse',          'Nurse',            'BG-008', 0,  '2024-11-15'),
  ('00000000-0000-0000-0000-0000000000b1', 'c0000000-0000-0000-0000-000000000002', null,                                   'clinic_admin',   'Owner',            'CM-001', 0,  '2024-11-10'),
  ('00000000-0000-0000-0000-0000000000b2', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', 'branch_manager', 'Branch Manager',   'CM-002', 0,  '2024-11-10'),
  ('00000000-0000-0000-0000-0000000000b3', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', 'doctor',         'Dermatologist',    'CM-003', 0,  '2024-11-10'),
  ('00000000-0000-0000-0000-0000000000b4', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000022', 'doctor',         'Aesthetic Doctor', 'CM-004', 0,  '2024-12-01'),
  ('00000000-0000-0000-0000-0000000000b5', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', 'sales_staff',    'Sales',            'CM-005', 7.5,'2024-11-10'),
  ('00000000-0000-0000-0000-0000000000b6', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000022', 'sales_staff',    'Sales',            'CM-006', 7.5,'2024-12-01'),
  ('00000000-0000-0000-0000-0000000000b7', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', 'receptionist',   'Front Desk',       'CM-007', 0,  '2024-11-10'),
  ('00000000-0000-0000-0000-0000000000b8', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000022', 'nurse',          'Nurse',            'CM-008', 0,  '2024-12-01');

insert into public.invitations (clinic_id, branch_id, email, role, status, invited_by, expires_at)
values
  ('c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000012', 'new.doctor@bangkokglow.example', 'doctor', 'pending', '00000000-0000-0000-0000-0000000000a1', timestamptz '2025-03-10 00:00+07'),
  ('c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', 'old.sales@bangkokglow.example', 'sales_staff', 'expired', '00000000-0000-0000-0000-0000000000a1', timestamptz '2025-01-10 00:00+07'),
  ('c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', 'reception2@cmskin.example', 'receptionist', 'pending', '00000000-0000-0000-0000-0000000000b1', timestamptz '2025-03-12 00:00+07'),
  ('c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000022', 'dr.chai@cmskin.example', 'doctor', 'accepted', '00000000-0000-0000-0000-0000000000b1', timestamptz '2024-12-08 00:00+07');

-- -----------------------------------------------------------------------------
-- Service catalog
-- -----------------------------------------------------------------------------
insert into public.service_categories (id, clinic_id, name, name_en, display_order)
values
  ('5c000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', 'เลเซอร์', 'Laser', 1),
  ('5c000000-0000-0000-0000-000000000012', 'c0000000-0000-0000-0000-000000000001', 'ฟิลเลอร์และโบท็อกซ์', 'Filler & Botox', 2),
  ('5c000000-0000-0000-0000-000000000021', 'c0000000-0000-0000-0000-000000000002', 'ทรีตเมนต์หน้า', 'Facial Treatment', 1),
  ('5c000000-0000-0000-0000-000000000022', 'c0000000-0000-0000-0000-000000000002', 'เลเซอร์', 'Laser', 2);

insert into public.services (id, clinic_id, category_id, name, name_en, duration_minutes, price, requires_consultation, display_order)
values
  ('5e000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', '5c000000-0000-0000-0000-000000000011', 'พิโคเลเซอร์', 'Pico Laser', 45, 4500, true, 1),
  ('5e000000-0000-0000-0000-000000000012', 'c0000000-0000-0000-0000-000000000001', '5c000000-0000-0000-0000-000000000011', 'เลเซอร์รักษาสิว', 'Acne Laser', 30, 2900.50, false, 2),
  ('5e000000-0000-0000-0000-000000000013', 'c0000000-0000-0000-0000-000000000001', '5c000000-0000-0000-0000-000000000012', 'โบท็อกซ์กราม', 'Jaw Botox', 30, 7900, true, 3),
  ('5e000000-0000-0000-0000-000000000021', 'c0000000-0000-0000-0000-000000000002', '5c000000-0000-0000-0000-000000000021', 'ทรีตเมนต์หน้าใส', 'Brightening Facial', 60, 1800, false, 1),
  ('5e000000-0000-0000-0000-000000000022', 'c0000000-0000-0000-0000-000000000002', '5c000000-0000-0000-0000-000000000022', 'เลเซอร์ฝ้า', 'Melasma Laser', 45, 3900, true, 2),
  ('5e000000-0000-0000-0000-000000000023', 'c0000000-0000-0000-0000-000000000002', '5c000000-0000-0000-0000-000000000021', 'ทรีตเมนต์สิว', 'Acne Clear Facial', 60, 1500, false, 3);

-- -----------------------------------------------------------------------------
-- Customers (c1-c3 / d1-d3 have app accounts, the 4th of each clinic is walk-in only)
-- -----------------------------------------------------------------------------
insert into public.customers (
  id, clinic_id, branch_id, user_id, customer_code, full_name, nickname, email, phone, line_id,
  date_of_birth, gender, skin_type, tags, preferences, allergies, source, assigned_sales_id,
  total_spent, visit_count, last_visit_at, marketing_consent, line_user_id
)
values
  ('cc000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', '00000000-0000-0000-0000-0000000000c1',
   'BG-C0001', 'Pimchanok Boonmee', 'Pim', 'pim.customer@gmail.example', '+66 81 111 1111', 'pim.b', '1993-04-12', 'female', 'combination',
   '["vip", "acne"]', '{"channel": "line", "language": "th"}', '{}', 'ai_scan', '00000000-0000-0000-0000-0000000000a5',
   18500, 6, timestamptz '2025-02-18 14:00+07', true, 'U1111'),
  ('cc000000-0000-0000-0000-000000000012', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000012', '00000000-0000-0000-0000-0000000000c2',
   'BG-C0002', 'Tarn Suwan', 'Tarn', 'tarn.customer@gmail.example', '+66 81 222 2222', null, '1988-09-30', 'male', 'oily',
   '["acne"]', '{"channel": "sms"}', '{lidocaine}', 'facebook', '00000000-0000-0000-0000-0000000000a6',
   2900.50, 1, timestamptz '2025-01-25 16:00+07', false, null),
  ('cc000000-0000-0000-0000-000000000013', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', '00000000-0000-0000-0000-0000000000c3',
   'BG-C0003', 'Jane Miller', null, 'jane.customer@gmail.example', '+66 81 333 3333', null, '1990-01-05', 'female', 'sensitive',
   '["melasma"]', '{"channel": "email", "language": "en"}', '{}', 'website', '00000000-0000-0000-0000-0000000000a5',
   7900, 2, timestamptz '2025-02-01 11:00+07', true, null),
  ('cc000000-0000-0000-0000-000000000014', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000012', null,
   'BG-C0004', 'Wanida Kaewkla', 'Nida', null, '+66 81 444 4444', null, '1979-06-21', 'female', 'dry',
   '["wrinkles"]', '{}', '{}', 'walk_in', null,
   0, 0, null, false, null),
  ('cc000000-0000-0000-0000-000000000021', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', '00000000-0000-0000-0000-0000000000d1',
   'CM-C0001', 'Ying Thongdee', 'Ying', 'ying.customer@gmail.example', '+66 89 111 1111', 'ying.t', '1995-02-14', 'female', 'oily',
   '["vip", "acne"]', '{"channel": "line"}', '{}', 'line', '00000000-0000-0000-0000-0000000000b5',
   9600, 4, timestamptz '2025-02-15 13:00+07', true, 'U2111'),
  ('cc000000-0000-0000-0000-000000000022', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000022', '00000000-0000-0000-0000-0000000000d2',
   'CM-C0002', 'Ball Chaiwong', 'Ball', 'ball.customer@gmail.example', '+66 89 222 2222', null, '1991-11-02', 'male', 'normal',
   '["melasma"]', '{"channel": "line"}', '{}', 'instagram', '00000000-0000-0000-0000-0000000000b6',
   3900, 1, timestamptz '2025-01-20 15:00+07', false, null),
  ('cc000000-0000-0000-0000-000000000023', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', '00000000-0000-0000-0000-0000000000d3',
   'CM-C0003', 'Emma Schmidt', null, 'emma.customer@gmail.example', '+66 89 333 3333', null, '1985-07-19', 'female', 'dry',
   '["wrinkles"]', '{"channel": "email", "language": "en"}', '{}', 'referral', '00000000-0000-0000-0000-0000000000b5',
   1800, 1, timestamptz '2025-02-05 10:00+07', true, null),
  ('cc000000-0000-0000-0000-000000000024', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000022', null,
   'CM-C0004', 'Somchai Dee', null, null, '+66 89 444 4444', null, '1970-03-03', 'male', 'combination',
   '[]', '{}', '{}', 'walk_in', null,
   0, 0, null, false, null);

-- -----------------------------------------------------------------------------
-- Skin analyses and analysis history
-- -----------------------------------------------------------------------------
insert into public.skin_analyses (
  id, user_id, customer_id, clinic_id, branch_id, image_url, analysis_type, status,
  overall_score, skin_age, skin_type, concerns, analysis_results, recommendations,
  ai_model, ai_confidence, created_at
)
values
  ('5a000000-0000-0000-0000-000000000011', '00000000-0000-0000-0000-0000000000c1', 'cc000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011',
   'skin-analyses/c0000000-0000-0000-0000-000000000001/00000000-0000-0000-0000-0000000000c1/2024-12-01.jpg', 'full', 'completed',
   62, 34, 'combination', '["acne", "pores"]', '{"acne": 71, "pores": 58, "wrinkles": 20, "spots": 35}', '["Acne Laser", "BHA cleanser"]',
   'vision-v2', 0.9312, timestamptz '2024-12-01 10:15+07'),
  ('5a000000-0000-0000-0000-000000000012', '00000000-0000-0000-0000-0000000000c1', 'cc000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011',
   'skin-analyses/c0000000-0000-0000-0000-000000000001/00000000-0000-0000-0000-0000000000c1/2025-01-10.jpg', 'full', 'completed',
   70, 32, 'combination', '["acne"]', '{"acne": 52, "pores": 50, "wrinkles": 19, "spots": 30}', '["Acne Laser"]',
   'vision-v2', 0.9450, timestamptz '2025-01-10 11:00+07'),
  ('5a000000-0000-0000-0000-000000000013', '00000000-0000-0000-0000-0000000000c1', 'cc000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011',
   'skin-analyses/c0000000-0000-0000-0000-000000000001/00000000-0000-0000-0000-0000000000c1/2025-02-18.jpg', 'vision_ai', 'completed',
   78, 31, 'combination', '["pores"]', '{"acne": 30, "pores": 44, "wrinkles": 18, "spots": 25}', '["Pico Laser"]',
   'vision-v3', 0.9620, timestamptz '2025-02-18 13:30+07'),
  ('5a000000-0000-0000-0000-000000000014', '00000000-0000-0000-0000-0000000000c3', 'cc000000-0000-0000-0000-000000000013', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011',
   'skin-analyses/c0000000-0000-0000-0000-000000000001/00000000-0000-0000-0000-0000000000c3/2025-01-28.jpg', 'quick', 'completed',
   66, 37, 'sensitive', '["melasma", "spots"]', '{"melasma": 64, "spots": 60}', '["Pico Laser", "sunscreen SPF50"]',
   'vision-v2', 0.9011, timestamptz '2025-01-28 15:45+07'),
  ('5a000000-0000-0000-0000-000000000021', '00000000-0000-0000-0000-0000000000d1', 'cc000000-0000-0000-0000-000000000021', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021',
   'skin-analyses/c0000000-0000-0000-0000-000000000002/00000000-0000-0000-0000-0000000000d1/2025-01-05.jpg', 'full', 'completed',
   58, 29, 'oily', '["acne", "oiliness"]', '{"acne": 80, "oiliness": 75}', '["Acne Clear Facial"]',
   'vision-v2', 0.9205, timestamptz '2025-01-05 10:00+07'),
  ('5a000000-0000-0000-0000-000000000022', '00000000-0000-0000-0000-0000000000d1', 'cc000000-0000-0000-0000-000000000021', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021',
   'skin-analyses/c0000000-0000-0000-0000-000000000002/00000000-0000-0000-0000-0000000000d1/2025-02-15.jpg', 'full', 'completed',
   67, 28, 'oily', '["acne"]', '{"acne": 61, "oiliness": 60}', '["Acne Clear Facial"]',
   'vision-v3', 0.9388, timestamptz '2025-02-15 12:30+07'),
  ('5a000000-0000-0000-0000-000000000023', '00000000-0000-0000-0000-0000000000d2', 'cc000000-0000-0000-0000-000000000022', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000022',
   'skin-analyses/c0000000-0000-0000-0000-000000000002/00000000-0000-0000-0000-0000000000d2/2025-01-20.jpg', 'quick', 'completed',
   71, 35, 'normal', '["melasma"]', '{"melasma": 55}', '["Melasma Laser"]',
   'vision-v2', 0.8870, timestamptz '2025-01-20 14:00+07'),
  ('5a000000-0000-0000-0000-000000000024', '00000000-0000-0000-0000-0000000000d3', 'cc000000-0000-0000-0000-000000000023', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021',
   'skin-analyses/c0000000-0000-0000-0000-000000000002/00000000-0000-0000-0000-0000000000d3/2025-02-05.jpg', 'full', 'processing',
   null, null, null, '[]', '{}', '[]',
   'vision-v3', null, timestamptz '2025-02-05 09:40+07');

insert into public.analysis_history (user_id, clinic_id, skin_analysis_id, compared_with_id, action, created_at)
values
  ('00000000-0000-0000-0000-0000000000c1', 'c0000000-0000-0000-0000-000000000001', '5a000000-0000-0000-0000-000000000011', null, 'created', timestamptz '2024-12-01 10:16+07'),
  ('00000000-0000-0000-0000-0000000000c1', 'c0000000-0000-0000-0000-000000000001', '5a000000-0000-0000-0000-000000000012', '5a000000-0000-0000-0000-000000000011', 'compared', timestamptz '2025-01-10 11:05+07'),
  ('00000000-0000-0000-0000-0000000000c1', 'c0000000-0000-0000-0000-000000000001', '5a000000-0000-0000-0000-000000000013', '5a000000-0000-0000-0000-000000000012', 'compared', timestamptz '2025-02-18 13:35+07'),
  ('00000000-0000-0000-0000-0000000000a5', 'c0000000-0000-0000-0000-000000000001', '5a000000-0000-0000-0000-000000000014', null, 'viewed', timestamptz '2025-01-28 16:00+07'),
  ('00000000-0000-0000-0000-0000000000d1', 'c0000000-0000-0000-0000-000000000002', '5a000000-0000-0000-0000-000000000022', '5a000000-0000-0000-0000-000000000021', 'compared', timestamptz '2025-02-15 12:40+07'),
  ('00000000-0000-0000-0000-0000000000d2', 'c0000000-0000-0000-0000-000000000002', '5a000000-0000-0000-0000-000000000023', null, 'shared', timestamptz '2025-01-20 14:10+07');

-- -----------------------------------------------------------------------------
-- CRM: leads, proposals, activities, notes
-- -----------------------------------------------------------------------------
insert into public.sales_leads (
  id, clinic_id, branch_id, sales_user_id, full_name, email, phone, line_id, source, status, score,
  estimated_value, skin_analysis_id, interested_services, metadata, next_follow_up_at, last_contacted_at,
  converted_customer_id, converted_at, lost_reason, created_at
)
values
  ('1e000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', '00000000-0000-0000-0000-0000000000a5',
   'Pimchanok Boonmee', 'pim.customer@gmail.example', '+66 81 111 1111', 'pim.b', 'ai_scan', 'won', 90, 18000, '5a000000-0000-0000-0000-000000000011',
   '{5e000000-0000-0000-0000-000000000012}', '{"utm_campaign": "kiosk-siam"}', null, timestamptz '2024-12-02 10:00+07',
   'cc000000-0000-0000-0000-000000000011', timestamptz '2024-12-03 12:00+07', null, timestamptz '2024-12-01 10:20+07'),
  ('1e000000-0000-0000-0000-000000000012', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', '00000000-0000-0000-0000-0000000000a5',
   'Araya Chen', 'araya@gmail.example', '+66 82 555 0101', null, 'facebook', 'qualified', 65, 12000, null,
   '{5e000000-0000-0000-0000-000000000011}', '{"utm_campaign": "fb-pico-jan"}', timestamptz '2025-03-04 10:00+07', timestamptz '2025-02-25 15:00+07',
   null, null, null, timestamptz '2025-02-20 09:00+07'),
  ('1e000000-0000-0000-0000-000000000013', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', '00000000-0000-0000-0000-0000000000a5',
   'Kritsada Noi', null, '+66 82 555 0102', 'krit.n', 'line', 'new', 20, 4500, null,
   '{}', '{}', timestamptz '2025-03-03 11:00+07', null,
   null, null, null, timestamptz '2025-02-27 18:00+07'),
  ('1e000000-0000-0000-0000-000000000014', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000012', '00000000-0000-0000-0000-0000000000a6',
   'Tarn Suwan', 'tarn.customer@gmail.example', '+66 81 222 2222', null, 'facebook', 'proposal_sent', 70, 8700, null,
   '{5e000000-0000-0000-0000-000000000012}', '{}', timestamptz '2025-03-05 14:00+07', timestamptz '2025-02-26 14:00+07',
   null, null, null, timestamptz '2025-01-20 12:00+07'),
  ('1e000000-0000-0000-0000-000000000015', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000012', '00000000-0000-0000-0000-0000000000a6',
   'Mali Sornsri', null, '+66 82 555 0103', null, 'walk_in', 'lost', 10, 3000, null,
   '{}', '{}', null, timestamptz '2025-01-12 10:00+07',
   null, null, 'price too high', timestamptz '2025-01-10 10:00+07'),
  ('1e000000-0000-0000-0000-000000000021', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', '00000000-0000-0000-0000-0000000000b5',
   'Ying Thongdee', 'ying.customer@gmail.example', '+66 89 111 1111', 'ying.t', 'line', 'won', 85, 9600, '5a000000-0000-0000-0000-000000000021',
   '{5e000000-0000-0000-0000-000000000023}', '{}', null, timestamptz '2025-01-06 10:00+07',
   'cc000000-0000-0000-0000-000000000021', timestamptz '2025-01-07 10:00+07', null, timestamptz '2025-01-05 10:10+07'),
  ('1e000000-0000-0000-0000-000000000022', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', '00000000-0000-0000-0000-0000000000b5',
   'Napat Kongkaew', null, '+66 88 777 0201', null, 'instagram', 'contacted', 40, 3900, null,
   '{5e000000-0000-0000-0000-000000000022}', '{}', timestamptz '2025-03-02 13:00+07', timestamptz '2025-02-24 13:00+07',
   null, null, null, timestamptz '2025-02-22 20:00+07'),
  ('1e000000-0000-0000-0000-000000000023', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000022', '00000000-0000-0000-0000-0000000000b6',
   'Ball Chaiwong', 'ball.customer@gmail.example', '+66 89 222 2222', null, 'instagram', 'negotiation', 60, 11700, '5a000000-0000-0000-0000-000000000023',
   '{5e000000-0000-0000-0000-000000000022}', '{}', timestamptz '2025-03-06 10:00+07', timestamptz '2025-02-27 10:00+07',
   null, null, null, timestamptz '2025-01-20 14:15+07'),
  ('1e000000-0000-0000-0000-000000000024', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000022', '00000000-0000-0000-0000-0000000000b6',
   'Lisa Park', 'lisa.park@gmail.example', '+66 88 777 0202', null, 'website', 'new', 30, 1800, null,
   '{}', '{}', timestamptz '2025-03-03 09:00+07', null,
   null, null, null, timestamptz '2025-02-28 08:00+07');

insert into public.sales_proposals (
  id, clinic_id, lead_id, customer_id, sales_user_id, proposal_number, title, status,
  subtotal, discount_amount, total_amount, valid_until, sent_at, viewed_at, accepted_at, created_at
)
values
  ('ab000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', '1e000000-0000-0000-0000-000000000011', 'cc000000-0000-0000-0000-000000000011', '00000000-0000-0000-0000-0000000000a5',
   'BG-P-2024-0001', 'Acne Laser x 6 sessions', 'accepted', 17403, 1503, 15900, '2024-12-31',
   timestamptz '2024-12-02 10:30+07', timestamptz '2024-12-02 12:00+07', timestamptz '2024-12-03 12:00+07', timestamptz '2024-12-02 10:00+07'),
  ('ab000000-0000-0000-0000-000000000012', 'c0000000-0000-0000-0000-000000000001', '1e000000-0000-0000-0000-000000000014', 'cc000000-0000-0000-0000-000000000012', '00000000-0000-0000-0000-0000000000a6',
   'BG-P-2025-0002', 'Acne Laser x 3 sessions', 'sent', 8701.50, 0, 8701.50, '2025-03-31',
   timestamptz '2025-02-26 14:30+07', null, null, timestamptz '2025-02-26 14:00+07'),
  ('ab000000-0000-0000-0000-000000000013', 'c0000000-0000-0000-0000-000000000001', '1e000000-0000-0000-0000-000000000012', null, '00000000-0000-0000-0000-0000000000a5',
   'BG-P-2025-0003', 'Pico Laser x 3 sessions', 'accepted', 13500, 1500, 12000, '2025-03-15',
   timestamptz '2025-02-25 15:30+07', timestamptz '2025-02-25 18:00+07', timestamptz '2025-02-26 09:00+07', timestamptz '2025-02-25 15:00+07'),
  ('ab000000-0000-0000-0000-000000000021', 'c0000000-0000-0000-0000-000000000002', '1e000000-0000-0000-0000-000000000021', 'cc000000-0000-0000-0000-000000000021', '00000000-0000-0000-0000-0000000000b5',
   'CM-P-2025-0001', 'Acne Clear Facial x 8', 'accepted', 12000, 2400, 9600, '2025-01-31',
   timestamptz '2025-01-06 10:30+07', timestamptz '2025-01-06 11:00+07', timestamptz '2025-01-07 10:00+07', timestamptz '2025-01-06 10:00+07'),
  ('ab000000-0000-0000-0000-000000000022', 'c0000000-0000-0000-0000-000000000002', '1e000000-0000-0000-0000-000000000023', 'cc000000-0000-0000-0000-000000000022', '00000000-0000-0000-0000-0000000000b6',
   'CM-P-2025-0002', 'Melasma Laser x 3', 'viewed', 11700, 0, 11700, '2025-03-20',
   timestamptz '2025-02-27 10:30+07', timestamptz '2025-02-27 20:00+07', null, timestamptz '2025-02-27 10:00+07');

insert into public.proposal_items (proposal_id, service_id, description, quantity, unit_price, discount_percent)
values
  ('ab000000-0000-0000-0000-000000000011', '5e000000-0000-0000-0000-000000000012', 'Acne Laser', 6, 2900.50, 8.64),
  ('ab000000-0000-0000-0000-000000000012', '5e000000-0000-0000-0000-000000000012', 'Acne Laser', 3, 2900.50, 0),
  ('ab000000-0000-0000-0000-000000000013', '5e000000-0000-0000-0000-000000000011', 'Pico Laser', 3, 4500, 11.11),
  ('ab000000-0000-0000-0000-000000000021', '5e000000-0000-0000-0000-000000000023', 'Acne Clear Facial', 8, 1500, 20),
  ('ab000000-0000-0000-0000-000000000022', '5e000000-0000-0000-0000-000000000022', 'Melasma Laser', 3, 3900, 0);

insert into public.sales_activities (clinic_id, lead_id, sales_user_id, activity_type, subject, description, outcome, completed_at, created_at)
values
  ('c0000000-0000-0000-0000-000000000001', '1e000000-0000-0000-0000-000000000012', '00000000-0000-0000-0000-0000000000a5', 'call', 'First call', 'Interested in pico laser for spots', 'qualified', timestamptz '2025-02-25 15:00+07', timestamptz '2025-02-25 15:00+07'),
  ('c0000000-0000-0000-0000-000000000001', '1e000000-0000-0000-0000-000000000014', '00000000-0000-0000-0000-0000000000a6', 'line_message', 'Sent proposal', 'Proposal BG-P-2025-0002 sent over LINE', null, timestamptz '2025-02-26 14:30+07', timestamptz '2025-02-26 14:30+07'),
  ('c0000000-0000-0000-0000-000000000001', '1e000000-0000-0000-0000-000000000011', '00000000-0000-0000-0000-0000000000a5', 'status_change', 'Won', 'Signed 6-session acne package', 'won', timestamptz '2024-12-03 12:00+07', timestamptz '2024-12-03 12:00+07'),
  ('c0000000-0000-0000-0000-000000000002', '1e000000-0000-0000-0000-000000000022', '00000000-0000-0000-0000-0000000000b5', 'call', 'Intro call', 'Asked about melasma laser downtime', 'follow up next week', timestamptz '2025-02-24 13:00+07', timestamptz '2025-02-24 13:00+07'),
  ('c0000000-0000-0000-0000-000000000002', '1e000000-0000-0000-0000-000000000023', '00000000-0000-0000-0000-0000000000b6', 'meeting', 'Presentation', 'Showed AI analysis, negotiating price', null, timestamptz '2025-02-27 10:00+07', timestamptz '2025-02-27 10:00+07');

insert into public.customer_notes (clinic_id, customer_id, author_id, note_type, content, is_private, is_pinned, created_at)
values
  ('c0000000-0000-0000-0000-000000000001', 'cc000000-0000-0000-0000-000000000011', '00000000-0000-0000-0000-0000000000a3', 'medical',
   'Inflammatory acne on both cheeks. Started acne laser course, 6 sessions two weeks apart. Avoid retinoids 3 days before laser.', false, true, timestamptz '2024-12-03 12:30+07'),
  ('c0000000-0000-0000-0000-000000000001', 'cc000000-0000-0000-0000-000000000011', '00000000-0000-0000-0000-0000000000a5', 'sales',
   'VIP customer, prefers LINE contact in the evening. Interested in pico laser after the acne course.', false, false, timestamptz '2025-02-18 15:00+07'),
  ('c0000000-0000-0000-0000-000000000001', 'cc000000-0000-0000-0000-000000000012', '00000000-0000-0000-0000-0000000000a8', 'medical',
   'Allergic to lidocaine cream - use cooling only before laser.', false, true, timestamptz '2025-01-25 16:10+07'),
  ('c0000000-0000-0000-0000-000000000001', 'cc000000-0000-0000-0000-000000000013', '00000000-0000-0000-0000-0000000000a7', 'complaint',
   'Waited 40 minutes past booking time on 1 Feb. Offered free facial as apology.', false, false, timestamptz '2025-02-01 12:00+07'),
  ('c0000000-0000-0000-0000-000000000002', 'cc000000-0000-0000-0000-000000000021', '00000000-0000-0000-0000-0000000000b3', 'medical',
   'Oily skin with comedonal acne, responds well to facial extraction. Consider laser if no improvement.', false, true, timestamptz '2025-01-07 11:00+07'),
  ('c0000000-0000-0000-0000-000000000002', 'cc000000-0000-0000-0000-000000000022', '00000000-0000-0000-0000-0000000000b6', 'sales',
   'Negotiating melasma laser package, asked for 10 percent discount.', false, false, timestamptz '2025-02-27 10:30+07'),
  ('c0000000-0000-0000-0000-000000000002', 'cc000000-0000-0000-0000-000000000023', '00000000-0000-0000-0000-0000000000b7', 'follow_up',
   'Call back about analysis result once processing finishes.', true, false, timestamptz '2025-02-05 10:00+07');

-- -----------------------------------------------------------------------------
-- Doctors, rooms, schedules, slots
-- -----------------------------------------------------------------------------
insert into public.doctors (id, clinic_id, branch_id, user_id, full_name, title, specialty, license_number, consultation_fee, languages)
values
  ('dd000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', '00000000-0000-0000-0000-0000000000a3', 'Kanya Wongsakul', 'Dr.', 'Dermatology', 'MD-10231', 800, '{th,en}'),
  ('dd000000-0000-0000-0000-000000000012', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000012', '00000000-0000-0000-0000-0000000000a4', 'Arthit Rattanakorn', 'Dr.', 'Aesthetic Medicine', 'MD-20877', 600, '{th}'),
  ('dd000000-0000-0000-0000-000000000021', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', '00000000-0000-0000-0000-0000000000b3', 'Malee Chantara', 'Dr.', 'Dermatology', 'MD-31544', 700, '{th,en}'),
  ('dd000000-0000-0000-0000-000000000022', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000022', '00000000-0000-0000-0000-0000000000b4', 'Chai Inpanya', 'Dr.', 'Laser Medicine', 'MD-40219', 500, '{th}');

insert into public.treatment_rooms (id, clinic_id, branch_id, name, room_type, equipment)
values
  ('70000000-0000-0000-0000-000000000111', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', 'Room 1', 'consultation', '[]'),
  ('70000000-0000-0000-0000-000000000112', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', 'Laser Room', 'laser', '["PicoSure", "Nd:YAG"]'),
  ('70000000-0000-0000-0000-000000000121', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000012', 'Room 1', 'treatment', '[]'),
  ('70000000-0000-0000-0000-000000000122', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000012', 'Laser Room', 'laser', '["PicoWay"]'),
  ('70000000-0000-0000-0000-000000000211', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', 'Room A', 'treatment', '[]'),
  ('70000000-0000-0000-0000-000000000212', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', 'Laser Room', 'laser', '["Q-switched Nd:YAG"]'),
  ('70000000-0000-0000-0000-000000000221', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000022', 'Room A', 'consultation', '[]'),
  ('70000000-0000-0000-0000-000000000222', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000022', 'Room B', 'treatment', '[]');

-- Monday to Saturday, 09:00-12:00 and 13:00-17:00
insert into public.doctor_schedules (clinic_id, branch_id, doctor_id, day_of_week, start_time, end_time, slot_duration_minutes, effective_from)
select d.clinic_id, d.branch_id, d.id, dow, t.start_time, t.end_time, 30, date '2025-01-01'
from public.doctors d
cross join generate_series(1, 6) as dow
cross join (values (time '09:00', time '12:00'), (time '13:00', time '17:00')) as t(start_time, end_time)
where d.clinic_id in ('c0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000002');

-- bookable 30-minute slots on 3 and 4 March 2025, 09:00-12:00
insert into public.availability_slots (clinic_id, branch_id, doctor_id, slot_date, start_time, end_time, status)
select d.clinic_id, d.branch_id, d.id, day::date, slot::time, (slot + interval '30 minutes')::time, 'available'
from public.doctors d
cross join generate_series(date '2025-03-03', date '2025-03-04', interval '1 day') as day
cross join generate_series(timestamp '2000-01-01 09:00', timestamp '2000-01-01 11:30', interval '30 minutes') as slot
where d.clinic_id in ('c0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000002');

-- -----------------------------------------------------------------------------
-- Appointments (past ones are completed and have treatment records)
-- -----------------------------------------------------------------------------
insert into public.appointments (
  id, clinic_id, branch_id, customer_id, doctor_id, room_id, staff_id, appointment_date, start_time, end_time,
  status, appointment_type, notes, reminder_sent, checked_in_at, completed_at, created_by, created_at
)
values
  ('ae000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', 'cc000000-0000-0000-0000-000000000011', 'dd000000-0000-0000-0000-000000000011', '70000000-0000-0000-0000-000000000112', '00000000-0000-0000-0000-0000000000a8',
   '2025-02-18', '13:00', '13:30', 'completed', 'treatment', 'Acne laser session 5/6', true, timestamptz '2025-02-18 12:55+07', timestamptz '2025-02-18 13:40+07', '00000000-0000-0000-0000-0000000000a7', timestamptz '2025-02-04 10:00+07'),
  ('ae000000-0000-0000-0000-000000000012', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', 'cc000000-0000-0000-0000-000000000011', 'dd000000-0000-0000-0000-000000000011', '70000000-0000-0000-0000-000000000112', null,
   '2025-03-04', '13:00', '13:30', 'confirmed', 'treatment', 'Acne laser session 6/6', false, null, null, '00000000-0000-0000-0000-0000000000a7', timestamptz '2025-02-18 13:45+07'),
  ('ae000000-0000-0000-0000-000000000013', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000012', 'cc000000-0000-0000-0000-000000000012', 'dd000000-0000-0000-0000-000000000012', '70000000-0000-0000-0000-000000000122', '00000000-0000-0000-0000-0000000000a8',
   '2025-01-25', '15:00', '15:30', 'completed', 'treatment', null, true, timestamptz '2025-01-25 14:50+07', timestamptz '2025-01-25 15:40+07', '00000000-0000-0000-0000-0000000000a6', timestamptz '2025-01-20 12:30+07'),
  ('ae000000-0000-0000-0000-000000000014', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', 'cc000000-0000-0000-0000-000000000013', 'dd000000-0000-0000-0000-000000000011', '70000000-0000-0000-0000-000000000111', null,
   '2025-03-05', '10:00', '10:30', 'scheduled', 'consultation', 'Melasma consult', false, null, null, '00000000-0000-0000-0000-0000000000a5', timestamptz '2025-02-20 10:00+07'),
  ('ae000000-0000-0000-0000-000000000021', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', 'cc000000-0000-0000-0000-000000000021', 'dd000000-0000-0000-0000-000000000021', '70000000-0000-0000-0000-000000000211', '00000000-0000-0000-0000-0000000000b7',
   '2025-02-15', '11:00', '12:00', 'completed', 'treatment', 'Acne clear facial 4/8', true, timestamptz '2025-02-15 10:50+07', timestamptz '2025-02-15 12:05+07', '00000000-0000-0000-0000-0000000000b7', timestamptz '2025-02-01 09:00+07'),
  ('ae000000-0000-0000-0000-000000000022', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000022', 'cc000000-0000-0000-0000-000000000022', 'dd000000-0000-0000-0000-000000000022', '70000000-0000-0000-0000-000000000222', null,
   '2025-01-20', '14:00', '14:30', 'completed', 'skin_analysis', null, true, timestamptz '2025-01-20 13:55+07', timestamptz '2025-01-20 14:30+07', '00000000-0000-0000-0000-0000000000b6', timestamptz '2025-01-18 09:00+07'),
  ('ae000000-0000-0000-0000-000000000023', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', 'cc000000-0000-0000-0000-000000000023', 'dd000000-0000-0000-0000-000000000021', '70000000-0000-0000-0000-000000000211', null,
   '2025-03-03', '09:00', '10:00', 'confirmed', 'treatment', null, false, null, null, '00000000-0000-0000-0000-0000000000b7', timestamptz '2025-02-25 09:00+07');

insert into public.appointment_services (appointment_id, service_id, price, quantity)
values
  ('ae000000-0000-0000-0000-000000000011', '5e000000-0000-0000-0000-000000000012', 2650, 1),
  ('ae000000-0000-0000-0000-000000000012', '5e000000-0000-0000-0000-000000000012', 2650, 1),
  ('ae000000-0000-0000-0000-000000000013', '5e000000-0000-0000-0000-000000000012', 2900.50, 1),
  ('ae000000-0000-0000-0000-000000000021', '5e000000-0000-0000-0000-000000000023', 1200, 1),
  ('ae000000-0000-0000-0000-000000000022', '5e000000-0000-0000-0000-000000000022', 3900, 1),
  ('ae000000-0000-0000-0000-000000000023', '5e000000-0000-0000-0000-000000000021', 1800, 1);

insert into public.reminders (clinic_id, appointment_id, customer_id, channel, remind_at, status, payload, sent_at)
values
  ('c0000000-0000-0000-0000-000000000001', 'ae000000-0000-0000-0000-000000000011', 'cc000000-0000-0000-0000-000000000011', 'line', timestamptz '2025-02-17 18:00+07', 'sent', '{"template": "reminder_24h"}', timestamptz '2025-02-17 18:00+07'),
  ('c0000000-0000-0000-0000-000000000001', 'ae000000-0000-0000-0000-000000000012', 'cc000000-0000-0000-0000-000000000011', 'line', timestamptz '2025-03-03 18:00+07', 'scheduled', '{"template": "reminder_24h"}', null),
  ('c0000000-0000-0000-0000-000000000001', 'ae000000-0000-0000-0000-000000000014', 'cc000000-0000-0000-0000-000000000013', 'email', timestamptz '2025-03-04 10:00+07', 'scheduled', '{"template": "reminder_24h_en"}', null),
  ('c0000000-0000-0000-0000-000000000002', 'ae000000-0000-0000-0000-000000000021', 'cc000000-0000-0000-0000-000000000021', 'line', timestamptz '2025-02-14 11:00+07', 'sent', '{"template": "reminder_24h"}', timestamptz '2025-02-14 11:00+07'),
  ('c0000000-0000-0000-0000-000000000002', 'ae000000-0000-0000-0000-000000000023', 'cc000000-0000-0000-0000-000000000023', 'email', timestamptz '2025-03-02 09:00+07', 'scheduled', '{"template": "reminder_24h_en"}', null);

-- -----------------------------------------------------------------------------
-- Walk-in queue (today) and its statistics (yesterday)
-- -----------------------------------------------------------------------------
insert into public.queue_settings (clinic_id, branch_id, prefix, avg_service_minutes, display_settings)
select b.clinic_id, b.id, left(b.code, 1), 20, '{"theme": "light", "show_names": false}'
from public.branches b
where b.clinic_id in ('c0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000002');

insert into public.queue_entries (
  id, clinic_id, branch_id, customer_id, appointment_id, service_id, queue_number, queue_date, status, priority,
  counter_number, served_by, estimated_wait_minutes, called_at, created_at
)
values
  ('ce000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', 'cc000000-0000-0000-0000-000000000011', null, '5e000000-0000-0000-0000-000000000012', 'S001', current_date, 'in_service', 5, '2', '00000000-0000-0000-0000-0000000000a7', 0, now() - interval '20 minutes', now() - interval '45 minutes'),
  ('ce000000-0000-0000-0000-000000000012', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', 'cc000000-0000-0000-0000-000000000013', null, '5e000000-0000-0000-0000-000000000011', 'S002', current_date, 'waiting', 0, null, null, 15, null, now() - interval '30 minutes'),
  ('ce000000-0000-0000-0000-000000000013', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', 'cc000000-0000-0000-0000-000000000014', null, null, 'S003', current_date, 'waiting', 0, null, null, 35, null, now() - interval '10 minutes'),
  ('ce000000-0000-0000-0000-000000000014', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000012', 'cc000000-0000-0000-0000-000000000012', null, '5e000000-0000-0000-0000-000000000012', 'T001', current_date, 'completed', 0, '1', '00000000-0000-0000-0000-0000000000a8', 0, now() - interval '2 hours', now() - interval '150 minutes'),
  ('ce000000-0000-0000-0000-000000000021', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', 'cc000000-0000-0000-0000-000000000021', null, '5e000000-0000-0000-0000-000000000023', 'N001', current_date, 'called', 0, '1', '00000000-0000-0000-0000-0000000000b7', 0, now() - interval '5 minutes', now() - interval '25 minutes'),
  ('ce000000-0000-0000-0000-000000000022', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', 'cc000000-0000-0000-0000-000000000023', null, '5e000000-0000-0000-0000-000000000021', 'N002', current_date, 'waiting', 0, null, null, 20, null, now() - interval '15 minutes'),
  ('ce000000-0000-0000-0000-000000000023', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000022', 'cc000000-0000-0000-0000-000000000024', null, null, 'O001', current_date, 'waiting', 3, null, null, 10, null, now() - interval '12 minutes');

insert into public.queue_notifications (queue_entry_id, clinic_id, customer_id, channel, message, status, sent_at)
values
  ('ce000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', 'cc000000-0000-0000-0000-000000000011', 'line', 'คิว S001 กรุณาเข้ารับบริการที่ช่อง 2', 'sent', now() - interval '20 minutes'),
  ('ce000000-0000-0000-0000-000000000012', 'c0000000-0000-0000-0000-000000000001', 'cc000000-0000-0000-0000-000000000013', 'push', 'You are next in line (S002)', 'pending', null),
  ('ce000000-0000-0000-0000-000000000021', 'c0000000-0000-0000-0000-000000000002', 'cc000000-0000-0000-0000-000000000021', 'line', 'คิว N001 กรุณาเข้ารับบริการที่ช่อง 1', 'sent', now() - interval '5 minutes'),
  ('ce000000-0000-0000-0000-000000000023', 'c0000000-0000-0000-0000-000000000002', 'cc000000-0000-0000-0000-000000000024', 'display', 'O001', 'sent', now() - interval '12 minutes');

insert into public.queue_statistics (clinic_id, branch_id, stat_date, total_entries, total_served, no_show_count, avg_wait_minutes, max_wait_minutes, peak_hour, hourly_breakdown)
select b.clinic_id, b.id, current_date - 1, 24, 21, 3, 17.5, 48, 14, '{"10": 3, "11": 4, "14": 7, "15": 5, "16": 5}'
from public.branches b
where b.clinic_id in ('c0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000002');

-- -----------------------------------------------------------------------------
-- Inventory
-- -----------------------------------------------------------------------------
insert into public.inventory_categories (id, clinic_id, parent_id, name)
values
  ('ec000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', null, 'Injectables'),
  ('ec000000-0000-0000-0000-000000000012', 'c0000000-0000-0000-0000-000000000001', null, 'Skincare'),
  ('ec000000-0000-0000-0000-000000000021', 'c0000000-0000-0000-0000-000000000002', null, 'Consumables'),
  ('ec000000-0000-0000-0000-000000000022', 'c0000000-0000-0000-0000-000000000002', null, 'Skincare');

insert into public.inventory_suppliers (id, clinic_id, name, contact_name, phone, email, payment_terms)
values
  ('e5000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', 'Siam Aesthetic Supply', 'Khun Wit', '+66 2 555 1000', 'orders@siamaesthetic.example', 'net_30'),
  ('e5000000-0000-0000-0000-000000000012', 'c0000000-0000-0000-0000-000000000001', 'Derma Thai Distribution', 'Khun Ann', '+66 2 555 2000', 'sales@dermathai.example', 'net_15'),
  ('e5000000-0000-0000-0000-000000000021', 'c0000000-0000-0000-0000-000000000002', 'Lanna Medical', 'Khun Boon', '+66 53 555 100', 'po@lannamed.example', 'net_30'),
  ('e5000000-0000-0000-0000-000000000022', 'c0000000-0000-0000-0000-000000000002', 'Derma Thai Distribution', 'Khun Ann', '+66 2 555 2000', 'sales@dermathai.example', 'cod');

insert into public.inventory_items (
  id, clinic_id, branch_id, category_id, supplier_id, sku, name, unit, unit_cost, selling_price,
  quantity_on_hand, reorder_level, reorder_quantity, lot_number, expiry_date
)
values
  ('ee000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', 'ec000000-0000-0000-0000-000000000011', 'e5000000-0000-0000-0000-000000000011', 'BTX-100', 'Botulinum toxin 100U', 'vial', 4200, null, 12, 5, 10, 'L2409A', '2025-09-30'),
  ('ee000000-0000-0000-0000-000000000012', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', 'ec000000-0000-0000-0000-000000000012', 'e5000000-0000-0000-0000-000000000012', 'SUN-50', 'Sunscreen SPF50 50ml', 'bottle', 350, 890, 40, 10, 24, 'S2501', '2027-01-31'),
  ('ee000000-0000-0000-0000-000000000013', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000012', 'ec000000-0000-0000-0000-000000000011', 'e5000000-0000-0000-0000-000000000011', 'HA-1ML', 'Hyaluronic filler 1ml', 'syringe', 3100, null, 3, 4, 10, 'F2411', '2026-05-31'),
  ('ee000000-0000-0000-0000-000000000021', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', 'ec000000-0000-0000-0000-000000000021', 'e5000000-0000-0000-0000-000000000021', 'GEL-COOL', 'Cooling gel 250ml', 'bottle', 180, null, 20, 5, 12, null, '2026-12-31'),
  ('ee000000-0000-0000-0000-000000000022', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', 'ec000000-0000-0000-0000-000000000022', 'e5000000-0000-0000-0000-000000000022', 'SER-VC', 'Vitamin C serum 30ml', 'bottle', 420, 1290, 15, 5, 12, 'V2412', '2026-06-30'),
  ('ee000000-0000-0000-0000-000000000023', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000022', 'ec000000-0000-0000-0000-000000000021', 'e5000000-0000-0000-0000-000000000021', 'MASK-S', 'Sheet mask', 'piece', 25, 99, 200, 50, 200, null, null);

-- the on_stock_movement_created trigger adjusts quantity_on_hand and raises low-stock alerts
insert into public.stock_movements (clinic_id, branch_id, item_id, movement_type, quantity, unit_cost, reference_type, performed_by, notes, created_at)
values
  ('c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', 'ee000000-0000-0000-0000-000000000011', 'purchase', 10, 4200, 'purchase_order', '00000000-0000-0000-0000-0000000000a2', null, timestamptz '2025-02-01 10:00+07'),
  ('c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', 'ee000000-0000-0000-0000-000000000011', 'usage', -1, null, 'treatment_record', '00000000-0000-0000-0000-0000000000a3', 'Jaw botox', timestamptz '2025-02-10 14:00+07'),
  ('c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000012', 'ee000000-0000-0000-0000-000000000013', 'usage', -1, null, 'treatment_record', '00000000-0000-0000-0000-0000000000a4', null, timestamptz '2025-02-12 15:00+07'),
  ('c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', 'ee000000-0000-0000-0000-000000000021', 'usage', -2, null, 'treatment_record', '00000000-0000-0000-0000-0000000000b8', null, timestamptz '2025-02-15 12:00+07'),
  ('c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', 'ee000000-0000-0000-0000-000000000022', 'adjustment', -11, null, null, '00000000-0000-0000-0000-0000000000b2', 'stock count', timestamptz '2025-02-20 18:00+07');

insert into public.inventory_alerts (clinic_id, item_id, alert_type, message, is_resolved, resolved_by, resolved_at, created_at)
values
  ('c0000000-0000-0000-0000-000000000001', 'ee000000-0000-0000-0000-000000000011', 'expiring', 'Botulinum toxin 100U lot L2409A expires 2025-09-30', true, '00000000-0000-0000-0000-0000000000a2', timestamptz '2025-02-02 09:00+07', timestamptz '2025-02-01 00:00+07'),
  ('c0000000-0000-0000-0000-000000000002', 'ee000000-0000-0000-0000-000000000023', 'expiring', 'Sheet mask batch check', true, '00000000-0000-0000-0000-0000000000b2', timestamptz '2025-02-03 09:00+07', timestamptz '2025-02-01 00:00+07');

insert into public.purchase_orders (id, clinic_id, branch_id, supplier_id, po_number, status, order_date, expected_date, received_date, subtotal, tax_amount, total_amount, created_by, approved_by)
values
  ('e0000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', 'e5000000-0000-0000-0000-000000000011', 'BG-PO-0001', 'received', '2025-01-25', '2025-02-01', '2025-02-01', 42000, 2940, 44940, '00000000-0000-0000-0000-0000000000a2', '00000000-0000-0000-0000-0000000000a1'),
  ('e0000000-0000-0000-0000-000000000012', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000012', 'e5000000-0000-0000-0000-000000000011', 'BG-PO-0002', 'submitted', '2025-02-25', '2025-03-05', null, 31000, 2170, 33170, '00000000-0000-0000-0000-0000000000a2', null),
  ('e0000000-0000-0000-0000-000000000021', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', 'e5000000-0000-0000-0000-000000000021', 'CM-PO-0001', 'approved', '2025-02-20', '2025-03-01', null, 2160, 151.20, 2311.20, '00000000-0000-0000-0000-0000000000b2', '00000000-0000-0000-0000-0000000000b1'),
  ('e0000000-0000-0000-0000-000000000022', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', 'e5000000-0000-0000-0000-000000000022', 'CM-PO-0002', 'draft', '2025-02-28', null, null, 5040, 352.80, 5392.80, '00000000-0000-0000-0000-0000000000b2', null);

insert into public.purchase_order_items (purchase_order_id, item_id, quantity, unit_cost, received_quantity)
values
  ('e0000000-0000-0000-0000-000000000011', 'ee000000-0000-0000-0000-000000000011', 10, 4200, 10),
  ('e0000000-0000-0000-0000-000000000012', 'ee000000-0000-0000-0000-000000000013', 10, 3100, 0),
  ('e0000000-0000-0000-0000-000000000021', 'ee000000-0000-0000-0000-000000000021', 12, 180, 0),
  ('e0000000-0000-0000-0000-000000000022', 'ee000000-0000-0000-0000-000000000022', 12, 420, 0);

-- -----------------------------------------------------------------------------
-- Chat
-- -----------------------------------------------------------------------------
insert into public.chat_rooms (id, clinic_id, branch_id, customer_id, room_type, name, created_by, created_at)
values
  ('c4000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', 'cc000000-0000-0000-0000-000000000011', 'customer_support', 'Pimchanok Boonmee', '00000000-0000-0000-0000-0000000000a5', timestamptz '2024-12-01 11:00+07'),
  ('c4000000-0000-0000-0000-000000000012', 'c0000000-0000-0000-0000-000000000001', null, null, 'internal', 'Siam team', '00000000-0000-0000-0000-0000000000a1', timestamptz '2024-11-02 09:00+07'),
  ('c4000000-0000-0000-0000-000000000013', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000012', 'cc000000-0000-0000-0000-000000000012', 'consultation', 'Tarn Suwan - acne', '00000000-0000-0000-0000-0000000000a6', timestamptz '2025-01-20 12:10+07'),
  ('c4000000-0000-0000-0000-000000000021', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', 'cc000000-0000-0000-0000-000000000021', 'customer_support', 'Ying Thongdee', '00000000-0000-0000-0000-0000000000b5', timestamptz '2025-01-05 11:00+07'),
  ('c4000000-0000-0000-0000-000000000022', 'c0000000-0000-0000-0000-000000000002', null, null, 'internal', 'CM all staff', '00000000-0000-0000-0000-0000000000b1', timestamptz '2024-11-11 09:00+07');

insert into public.chat_participants (room_id, user_id, clinic_id, role, joined_at)
values
  ('c4000000-0000-0000-0000-000000000011', '00000000-0000-0000-0000-0000000000c1', 'c0000000-0000-0000-0000-000000000001', 'customer', timestamptz '2024-12-01 11:00+07'),
  ('c4000000-0000-0000-0000-000000000011', '00000000-0000-0000-0000-0000000000a5', 'c0000000-0000-0000-0000-000000000001', 'owner', timestamptz '2024-12-01 11:00+07'),
  ('c4000000-0000-0000-0000-000000000011', '00000000-0000-0000-0000-0000000000a7', 'c0000000-0000-0000-0000-000000000001', 'member', timestamptz '2024-12-01 11:00+07'),
  ('c4000000-0000-0000-0000-000000000012', '00000000-0000-0000-0000-0000000000a1', 'c0000000-0000-0000-0000-000000000001', 'owner', timestamptz '2024-11-02 09:00+07'),
  ('c4000000-0000-0000-0000-000000000012', '00000000-0000-0000-0000-0000000000a5', 'c0000000-0000-0000-0000-000000000001', 'member', timestamptz '2024-11-02 09:00+07'),
  ('c4000000-0000-0000-0000-000000000012', '00000000-0000-0000-0000-0000000000a7', 'c0000000-0000-0000-0000-000000000001', 'member', timestamptz '2024-11-02 09:00+07'),
  ('c4000000-0000-0000-0000-000000000013', '00000000-0000-0000-0000-0000000000c2', 'c0000000-0000-0000-0000-000000000001', 'customer', timestamptz '2025-01-20 12:10+07'),
  ('c4000000-0000-0000-0000-000000000013', '00000000-0000-0000-0000-0000000000a6', 'c0000000-0000-0000-0000-000000000001', 'owner', timestamptz '2025-01-20 12:10+07'),
  ('c4000000-0000-0000-0000-000000000021', '00000000-0000-0000-0000-0000000000d1', 'c0000000-0000-0000-0000-000000000002', 'customer', timestamptz '2025-01-05 11:00+07'),
  ('c4000000-0000-0000-0000-000000000021', '00000000-0000-0000-0000-0000000000b5', 'c0000000-0000-0000-0000-000000000002', 'owner', timestamptz '2025-01-05 11:00+07'),
  ('c4000000-0000-0000-0000-000000000022', '00000000-0000-0000-0000-0000000000b1', 'c0000000-0000-0000-0000-000000000002', 'owner', timestamptz '2024-11-11 09:00+07'),
  ('c4000000-0000-0000-0000-000000000022', '00000000-0000-0000-0000-0000000000b5', 'c0000000-0000-0000-0000-000000000002', 'member', timestamptz '2024-11-11 09:00+07');

-- the on_chat_message_created trigger keeps chat_rooms.last_message_at current
insert into public.chat_messages (id, room_id, clinic_id, sender_id, message_type, content, metadata, created_at)
values
  ('c5000000-0000-0000-0000-000000000111', 'c4000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000c1', 'text', 'สวัสดีค่ะ อยากเลื่อนนัดวันที่ 4 มีนาได้ไหมคะ', '{}', timestamptz '2025-02-27 19:02+07'),
  ('c5000000-0000-0000-0000-000000000112', 'c4000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000a7', 'text', 'ได้ค่ะ ว่างช่วงบ่ายวันที่ 5 มีนาค่ะ', '{}', timestamptz '2025-02-27 19:10+07'),
  ('c5000000-0000-0000-0000-000000000113', 'c4000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000c1', 'text', 'ขอเป็นบ่ายสองนะคะ', '{}', timestamptz '2025-02-27 19:15+07'),
  ('c5000000-0000-0000-0000-000000000121', 'c4000000-0000-0000-0000-000000000012', 'c0000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000a1', 'text', 'Team meeting Friday 9:00, new pico promo starts March.', '{}', timestamptz '2025-02-26 08:30+07'),
  ('c5000000-0000-0000-0000-000000000131', 'c4000000-0000-0000-0000-000000000013', 'c0000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000a6', 'treatment_card', 'Your acne laser package proposal', '{"proposal_id": "ab000000-0000-0000-0000-000000000012"}', timestamptz '2025-02-26 14:31+07'),
  ('c5000000-0000-0000-0000-000000000211', 'c4000000-0000-0000-0000-000000000021', 'c0000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-0000000000d1', 'image', 'Is this reaction normal after the facial?', '{"width": 1080, "height": 1440}', timestamptz '2025-02-16 09:00+07'),
  ('c5000000-0000-0000-0000-000000000212', 'c4000000-0000-0000-0000-000000000021', 'c0000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-0000000000b5', 'text', 'Mild redness is normal for 24-48 hours. Dr. Malee will call you.', '{}', timestamptz '2025-02-16 09:20+07'),
  ('c5000000-0000-0000-0000-000000000221', 'c4000000-0000-0000-0000-000000000022', 'c0000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-0000000000b1', 'text', 'Old City branch closed on Monday 3 March for maintenance.', '{}', timestamptz '2025-02-25 17:00+07');

insert into public.chat_read_status (room_id, user_id, last_read_message_id, last_read_at, unread_count)
values
  ('c4000000-0000-0000-0000-000000000011', '00000000-0000-0000-0000-0000000000c1', 'c5000000-0000-0000-0000-000000000113', timestamptz '2025-02-27 19:15+07', 0),
  ('c4000000-0000-0000-0000-000000000011', '00000000-0000-0000-0000-0000000000a7', 'c5000000-0000-0000-0000-000000000112', timestamptz '2025-02-27 19:10+07', 1),
  ('c4000000-0000-0000-0000-000000000011', '00000000-0000-0000-0000-0000000000a5', 'c5000000-0000-0000-0000-000000000111', timestamptz '2025-02-27 19:05+07', 2),
  ('c4000000-0000-0000-0000-000000000012', '00000000-0000-0000-0000-0000000000a5', 'c5000000-0000-0000-0000-000000000121', timestamptz '2025-02-26 09:00+07', 0),
  ('c4000000-0000-0000-0000-000000000021', '00000000-0000-0000-0000-0000000000b5', 'c5000000-0000-0000-0000-000000000212', timestamptz '2025-02-16 09:20+07', 0),
  ('c4000000-0000-0000-0000-000000000022', '00000000-0000-0000-0000-0000000000b5', null, timestamptz '2025-02-20 09:00+07', 1);

insert into public.chat_attachments (message_id, clinic_id, file_name, mime_type, size_bytes, storage_path)
values
  ('c5000000-0000-0000-0000-000000000131', 'c0000000-0000-0000-0000-000000000001', 'proposal-BG-P-2025-0002.pdf', 'application/pdf', 182044, 'chat/c0000000-0000-0000-0000-000000000001/proposal-BG-P-2025-0002.pdf'),
  ('c5000000-0000-0000-0000-000000000121', 'c0000000-0000-0000-0000-000000000001', 'pico-promo-march.png', 'image/png', 530112, 'chat/c0000000-0000-0000-0000-000000000001/pico-promo-march.png'),
  ('c5000000-0000-0000-0000-000000000211', 'c0000000-0000-0000-0000-000000000002', 'IMG_2031.jpg', 'image/jpeg', 1203331, 'chat/c0000000-0000-0000-0000-000000000002/IMG_2031.jpg'),
  ('c5000000-0000-0000-0000-000000000221', 'c0000000-0000-0000-0000-000000000002', 'maintenance-notice.pdf', 'application/pdf', 40211, 'chat/c0000000-0000-0000-0000-000000000002/maintenance-notice.pdf');

-- -----------------------------------------------------------------------------
-- Marketing, promotions, loyalty
-- -----------------------------------------------------------------------------
insert into public.customer_segments (id, clinic_id, name, description, criteria, customer_count, created_by)
values
  ('0e000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', 'Acne customers', 'Tagged acne', '{"tags": ["acne"]}', 2, '00000000-0000-0000-0000-0000000000a1'),
  ('0e000000-0000-0000-0000-000000000012', 'c0000000-0000-0000-0000-000000000001', 'VIP', 'Tagged vip', '{"tags": ["vip"]}', 1, '00000000-0000-0000-0000-0000000000a1'),
  ('0e000000-0000-0000-0000-000000000021', 'c0000000-0000-0000-0000-000000000002', 'Melasma customers', 'Tagged melasma', '{"tags": ["melasma"]}', 1, '00000000-0000-0000-0000-0000000000b1'),
  ('0e000000-0000-0000-0000-000000000022', 'c0000000-0000-0000-0000-000000000002', 'LINE users', 'Prefer LINE', '{"channel": "line"}', 2, '00000000-0000-0000-0000-0000000000b1');

insert into public.marketing_campaigns (
  id, clinic_id, segment_id, name, campaign_type, status, target_criteria, content, budget, spent,
  starts_at, ends_at, sent_count, open_count, click_count, conversion_count, created_by
)
values
  ('ca000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', '0e000000-0000-0000-0000-000000000011', 'Acne laser February', 'line', 'completed',
   '{"tags": ["acne"], "min_visits": 1}', '{"headline": "Clear skin in 6 sessions"}', 20000, 18500,
   timestamptz '2025-02-01 00:00+07', timestamptz '2025-02-28 23:59+07', 2, 2, 1, 1, '00000000-0000-0000-0000-0000000000a1'),
  ('ca000000-0000-0000-0000-000000000012', 'c0000000-0000-0000-0000-000000000001', '0e000000-0000-0000-0000-000000000012', 'Pico March VIP', 'email', 'scheduled',
   '{"tags": ["vip"]}', '{"headline": "VIP pico preview"}', 10000, 0,
   timestamptz '2025-03-01 00:00+07', timestamptz '2025-03-31 23:59+07', 0, 0, 0, 0, '00000000-0000-0000-0000-0000000000a1'),
  ('ca000000-0000-0000-0000-000000000021', 'c0000000-0000-0000-0000-000000000002', '0e000000-0000-0000-0000-000000000021', 'Melasma season', 'line', 'running',
   '{"tags": ["melasma"]}', '{"headline": "Say goodbye to melasma"}', 15000, 4200,
   timestamptz '2025-02-15 00:00+07', timestamptz '2025-03-15 23:59+07', 1, 1, 1, 0, '00000000-0000-0000-0000-0000000000b1'),
  ('ca000000-0000-0000-0000-000000000022', 'c0000000-0000-0000-0000-000000000002', '0e000000-0000-0000-0000-000000000022', 'Songkran facial', 'line', 'draft',
   '{"channel": "line"}', '{}', 8000, 0,
   timestamptz '2025-04-01 00:00+07', timestamptz '2025-04-20 23:59+07', 0, 0, 0, 0, '00000000-0000-0000-0000-0000000000b1');

insert into public.campaign_recipients (campaign_id, customer_id, clinic_id, channel, status, sent_at, opened_at, clicked_at)
values
  ('ca000000-0000-0000-0000-000000000011', 'cc000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', 'line', 'converted', timestamptz '2025-02-01 10:00+07', timestamptz '2025-02-01 12:00+07', timestamptz '2025-02-01 12:01+07'),
  ('ca000000-0000-0000-0000-000000000011', 'cc000000-0000-0000-0000-000000000012', 'c0000000-0000-0000-0000-000000000001', 'line', 'opened', timestamptz '2025-02-01 10:00+07', timestamptz '2025-02-02 08:00+07', null),
  ('ca000000-0000-0000-0000-000000000021', 'cc000000-0000-0000-0000-000000000022', 'c0000000-0000-0000-0000-000000000002', 'line', 'clicked', timestamptz '2025-02-15 10:00+07', timestamptz '2025-02-15 11:00+07', timestamptz '2025-02-15 11:02+07'),
  ('ca000000-0000-0000-0000-000000000022', 'cc000000-0000-0000-0000-000000000021', 'c0000000-0000-0000-0000-000000000002', 'line', 'pending', null, null, null);

insert into public.promo_codes (
  id, clinic_id, campaign_id, code, description, discount_type, discount_value, min_purchase_amount,
  max_discount_amount, usage_limit, usage_count, conditions, valid_from, valid_until, created_by
)
values
  ('fc000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', 'ca000000-0000-0000-0000-000000000011', 'ACNE15', '15% off acne laser', 'percentage', 15, 2000, 3000, 200, 1, '{"first_visit_only": false}', timestamptz '2025-02-01 00:00+07', timestamptz '2025-02-28 23:59+07', '00000000-0000-0000-0000-0000000000a1'),
  ('fc000000-0000-0000-0000-000000000012', 'c0000000-0000-0000-0000-000000000001', null, 'WELCOME500', '500 THB off first treatment', 'fixed_amount', 500, 1500, null, null, 1, '{"first_visit_only": true}', timestamptz '2024-11-01 00:00+07', null, '00000000-0000-0000-0000-0000000000a1'),
  ('fc000000-0000-0000-0000-000000000021', 'c0000000-0000-0000-0000-000000000002', 'ca000000-0000-0000-0000-000000000021', 'MELASMA10', '10% off melasma laser', 'percentage', 10, 0, 2000, 100, 0, '{}', timestamptz '2025-02-15 00:00+07', timestamptz '2025-03-15 23:59+07', '00000000-0000-0000-0000-0000000000b1'),
  ('fc000000-0000-0000-0000-000000000022', 'c0000000-0000-0000-0000-000000000002', null, 'FRIEND300', 'Referral discount', 'fixed_amount', 300, 1000, null, null, 1, '{"referral": true}', timestamptz '2024-12-01 00:00+07', null, '00000000-0000-0000-0000-0000000000b1');

insert into public.promo_code_usages (promo_code_id, customer_id, clinic_id, discount_amount, used_at)
values
  ('fc000000-0000-0000-0000-000000000011', 'cc000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', 397.50, timestamptz '2025-02-18 13:45+07'),
  ('fc000000-0000-0000-0000-000000000012', 'cc000000-0000-0000-0000-000000000013', 'c0000000-0000-0000-0000-000000000001', 500, timestamptz '2025-02-01 11:30+07'),
  ('fc000000-0000-0000-0000-000000000022', 'cc000000-0000-0000-0000-000000000023', 'c0000000-0000-0000-0000-000000000002', 300, timestamptz '2025-02-05 10:30+07'),
  ('fc000000-0000-0000-0000-000000000022', 'cc000000-0000-0000-0000-000000000022', 'c0000000-0000-0000-0000-000000000002', 300, timestamptz '2025-01-20 14:40+07');

insert into public.loyalty_tiers (clinic_id, name, min_points, point_multiplier, benefits, color, sort_order)
values
  ('c0000000-0000-0000-0000-000000000001', 'Silver', 0, 1.00, '["birthday gift"]', '#C0C0C0', 1),
  ('c0000000-0000-0000-0000-000000000001', 'Gold', 5000, 1.50, '["birthday gift", "5% off"]', '#FFD700', 2),
  ('c0000000-0000-0000-0000-000000000001', 'Platinum', 15000, 2.00, '["birthday gift", "10% off", "priority queue"]', '#E5E4E2', 3),
  ('c0000000-0000-0000-0000-000000000002', 'Member', 0, 1.00, '[]', '#8BC34A', 1),
  ('c0000000-0000-0000-0000-000000000002', 'VIP', 8000, 1.50, '["free facial every 3 months"]', '#9C27B0', 2);

insert into public.loyalty_points (clinic_id, customer_id, transaction_type, points, balance_after, reference_type, description, created_by, created_at)
values
  ('c0000000-0000-0000-0000-000000000001', 'cc000000-0000-0000-0000-000000000011', 'earn', 15900, 15900, 'sales_proposal', 'Acne laser package', '00000000-0000-0000-0000-0000000000a5', timestamptz '2024-12-03 12:05+07'),
  ('c0000000-0000-0000-0000-000000000001', 'cc000000-0000-0000-0000-000000000011', 'redeem', -1000, 14900, 'booking', 'Redeemed for sunscreen', '00000000-0000-0000-0000-0000000000a7', timestamptz '2025-02-18 13:50+07'),
  ('c0000000-0000-0000-0000-000000000001', 'cc000000-0000-0000-0000-000000000013', 'earn', 7900, 7900, 'booking', 'Jaw botox', '00000000-0000-0000-0000-0000000000a7', timestamptz '2025-02-01 11:30+07'),
  ('c0000000-0000-0000-0000-000000000002', 'cc000000-0000-0000-0000-000000000021', 'earn', 9600, 9600, 'sales_proposal', 'Acne clear facial x 8', '00000000-0000-0000-0000-0000000000b5', timestamptz '2025-01-07 10:05+07'),
  ('c0000000-0000-0000-0000-000000000002', 'cc000000-0000-0000-0000-000000000023', 'bonus', 300, 300, 'referral', 'Referral bonus', '00000000-0000-0000-0000-0000000000b7', timestamptz '2025-02-05 10:30+07');

insert into public.referrals (clinic_id, referrer_customer_id, referred_customer_id, referral_code, status, reward_points, completed_at, created_at)
values
  ('c0000000-0000-0000-0000-000000000001', 'cc000000-0000-0000-0000-000000000011', 'cc000000-0000-0000-0000-000000000013', 'PIM-2024', 'rewarded', 500, timestamptz '2025-02-01 11:30+07', timestamptz '2025-01-15 10:00+07'),
  ('c0000000-0000-0000-0000-000000000001', 'cc000000-0000-0000-0000-000000000011', null, 'PIM-2025', 'pending', 0, null, timestamptz '2025-02-18 14:00+07'),
  ('c0000000-0000-0000-0000-000000000002', 'cc000000-0000-0000-0000-000000000021', 'cc000000-0000-0000-0000-000000000023', 'YING-01', 'completed', 300, timestamptz '2025-02-05 10:30+07', timestamptz '2025-01-20 10:00+07'),
  ('c0000000-0000-0000-0000-000000000002', 'cc000000-0000-0000-0000-000000000022', null, 'BALL-01', 'pending', 0, null, timestamptz '2025-02-01 10:00+07');

-- -----------------------------------------------------------------------------
-- Treatment and medical records
-- -----------------------------------------------------------------------------
insert into public.treatment_plans (
  id, clinic_id, customer_id, doctor_id, skin_analysis_id, title, goals, status, total_sessions,
  completed_sessions, estimated_cost, start_date, end_date, plan_details, created_by
)
values
  ('7a000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', 'cc000000-0000-0000-0000-000000000011', 'dd000000-0000-0000-0000-000000000011', '5a000000-0000-0000-0000-000000000011',
   'Acne laser course', 'Reduce inflammatory acne by 60%', 'active', 6, 5, 15900, '2024-12-05', '2025-03-10', '{"interval_days": 14}', '00000000-0000-0000-0000-0000000000a3'),
  ('7a000000-0000-0000-0000-000000000012', 'c0000000-0000-0000-0000-000000000001', 'cc000000-0000-0000-0000-000000000013', 'dd000000-0000-0000-0000-000000000011', '5a000000-0000-0000-0000-000000000014',
   'Melasma program', 'Lighten melasma patches', 'draft', 3, 0, 13500, null, null, '{"interval_days": 28}', '00000000-0000-0000-0000-0000000000a3'),
  ('7a000000-0000-0000-0000-000000000021', 'c0000000-0000-0000-0000-000000000002', 'cc000000-0000-0000-0000-000000000021', 'dd000000-0000-0000-0000-000000000021', '5a000000-0000-0000-0000-000000000021',
   'Acne clear programme', 'Clear comedonal acne', 'active', 8, 4, 9600, '2025-01-08', '2025-04-30', '{"interval_days": 14}', '00000000-0000-0000-0000-0000000000b3'),
  ('7a000000-0000-0000-0000-000000000022', 'c0000000-0000-0000-0000-000000000002', 'cc000000-0000-0000-0000-000000000022', 'dd000000-0000-0000-0000-000000000022', '5a000000-0000-0000-0000-000000000023',
   'Melasma laser', 'Lighten melasma', 'draft', 3, 0, 11700, null, null, '{}', '00000000-0000-0000-0000-0000000000b4');

insert into public.treatment_records (
  id, clinic_id, branch_id, customer_id, doctor_id, appointment_id, treatment_plan_id, service_id, treatment_date,
  treatment_type, area_treated, products_used, settings, notes, pain_level, satisfaction_score, follow_up_date, status, created_by
)
values
  ('7e000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', 'cc000000-0000-0000-0000-000000000011', 'dd000000-0000-0000-0000-000000000011', 'ae000000-0000-0000-0000-000000000011', '7a000000-0000-0000-0000-000000000011', '5e000000-0000-0000-0000-000000000012',
   timestamptz '2025-02-18 13:05+07', 'Acne Laser', '{cheeks,forehead}', '[{"sku": "GEL-COOL", "qty": 1}]', '{"wavelength_nm": 1064, "fluence": 3.2}', 'Session 5/6, good response', 3, 5, '2025-02-25', 'completed', '00000000-0000-0000-0000-0000000000a3'),
  ('7e000000-0000-0000-0000-000000000012', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000012', 'cc000000-0000-0000-0000-000000000012', 'dd000000-0000-0000-0000-000000000012', 'ae000000-0000-0000-0000-000000000013', null, '5e000000-0000-0000-0000-000000000012',
   timestamptz '2025-01-25 15:05+07', 'Acne Laser', '{cheeks}', '[]', '{"wavelength_nm": 1064, "fluence": 2.8}', 'No anaesthetic cream (allergy)', 5, 4, '2025-02-01', 'completed', '00000000-0000-0000-0000-0000000000a4'),
  ('7e000000-0000-0000-0000-000000000021', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', 'cc000000-0000-0000-0000-000000000021', 'dd000000-0000-0000-0000-000000000021', 'ae000000-0000-0000-0000-000000000021', '7a000000-0000-0000-0000-000000000021', '5e000000-0000-0000-0000-000000000023',
   timestamptz '2025-02-15 11:05+07', 'Acne Clear Facial', '{face}', '[{"sku": "GEL-COOL", "qty": 2}]', '{}', 'Session 4/8', 2, 5, '2025-02-22', 'completed', '00000000-0000-0000-0000-0000000000b3'),
  ('7e000000-0000-0000-0000-000000000022', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000022', 'cc000000-0000-0000-0000-000000000022', 'dd000000-0000-0000-0000-000000000022', 'ae000000-0000-0000-0000-000000000022', null, null,
   timestamptz '2025-01-20 14:05+07', 'Skin analysis consult', '{face}', '[]', '{}', 'Melasma on both cheeks, recommended 3 laser sessions', 0, 4, null, 'completed', '00000000-0000-0000-0000-0000000000b4');

insert into public.treatment_photos (clinic_id, treatment_record_id, customer_id, photo_type, storage_path, angle, is_consented, uploaded_by, taken_at)
values
  ('c0000000-0000-0000-0000-000000000001', '7e000000-0000-0000-0000-000000000011', 'cc000000-0000-0000-0000-000000000011', 'before', 'c0000000-0000-0000-0000-000000000001/cc000000-0000-0000-0000-000000000011/2025-02-18-before.jpg', 'front', true, '00000000-0000-0000-0000-0000000000a8', timestamptz '2025-02-18 13:00+07'),
  ('c0000000-0000-0000-0000-000000000001', '7e000000-0000-0000-0000-000000000011', 'cc000000-0000-0000-0000-000000000011', 'after', 'c0000000-0000-0000-0000-000000000001/cc000000-0000-0000-0000-000000000011/2025-02-18-after.jpg', 'front', true, '00000000-0000-0000-0000-0000000000a8', timestamptz '2025-02-18 13:35+07'),
  ('c0000000-0000-0000-0000-000000000001', '7e000000-0000-0000-0000-000000000012', 'cc000000-0000-0000-0000-000000000012', 'before', 'c0000000-0000-0000-0000-000000000001/cc000000-0000-0000-0000-000000000012/2025-01-25-before.jpg', 'left', false, '00000000-0000-0000-0000-0000000000a8', timestamptz '2025-01-25 15:00+07'),
  ('c0000000-0000-0000-0000-000000000002', '7e000000-0000-0000-0000-000000000021', 'cc000000-0000-0000-0000-000000000021', 'before', 'c0000000-0000-0000-0000-000000000002/cc000000-0000-0000-0000-000000000021/2025-02-15-before.jpg', 'front', true, '00000000-0000-0000-0000-0000000000b8', timestamptz '2025-02-15 11:00+07'),
  ('c0000000-0000-0000-0000-000000000002', '7e000000-0000-0000-0000-000000000021', 'cc000000-0000-0000-0000-000000000021', 'after', 'c0000000-0000-0000-0000-000000000002/cc000000-0000-0000-0000-000000000021/2025-02-15-after.jpg', 'front', true, '00000000-0000-0000-0000-0000000000b8', timestamptz '2025-02-15 12:00+07');

insert into public.treatment_outcomes (clinic_id, treatment_record_id, assessed_by, assessment_date, improvement_score, before_analysis_id, after_analysis_id, metrics, customer_feedback)
values
  ('c0000000-0000-0000-0000-000000000001', '7e000000-0000-0000-0000-000000000011', '00000000-0000-0000-0000-0000000000a3', '2025-02-18', 58, '5a000000-0000-0000-0000-000000000011', '5a000000-0000-0000-0000-000000000013', '{"acne": -41, "pores": -14}', 'Skin feels much better'),
  ('c0000000-0000-0000-0000-000000000001', '7e000000-0000-0000-0000-000000000012', '00000000-0000-0000-0000-0000000000a4', '2025-02-01', 20, null, null, '{}', null),
  ('c0000000-0000-0000-0000-000000000002', '7e000000-0000-0000-0000-000000000021', '00000000-0000-0000-0000-0000000000b3', '2025-02-15', 35, '5a000000-0000-0000-0000-000000000021', '5a000000-0000-0000-0000-000000000022', '{"acne": -19}', 'Less breakouts'),
  ('c0000000-0000-0000-0000-000000000002', '7e000000-0000-0000-0000-000000000022', '00000000-0000-0000-0000-0000000000b4', '2025-01-20', 0, '5a000000-0000-0000-0000-000000000023', null, '{}', null);

insert into public.treatment_products (clinic_id, treatment_record_id, inventory_item_id, product_name, quantity_used, unit, lot_number)
values
  ('c0000000-0000-0000-0000-000000000001', '7e000000-0000-0000-0000-000000000011', 'ee000000-0000-0000-0000-000000000012', 'Sunscreen SPF50 50ml', 1, 'bottle', 'S2501'),
  ('c0000000-0000-0000-0000-000000000001', '7e000000-0000-0000-0000-000000000012', null, 'Cooling mask', 1, 'piece', null),
  ('c0000000-0000-0000-0000-000000000002', '7e000000-0000-0000-0000-000000000021', 'ee000000-0000-0000-0000-000000000021', 'Cooling gel 250ml', 2, 'ml', null),
  ('c0000000-0000-0000-0000-000000000002', '7e000000-0000-0000-0000-000000000021', 'ee000000-0000-0000-0000-000000000023', 'Sheet mask', 1, 'piece', null);

insert into public.medical_histories (clinic_id, customer_id, conditions, allergies, medications, previous_treatments, is_pregnant, smoker, recorded_by)
values
  ('c0000000-0000-0000-0000-000000000001', 'cc000000-0000-0000-0000-000000000011', '["acne vulgaris"]', '[]', '["oral contraceptive"]', '["chemical peel 2023"]', false, false, '00000000-0000-0000-0000-0000000000a3'),
  ('c0000000-0000-0000-0000-000000000001', 'cc000000-0000-0000-0000-000000000012', '[]', '["lidocaine"]', '[]', '[]', false, true, '00000000-0000-0000-0000-0000000000a8'),
  ('c0000000-0000-0000-0000-000000000002', 'cc000000-0000-0000-0000-000000000021', '["acne vulgaris"]', '[]', '[]', '[]', false, false, '00000000-0000-0000-0000-0000000000b3'),
  ('c0000000-0000-0000-0000-000000000002', 'cc000000-0000-0000-0000-000000000022', '["melasma"]', '[]', '["tranexamic acid"]', '["IPL 2022"]', false, false, '00000000-0000-0000-0000-0000000000b4');

insert into public.consent_forms (clinic_id, customer_id, treatment_record_id, form_type, form_version, content_snapshot, signature_path, signed_at, witness_id, ip_address)
values
  ('c0000000-0000-0000-0000-000000000001', 'cc000000-0000-0000-0000-000000000011', '7e000000-0000-0000-0000-000000000011', 'treatment', 'v3', 'I consent to laser treatment...', 'signatures/bg/cc11-20250218.png', timestamptz '2025-02-18 12:58+07', '00000000-0000-0000-0000-0000000000a8', '10.0.1.23'),
  ('c0000000-0000-0000-0000-000000000001', 'cc000000-0000-0000-0000-000000000011', null, 'photo', 'v1', 'I consent to before/after photos...', 'signatures/bg/cc11-photo.png', timestamptz '2024-12-05 10:00+07', '00000000-0000-0000-0000-0000000000a7', '10.0.1.23'),
  ('c0000000-0000-0000-0000-000000000002', 'cc000000-0000-0000-0000-000000000021', '7e000000-0000-0000-0000-000000000021', 'treatment', 'v2', 'ข้าพเจ้ายินยอมรับการรักษา...', 'signatures/cm/cc21-20250215.png', timestamptz '2025-02-15 10:58+07', '00000000-0000-0000-0000-0000000000b8', '10.1.0.7'),
  ('c0000000-0000-0000-0000-000000000002', 'cc000000-0000-0000-0000-000000000022', null, 'pdpa', 'v1', 'PDPA consent...', null, timestamptz '2025-01-20 13:50+07', null, '10.1.0.8');

insert into public.prescriptions (clinic_id, customer_id, doctor_id, treatment_record_id, medication_name, dosage, frequency, duration_days, instructions)
values
  ('c0000000-0000-0000-0000-000000000001', 'cc000000-0000-0000-0000-000000000011', 'dd000000-0000-0000-0000-000000000011', '7e000000-0000-0000-0000-000000000011', 'Clindamycin gel 1%', 'thin layer', 'twice daily', 30, 'Apply on acne lesions only'),
  ('c0000000-0000-0000-0000-000000000001', 'cc000000-0000-0000-0000-000000000012', 'dd000000-0000-0000-0000-000000000012', '7e000000-0000-0000-0000-000000000012', 'Doxycycline 100mg', '1 tablet', 'once daily', 14, 'Take after meal, avoid sun'),
  ('c0000000-0000-0000-0000-000000000002', 'cc000000-0000-0000-0000-000000000021', 'dd000000-0000-0000-0000-000000000021', '7e000000-0000-0000-0000-000000000021', 'Adapalene 0.1%', 'pea size', 'at night', 60, null),
  ('c0000000-0000-0000-0000-000000000002', 'cc000000-0000-0000-0000-000000000022', 'dd000000-0000-0000-0000-000000000022', null, 'Tranexamic acid 250mg', '1 tablet', 'twice daily', 60, 'Stop 1 week before laser');

insert into public.follow_ups (clinic_id, customer_id, treatment_record_id, assigned_to, follow_up_type, due_date, status, outcome, completed_at)
values
  ('c0000000-0000-0000-0000-000000000001', 'cc000000-0000-0000-0000-000000000011', '7e000000-0000-0000-0000-000000000011', '00000000-0000-0000-0000-0000000000a7', 'line', '2025-02-25', 'done', 'No side effects', timestamptz '2025-02-25 10:00+07'),
  ('c0000000-0000-0000-0000-000000000001', 'cc000000-0000-0000-0000-000000000012', '7e000000-0000-0000-0000-000000000012', '00000000-0000-0000-0000-0000000000a6', 'call', '2025-03-03', 'pending', null, null),
  ('c0000000-0000-0000-0000-000000000002', 'cc000000-0000-0000-0000-000000000021', '7e000000-0000-0000-0000-000000000021', '00000000-0000-0000-0000-0000000000b7', 'line', '2025-02-22', 'done', 'Mild redness resolved', timestamptz '2025-02-22 11:00+07'),
  ('c0000000-0000-0000-0000-000000000002', 'cc000000-0000-0000-0000-000000000022', '7e000000-0000-0000-0000-000000000022', '00000000-0000-0000-0000-0000000000b6', 'call', '2025-03-01', 'pending', null, null);

-- -----------------------------------------------------------------------------
-- Online bookings, payments, waitlist
-- -----------------------------------------------------------------------------
insert into public.bookings (
  id, clinic_id, branch_id, customer_id, user_id, doctor_id, service_id, booking_date, booking_time,
  duration_minutes, status, payment_status, payment_method, total_amount, notes, metadata, created_at
)
values
  ('bb000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', 'cc000000-0000-0000-0000-000000000011', '00000000-0000-0000-0000-0000000000c1', 'dd000000-0000-0000-0000-000000000011', '5e000000-0000-0000-0000-000000000011',
   '2025-03-03', '10:00', 45, 'confirmed', 'paid', 'promptpay', 4500, 'First pico session', '{"source": "line", "promo_code": null}', timestamptz '2025-02-20 20:00+07'),
  ('bb000000-0000-0000-0000-000000000012', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', 'cc000000-0000-0000-0000-000000000013', '00000000-0000-0000-0000-0000000000c3', 'dd000000-0000-0000-0000-000000000011', '5e000000-0000-0000-0000-000000000011',
   '2025-03-03', '09:00', 45, 'pending', 'pending', null, 4500, null, '{"source": "app"}', timestamptz '2025-02-27 09:00+07'),
  ('bb000000-0000-0000-0000-000000000013', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000012', 'cc000000-0000-0000-0000-000000000012', '00000000-0000-0000-0000-0000000000c2', 'dd000000-0000-0000-0000-000000000012', '5e000000-0000-0000-0000-000000000012',
   '2025-01-25', '15:00', 30, 'completed', 'paid', 'credit_card', 2900.50, null, '{"source": "app"}', timestamptz '2025-01-20 12:20+07'),
  ('bb000000-0000-0000-0000-000000000014', 'c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000012', 'cc000000-0000-0000-0000-000000000012', '00000000-0000-0000-0000-0000000000c2', 'dd000000-0000-0000-0000-000000000012', '5e000000-0000-0000-0000-000000000013',
   '2025-02-10', '11:00', 30, 'cancelled', 'refunded', 'credit_card', 7900, null, '{"source": "app"}', timestamptz '2025-02-01 12:20+07'),
  ('bb000000-0000-0000-0000-000000000021', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', 'cc000000-0000-0000-0000-000000000021', '00000000-0000-0000-0000-0000000000d1', 'dd000000-0000-0000-0000-000000000021', '5e000000-0000-0000-0000-000000000023',
   '2025-03-04', '10:00', 60, 'confirmed', 'paid', 'cash', 1500, null, '{"source": "line"}', timestamptz '2025-02-16 09:30+07'),
  ('bb000000-0000-0000-0000-000000000022', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000022', 'cc000000-0000-0000-0000-000000000022', '00000000-0000-0000-0000-0000000000d2', 'dd000000-0000-0000-0000-000000000022', '5e000000-0000-0000-0000-000000000022',
   '2025-03-04', '09:30', 45, 'pending', 'pending', null, 3900, 'Wants Saturday if possible', '{"source": "app"}', timestamptz '2025-02-28 21:00+07'),
  ('bb000000-0000-0000-0000-000000000023', 'c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', 'cc000000-0000-0000-0000-000000000023', '00000000-0000-0000-0000-0000000000d3', 'dd000000-0000-0000-0000-000000000021', '5e000000-0000-0000-0000-000000000021',
   '2025-02-05', '10:00', 60, 'no-show', 'pending', null, 1800, null, '{"source": "app"}', timestamptz '2025-02-01 08:00+07');

update public.availability_slots s
   set status = 'booked', booking_id = b.id
  from public.bookings b
 where b.doctor_id = s.doctor_id and b.booking_date = s.slot_date and b.booking_time = s.start_time
   and b.status in ('pending', 'confirmed');

insert into public.booking_payments (booking_id, clinic_id, amount, method, status, transaction_ref, gateway_response, paid_at, refunded_at, refund_amount, created_by)
values
  ('bb000000-0000-0000-0000-000000000011', 'c0000000-0000-0000-0000-000000000001', 4500, 'promptpay', 'paid', 'PP-20250220-0001', '{"bank": "KBANK"}', timestamptz '2025-02-20 20:05+07', null, null, null),
  ('bb000000-0000-0000-0000-000000000013', 'c0000000-0000-0000-0000-000000000001', 2900.50, 'credit_card', 'paid', 'ch_3Qx001', '{"brand": "visa", "last4": "4242"}', timestamptz '2025-01-25 15:45+07', null, null, '00000000-0000-0000-0000-0000000000a7'),
  ('bb000000-0000-0000-0000-000000000014', 'c0000000-0000-0000-0000-000000000001', 7900, 'credit_card', 'refunded', 'ch_3Qx002', '{"brand": "mastercard", "last4": "4444"}', timestamptz '2025-02-01 12:25+07', timestamptz '2025-02-08 10:00+07', 7900, '00000000-0000-0000-0000-0000000000a1'),
  ('bb000000-0000-0000-0000-000000000021', 'c0000000-0000-0000-0000-000000000002', 1500, 'cash', 'paid', null, '{}', timestamptz '2025-02-16 09:35+07', null, null, '00000000-0000-0000-0000-0000000000b7'),
  ('bb000000-0000-0000-0000-000000000022', 'c0000000-0000-0000-0000-000000000002', 780, 'promptpay', 'pending', 'PP-20250228-0107', '{}', null, null, null, null);

insert into public.waitlist_entries (clinic_id, branch_id, customer_id, service_id, doctor_id, preferred_date, preferred_time_start, preferred_time_end, status, notes)
values
  ('c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', 'cc000000-0000-0000-0000-000000000014', '5e000000-0000-0000-0000-000000000011', 'dd000000-0000-0000-0000-000000000011', '2025-03-03', '09:00', '12:00', 'waiting', 'Any morning slot'),
  ('c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000012', 'cc000000-0000-0000-0000-000000000012', '5e000000-0000-0000-0000-000000000013', null, '2025-03-08', '13:00', '17:00', 'offered', null),
  ('c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000022', 'cc000000-0000-0000-0000-000000000024', '5e000000-0000-0000-0000-000000000022', 'dd000000-0000-0000-0000-000000000022', '2025-03-08', null, null, 'waiting', 'Saturday only'),
  ('c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', 'cc000000-0000-0000-0000-000000000023', '5e000000-0000-0000-0000-000000000021', null, '2025-03-04', '09:00', '11:00', 'waiting', null);

-- -----------------------------------------------------------------------------
-- Sales targets and commissions
-- -----------------------------------------------------------------------------
insert into public.sales_targets (clinic_id, branch_id, sales_user_id, period_start, period_end, target_amount, target_leads, target_conversions, created_by)
values
  ('c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', '00000000-0000-0000-0000-0000000000a5', '2025-02-01', '2025-02-28', 150000, 40, 10, '00000000-0000-0000-0000-0000000000a1'),
  ('c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000012', '00000000-0000-0000-0000-0000000000a6', '2025-02-01', '2025-02-28', 120000, 30, 8, '00000000-0000-0000-0000-0000000000a1'),
  ('c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', '00000000-0000-0000-0000-0000000000b5', '2025-02-01', '2025-02-28', 80000, 20, 6, '00000000-0000-0000-0000-0000000000b1'),
  ('c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000022', '00000000-0000-0000-0000-0000000000b6', '2025-02-01', '2025-02-28', 60000, 15, 4, '00000000-0000-0000-0000-0000000000b1');

insert into public.sales_commissions (clinic_id, sales_user_id, proposal_id, amount, rate, status, paid_at, created_at)
values
  ('c0000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000a5', 'ab000000-0000-0000-0000-000000000011', 795, 5, 'paid', timestamptz '2024-12-31 17:00+07', timestamptz '2024-12-03 12:10+07'),
  ('c0000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000a5', 'ab000000-0000-0000-0000-000000000013', 600, 5, 'pending', null, timestamptz '2025-02-26 09:05+07'),
  ('c0000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-0000000000b5', 'ab000000-0000-0000-0000-000000000021', 720, 7.5, 'approved', null, timestamptz '2025-01-07 10:10+07'),
  ('c0000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-0000000000b6', null, 150, 7.5, 'pending', null, timestamptz '2025-02-20 10:00+07');

-- -----------------------------------------------------------------------------
-- Content: generated reports, presentation sessions
-- -----------------------------------------------------------------------------
insert into public.generated_reports (clinic_id, user_id, customer_id, skin_analysis_id, report_type, title, format, storage_path, parameters, status, generated_at)
values
  ('c0000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000a5', 'cc000000-0000-0000-0000-000000000011', '5a000000-0000-0000-0000-000000000013', 'skin_analysis', 'Skin report - Pimchanok', 'pdf', 'reports/bg/5a13.pdf', '{"lang": "th"}', 'ready', timestamptz '2025-02-18 13:40+07'),
  ('c0000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000a1', null, null, 'monthly', 'January 2025', 'pptx', 'reports/bg/2025-01.pptx', '{"month": "2025-01"}', 'ready', timestamptz '2025-02-01 06:00+07'),
  ('c0000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-0000000000b5', 'cc000000-0000-0000-0000-000000000021', '5a000000-0000-0000-0000-000000000022', 'treatment_summary', 'Progress - Ying', 'pdf', 'reports/cm/5a22.pdf', '{"lang": "th"}', 'ready', timestamptz '2025-02-15 12:45+07'),
  ('c0000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-0000000000b1', null, null, 'sales', 'Sales February', 'pdf', null, '{"month": "2025-02"}', 'queued', null);

insert into public.presentation_sessions (clinic_id, branch_id, sales_user_id, customer_id, lead_id, skin_analysis_id, proposal_id, started_at, ended_at, duration_seconds, slides_viewed, outcome, notes)
values
  ('c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', '00000000-0000-0000-0000-0000000000a5', 'cc000000-0000-0000-0000-000000000011', '1e000000-0000-0000-0000-000000000011', '5a000000-0000-0000-0000-000000000011', 'ab000000-0000-0000-0000-000000000011',
   timestamptz '2024-12-02 10:00+07', timestamptz '2024-12-02 10:18+07', 1080, '["score", "acne", "plan", "price"]', 'booked', null),
  ('c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', '00000000-0000-0000-0000-0000000000a5', null, '1e000000-0000-0000-0000-000000000012', null, 'ab000000-0000-0000-0000-000000000013',
   timestamptz '2025-02-25 15:10+07', timestamptz '2025-02-25 15:25+07', 900, '["spots", "price"]', 'interested', 'Wants to think about it'),
  ('c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000022', '00000000-0000-0000-0000-0000000000b6', 'cc000000-0000-0000-0000-000000000022', '1e000000-0000-0000-0000-000000000023', '5a000000-0000-0000-0000-000000000023', 'ab000000-0000-0000-0000-000000000022',
   timestamptz '2025-02-27 10:00+07', timestamptz '2025-02-27 10:20+07', 1200, '["melasma", "plan", "price"]', 'follow_up', null),
  ('c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', '00000000-0000-0000-0000-0000000000b5', 'cc000000-0000-0000-0000-000000000021', '1e000000-0000-0000-0000-000000000021', '5a000000-0000-0000-0000-000000000021', 'ab000000-0000-0000-0000-000000000021',
   timestamptz '2025-01-06 10:00+07', timestamptz '2025-01-06 10:12+07', 720, '["acne", "plan"]', 'booked', null);

-- -----------------------------------------------------------------------------
-- Analytics
-- -----------------------------------------------------------------------------
insert into public.analytics_events (clinic_id, user_id, session_id, event_name, event_category, properties, page_path, device_type, created_at)
values
  ('c0000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000c1', 's-1001', 'analysis_completed', 'skin_analysis', '{"analysis_id": "5a000000-0000-0000-0000-000000000013", "score": 78}', '/analysis', 'ios', timestamptz '2025-02-18 13:31+07'),
  ('c0000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000c1', 's-1002', 'booking_created', 'booking', '{"booking_id": "bb000000-0000-0000-0000-000000000011", "source": "line"}', '/booking', 'ios', timestamptz '2025-02-20 20:00+07'),
  ('c0000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000a5', 's-2001', 'proposal_sent', 'sales', '{"proposal_id": "ab000000-0000-0000-0000-000000000013"}', '/sales/proposals', 'ipad', timestamptz '2025-02-25 15:30+07'),
  ('c0000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-0000000000d1', 's-3001', 'analysis_completed', 'skin_analysis', '{"analysis_id": "5a000000-0000-0000-0000-000000000022", "score": 67}', '/analysis', 'android', timestamptz '2025-02-15 12:31+07'),
  ('c0000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-0000000000d2', 's-3002', 'booking_created', 'booking', '{"booking_id": "bb000000-0000-0000-0000-000000000022", "source": "app"}', '/booking', 'android', timestamptz '2025-02-28 21:00+07');

insert into public.performance_metrics (clinic_id, metric_name, metric_value, unit, tags, recorded_at)
values
  ('c0000000-0000-0000-0000-000000000001', 'api.customer_360.p95', 820, 'ms', '{"route": "/api/customers/[id]"}', timestamptz '2025-02-28 23:00+07'),
  ('c0000000-0000-0000-0000-000000000001', 'api.lead_dashboard.p95', 610, 'ms', '{"route": "/api/sales/leads"}', timestamptz '2025-02-28 23:00+07'),
  ('c0000000-0000-0000-0000-000000000002', 'api.customer_360.p95', 540, 'ms', '{"route": "/api/customers/[id]"}', timestamptz '2025-02-28 23:00+07'),
  ('c0000000-0000-0000-0000-000000000002', 'ai.analysis.duration', 4.2, 's', '{"model": "vision-v3"}', timestamptz '2025-02-28 23:00+07');

insert into public.error_logs (clinic_id, user_id, severity, error_code, message, context, url, resolved, created_at)
values
  ('c0000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000a1', 'error', '42P17', 'infinite recursion detected in policy for relation "users"', '{"query": "users.select"}', '/admin/staff', false, timestamptz '2025-02-27 09:12+07'),
  ('c0000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000c1', 'warning', 'TIMEOUT', 'skin analysis took longer than 10s', '{"analysis_id": "5a000000-0000-0000-0000-000000000013"}', '/analysis', true, timestamptz '2025-02-18 13:31+07'),
  ('c0000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-0000000000d3', 'error', 'AI_FAILED', 'model returned no face', '{"analysis_id": "5a000000-0000-0000-0000-000000000024"}', '/analysis', false, timestamptz '2025-02-05 09:41+07'),
  ('c0000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-0000000000b1', 'error', '42P17', 'infinite recursion detected in policy for relation "users"', '{"query": "users.select"}', '/admin/staff', false, timestamptz '2025-02-26 10:02+07');

insert into public.clinic_daily_stats (clinic_id, branch_id, stat_date, bookings_count, completed_treatments, new_customers, new_leads, analyses_count, revenue)
values
  ('c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000011', '2025-02-18', 18, 15, 2, 6, 22, 86500),
  ('c0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000012', '2025-02-18', 12, 10, 1, 3, 9, 54200),
  ('c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000021', '2025-02-15', 9, 8, 1, 2, 7, 21600),
  ('c0000000-0000-0000-0000-000000000002', 'b0000000-0000-0000-0000-000000000022', '2025-02-15', 5, 4, 0, 1, 3, 9800);

insert into public.user_activity_log (user_id, clinic_id, action, entity_type, entity_id, details, ip_address, created_at)
values
  ('00000000-0000-0000-0000-0000000000a5', 'c0000000-0000-0000-0000-000000000001', 'view', 'customer', 'cc000000-0000-0000-0000-000000000011', '{"page": "customer_360"}', '10.0.1.40', timestamptz '2025-02-18 15:00+07'),
  ('00000000-0000-0000-0000-0000000000a3', 'c0000000-0000-0000-0000-000000000001', 'update', 'treatment_record', '7e000000-0000-0000-0000-000000000011', '{"fields": ["notes"]}', '10.0.1.41', timestamptz '2025-02-18 13:40+07'),
  ('00000000-0000-0000-0000-0000000000b5', 'c0000000-0000-0000-0000-000000000002', 'view', 'customer', 'cc000000-0000-0000-0000-000000000021', '{"page": "customer_360"}', '10.1.0.20', timestamptz '2025-02-16 09:15+07'),
  ('00000000-0000-0000-0000-0000000000b1', 'c0000000-0000-0000-0000-000000000002', 'export', 'report', null, '{"report": "sales"}', '10.1.0.21', timestamptz '2025-02-28 18:00+07');
