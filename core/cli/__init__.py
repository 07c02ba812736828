"""``python -m core <command>``: one module per command group, registered explicitly in :mod:`core.cli.main`."""
