"""Prove that a refactoring changed no finding: record `pgvet lint` JSON, then compare.

    python scripts/check_lint_identity.py record DIR     # before: one JSON file per project
    python scripts/check_lint_identity.py compare DIR    # after: exit 1 on any difference

Every shared corpus (`$PGVET_CORPORA`, else `../shared/corpora`) and `examples/clinic` is
linted with `--format json --keep-going --fail-on never`, run from the repository root so the
`source` paths match. The output must be byte-identical, fingerprints included; only keys
that legitimately vary between runs (timings) are ignored when the bytes differ.
"""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VOLATILE_KEYS = frozenset({"elapsed", "elapsed_ms", "duration", "duration_ms", "timings"})
LINT = ["lint", "--format", "json", "--keep-going", "--fail-on", "never"]


def projects() -> dict[str, Path]:
    """Name → project folder: every corpus, then the example."""
    corpora = Path(os.environ.get("PGVET_CORPORA", ROOT.parent / "shared" / "corpora"))
    found = {p.name: p for p in sorted(corpora.iterdir()) if p.is_dir()} if corpora.is_dir() else {}
    found["example-clinic"] = ROOT / "examples" / "clinic"
    return found


def lint_json(project: Path) -> str | None:
    """The JSON report of one project, exactly as the CLI prints it.

    Exit 1 is expected for a project whose replay is partial (some files fail even with
    `--keep-going`); the report is still printed and still compared.
    """
    path = os.path.relpath(project, ROOT)
    run = subprocess.run(
        [sys.executable, "-m", "pgvet", *LINT, path],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode not in (0, 1) or not run.stdout.lstrip().startswith("{"):
        print(f"{path}: pgvet exited {run.returncode}\n{run.stderr}")
        return None
    return run.stdout


def strip_volatile(value: object) -> object:
    """The document without the keys whose values differ run to run."""
    if isinstance(value, dict):
        return {k: strip_volatile(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [strip_volatile(v) for v in value]
    return value


def differences(before: str, after: str) -> list[str]:
    """Unified diff lines between two reports, empty when they are the same."""
    if before == after:
        return []
    a, b = (strip_volatile(json.loads(text)) for text in (before, after))
    if a == b:
        return []
    a_lines = json.dumps(a, indent=2, sort_keys=True).splitlines()
    b_lines = json.dumps(b, indent=2, sort_keys=True).splitlines()
    return list(difflib.unified_diff(a_lines, b_lines, "before", "after", lineterm=""))


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in {"record", "compare"}:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    mode, folder = argv[0], Path(argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    changed = 0
    for name, project in projects().items():
        report = lint_json(project)
        if report is None:
            changed += 1
            continue
        count = json.loads(report)["summary"]["findings"]
        recorded = folder / f"{name}.json"
        if mode == "record":
            recorded.write_text(report, encoding="utf-8")
            print(f"recorded {name}: {count} findings")
            continue
        if not recorded.exists():
            print(f"{name}: no recorded baseline in {folder}")
            changed += 1
            continue
        diff = differences(recorded.read_text(encoding="utf-8"), report)
        if diff:
            changed += 1
            print(f"{name}: DIFFERENT ({count} findings now)")
            print("\n".join(diff[:200]))
        else:
            print(f"{name}: identical ({count} findings)")
    if mode == "compare":
        print("all identical" if not changed else f"{changed} project(s) differ")
    return 1 if changed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
