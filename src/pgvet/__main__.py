"""``python -m pgvet``: the same as the ``pgvet`` command."""

from pgvet.cli.main import app

app()
