-- Notification preferences (LINE / e-mail / SMS opt-in) and LINE login id

alter table public.users
  add column if not exists notification_preferences jsonb not null
  default '{"email": true, "line": true, "sms": false}'::jsonb;

alter table public.customers add column if not exists line_user_id text;
