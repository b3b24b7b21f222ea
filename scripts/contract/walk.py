#!/usr/bin/env python3
"""Walks the README's flow ("A walk through the API", "The care flow", the
indexation, outflow and report examples, and the client-credentials grant)
with a Python client that openapi-python-client generated from the committed
openapi/openapi.json, against a fresh `api --demo` server.

Each step sends the README's JSON, built into the generated request models
(so a value the spec's enums do not allow fails here, as it would for any
client), and asserts the status code and that the response parses into the
generated response model with no field the spec does not declare.

Environment: ZR_BASE_URL, ZR_CLIENT_DIR (the directory holding the generated
package `zorgregie_client`), ZR_ADMIN_TOKEN, ZR_TEAM_TOKEN (access team of
GM0274) and ZR_PROVIDER_TOKEN (AGB 98010001). Prints one line per step and a
closing `N passed, N failed` line; exits non-zero on any failure.
"""

from __future__ import annotations

import datetime
import os
import sys
import time
import traceback
from typing import Any, Callable

sys.path.insert(0, os.environ["ZR_CLIENT_DIR"])

import attrs  # noqa: E402

from zorgregie_client import AuthenticatedClient, Client  # noqa: E402
from zorgregie_client.api.allocations import create_allocation, get_allocation  # noqa: E402
from zorgregie_client.api.api_clients import create_api_client  # noqa: E402
from zorgregie_client.api.audit import list_audit_events  # noqa: E402
from zorgregie_client.api.auth import issue_token  # noqa: E402
from zorgregie_client.api.catalogue import (  # noqa: E402
    create_product_group,
    get_product_group,
    list_product_groups,
    list_products,
)
from zorgregie_client.api.contracts import (  # noqa: E402
    create_amendment,
    create_bridging_agreement,
    create_contract,
    exercise_extension,
    get_contract,
    list_amendments,
    list_contract_signals,
    list_contracts,
    terminate_contract,
    transfer_list,
)
from zorgregie_client.api.enrolments import create_enrolment, decide_enrolment  # noqa: E402
from zorgregie_client.api.declarations import (  # noqa: E402
    get_declaration,
    list_declaration_lines,
    submit_declarations,
)
from zorgregie_client.api.indexation import create_run, get_run, put_index_figure  # noqa: E402
from zorgregie_client.api.jobs import get_job  # noqa: E402
from zorgregie_client.api.municipalities import get_municipality  # noqa: E402
from zorgregie_client.api.outflow import create_check, get_check  # noqa: E402
from zorgregie_client.api.policies import put_policy  # noqa: E402
from zorgregie_client.api.providers import (  # noqa: E402
    create_compliance_check,
    create_provider,
    list_compliance_checks,
)
from zorgregie_client.api.reports import create_report, list_reports  # noqa: E402
from zorgregie_client.api.tariffs import create_tariff, list_tariffs  # noqa: E402
from zorgregie_client import models as m  # noqa: E402

REGION = "centraal-gelderland"
BASE = os.environ["ZR_BASE_URL"]


def client(token: str) -> AuthenticatedClient:
    # An undocumented status code raises errors.UnexpectedStatus.
    return AuthenticatedClient(base_url=BASE, token=token, raise_on_unexpected_status=True)


admin = client(os.environ["ZR_ADMIN_TOKEN"])
team = client(os.environ["ZR_TEAM_TOKEN"])
provider = client(os.environ["ZR_PROVIDER_TOKEN"])


def undeclared(value: Any, where: str = "") -> list[str]:
    """Paths of fields the wire sent that the spec does not declare (the
    generated models keep those in `additional_properties`)."""
    found: list[str] = []
    if isinstance(value, list):
        for i, item in enumerate(value):
            found += undeclared(item, f"{where}[{i}]")
    elif attrs.has(type(value)):
        declared = [f for f in attrs.fields(type(value)) if f.name != "additional_properties"]
        extra = getattr(value, "additional_properties", None) or {}
        # A model with no declared fields is a map (e.g. weights per series):
        # its entries are its content, not undeclared fields.
        if declared:
            found += [f"{where}.{name}" for name in extra]
        for field in declared:
            found += undeclared(getattr(value, field.name), f"{where}.{field.name}")
    return found


