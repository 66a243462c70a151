"""Shared plumbing for scripts/crash-test.py and scripts/backup-test.py (Python standard library only).

Starts and stops `jiceng` processes, talks JSON to its HTTP API, runs writer threads that create nodes and
remember every acknowledged (2xx) write. Every child process is registered and killed on exit, whatever the
exit path (normal end, exception, SIGTERM/SIGINT, watchdog timeout).
"""

from __future__ import annotations

import atexit
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.dont_write_bytecode = True

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BINARY = REPO_ROOT / "target" / "debug" / "jiceng"

# urllib would honour http_proxy/HTTP_PROXY from the environment; we only ever talk to 127.0.0.1.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

# What a request can raise when the server is gone, dies mid-answer or is not up yet.
TRANSPORT_ERRORS = (urllib.error.URLError, OSError, http.client.HTTPException)

_children: list[subprocess.Popen] = []
_children_lock = threading.Lock()


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------------------------------------------
# child processes


def kill_children() -> None:
    with _children_lock:
        procs = list(_children)
    for p in procs:
        if p.poll() is None:
            try:
                p.kill()
            except OSError:
                pass
    for p in procs:
        try:
            p.wait(timeout=10)
        except Exception:
            pass


def _on_signal(signum, _frame):
    log(f"signal {signum}: killing child processes")
    kill_children()
    os._exit(128 + signum)


def install_cleanup(timeout_s: float) -> None:
    """Kill children on every exit path, and give up (exit 2) after timeout_s seconds."""
    atexit.register(kill_children)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)

    def watchdog():
        time.sleep(timeout_s)
        log(f"TIMEOUT: still running after {timeout_s:.0f} s, killing child processes")
        kill_children()
        sys.stdout.flush()
        os._exit(2)

    threading.Thread(target=watchdog, daemon=True, name="watchdog").start()


def child_env() -> dict[str, str]:
    """The environment for jiceng: ours minus JICENG_* so only the explicit flags count."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JICENG_")}
    env.setdefault("RUST_BACKTRACE", "1")
    return env


def resolve_binary(path: str | None) -> Path:
    b = Path(path) if path else DEFAULT_BINARY
    if not b.is_absolute():
        b = (Path.cwd() / b).resolve()
    if not (b.is_file() and os.access(b, os.X_OK)):
        raise SystemExit(f"binary not found or not executable: {b} (build it with `cargo build -p jiceng`)")
    return b


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sqlite_url(db_path: Path) -> str:
    return f"sqlite://{db_path}"


def run_cli(binary: Path, db_url: str, args: list[str], cwd: Path, timeout: float = 120,
            stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run a one-shot jiceng command, the global --database-url flag before the subcommand."""
    cmd = [str(binary), "--database-url", db_url, *args]
    started = time.monotonic()
    cp = subprocess.run(cmd, cwd=cwd, env=child_env(), input=stdin, capture_output=True, text=True,
                        timeout=timeout)
    cp.elapsed = time.monotonic() - started  # type: ignore[attr-defined]
    return cp


def check_cli(cp: subprocess.CompletedProcess, what: str) -> None:
    if cp.returncode != 0:
        sys.stderr.write(cp.stdout[-4000:] + cp.stderr[-4000:])
        raise SystemExit(f"{what} failed with exit code {cp.returncode}: {' '.join(cp.args)}")


