"""Requests for the crash test: new requests go through the group writer's held rows (one call per
batch), a path of their own, so the crash test submits them beside the node writes and checks every
acknowledged one after the restart (its row and its first timeline entry)."""

from __future__ import annotations

import time

import jiceng_harness as h

LOGIN = "crashcw"
PASSWORD = "Crash-worker-2026"


def prepare(base: str, admin_token: str) -> tuple[str, int, int]:
    """A community, a community worker there and a category without required questions:
    (worker's token, community id, category id)."""
    status, node = h.request("POST", base + "/api/v1/nodes",
                             {"parent_id": 1, "kind": "community", "code": "CRQ0000001", "name": "诉求测试社区"},
                             token=admin_token)
    if status != 201 or not isinstance(node, dict):
        raise SystemExit(f"creating the requests' community failed: HTTP {status} {node!r}")
    user = {"login": LOGIN, "display_name": "崩溃测试社工", "password": PASSWORD,
            "grants": [{"role": "community_worker", "node_id": node["id"]}]}
    status, body = h.request("POST", base + "/api/v1/users", user, token=admin_token)
    if status != 201:
        raise SystemExit(f"creating the community worker failed: HTTP {status} {body!r}")
    token = h.login(base, LOGIN, PASSWORD)
    status, cats = h.request("GET", base + "/api/v1/request-categories", token=token)
    items = cats.get("items", cats) if isinstance(cats, dict) else cats
    plain = [c["id"] for c in items or [] if not any(q.get("required") for q in c.get("questions", []))]
    if status != 200 or not plain:
        raise SystemExit(f"no category without required questions: HTTP {status} {str(cats)[:200]}")
    return token, node["id"], plain[0]


class RequestLoad(h.WriterLoad):
    """WriterLoad's threads submitting requests (a hotline call recorded by the community worker)
    instead of nodes; `acked` maps the id of every 201 to its description."""

    def __init__(self, base: str, token: str, place: int, category: int, threads: int):
        super().__init__(base, token, threads, tag="RQ")
        self.place, self.category = place, category

    def _run(self, tid: int) -> None:
        seq = 0
        while not self.stop_event.is_set():
            seq += 1
            text = f"崩溃测试{tid:02d}-{seq:06d}：楼道堆放杂物，影响通行"
            body = {"category_id": self.category, "place_node_id": self.place, "description": text,
                    "answers": {}, "requester_name": "测试居民"}
            try:
                status, resp = h.request("POST", self.base + "/api/v1/requests", body, token=self.token)
            except h.TRANSPORT_ERRORS:
                with self.lock:
                    self._note("transport error")
                time.sleep(0.05)
                continue
            with self.lock:
                self._note(str(status))
                if status == 201 and isinstance(resp, dict) and isinstance(resp.get("id"), int):
                    self.acked[resp["id"]] = text


def check(base: str, acked: dict[int, str]) -> list[str]:
    """Every acknowledged request after the restart, with its description and its 提交 entry;
    the problems found."""
    token = h.login(base, LOGIN, PASSWORD)
    problems: list[str] = []
    for rid, text in sorted(acked.items()):
        status, body = h.request("GET", f"{base}/api/v1/requests/{rid}", token=token, timeout=15)
        request = body.get("request", {}) if isinstance(body, dict) else {}
        timeline = body.get("timeline", []) if isinstance(body, dict) else []
        if status != 200 or request.get("description") != text:
            problems.append(f"request {rid}: HTTP {status} {str(body)[:160]}")
        elif not timeline or timeline[0].get("action") != "submit":
            problems.append(f"request {rid}: its timeline lacks the submit entry")
    return problems
