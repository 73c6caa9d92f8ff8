"""``pgvet advise``: index candidates from the lint rules and the workload's plans, screened
with hypopg, built for real on generated data and measured."""