class Server:
    """A `jiceng serve` child process with its log file."""

    def __init__(self, binary: Path, db_url: str, workdir: Path, name: str):
        self.binary = binary
        self.db_url = db_url
        self.workdir = workdir
        self.name = name
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self, wait_s: float = 60) -> "Server":
        logf = open(self.log_path, "ab")
        cmd = [str(self.binary), "--database-url", self.db_url, "serve", "--listen", f"127.0.0.1:{self.port}"]
        self.proc = subprocess.Popen(cmd, cwd=self.workdir, env=child_env(), stdin=subprocess.DEVNULL,
                                     stdout=logf, stderr=subprocess.STDOUT, start_new_session=True)
        logf.close()
        with _children_lock:
            _children.append(self.proc)
        deadline = time.monotonic() + wait_s
        while True:
            if self.proc.poll() is not None:
                self.dump_log()
                raise SystemExit(f"{self.name}: server exited with code {self.proc.returncode} before /healthz "
                                 f"answered")
            try:
                status, _ = request("GET", self.base + "/healthz", timeout=2)
                if status == 200:
                    break
            except TRANSPORT_ERRORS:
                pass
            if time.monotonic() > deadline:
                self.dump_log()
                raise SystemExit(f"{self.name}: /healthz did not answer 200 within {wait_s:.0f} s")
            time.sleep(0.1)
        log(f"{self.name}: serving on {self.base} (pid {self.proc.pid})")
        if f"http://127.0.0.1:{self.port}" not in self.log_text():
            log(f"{self.name}: WARNING: the server log does not contain the line 'http://127.0.0.1:{self.port}' "
                f"promised by `jiceng serve`")
        return self

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def dump_log(self, lines: int = 40) -> None:
        tail = self.log_text().splitlines()[-lines:]
        sys.stderr.write(f"---- last {len(tail)} lines of {self.log_path} ----\n")
        sys.stderr.write("\n".join(tail) + "\n----\n")

    def sigkill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        """Graceful stop (SIGTERM, then SIGKILL after 10 s)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            log(f"{self.name}: did not stop within 10 s of SIGTERM, killing it")
            self.proc.kill()
            self.proc.wait(timeout=10)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


# --------------------------------------------------------------------------------------------------------------
# HTTP


def request(method: str, url: str, body=None, token: str | None = None, timeout: float = 10):
    """Returns (status, parsed JSON or raw text or None). Raises URLError/OSError on transport failure."""
    data = None
    headers = {"Accept": "application/json"}
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    if not raw:
        return status, None
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


def login(base: str, login_name: str, password: str) -> str:
    status, body = request("POST", base + "/api/v1/auth/login", {"login": login_name, "password": password})
    if status != 200 or not isinstance(body, dict) or not body.get("token"):
        raise SystemExit(f"login as {login_name!r} failed: HTTP {status} {body!r}")
    return body["token"]


def list_children(base: str, token: str, parent_id: int, page_size: int = 500) -> tuple[int, list[dict]]:
    """All pages of GET /api/v1/nodes?parent_id=…; returns (total as reported by page 1, items)."""
    items: list[dict] = []
    total = None
    page = 1
    while True:
        status, body = request("GET", f"{base}/api/v1/nodes?parent_id={parent_id}&page={page}"
                                      f"&page_size={page_size}", token=token, timeout=30)
        if status != 200 or not isinstance(body, dict) or "items" not in body or "total" not in body:
            raise RuntimeError(f"GET /api/v1/nodes?parent_id={parent_id}&page={page}: HTTP {status} "
                               f"{str(body)[:300]}")
        if total is None:
            total = body["total"]
        items.extend(body["items"])
        if not body["items"] or len(items) >= total or page > 100000:
            break
        page += 1
    return total or 0, items


def check_nodes(base: str, token: str, expected: dict[int, str], threads: int = 8):
    """GET /api/v1/nodes/{id} for every id; returns (present, missing, wrong) with wrong = [(id, want, got)]."""
    ids = sorted(expected)
    present: list[int] = []
    missing: list[tuple[int, str]] = []
    wrong: list[tuple[int, str, str]] = []
    lock = threading.Lock()
    cursor = iter(ids)

    def worker():
        while True:
            with lock:
                nid = next(cursor, None)
            if nid is None:
                return
            status, body = None, None
            for attempt in range(3):
                try:
                    status, body = request("GET", f"{base}/api/v1/nodes/{nid}", token=token, timeout=15)
                    break
                except TRANSPORT_ERRORS as e:
                    status, body = None, repr(e)
                    time.sleep(0.2 * (attempt + 1))
            with lock:
                if status == 200 and isinstance(body, dict) and body.get("code") == expected[nid] \
                        and body.get("id") == nid:
                    present.append(nid)
                elif status == 200:
                    wrong.append((nid, expected[nid], json.dumps(body, ensure_ascii=False)[:200]))
                else:
                    missing.append((nid, f"HTTP {status} {str(body)[:200]}"))

    ts = [threading.Thread(target=worker, name=f"check-{i}") for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return present, missing, wrong


# --------------------------------------------------------------------------------------------------------------
# writer load


class WriterLoad:
    """N threads POSTing community nodes under the root as fast as they can.

    `acked` holds (id, code) of every write answered 2xx with a body that names the node; nothing else counts.
    """

    def __init__(self, base: str, token: str, threads: int, tag: str, parent_id: int = 1):
        self.base = base
        self.token = token
        self.nthreads = threads
        self.tag = tag  # ASCII letters/digits, keeps codes unique across runs on one database
        self.parent_id = parent_id
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.acked: dict[int, str] = {}
        self.statuses: dict[str, int] = {}
        self.bad_bodies: list[str] = []
        self.threads: list[threading.Thread] = []

    def _note(self, key: str) -> None:
        self.statuses[key] = self.statuses.get(key, 0) + 1

    def _run(self, tid: int) -> None:
        seq = 0
        while not self.stop_event.is_set():
            seq += 1
            code = f"{self.tag}T{tid:02d}N{seq:07d}"
            body = {"parent_id": self.parent_id, "kind": "community", "code": code,
                    "name": f"测试社区{tid}-{seq}"}
            try:
                status, resp = request("POST", self.base + "/api/v1/nodes", body, token=self.token, timeout=10)
            except TRANSPORT_ERRORS as e:
                with self.lock:
                    self._note(f"transport error ({type(getattr(e, 'reason', e)).__name__})")
                # the server is gone or restarting: do not spin at full speed
                time.sleep(0.05)
                continue
            with self.lock:
                self._note(str(status))
                if 200 <= status < 300:
                    if isinstance(resp, dict) and isinstance(resp.get("id"), int) and resp.get("code") == code:
                        self.acked[resp["id"]] = code
                    elif len(self.bad_bodies) < 5:
                        self.bad_bodies.append(f"{status} {str(resp)[:200]}")
                elif status not in (401, 429) and len(self.bad_bodies) < 5:
                    self.bad_bodies.append(f"{status} {str(resp)[:200]}")

    def start(self) -> "WriterLoad":
        for i in range(self.nthreads):
            t = threading.Thread(target=self._run, args=(i,), daemon=True, name=f"writer-{i}")
            t.start()
            self.threads.append(t)
        return self

    def count(self) -> int:
        with self.lock:
            return len(self.acked)

    def snapshot(self) -> dict[int, str]:
        with self.lock:
            return dict(self.acked)

    def stop(self, timeout: float = 30) -> None:
        self.stop_event.set()
        deadline = time.monotonic() + timeout
        for t in self.threads:
            t.join(max(0.0, deadline - time.monotonic()))

    def status_summary(self) -> str:
        with self.lock:
            return ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items()))
