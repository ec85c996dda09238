"""Bad bodies get the API's JSON refusal: not JSON (415), too large (413), every problem (422)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.api.conftest import ApiClient, assert_refused

from commonshare.work.models import Contribution, Task

pytestmark = pytest.mark.django_db

TASK = {"title": "Write the FAQ", "estimate_hours": "2"}


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_a_json_route_refuses_a_body_that_is_not_json(
    as_alice: ApiClient, content_type: str
) -> None:
    response = as_alice.post("/tasks", json.dumps(TASK), content_type=content_type)
    body = assert_refused(response, 415, "body")
    assert "Content-Type: application/json" in body["detail"]
    assert not Task.objects.exists()


def test_json_with_its_content_type_is_still_accepted(as_alice: ApiClient) -> None:
    assert as_alice.post("/tasks", TASK).status_code == 201
    response = as_alice.post(
        "/tasks", json.dumps(TASK), content_type="application/json; charset=utf-8"
    )
    assert response.status_code == 201


def test_415_and_413_are_declared_for_writes() -> None:
    operation = Client().get("/api/openapi.json").json()["paths"]["/api/tasks"]["post"]
    assert {"413", "415", "422"} <= set(operation["responses"])


def test_a_body_too_large_is_a_json_413(as_alice: ApiClient, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    big = {**TASK, "description": "x" * 2000}
    body = assert_refused(as_alice.post("/tasks", big), 413, "body")
    assert body["detail"].startswith("The request is too large")
    assert not Task.objects.exists()


def test_a_form_with_too_many_fields_is_a_json_413(as_alice: ApiClient, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    fields = {f"extra{n}": "x" for n in range(10)}
    response = as_alice.upload(
        "/contributions/multipart", {"kind": "work", "summary": "S", "hours": "1", **fields}
    )
    body = assert_refused(response, 413, "body")
    assert "too many fields" in body["detail"]
    assert not Contribution.objects.exists()


def test_a_form_with_too_many_files_is_a_json_413(as_alice: ApiClient, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 1
    files = {
        "receipt": SimpleUploadedFile("r.pdf", b"%PDF-1.4"),
        "evidence_file": SimpleUploadedFile("e.pdf", b"%PDF-1.4"),
    }
    response = as_alice.upload(
        "/contributions/multipart",
        {"kind": "expense", "summary": "S", "amount": "5", "currency": "EUR", **files},
    )
    assert_refused(response, 413, "body")
    assert not Contribution.objects.exists()


def test_a_refusal_lists_every_problem_the_service_found(as_alice: ApiClient) -> None:
    response = as_alice.post(
        "/contributions",
        {"kind": "work", "summary": "S", "hours": "0", "amount": "5", "currency": "EUR"},
    )
    body = assert_refused(response, 422, "hours")
    assert body["detail"] == "Hours must be more than 0 and at most 1,000."
    assert body["errors"] == [
        {"field": "hours", "message": "Hours must be more than 0 and at most 1,000."},
        {"field": "evidence_text", "message": "Add evidence: a link, a few words, or a file."},
        {"field": "amount", "message": "Amount does not apply to work; leave it empty."},
        {"field": "currency", "message": "Currency does not apply to work; leave it empty."},
    ]
    assert not Contribution.objects.exists()


def test_an_empty_receipt_is_refused_over_the_api(as_alice: ApiClient) -> None:
    response = as_alice.upload(
        "/contributions/multipart",
        {
            "kind": "expense",
            "summary": "Domain",
            "amount": "5",
            "currency": "EUR",
            "receipt": SimpleUploadedFile("r.pdf", b""),
        },
    )
    body = assert_refused(response, 422, "receipt")
    assert "empty (0 bytes)" in body["detail"]
    assert not Contribution.objects.exists()


def test_income_in_gold_is_refused_over_the_api(as_alice: ApiClient) -> None:
    response = as_alice.post(
        "/income",
        {
            "amount": "5",
            "currency": "XAU",
            "payer": "P",
            "description": "d",
            "received_on": "2026-01-15",
        },
    )
    assert_refused(response, 422, "currency")
