"""``python -m pgvet``: the same as the ``pgvet`` command."""

from pgvet.cli import app

app()