def expect(response: Any, status: int, model: type) -> Any:
    body = response.content.decode(errors="replace")[:400]
    assert response.status_code == status, f"status {response.status_code}, expected {status}: {body}"
    assert isinstance(response.parsed, model), (
        f"parsed as {type(response.parsed).__name__}, expected {model.__name__}: {body}"
    )
    extra = undeclared(response.parsed)
    assert not extra, f"fields not in the spec: {', '.join(extra)}"
    return response.parsed


def wait_job(job_id: Any) -> Any:
    for _ in range(200):
        job = expect(get_job.sync_detailed(REGION, job_id, client=admin), 200, m.JobOut)
        if str(job.status) in ("succeeded", "failed"):
            assert str(job.status) == "succeeded", f"job {job_id} failed: {job.error}"
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


state: dict[str, Any] = {}
steps: list[tuple[str, Callable[[], None]]] = []


def step(name: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    def register(fn: Callable[[], None]) -> Callable[[], None]:
        steps.append((name, fn))
        return fn

    return register


@step("GET products?pageSize=3")
def _() -> None:
    page = expect(list_products.sync_detailed(REGION, client=admin, page_size=3), 200, m.PageProductOut)
    assert len(page.items) == 3 and page.total == 8, page


@step("GET municipalities/GM0202")
def _() -> None:
    gm = expect(get_municipality.sync_detailed(REGION, "GM0202", client=admin), 200, m.MunicipalityOut)
    assert gm.name == "Arnhem"


@step("GET tariffs?productCode=BW0C1&date=2026-03-01")
def _() -> None:
    page = expect(
        list_tariffs.sync_detailed(
            REGION, client=admin, product_code="BW0C1", date=datetime.date(2026, 3, 1)
        ),
        200,
        m.PageTariffOut,
    )
    assert page.items and all(t.product_code == "BW0C1" for t in page.items), page


@step("POST product-groups (law wmo), GET it, list by law")
def _() -> None:
    body = m.ProductGroupIn.from_dict({"code": "JZ", "name": "Jeugdzorg Zwaar", "law": "wmo"})
    group = expect(create_product_group.sync_detailed(REGION, client=admin, body=body), 201, m.ProductGroupOut)
    assert group.law == "wmo", group
    expect(get_product_group.sync_detailed(REGION, "JZ", client=admin), 200, m.ProductGroupOut)
    page = expect(
        list_product_groups.sync_detailed(REGION, client=admin, law=m.Law("wmo")), 200, m.PageProductGroupOut
    )
    assert {g.code for g in page.items} == {"BW", "JZ"}, page


@step("POST providers")
def _() -> None:
    body = m.ProviderIn.from_dict(
        {"agbCode": "98019999", "kvkNumber": "61234567", "name": "Zorg aan de Rijn", "usesSelfEmployed": False}
    )
    expect(create_provider.sync_detailed(REGION, client=admin, body=body), 201, m.ProviderOut)


@step("POST contracts (4 years + 2 x 2 years)")
def _() -> None:
    body = m.ContractIn.from_dict(
        {
            "providerAgb": "98019999",
            "procurementForm": "eu-tender",
            "productGroupCodes": ["BW"],
            "municipalityCbsCodes": ["GM0202", "GM0274"],
            "startDate": "2025-01-01",
            "initialTermMonths": 48,
            "extensionOptionsMonths": [24, 24],
        }
    )
    c = expect(create_contract.sync_detailed(REGION, client=admin, body=body), 201, m.ContractOut)
    assert str(c.current_end_date) == "2028-12-31" and str(c.max_end_date) == "2032-12-31", c
    state["contract"] = c.id


@step("POST contracts/{id}/extensions")
def _() -> None:
    c = expect(exercise_extension.sync_detailed(REGION, state["contract"], client=admin), 201, m.ContractOut)
    assert c.extensions_exercised == 1 and str(c.current_end_date) == "2030-12-31", c


@step("POST contracts/{id}/amendments (a one-off extension); GET the history")
def _() -> None:
    body = m.AmendmentIn.from_dict({"kind": "extension", "reason": "The new tender is late", "extensionMonths": 6})
    a = expect(
        create_amendment.sync_detailed(REGION, state["contract"], client=admin, body=body), 201, m.AmendmentOut
    )
    assert str(a.kind) == "extension", a
    page = expect(
        list_amendments.sync_detailed(REGION, state["contract"], client=admin), 200, m.PageAmendmentOut
    )
    assert len(page.items) == 1, page
    c = expect(get_contract.sync_detailed(REGION, state["contract"], client=admin), 200, m.ContractOut)
    assert str(c.current_end_date) == "2031-06-30" and c.amended_months == 6, c


@step("POST providers/{agbCode}/compliance-checks; GET the register")
def _() -> None:
    body = m.ComplianceCheckIn.from_dict(
        {"kind": "integrity", "outcome": "passed", "checkedOn": "2026-02-01", "validUntil": "2099-01-31", "note": "Bibob"}
    )
    check = expect(
        create_compliance_check.sync_detailed(REGION, "98019999", client=admin, body=body), 201, m.ComplianceCheckOut
    )
    assert str(check.standing) == "valid" and check.latest, check
    register = expect(list_compliance_checks.sync_detailed(REGION, client=admin, provider_agb="98019999"), 200, list)
    assert [str(c.kind) for c in register] == ["integrity"], register


@step("POST enrolments (a tender); POST its decision: rejected")
def _() -> None:
    body = m.EnrolmentIn.from_dict(
        {"providerAgb": "98019999", "procurementForm": "sas-tender", "productGroupCodes": ["BW"],
         "municipalityCbsCodes": ["GM0274"], "startDate": "2025-01-01",
         "evidence": [{"requirement": "vog", "documentReference": "VOG-77", "validUntil": "2099-12-31"}]}
    )
    e = expect(create_enrolment.sync_detailed(REGION, client=admin, body=body), 201, m.EnrolmentOut)
    assert str(e.status) == "applied" and [str(i.requirement) for i in e.checklist] == ["vog"], e
    decision = m.DecisionIn.from_dict({"decision": "rejected", "reason": "Already contracted for BW"})
    d = expect(decide_enrolment.sync_detailed(REGION, e.id, client=admin, body=decision), 200, m.EnrolmentOut)
    assert str(d.status) == "rejected", d


@step("POST contracts/{id}/termination")
def _() -> None:
    body = m.TerminationIn.from_dict({"terminatedOn": "2026-06-30", "ground": "by-agreement", "reason": "Ended by agreement"})
    c = expect(
        terminate_contract.sync_detailed(REGION, state["contract"], client=admin, body=body), 200, m.ContractOut
    )
    assert str(c.terminated_on) == "2026-06-30", c
    expect(get_contract.sync_detailed(REGION, state["contract"], client=admin), 200, m.ContractOut)


@step("GET contracts/{id}/transfer-list; a bridge with nothing to bridge: 422")
def _() -> None:
    t = expect(transfer_list.sync_detailed(REGION, state["contract"], client=admin), 200, m.TransferListOut)
    assert str(t.last_day) == "2026-06-30" and t.municipalities == [], t
    body = m.BridgingAgreementIn.from_dict({"until": "2026-12-31"})
    problem = expect(
        create_bridging_agreement.sync_detailed(REGION, state["contract"], client=admin, body=body), 422, m.Problem
    )
    assert problem.code == "ZR-UNPROCESSABLE", problem
    expect(list_contract_signals.sync_detailed(REGION, client=admin), 200, m.PageContractSignalOut)


@step("GET audit-events?resource=contract")
def _() -> None:
    page = expect(
        list_audit_events.sync_detailed(REGION, client=admin, resource="contract"), 200, m.PageAuditEventOut
    )
    assert len(page.items) >= 3, page


@step("POST tariffs (provider-specific), then an overlapping one: 409 ZR-TARIFF-OVERLAP")
def _() -> None:
    body = {"productCode": "BW0C1", "validFrom": "2026-01-01", "price": "195.00", "providerAgb": "98019999"}
    t = expect(
        create_tariff.sync_detailed(REGION, client=admin, body=m.TariffIn.from_dict(body)), 201, m.TariffOut
    )
    assert t.price == "195.00", t
    problem = expect(
        create_tariff.sync_detailed(REGION, client=admin, body=m.TariffIn.from_dict(body)), 409, m.Problem
    )
    assert problem.code == "ZR-TARIFF-OVERLAP", problem


@step("GET contracts as the provider: only its own")
def _() -> None:
    page = expect(list_contracts.sync_detailed(REGION, client=provider), 200, m.PageContractOut)
    assert page.items and all(c.provider_agb == "98010001" for c in page.items), page


@step("POST allocations (access team of GM0274)")
def _() -> None:
    body = m.AllocationIn.from_dict(
        {
            "allocationNumber": 100001,
            "clientBsn": "111222333",
            "municipalityCbs": "GM0274",
            "productCode": "BW0A1",
            "providerAgb": "98010001",
            "startDate": "2025-01-01",
            "endDate": "2025-12-31",
            "volume": {"amount": 1, "unit": "day", "frequency": "day"},
            "temporaryIntensive": [{"from": "2025-03-01", "to": "2025-05-31", "extraHoursPerWeek": 3}],
        }
    )
    a = expect(create_allocation.sync_detailed(REGION, client=team, body=body), 201, m.AllocationOut)
    assert len(a.client_key) == 64, a
    expect(get_allocation.sync_detailed(REGION, 100001, client=provider), 200, m.AllocationOut)


@step("POST declarations (provider, Idempotency-Key), and the replay")
def _() -> None:
    body = m.BatchIn.from_dict(
        {
            "lines": [
                {"allocationNumber": 100001, "productCode": "BW0A1", "periodStart": "2025-03-01",
                 "periodEnd": "2025-03-31", "deliveredVolume": 31},
                {"allocationNumber": 100001, "productCode": "BW0A1", "periodStart": "2025-04-01",
                 "periodEnd": "2025-04-30", "deliveredVolume": 70},
            ]
        }
    )
    first = submit_declarations.sync_detailed(REGION, client=provider, body=body, idempotency_key="march-2025-1")
    batch = expect(first, 201, m.BatchOut)
    assert batch.approved_count == 1 and batch.rejected_count == 1, batch
    assert batch.approved_amount == "2991.50", batch
    again = submit_declarations.sync_detailed(REGION, client=provider, body=body, idempotency_key="march-2025-1")
    replay = expect(again, 201, m.BatchOut)
    assert replay.id == batch.id and again.headers.get("idempotent-replayed") == "true", again.headers
    expect(get_declaration.sync_detailed(REGION, batch.id, client=provider), 200, m.BatchOut)
    lines = expect(
        list_declaration_lines.sync_detailed(REGION, batch.id, client=provider), 200, m.PageLineOut
    )
    reasons = sorted(str(line.reason_code) for line in lines.items if line.reason_code)
    assert reasons == ["9321"], lines


@step("PUT index figures and the indexation policy; POST indexation-runs; GET job and run")
def _() -> None:
    for series, year, figure in (
        ("ova", 2026, {"forecast": "4.94", "definitive": "6.00"}),
        ("ova", 2027, {"forecast": "4.18"}),
        ("ppc", 2026, {"forecast": "2.51", "definitive": "3.10"}),
        ("ppc", 2027, {"forecast": "1.82"}),
    ):
        body = m.IndexFigureIn.from_dict(figure)
        expect(put_index_figure.sync_detailed(REGION, series, year, client=admin, body=body), 200, m.IndexFigureOut)
    policy = m.IndexationPolicy.from_dict(
        {
            "weights": {"ova": "0.9", "ppc": "0.1"},
            "postCalculation": True,
            "indexDecimals": 2,
            "indexRounding": "half-away-from-zero",
            "tariffDecimals": 2,
            "tariffRounding": "half-away-from-zero",
            "previewOn": "10-01",
        }
    )
    expect(put_policy.sync_detailed(REGION, "indexation", "region", client=admin, body=policy), 200, m.PolicyOut)
    run = expect(create_run.sync_detailed(REGION, client=admin, body=m.RunIn(year=2027)), 202, m.RunOut)
    wait_job(run.preview_job_id)
    run = expect(get_run.sync_detailed(REGION, run.id, client=admin), 200, m.RunOut)
    indices = run.indices if isinstance(run.indices, dict) else getattr(run.indices, "additional_properties", {})
    assert indices.get("BW") == "4.96", run


@step("PUT outflow-threshold policy; POST outflow-checks; GET it")
def _() -> None:
    policy = m.OutflowThresholdPolicy.from_dict(
        {"minClients": 5, "window": "calendar-year", "level": "region", "count": "approved-declarations",
         "graceForNewContracts": True, "runOn": "01-15"}
    )
    expect(
        put_policy.sync_detailed(REGION, "outflow-threshold", "region", client=admin, body=policy), 200, m.PolicyOut
    )
    check = m.OutflowCheckIn.from_dict({"asOf": "2026-01-15"})
    out = expect(create_check.sync_detailed(REGION, client=admin, body=check), 202, m.OutflowCheckOut)
    if out.job_id:
        wait_job(out.job_id)
    expect(get_check.sync_detailed(REGION, out.id, client=admin), 200, m.OutflowCheckOut)


@step("POST reports; GET its job; list reports")
def _() -> None:
    body = m.ReportIn.from_dict({"from": "2025-01-01", "to": "2025-12-31"})
    report = expect(create_report.sync_detailed(REGION, client=admin, body=body), 202, m.ReportOut)
    wait_job(report.job_id)
    page = expect(list_reports.sync_detailed(REGION, client=admin), 200, m.PageReportOut)
    assert any(r.id == report.id for r in page.items), page


@step("POST api-clients; POST auth/token (client credentials); use the token")
def _() -> None:
    body = m.ApiClientIn.from_dict({"name": "Zorgportaal", "role": "provider", "providerAgb": "98010001"})
    created = expect(create_api_client.sync_detailed(REGION, client=admin, body=body), 201, m.ApiClientCreated)
    grant = m.TokenRequest(
        grant_type="client_credentials", client_id=created.client_id, client_secret=created.client_secret
    )
    token = expect(issue_token.sync_detailed(client=Client(base_url=BASE), body=grant), 200, m.TokenResponse)
    app = client(token.access_token)
    page = expect(list_contracts.sync_detailed(REGION, client=app), 200, m.PageContractOut)
    assert page.items and all(c.provider_agb == "98010001" for c in page.items), page


def main() -> int:
    passed = failed = 0
    for name, fn in steps:
        try:
            fn()
        except Exception as err:  # noqa: BLE001 - every failure is reported, then the walk goes on
            failed += 1
            detail = str(err) or traceback.format_exc(limit=3)
            print(f"FAIL {name}: {type(err).__name__}: {detail}")
        else:
            passed += 1
            print(f"ok   {name}")
    print(f"walk: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
