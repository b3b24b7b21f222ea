#!/usr/bin/env python3
"""Creates, on a fresh `api --demo` server, one object of every kind that has
an id in a path (an allocation, a declaration batch, a budget ceiling, an
index figure, an indexation run, an outflow check, a report and its job, an
API client), so that schemathesis tests those operations with real ids
instead of random ones that can only 404.

Usage: seed.py BASE_URL ROLE   (ROLE: region-admin or provider)

Tokens come from the environment: ZR_ADMIN_TOKEN, ZR_TEAM_TOKEN and
ZR_PROVIDER_TOKEN. Prints `export NAME=value` lines for the shell: the ids
that ROLE should be tested with (the provider's own contract and tariff for a
provider). Standard library only, so it runs before any venv exists.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request

REGION = "centraal-gelderland"
# Demo data (api/src/demo.rs): provider 98010001 holds a contract for BW in
# every municipality of Centraal Gelderland and a provider-specific BW0A1 tariff.
AGB = "98010001"
CBS = "GM0274"
PRODUCT = "BW0A1"
GROUP = "BW"
ALLOCATION = 100001


def call(base: str, token: str, method: str, path: str, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"{base}/api/v1/regions/{REGION}{path}", data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            text = resp.read()
            return resp.status, json.loads(text) if text else None
    except urllib.error.HTTPError as err:
        text = err.read().decode(errors="replace")
        sys.exit(f"seed: {method} {path} answered {err.code}: {text}")


def wait_job(base: str, token: str, job_id: str) -> None:
    for _ in range(120):
        _, job = call(base, token, "GET", f"/jobs/{job_id}")
        if job["status"] in ("succeeded", "failed"):
            return
        time.sleep(0.25)
    sys.exit(f"seed: job {job_id} did not finish")


def main() -> None:
    base, role = sys.argv[1], sys.argv[2]
    admin = os.environ["ZR_ADMIN_TOKEN"]
    team = os.environ["ZR_TEAM_TOKEN"]
    provider = os.environ["ZR_PROVIDER_TOKEN"]

    # The care flow of the README: an allocation and a declaration batch.
    call(base, team, "POST", "/allocations", {
        "allocationNumber": ALLOCATION, "clientBsn": "111222333",
        "municipalityCbs": CBS, "productCode": PRODUCT, "providerAgb": AGB,
        "startDate": "2025-01-01", "endDate": "2025-12-31",
        "volume": {"amount": 1, "unit": "day", "frequency": "day"},
        "temporaryIntensive": [{"from": "2025-03-01", "to": "2025-05-31", "extraHoursPerWeek": 3}],
    })
    _, batch = call(base, provider, "POST", "/declarations", {"lines": [
        {"allocationNumber": ALLOCATION, "productCode": PRODUCT,
         "periodStart": "2025-03-01", "periodEnd": "2025-03-31", "deliveredVolume": 31},
    ]}, headers={"Idempotency-Key": "contract-seed-1"})

    _, ceiling = call(base, admin, "POST", "/budget-ceilings",
                      {"providerAgb": AGB, "year": 2025, "amount": "250000.00", "hard": False})
    _, client = call(base, admin, "POST", "/api-clients",
                     {"name": "Contract checks", "role": "provider", "providerAgb": AGB})

    # Indexation: the README's figures and policy, then a preview run for 2027.
    for series, year, figure in (
        ("ova", 2026, {"forecast": "4.94", "definitive": "6.00"}),
        ("ova", 2027, {"forecast": "4.18"}),
        ("ppc", 2026, {"forecast": "2.51", "definitive": "3.10"}),
        ("ppc", 2027, {"forecast": "1.82"}),
    ):
        call(base, admin, "PUT", f"/index-figures/{series}/{year}", figure)
    call(base, admin, "PUT", "/policies/indexation/region", {
        "weights": {"ova": "0.9", "ppc": "0.1"}, "postCalculation": True,
        "indexDecimals": 2, "indexRounding": "half-away-from-zero",
        "tariffDecimals": 2, "tariffRounding": "half-away-from-zero", "previewOn": "10-01"})
    _, run = call(base, admin, "POST", "/indexation-runs", {"year": 2027})
    wait_job(base, admin, run["previewJobId"])

    call(base, admin, "PUT", "/policies/outflow-threshold/region", {
        "minClients": 5, "window": "calendar-year", "level": "region",
        "count": "approved-declarations", "graceForNewContracts": True, "runOn": "01-15"})
    _, check = call(base, admin, "POST", "/outflow-checks", {"asOf": "2026-01-15"})
    _, report = call(base, admin, "POST", "/reports", {"from": "2025-01-01", "to": "2025-12-31"})
    wait_job(base, admin, report["jobId"])
    if check.get("jobId"):
        wait_job(base, admin, check["jobId"])

    # An enrolment of the provider (a tender needs no entry window), with evidence.
    _, enrolment = call(base, admin, "POST", "/enrolments", {
        "providerAgb": AGB, "procurementForm": "sas-tender", "productGroupCodes": [GROUP],
        "municipalityCbsCodes": [CBS], "startDate": "2026-01-01",
        "evidence": [{"requirement": "vog", "documentReference": "VOG-1", "validUntil": "2030-12-31"}]})
    call(base, admin, "POST", f"/providers/{AGB}/compliance-checks", {
        "kind": "integrity", "outcome": "passed", "checkedOn": "2026-01-10", "validUntil": "2029-01-09"})

    # Ids the tested role can see: a provider only its own contracts and tariffs.
    token = provider if role == "provider" else admin
    _, contracts = call(base, token, "GET", "/contracts?pageSize=500")
    contract = next(c for c in contracts["items"] if c["providerAgb"] == AGB)
    _, tariffs = call(base, token, "GET", f"/tariffs?productCode={PRODUCT}&date=2026-03-01")
    tariff = tariffs["items"][0]

    ids = {
        "ZR_REGION": REGION,
        "ZR_CBS": CBS,
        "ZR_GROUP": GROUP,
        "ZR_PRODUCT": PRODUCT,
        "ZR_AGB": AGB,
        "ZR_ALLOCATION": ALLOCATION,
        "ZR_CONTRACT_ID": contract["id"],
        "ZR_TARIFF_ID": tariff["id"],
        "ZR_DECLARATION_ID": batch["id"],
        "ZR_CEILING_ID": ceiling["id"],
        "ZR_API_CLIENT_ID": client["clientId"],
        "ZR_INDEXATION_RUN_ID": run["id"],
        "ZR_OUTFLOW_CHECK_ID": check["id"],
        "ZR_REPORT_ID": report["id"],
        "ZR_ENROLMENT_ID": enrolment["id"],
        "ZR_JOB_ID": report["jobId"],
        "ZR_POLICY_KIND": "temporary-intensive",
        "ZR_POLICY_SCOPE": "BW0C1",
        "ZR_INDEX_SERIES": "ova",
        "ZR_INDEX_YEAR": 2026,
    }
    for name, value in ids.items():
        print(f"export {name}={value}")


if __name__ == "__main__":
    main()
