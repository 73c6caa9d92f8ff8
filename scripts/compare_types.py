"""Compare `pgvet types` with postgres-meta 0.99.0 (what `supabase gen types` runs) on the
same database: the project is replayed once (--keep-going), both generators read the same
sandbox, and each language prints IDENTICAL or the differing lines.

Usage: python scripts/compare_types.py PATH [--schema public,app] [--lang typescript,python]
                                            [--pg-version N] [--all-schemas]
Needs node and the npm package (npm install --prefix /var/tmp/pgmeta
@supabase/postgres-meta@0.99.0, or set $PGVET_POSTGRES_META). Exit 0 when every output is
identical, 1 when one differs, 2 when the referee cannot run.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import time
from pathlib import Path

from pgvet.replay.session import replayed_project
from pgvet.types.command import TypesRequest, generate, split_schemas
from pgvet.types.introspect import read_types_meta
from pgvet.types.referee import find_server, run_postgres_meta, socket_url

USER_SCHEMAS = (
    "SELECT nspname FROM pg_namespace WHERE nspname !~ '^pg_' "
    "AND nspname <> 'information_schema' ORDER BY 1"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--schema", action="append")
    parser.add_argument("--all-schemas", action="store_true", help="every non-system schema")
    parser.add_argument("--lang", default="typescript,python")
    parser.add_argument("--pg-version", type=int)
    parser.add_argument("--context", type=int, default=60, help="diff lines to show")
    args = parser.parse_args()
    server_js, reason = find_server()
    if server_js is None:
        print(f"cannot run the referee: {reason}", file=sys.stderr)
        return 2
    differing = 0
    with replayed_project(args.path, keep_going=True, pg_version=args.pg_version) as session:
        failed = [f.filename for f in session.result.failed]
        if failed:
            print(f"replayed with --keep-going; {len(failed)} files failed: {', '.join(failed)}")
        schemas = split_schemas(args.schema)
        if args.all_schemas:
            schemas = tuple(r[0] for r in session.conn.execute(USER_SCHEMAS))
        url = socket_url(session.server.sockdir)
        for lang in args.lang.split(","):
            started = time.perf_counter()
            meta = read_types_meta(session.conn, schemas)
            mine = generate(meta, TypesRequest(lang=lang, schemas=schemas))  # type: ignore[arg-type]
            ours = time.perf_counter() - started
            started = time.perf_counter()
            try:
                theirs = run_postgres_meta(server_js, url, lang, schemas)
            except RuntimeError as exc:
                print(f"{lang} {','.join(schemas)}: postgres-meta failed: {exc}")
                differing += 1
                continue
            referee = time.perf_counter() - started
            label = (
                f"{lang} [{','.join(schemas)}] pgvet {ours:.2f} s, postgres-meta {referee:.2f} s"
            )
            if mine == theirs:
                print(f"{label}: IDENTICAL ({len(mine.splitlines())} lines)")
                continue
            differing += 1
            diff = list(
                difflib.unified_diff(
                    theirs.splitlines(), mine.splitlines(), "postgres-meta", "pgvet", lineterm=""
                )
            )
            changed = sum(1 for d in diff if d[:1] in "+-" and d[:3] not in ("+++", "---"))
            print(f"{label}: {changed} differing lines")
            print("\n".join(diff[: args.context]))
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
