"""``BACKUP_DISASTER_RECOVERY.md``: the drill's procedure, measurements and checks, plus the
Supabase steps, with what was measured kept apart from what is advice.

Everything under "Measured" comes from the run that wrote the file (commands as they ran,
times, checks); everything under "Advice" is general guidance that this run did not test.
"""

from __future__ import annotations

import datetime as dt

from pgvet.backup.drill import DrillReport
from pgvet.replay.limits import parse_duration
from pgvet.report.sanitize import untrusted


def _mb(size: int) -> str:
    return f"{size / (1 << 20):.1f} MB"


def runbook(report: DrillReport) -> str:
    """The runbook as Markdown."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    timeout = report.primary_settings.get("archive_timeout", "0")
    rpo = parse_duration(timeout, "archive_timeout")
    verdict = "PASSED" if report.ok else "FAILED"
    rtos = [r.rto for r in report.restores if r.ok]
    brest = report.tool == "pgbackrest"
    tool = "pgBackRest" if brest else "pg_basebackup"
    copy = "pgbackrest restore" if brest else "copy"
    out = [
        "# Backup and disaster recovery",
        "",
        f"Drill {verdict} on {now}, {untrusted(report.server)}"
        + (f", schema and seed of `{untrusted(report.project)}`" if report.project else "")
        + f". Written by `pgvet backup drill` in {report.seconds:.1f} s.",
        "",
        f"Backup tool: **{tool}** ({untrusted(report.tool_reason)}).",
        "",
        "## Measured",
        "",
        "| measure | value |",
        "|---|---|",
        f"| base backup ({tool}) | {report.base_seconds:.2f} s, {_mb(report.base_bytes)}"
        + (" in the repository (lz4)" if brest else "")
        + " |",
        f"| WAL segments archived | {len(report.archived)} of {_mb(report.segment_size)} |",
        f"| archive lag (switch to archived) | {report.archive_lag * 1000:.0f} ms |",
    ]
    if rtos:
        out.append(f"| RTO ({copy}, recover, verify) | {min(rtos):.2f}–{max(rtos):.2f} s |")
    out.append(
        f"| RPO (from the archive settings) | at most archive_timeout = {timeout} "
        f"(+ {report.archive_lag * 1000:.0f} ms to copy a segment) |"
    )
    out += [
        "",
        f"RTO is the time from {'`pgbackrest restore`' if brest else 'copying the base backup'}"
        " to a promoted server whose tables were checked; on a real database it grows with "
        "the size of the base backup (copy) "
        "and with the WAL written since it (recovery). RPO: a segment is archived when it "
        f"fills or after {timeout} at most, so a lost primary loses at most that much "
        f"committed work ({rpo:g} s).",
        "",
        "### Recorded points",
        "",
        "| point | time | LSN | rows |",
        "|---|---|---|---|",
    ]
    for p in report.points:
        out.append(f"| `{p.name}` | {p.time} | {p.lsn} | {p.rows} |")
    out += [
        "",
        "### Restores",
        "",
        f"| target | value | result | RTO | {copy} | recovery | verify | WAL needed |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in report.restores:
        t = r.timings
        needed = f"{r.needed[0]}…{r.needed[-1]} ({len(r.needed)})" if r.needed else "-"
        result = "verified" if r.ok else "**failed**"
        out.append(
            f"| recovery_target_{r.kind} | `{r.target}` | {result} | {r.rto:.2f} s | "
            f"{t.get('copy', 0):.2f} s | {t.get('recovery', 0):.2f} s | "
            f"{t.get('verify', 0):.2f} s | {needed} |"
        )
    problems = [(r, p) for r in report.restores for p in r.problems]
    if problems:
        out += ["", "### Problems", ""]
        out += [f"* recovery_target_{r.kind}: {untrusted(p)}" for r, p in problems]
    out += [
        "",
        "### Checks",
        "",
        "* Before each restore, the archive holds every WAL segment from the base backup's "
        "start to the one where recovery stops (a gap is named above).",
        *(
            [
                "* Before each restore, `pgbackrest verify` checks every backup file and WAL "
                "segment in the repository; the WAL ranges it logs must be continuous (its "
                "status stays `ok` when a segment after the backup is gone: pgvet names the "
                "gap between two ranges)."
            ]
            if brest
            else []
        ),
        "* After each restore, every table's row count and content hash (sum of a 64-bit hash "
        "of each row's text, computed by the server) equals the one recorded at the target.",
        "* Nothing after the target: the drill table holds the target's batch and no later "
        "one (a later point's writes would change its hash too).",
        "",
        "### Procedure, as run",
        "",
        "Primary settings (on top of pgvet's sandbox settings):",
        "",
        "```",
        *(f"{k} = '{v}'" for k, v in report.primary_settings.items()),
        "```",
        "",
    ]
    for step in report.steps:
        out += [f"{step.what} ({step.seconds:.2f} s):", "", "```", step.command, "```", ""]
    verified = next((r.verify for r in reversed(report.restores) if r.verify), "")
    if verified:
        out += ["`pgbackrest verify`'s report (last run):", "", "```", verified, "```", ""]
    if report.restores and brest:
        first = report.restores[0]
        out += [
            "Restore: `pgbackrest restore --type=… --target=… --target-action=promote` into "
            "an empty data folder (as above) wrote `recovery.signal` and, in its "
            "`postgresql.auto.conf`:",
            "",
            "```",
            first.settings.rstrip(),
            "```",
            "",
            "then start the server, wait until `select pg_is_in_recovery()` is false, and "
            "compare the tables with the recorded state.",
            "",
        ]
    elif report.restores:
        first = report.restores[0]
        out += [
            "Restore: copy the base backup into an empty data folder, add to its "
            "`postgresql.auto.conf`:",
            "",
            "```",
            first.settings.rstrip(),
            "```",
            "",
            "create `recovery.signal` in it, start the server, wait until "
            "`select pg_is_in_recovery()` is false, then compare the tables with the "
            "recorded state.",
            "",
        ]
    out += [
        "## Advice (not measured by this drill)",
        "",
        "### Supabase",
        "",
        "* **Dashboard backups**: paid plans take a daily logical backup, kept 7 days (Pro), "
        "14 (Team) or up to 30 (Enterprise); Database → Backups restores one into the same "
        "project (downtime while it runs). Check there that the last backup is recent.",
        "* **PITR add-on**: WAL-based point-in-time recovery to any second within the "
        "retention window you buy; restore from Database → Backups → Point in time. It "
        "replaces the daily backups.",
        "* **Your own logical backups** (free plan included; store them off-platform):",
        "",
        "  ```bash",
        '  supabase db dump --db-url "$DB_URL" -f roles.sql --role-only',
        '  supabase db dump --db-url "$DB_URL" -f schema.sql',
        '  supabase db dump --db-url "$DB_URL" -f data.sql --use-copy --data-only',
        '  pgvet backup verify roles.sql schema.sql data.sql --against "$DB_URL"',
        "  ```",
        "",
        "* **Restoring into a new project** (the platform's guide): create the project, "
        "enable the extensions you use, then, with its connection string:",
        "",
        "  ```bash",
        "  psql --single-transaction --variable ON_ERROR_STOP=1 --file roles.sql \\",
        "    --file schema.sql --command 'SET session_replication_role = replica' \\",
        '    --file data.sql --dbname "$NEW_DB_URL"',
        "  ```",
        "",
        "  then re-create what a dump does not carry: storage objects (files), edge "
        "functions, auth settings, API keys and secrets, webhooks, and `pgvet backup verify` "
        "the dump files against the new project.",
        "",
        "### Self-hosted PostgreSQL",
        "",
        "* Keep WAL archiving on and alert on `pg_stat_archiver.failed_count`; a gap in the "
        "archive breaks every PITR target after it.",
        "* Take base backups often enough that replaying the WAL since the last one fits "
        "your RTO; run this drill on a schedule, against your real backup storage.",
        "* pgBackRest or WAL-G add retention, compression, parallel restore and `verify` of "
        "stored backups; "
        + (
            "this drill used pgBackRest with a repository on local disk: keep yours "
            "off the database host (S3, another server) and encrypted."
            if brest
            else "this drill used pg_basebackup and a copy `archive_command`."
        ),
        "",
    ]
    return "\n".join(out)
