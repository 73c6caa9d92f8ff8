"""Rules: small functions of the catalog (and optionally stats or migrations) that yield
findings. Importing this package registers every rule family."""

from pgvet.rules import indexes, migrations, rls, schema, workload
from pgvet.rules.registry import REGISTRY, Hit, LintContext, Rule, find_rule, rule

__all__ = [
    "REGISTRY",
    "Hit",
    "LintContext",
    "Rule",
    "find_rule",
    "indexes",
    "migrations",
    "rls",
    "rule",
    "schema",
    "workload",
]
