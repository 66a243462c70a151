#!/usr/bin/env python3
"""Open311 client test: two unmodified Python Open311 clients against a live jiceng server.

- `georeport` (reads): lists services (JSON and XML), reads a service definition, lists requests.
- `civicbot` (its Open311Client): creates a request with validate_remote=True, which fetches our
  services and the service definition and checks the payload against them before sending; a
  multi-value attribute goes out as attribute[code][]. A wrong api_key must give 403 and an unknown
  service_code 400, both with the spec's [{code, description}] body.
- The created request must then be in the demo dispatcher's queue (JSON API, signed in as
  `dispatch`) and read back through `georeport`.

Without --base-url the script builds a small demo (`jiceng demo --no-serve`), takes the Open311 key
the demo prints and starts `jiceng serve` on it. The last line of output is a one-line result for
.ci/run; exit 0 on success, 1 on a failed check, 2 on timeout.

Usage: python3 scripts/open311-clients.py [--binary target/debug/jiceng]
       python3 scripts/open311-clients.py --base-url http://127.0.0.1:8080 --api-key KEY
Needs: pip install georeport==0.3.1 civicbot==0.4.0
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))

import jiceng_harness as h  # noqa: E402

DEMO_PASSWORD = "Jiceng-2026"
# In 单县, the demo county: the coordinates must lie in China, the store checks them.
LAT, LNG = 34.7956, 116.0786


class Check:
    def __init__(self) -> None:
        self.passed = 0
        self.failed: list[str] = []

    def __call__(self, ok: bool, what: str) -> None:
        if ok:
            self.passed += 1
            h.log(f"ok    {what}")
        else:
            self.failed.append(what)
            h.log(f"FAIL  {what}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", help="path to the jiceng binary (default: target/debug/jiceng)")
    ap.add_argument("--base-url", help="a running server, e.g. http://127.0.0.1:8080 (no demo is built)")
    ap.add_argument("--api-key", help="Open311 key for --base-url")
    ap.add_argument("--timeout", type=float, default=300.0, help="give up after this many seconds (default 300)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    # Both clients would honour a proxy from the environment; we only ever talk to this machine.
    for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        os.environ.pop(k, None)
    try:
        import civicbot  # noqa: F401
        import georeport  # noqa: F401
    except ImportError as e:
        print(f"open311-clients: FAIL ({e}; pip install georeport==0.3.1 civicbot==0.4.0)")
        return 1

    h.install_cleanup(args.timeout)
    if args.base_url:
        if not args.api_key:
            raise SystemExit("--base-url needs --api-key")
        return report(run(args.base_url.rstrip("/"), args.api_key))
    binary = h.resolve_binary(args.binary)
    work = Path(tempfile.mkdtemp(prefix="jiceng-open311-"))
    ok = False
    try:
        cp = h.run_cli(binary, "sqlite://unused", ["demo", "--no-serve", "--dir", str(work / "demo"),
                                                   "--residents-per-grid", "1", "--requests", "300"],
                       cwd=work, timeout=240)
        h.check_cli(cp, "jiceng demo --no-serve")
        m = re.search(r"open311_api_key (\S+)", cp.stdout)
        if not m:
            sys.stderr.write(cp.stdout[-2000:])
            raise SystemExit("jiceng demo printed no Open311 key")
        h.log(f"demo built ({cp.elapsed:.0f} s)")
        server = h.Server(binary, h.sqlite_url(work / "demo" / "jiceng.db"), work, "server").start()
        ok = report(run(server.base, m.group(1))) == 0
        return 0 if ok else 1
    finally:
        h.kill_children()
        if ok and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            h.log(f"kept {work} for inspection")


def report(check: Check) -> int:
    if check.failed:
        print(f"open311-clients: FAIL ({len(check.failed)} of {check.passed + len(check.failed)} checks: "
              f"{'; '.join(check.failed)})")
        return 1
    print(f"open311-clients: OK ({check.passed} checks with georeport and civicbot)")
    return 0


def run(base: str, key: str) -> Check:
    from civicbot.http import HttpError, HttpTransport, RateLimiter
    from civicbot.open311 import Open311Client, ValidationError
    from civicbot.registry import Endpoint
    from georeport import GeoReport

    check = Check()
    root = f"{base}/open311/v2"
    geo = GeoReport(root)
    geo_xml = GeoReport(root, output_format="xml")

    services = geo.get_service_list()
    codes = {s["service_code"] for s in services}
    check("waterlogging" in codes and "property_service" in codes, f"georeport lists {len(services)} services")
    xml_services = geo_xml.get_service_list()
    check(len(xml_services) == len(services), "georeport lists the same services as XML")
    definition = geo.get_service_definition("waterlogging")
    depth = next((a for a in definition["attributes"] if a["code"] == "depth"), None)
    check(depth is not None and depth["required"] and depth["datatype"] == "singlevaluelist",
          "georeport reads the 路面积水 definition with its required attribute")
    check(geo_xml.get_service_definition("waterlogging")["service_code"] == "waterlogging",
          "georeport reads the definition as XML")
    recent = geo.get_service_requests()
    check(isinstance(recent, list) and len(recent) > 0, f"georeport lists {len(recent)} requests of the last 90 days")
    check(all("requester_name" not in r and "phone" not in r and r.get("description") is None for r in recent),
          "no personal data in the list")

    endpoint = Endpoint(id="jiceng", name="Jiceng", base_url=root, write=True, api_key_required_for_write=True)
    client = Open311Client(endpoint, transport=HttpTransport(rate_limiter=RateLimiter(min_interval=0.0)))
    try:
        client.create_request("waterlogging", dry_run=True, api_key=key, validate_remote=True,
                              lat=LAT, lng=LNG, description="路口积水")
        check(False, "civicbot refuses a payload missing a required attribute")
    except ValidationError as e:
        check("depth" in str(e), "civicbot, checking against our definition, refuses a missing required attribute")

    created = client.create_request(
        "waterlogging", dry_run=False, confirm="SEND", api_key=key, validate_remote=True,
        lat=LAT, lng=LNG, address_string="北城街道人民路与东环路路口",
        description="路口积水没过脚踝，行人只能绕行（Open311 客户端测试）",
        attributes={"depth": "没过脚踝"}, first_name="秀英", last_name="王", account_id="civicbot-test")
    response = created.response
    sid = str(response[0]["service_request_id"]) if isinstance(response, list) and response else None
    check(sid is not None and sid.isdigit(), f"civicbot creates a request: {response}")
    multi = client.create_request(
        "property_service", dry_run=False, confirm="SEND", api_key=key, validate_remote=True,
        address_string="北城街道某小区", description="楼道无人打扫，物业费却涨了",
        attributes={"aspects": ["保洁", "收费"]})
    check(isinstance(multi.response, list) and "attribute[aspects][]" in multi.form,
          "civicbot creates a request with a multivaluelist attribute")

    try:
        client.create_request("waterlogging", dry_run=False, confirm="SEND", api_key="j311_wrong", lat=LAT, lng=LNG,
                              attributes={"depth": "没过脚踝"})
        check(False, "a wrong api_key is refused")
    except HttpError as e:
        body = _json(e.body)
        check(e.status == 403 and isinstance(body, list) and body[0].get("code") == 403,
              f"a wrong api_key is 403 with the spec's body: {e.body[:120]}")
    try:
        client.create_request("no_such_service", dry_run=False, confirm="SEND", api_key=key, lat=LAT, lng=LNG)
        check(False, "an unknown service_code is refused")
    except HttpError as e:
        body = _json(e.body)
        check(e.status == 400 and isinstance(body, list) and body[0].get("code") == 400,
              f"an unknown service_code is 400 with the spec's body: {e.body[:120]}")
    if sid is None:
        return check

    token = h.login(base, "dispatch", DEMO_PASSWORD)
    check(in_queue(base, token, int(sid)), f"request {sid} is in the demo dispatcher's queue")

    one = geo.get_service_request(sid)
    check(str(one["service_request_id"]) == sid and one["status"] == "open" and one["service_code"] == "waterlogging",
          f"georeport reads request {sid} back: {one['status']}, {one['service_name']}")
    check("秀英" not in str(one) and "civicbot-test" not in str(one) and one.get("description") is None,
          "the public read shows neither the requester nor their own words")
    listed = geo.get_service_requests(service_request_id=sid)
    check([str(r["service_request_id"]) for r in listed] == [sid], "georeport finds it by service_request_id")
    xml_one = geo_xml.get_service_request(sid)
    check(str(xml_one["service_request_id"]) == sid, "georeport reads it back as XML")
    opened = geo.get_service_requests(service_code="waterlogging", status="open")
    check(sid in {str(r["service_request_id"]) for r in opened}, "georeport finds it among open 路面积水 requests")
    check(str(client.get_request(sid)["service_request_id"]) == sid, "civicbot reads it back too")
    return check


def _json(text: str):
    import json
    try:
        return json.loads(text)
    except ValueError:
        return None


def in_queue(base: str, token: str, rid: int) -> bool:
    page = 1
    while True:
        status, body = h.request("GET", f"{base}/api/v1/requests?view=queue&page={page}&page_size=500", token=token,
                                 timeout=30)
        if status != 200 or not isinstance(body, dict):
            h.log(f"queue: HTTP {status} {str(body)[:200]}")
            return False
        if any(item.get("id") == rid for item in body["items"]):
            return True
        if page * 500 >= body["total"]:
            return False
        page += 1


if __name__ == "__main__":
    sys.exit(main())
