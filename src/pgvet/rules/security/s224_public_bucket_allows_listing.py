"""S224 public-bucket-allows-listing: Public Storage bucket whose files anyone can list."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.policy_graph import name_parts, parse_expression, walk
from pgvet.analysis.sql.quote import ident
from pgvet.catalog.model import Bucket, Policy
from pgvet.rules.registry import Hit, LintContext, rule
from pgvet.rules.security.common import located_at, roles_text

_API = frozenset({"public", "anon", "authenticated"})


def _lists_bucket(policy: Policy, bucket: Bucket) -> bool:
    """Whether a read policy on storage.objects lets its roles see every object of the
    bucket: its condition reads no column but ``bucket_id`` (so it cannot pick objects by
    name, owner or folder), and names this bucket or none."""
    if not policy.permissive or policy.command not in ("SELECT", "ALL"):
        return False
    if not _API & set(policy.roles):
        return False
    expr = policy.using
    if expr is None:
        return True
    node = parse_expression(expr)
    if node is None:
        return False
    columns = {
        name_parts(body.get("fields", []))[-1]
        for kind, body, _ in walk(node)
        if kind == "ColumnRef" and name_parts(body.get("fields", []))
    }
    if columns - {"bucket_id"}:
        return False
    if "bucket_id" not in columns:
        return True  # every bucket
    literal = "'" + bucket.id.replace("'", "''") + "'"
    return literal in expr


@rule(
    "public-bucket-allows-listing",
    "S224",
    "warn",
    "security",
    "Public Storage bucket whose files anyone can list",
)
def public_bucket_allows_listing(ctx: LintContext) -> Iterator[Hit]:
    """A public bucket serves each object at its URL to anyone who knows the path - no
    policy is needed for that. A SELECT policy on ``storage.objects`` that admits every
    object of the bucket (``using (bucket_id = 'avatars')``) adds something else: the
    ``list`` call, so any client can enumerate every file name in the bucket (user ids in
    paths, invoices, exports) instead of only opening the ones it was given. Drop such a
    policy, or narrow it to the caller's own folder (``(storage.foldername(name))[1] =
    (select auth.uid())::text``). Buckets come from ``insert into storage.buckets`` in the
    migrations; buckets declared only in ``config.toml`` are created by the CLI, not by
    migrations, and are not seen.

    Bad:
    ```sql
    insert into storage.buckets (id, name, public) values ('avatars', 'avatars', true);
    create policy "Anyone reads avatars" on storage.objects
      for select using (bucket_id = 'avatars');
    ```
    Good:
    ```sql
    insert into storage.buckets (id, name, public) values ('avatars', 'avatars', true);
    create policy "Users list their avatars" on storage.objects
      for select to authenticated
      using (bucket_id = 'avatars'
             and (storage.foldername(name))[1] = (select auth.uid())::text);
    ```
    """
    catalog = ctx.catalog
    for bucket in catalog.buckets:
        if not bucket.public:
            continue
        policies = [p for p in catalog.storage_policies if _lists_bucket(p, bucket)]
        if not policies:
            continue
        names = ", ".join(ident(p.name) for p in policies)
        roles = sorted(_API & {r for p in policies for r in p.roles})
        first = policies[0]
        yield Hit(
            object=f"bucket {bucket.id}",
            message=(
                f"public bucket {bucket.id} has {len(policies)} read "
                f"{'policy' if len(policies) == 1 else 'policies'} on storage.objects that "
                f"admit every object of it ({names}): {roles_text(roles)} can list all its "
                "files. Public URLs work without a policy; drop it or limit it to the "
                "caller's folder."
            ),
            **located_at(catalog, first.origin_key),
            fix="\n".join(f"-- drop policy {ident(p.name)} on storage.objects;" for p in policies),
            data={"policies": [p.name for p in policies], "roles": roles},
        )
