#!/usr/bin/env python3
"""Backup test: `jiceng backup` makes a consistent, servable copy of a SQLite database while a server writes.

1. In a temporary directory, create an admin and start `jiceng serve` on a fresh SQLite file.
2. Run writer threads that POST community nodes under the root node.
3. While they write, run `jiceng --database-url sqlite://SRC backup OUT-i.db` a few times (default 3).
4. Stop the writers and the server. For every backup: `PRAGMA integrity_check` must be 'ok'; every write
   acknowledged before the backup command started must be in it with its code.
5. Serve each backup with a second `jiceng serve` on another port, log in with the same admin, check that
   GET /api/v1/nodes?parent_id=1 lists exactly the backup's children of the root (total and ids), and that
   GET /api/v1/nodes/{id} serves every node of the backup with the same code.

Exit 0 on success, 1 on any mismatch, 2 on timeout. The last line of output is a one-line result for .ci/run.

Usage: python3 scripts/backup-test.py [--binary target/debug/jiceng] [--backups 3] [--threads 8]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))

import jiceng_harness as h  # noqa: E402

LOGIN = "backup"
PASSWORD = "Backup-test-2026"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", help="path to the jiceng binary (default: target/debug/jiceng)")
    ap.add_argument("--backups", type=int, default=3, help="backups taken under load (default 3)")
    ap.add_argument("--threads", type=int, default=8, help="writer threads (default 8)")
    ap.add_argument("--warmup-writes", type=int, default=200,
                    help="acknowledged writes before the first backup (default 200)")
    ap.add_argument("--timeout", type=float, default=300.0, help="give up after this many seconds (default 300)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()

    h.install_cleanup(args.timeout)
    binary = h.resolve_binary(args.binary)
    work = Path(tempfile.mkdtemp(prefix="jiceng-backup-"))
    h.log(f"binary {binary}")
    ok = False
    try:
        ok = run(binary, work, args)
        return 0 if ok else 1
    finally:
        h.kill_children()
        if ok and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            h.log(f"kept {work} for inspection")


def read_backup(path: Path) -> tuple[str, dict[int, str], dict[int, str]]:
    """(integrity_check result, {id: code} of all nodes, {id: code} of the root's children)."""
    con = sqlite3.connect(path)
    try:
        rows = con.execute("PRAGMA integrity_check").fetchall()
        integrity = "; ".join(str(r[0]) for r in rows)
        cols = {r[1] for r in con.execute("PRAGMA table_info(nodes)")}
        need = {"id", "code", "parent_id"}
        if not need <= cols:
            raise SystemExit(f"{path.name}: table `nodes` lacks columns {sorted(need - cols)} (has {sorted(cols)})")
        total = con.execute("SELECT count(*) FROM nodes").fetchone()[0]
        nodes = {int(i): c for i, c in con.execute("SELECT id, code FROM nodes")}
        children = {int(i): c for i, c in con.execute("SELECT id, code FROM nodes WHERE parent_id = 1")}
        if total != len(nodes):
            raise SystemExit(f"{path.name}: count(*) {total} but {len(nodes)} rows read")
        return integrity, nodes, children
    finally:
        con.close()


def run(binary: Path, work: Path, args) -> bool:
    src = work / "source.db"
    src_url = h.sqlite_url(src)
    cp = h.run_cli(binary, src_url, ["admin", "create", "--login", LOGIN, "--password", PASSWORD], cwd=work)
    h.check_cli(cp, "jiceng admin create")
    h.log(f"admin {LOGIN!r} created in {src_url}")

    server = h.Server(binary, src_url, work, "source-server").start()
    token = h.login(server.base, LOGIN, PASSWORD)
    load = h.WriterLoad(server.base, token, args.threads, tag="BK").start()
    h.log(f"{args.threads} writer threads started")

    deadline = time.monotonic() + 60
    while load.count() < args.warmup_writes:
        if time.monotonic() > deadline or not server.alive():
            load.stop()
            print(f"backup-test: FAIL — only {load.count()} writes acknowledged during warm-up "
                  f"(answers: {load.status_summary()})")
            return False
        time.sleep(0.05)

    failures: list[str] = []
    backups: list[tuple[Path, dict[int, str]]] = []
    for i in range(1, args.backups + 1):
        out = work / f"backup-{i}.db"
        acked_before = load.snapshot()
        cp = h.run_cli(binary, src_url, ["backup", str(out)], cwd=work, timeout=120)
        during = load.count() - len(acked_before)
        if cp.returncode != 0:
            sys.stderr.write(cp.stdout[-2000:] + cp.stderr[-2000:])
            failures.append(f"backup {i} exited with code {cp.returncode}")
            continue
        if not out.is_file() or out.stat().st_size == 0:
            failures.append(f"backup {i} exited 0 but {out.name} is missing or empty")
            continue
        h.log(f"backup {i}: {out.name}, {out.stat().st_size} bytes in {cp.elapsed:.2f} s; "
              f"{len(acked_before)} writes acknowledged before it started, {during} more while it ran")
        if during == 0:
            h.log(f"WARNING: no write was acknowledged while backup {i} ran; the load was not concurrent")
        backups.append((out, acked_before))
        time.sleep(0.5)

    load.stop()
    if not server.alive():
        server.dump_log()
        failures.append("the source server died during the backups")
    server.stop()
    h.log(f"writers stopped: {load.count()} writes acknowledged; answers seen: {load.status_summary()}")
    if load.bad_bodies:
        h.log("unexpected answers while writing: " + " | ".join(load.bad_bodies))
    errors = {k: v for k, v in load.statuses.items() if not k.startswith("2")}
    if errors:
        failures.append(f"writers got non-2xx answers or transport errors while backups ran: {errors}")

    for out, acked_before in backups:
        failures += verify_backup(binary, work, out, acked_before)

    print()
    if failures:
        for f in failures:
            print(f"  - {f}")
        print(f"backup-test: FAIL — {len(failures)} problem(s), see above")
        return False
    print(f"backup-test: PASS — {len(backups)} backups taken under load; each passes integrity_check, holds every "
          f"write acknowledged before it started, and serves every node with its code")
    return True


def verify_backup(binary: Path, work: Path, out: Path, acked_before: dict[int, str]) -> list[str]:
    failures: list[str] = []
    name = out.name
    integrity, nodes, children = read_backup(out)
    h.log(f"{name}: integrity_check = {integrity!r}; {len(nodes)} nodes, {len(children)} under the root")
    if integrity != "ok":
        failures.append(f"{name}: PRAGMA integrity_check returned {integrity!r}")

    lost = [nid for nid, code in acked_before.items() if nodes.get(nid) != code]
    if lost:
        failures.append(f"{name}: {len(lost)} writes acknowledged before the backup started are not in it "
                        f"(e.g. ids {lost[:5]})")

    server = h.Server(binary, h.sqlite_url(out), work, f"serve-{out.stem}").start()
    try:
        token = h.login(server.base, LOGIN, PASSWORD)
        try:
            total, items = h.list_children(server.base, token, 1)
        except RuntimeError as e:
            failures.append(f"{name}: listing failed: {e}")
            total, items = -1, []
        listed = {it.get("id"): it.get("code") for it in items if isinstance(it, dict)}
        h.log(f"{name}: GET /api/v1/nodes?parent_id=1 total {total}, {len(listed)} items over all pages")
        if total != len(children):
            failures.append(f"{name}: listing total {total} != {len(children)} children of the root in the file")
        if listed != children:
            only_api = sorted(set(listed) - set(children))[:5]
            only_file = sorted(set(children) - set(listed))[:5]
            diff_code = sorted(i for i in set(listed) & set(children) if listed[i] != children[i])[:5]
            failures.append(f"{name}: listing differs from the file (only listed: {only_api}, only in file: "
                            f"{only_file}, different code: {diff_code})")

        present, missing, wrong = h.check_nodes(server.base, token, nodes)
        h.log(f"{name}: GET /api/v1/nodes/{{id}}: {len(present)} of {len(nodes)} served with the same code")
        if missing:
            failures.append(f"{name}: {len(missing)} nodes not served, e.g. {missing[:3]}")
        if wrong:
            failures.append(f"{name}: {len(wrong)} nodes served with another code, e.g. {wrong[:3]}")
    finally:
        server.stop()
    return failures


if __name__ == "__main__":
    sys.exit(main())
