"""The command line: ``main.app`` mounts one module per command (``pgvet.cli.main:app``)."""
