"""pgvet: review a PostgreSQL / Supabase database on a real server."""

__version__ = "0.1.0"
