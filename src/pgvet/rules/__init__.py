"""Rules: small functions of the catalog (and optionally stats or migrations) that yield
findings, one per module: ``rules/<family>/<code>_<name>.py``.

Importing this package registers every rule: each family folder is scanned for modules
named like a rule (``i101_unindexed_foreign_key``), so adding a rule is adding a file. The
anatomy every rule shares (``rule``, ``Hit``, ``LintContext``, ``REGISTRY``) lives in
:mod:`pgvet.rules.registry`; what a family's rules share sits beside them in
``common.py``; what several families share is in :mod:`pgvet.analysis`.
"""

import importlib
import pkgutil
import re

RULE_MODULE = re.compile(r"[a-z]\d{3}_[a-z0-9_]+")


def _register_all() -> None:
    """Import every family's rule modules, families and rules in name order."""
    for family in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not family.ispkg:
            continue
        package = importlib.import_module(f"{__name__}.{family.name}")
        for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            if RULE_MODULE.fullmatch(module.name):
                importlib.import_module(f"{package.__name__}.{module.name}")


_register_all()
