"""The emulator speaks the Pinecone control-plane API: shapes, pagination, errors and faults.

The schema tests validate every 2026-07 answer against the official OpenAPI file, so that the
client and parser tests built on the emulator test against the real contract, not our guess.
"""

from __future__ import annotations

import json
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from tests.emulator import (
    BadShape,
    Echo,
    Emulator,
    EmulatorState,
    Malformed,
    Overlap,
    Redirect,
    Reset,
    Slow,
    Status,
    TokenLoop,
    backups_from_history,
    decode_token,
    encode_token,
    load_state,
    make_index,
    make_run,
    make_schedule,
    to_unstable_index,
)

KEY = "emulator-test-key"
OAS = (
    Path(__file__).resolve().parents[1].parent
    / "shared/pinecone-openapi/db_control_2026-07.oas.yaml"
)
ROOT = Path(__file__).resolve().parents[1]

# --------------------------------------------------------------------------- fixtures


def rich_state() -> EmulatorState:
    """Every kind of object the checker reads, with the timestamp spellings the API uses."""
    nightly = make_schedule("prod", "nightly", created_at="2026-01-02T03:04:05.123456+00:00")
    paused = make_schedule("prod", "weekly", frequency="weekly", enabled=False)
    runs = [
        make_run("nightly", "2026-04-28T06:00:00Z", index="prod"),
        make_run("nightly", "2026-04-29T06:00:00.123456789Z", index="prod", size_bytes=None),
        make_run("nightly", "2026-04-30T06:00:00+00:00", status="InitializationFailed"),
        make_run("nightly", "2026-05-01T06:00:00+00:00", status="Scheduled", index="prod"),
        make_run("nightly", "2026-05-01T06:00:00+00:00", status="Initializing", index="prod"),
    ]
    return EmulatorState(
        indexes=[make_index("prod"), make_index("edge", "byoc"), make_index("legacy", "pod")],
        schedules={"prod": [nightly, paused]},
        history={nightly["schedule_id"]: runs},
        backups={"prod": backups_from_history(runs, index="prod")},
    )


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(rich_state(), api_key=KEY) as emu:
        yield emu


@pytest.fixture
def client(emulator: Emulator) -> Iterator[httpx.Client]:
    headers = {"Api-Key": KEY, "X-Pinecone-Api-Version": "2026-07"}
    with httpx.Client(base_url=emulator.url, headers=headers) as http:
        yield http


def schedule_id(emulator: Emulator) -> str:
    return str(emulator.state.schedules["prod"][0]["schedule_id"])


# --------------------------------------------------------------------------- OpenAPI -> JSON Schema

_DROPPED = {"nullable", "discriminator", "example", "examples", "readOnly", "writeOnly", "xml"}


def to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema: `nullable` becomes a null alternative, `$ref`s point
    into `$defs`, and OpenAPI-only keywords (`x-enum`, `discriminator`, ...) are dropped."""
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return {"$ref": "#/$defs/" + node["$ref"].rsplit("/", 1)[1]}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROPPED or key.startswith("x-"):
            continue
        if key == "properties":
            out[key] = {name: to_json_schema(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not"):
            out[key] = to_json_schema(value)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [to_json_schema(sub) for sub in value]
        else:
            out[key] = value
    return {"anyOf": [{"type": "null"}, out]} if node.get("nullable") else out


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    if not OAS.is_file():
        pytest.skip(f"the OpenAPI file is not at {OAS}")
    return dict(yaml.safe_load(OAS.read_text(encoding="utf-8")))


def response_validator(openapi: dict[str, Any], template: str, status: int) -> Any:
    responses = openapi["paths"][template]["get"]["responses"][str(status)]["content"]
    content = responses.get("application/json") or responses["text/plain"]
    defs = {name: to_json_schema(s) for name, s in openapi["components"]["schemas"].items()}
    schema = {"$defs": defs, **to_json_schema(content["schema"])}
    validator = jsonschema.Draft202012Validator
    return validator(schema, format_checker=validator.FORMAT_CHECKER)


def test_conversion_makes_nullable_accept_null() -> None:
    schema = to_json_schema({"nullable": True, "type": "string", "x-enum": ["a"]})
    jsonschema.validate(None, schema)
    jsonschema.validate("b", schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(3, schema)


def test_validator_rejects_a_row_without_required_fields(openapi: dict[str, Any]) -> None:
    validator = response_validator(openapi, "/indexes/{index_name}/backup-schedules", 200)
    row = make_schedule("prod", "nightly")
    del row["next_scheduled_run"]
    assert not validator.is_valid({"data": [row]})
    assert validator.is_valid({"data": [make_schedule("prod", "nightly")], "pagination": None})


# --------------------------------------------------------------------------- 2026-07 shapes


@pytest.mark.parametrize(
    ("template", "path"),
    [
        ("/indexes", "/indexes"),
        ("/indexes/{index_name}/backup-schedules", "/indexes/prod/backup-schedules"),
        ("/indexes/{index_name}/backups", "/indexes/prod/backups"),
        ("/backup-schedules/{schedule_id}/history", "/backup-schedules/{id}/history"),
    ],
)
@pytest.mark.parametrize("limit", [1, 100])
def test_answers_match_the_openapi_schema(
    openapi: dict[str, Any],
    emulator: Emulator,
    client: httpx.Client,
    template: str,
    path: str,
    limit: int,
) -> None:
    validator = response_validator(openapi, template, 200)
    response = client.get(path.format(id=schedule_id(emulator)), params={"limit": limit})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    errors = [e.message for e in validator.iter_errors(response.json())]
    assert errors == []


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/indexes/nope/backup-schedules", 404),
        ("/indexes/nope/backups", 404),
        ("/backup-schedules/nope/history", 404),
        ("/indexes/prod/backups?paginationToken=%%%", 400),
        ("/indexes/prod/backup-schedules?limit=zero", 400),
    ],
)
def test_error_bodies_match_the_openapi_schema(
    openapi: dict[str, Any], client: httpx.Client, path: str, status: int
) -> None:
    template = {"indexes": "/indexes/{index_name}/backups"}.get(path.split("/")[1])
    template = template or "/backup-schedules/{schedule_id}/history"
    response = client.get(path)
    assert response.status_code == status
    body = response.json()
    assert response_validator(openapi, template, status).is_valid(body)
    assert body["status"] == status


def test_plan_without_backups_answers_403_in_the_schema(
    openapi: dict[str, Any], emulator: Emulator, client: httpx.Client
) -> None:
    emulator.state.plan_allows_backups = False
    validator = response_validator(openapi, "/indexes/{index_name}/backup-schedules", 403)
    for path in (
        "/indexes/prod/backup-schedules",
        f"/backup-schedules/{schedule_id(emulator)}/history",
    ):
        response = client.get(path)
        assert response.status_code == 403
        assert validator.is_valid(response.json())
        error = response.json()["error"]
        assert error == {
            "code": "PERMISSION_DENIED",
            "message": "Scheduled backups are not available for your plan",
        }
    assert client.get("/indexes/prod/backups").status_code == 200


def test_unauthorized_is_plain_text(openapi: dict[str, Any], emulator: Emulator) -> None:
    for headers in ({}, {"Api-Key": "wrong"}):
        response = httpx.get(emulator.url + "/indexes", headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == "text/plain"
        assert response.text == "Invalid API key"
        assert response_validator(openapi, "/indexes", 401).is_valid(response.text)


# --------------------------------------------------------------------------- auth and version


def test_api_key_header_name_is_case_insensitive(emulator: Emulator) -> None:
    headers = {"api-KEY": KEY, "x-pinecone-api-version": "2026-07"}
    assert httpx.get(emulator.url + "/indexes", headers=headers).status_code == 200


def test_a_repeated_api_key_header_is_refused(emulator: Emulator) -> None:
    headers = [("Api-Key", KEY), ("Api-Key", KEY), ("X-Pinecone-Api-Version", "2026-07")]
    assert httpx.get(emulator.url + "/indexes", headers=headers).status_code == 401


@pytest.mark.parametrize("version", [None, "", "2025-10", "UNSTABLE"])
def test_version_header_must_be_supported(emulator: Emulator, version: str | None) -> None:
    headers = {"Api-Key": KEY} | (
        {"X-Pinecone-Api-Version": version} if version is not None else {}
    )
    response = httpx.get(emulator.url + "/indexes", headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_ARGUMENT"


def test_unknown_path_and_method(client: httpx.Client) -> None:
    assert client.get("/indexes/").status_code == 404
    assert client.get("/collections").json()["error"]["code"] == "NOT_FOUND"
    assert client.post("/indexes", json={}).status_code == 405


def test_requests_are_recorded(emulator: Emulator, client: httpx.Client) -> None:
    client.get("/indexes/prod/backups", params={"limit": 3})
    [seen] = emulator.requests
    assert (seen.method, seen.path, dict(seen.query)) == (
        "GET",
        "/indexes/prod/backups",
        {"limit": "3"},
    )
    assert seen.header("API-KEY") == KEY
    assert seen.headers["x-pinecone-api-version"] == "2026-07"


def test_percent_encoded_names_are_decoded_per_segment(
    emulator: Emulator, client: httpx.Client
) -> None:
    emulator.state.indexes.append(make_index("a/b c"))
    assert client.get("/indexes/a%2Fb%20c/backups").status_code == 200
    assert client.get("/indexes/a/b c/backups").status_code == 404


# --------------------------------------------------------------------------- unstable shape


def test_unstable_renders_indexes_with_spec(emulator: Emulator) -> None:
    headers = {"Api-Key": KEY, "X-Pinecone-Api-Version": "unstable"}
    body = httpx.get(emulator.url + "/indexes", headers=headers).json()
    specs = {i["name"]: i["spec"] for i in body["indexes"]}
    assert specs == {
        "prod": {"serverless": {"cloud": "aws", "region": "us-east-1"}},
        "edge": {"byoc": {"environment": "aws-us-east-1-b921"}},
        "legacy": {
            "pod": {
                "environment": "us-east1-gcp",
                "pod_type": "p1.x1",
                "replicas": 1,
                "shards": 1,
                "pods": 1,
            }
        },
    }
    first = body["indexes"][0]
    assert set(first) == {"name", "dimension", "metric", "host", "spec", "status"} | {
        "deletion_protection",
        "vector_type",
    }
    assert (first["dimension"], first["metric"], first["vector_type"]) == (1536, "cosine", "dense")
    assert "deployment" not in first


def test_unstable_rows_equal_2026_07_rows(emulator: Emulator) -> None:
    path = f"{emulator.url}/backup-schedules/{schedule_id(emulator)}/history"
    bodies = [
        httpx.get(path, headers={"Api-Key": KEY, "X-Pinecone-Api-Version": v}).json()
        for v in ("2026-07", "unstable")
    ]
    assert bodies[0] == bodies[1]


def test_to_unstable_index_keeps_tags() -> None:
    assert to_unstable_index(make_index("x", tags={"team": "a"}))["tags"] == {"team": "a"}


# --------------------------------------------------------------------------- pagination


def rows_state(count: int) -> EmulatorState:
    schedules = [make_schedule("prod", f"s{i}") for i in range(count)]
    return EmulatorState(indexes=[make_index("prod")], schedules={"prod": schedules})


def walk(client: httpx.Client, path: str, limit: int) -> list[dict[str, Any]]:
    """Every page of a listing, following tokens as the real client does."""
    pages, params = [], {"limit": str(limit)}
    while True:
        page = client.get(path, params=params).json()
        pages.append(page)
        if page["pagination"] is None:
            return pages
        params = {"limit": str(limit), "paginationToken": page["pagination"]["next"]}


@pytest.fixture
def paged() -> Iterator[tuple[Emulator, httpx.Client]]:
    with Emulator(rows_state(4), api_key=KEY, page_size_cap=3) as emu:
        headers = {"Api-Key": KEY, "X-Pinecone-Api-Version": "2026-07"}
        with httpx.Client(base_url=emu.url, headers=headers) as http:
            yield emu, http


def names(pages: list[dict[str, Any]]) -> list[list[str]]:
    return [[row["name"] for row in page["data"]] for page in pages]


def test_a_full_last_page_is_followed_by_an_empty_page(
    paged: tuple[Emulator, httpx.Client],
) -> None:
    _, http = paged
    pages = walk(http, "/indexes/prod/backup-schedules", 2)
    assert names(pages) == [["s0", "s1"], ["s2", "s3"], []]
    assert pages[1]["pagination"] is not None
    assert pages[2]["pagination"] is None


def test_a_short_last_page_ends_the_listing(paged: tuple[Emulator, httpx.Client]) -> None:
    _, http = paged
    assert names(walk(http, "/indexes/prod/backup-schedules", 3)) == [["s0", "s1", "s2"], ["s3"]]


def test_limit_is_capped(paged: tuple[Emulator, httpx.Client]) -> None:
    _, http = paged
    body = http.get("/indexes/prod/backup-schedules", params={"limit": 50}).json()
    assert len(body["data"]) == 3
    assert decode_token(body["pagination"]["next"]) == (3, 3)


def test_default_limit_is_100() -> None:
    with Emulator(rows_state(101), api_key=KEY, page_size_cap=500) as emu:
        headers = {"Api-Key": KEY, "X-Pinecone-Api-Version": "2026-07"}
        body = httpx.get(emu.url + "/indexes/prod/backup-schedules", headers=headers).json()
    assert len(body["data"]) == 100
    assert decode_token(body["pagination"]["next"]) == (100, 100)


def test_tokens_round_trip_and_reject_garbage() -> None:
    assert decode_token(encode_token(7, 21)) == (7, 21)
    assert "=" not in encode_token(1, 0)
    for bad in ("", "!!", encode_token(1, 0)[:-3], "eyJsaW1pdCI6IDB9"):  # last: {"limit": 0}
        with pytest.raises(ValueError, match="malformed pagination token"):
            decode_token(bad)


def test_a_malformed_token_is_a_400(paged: tuple[Emulator, httpx.Client]) -> None:
    _, http = paged
    response = http.get("/indexes/prod/backup-schedules", params={"paginationToken": "nope"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_ARGUMENT"


def test_indexes_is_one_page_without_pagination(client: httpx.Client) -> None:
    body = client.get("/indexes", params={"limit": 1}).json()
    assert list(body) == ["indexes"]
    assert len(body["indexes"]) == 3


# --------------------------------------------------------------------------- faults


def test_status_fault_uses_the_api_error_shape_and_retry_after(
    paged: tuple[Emulator, httpx.Client],
) -> None:
    emu, http = paged
    emu.add_fault(r"/indexes/prod/backup-schedules", Status(503, retry_after="7"))
    failed = http.get("/indexes/prod/backup-schedules")
    assert failed.status_code == 503
    assert failed.headers["retry-after"] == "7"
    assert failed.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert http.get("/indexes/prod/backup-schedules").status_code == 200


def test_status_fault_bodies(paged: tuple[Emulator, httpx.Client]) -> None:
    emu, http = paged
    emu.add_fault("/indexes", Status(401))
    emu.add_fault("/indexes", Status(500, body="oops"))
    emu.add_fault("/indexes", Status(418, body={"teapot": True}))
    unauthorized = http.get("/indexes")
    assert (unauthorized.headers["content-type"], unauthorized.text) == (
        "text/plain",
        "Invalid API key",
    )
    assert http.get("/indexes").text == "oops"
    assert http.get("/indexes").json() == {"teapot": True}


def test_faults_are_served_in_order_then_the_normal_answer(
    paged: tuple[Emulator, httpx.Client],
) -> None:
    emu, http = paged
    emu.add_fault("/indexes", Status(500), times=2)
    emu.add_fault("/indexes", Status(502))
    codes = [http.get("/indexes").status_code for _ in range(4)]
    assert codes == [500, 500, 502, 200]


def test_a_fault_with_times_none_lasts_until_cleared(paged: tuple[Emulator, httpx.Client]) -> None:
    emu, http = paged
    emu.add_fault("/indexes", Status(503), times=None)
    assert {http.get("/indexes").status_code for _ in range(5)} == {503}
    emu.clear_faults()
    assert http.get("/indexes").status_code == 200


def test_patterns_must_match_the_whole_path(paged: tuple[Emulator, httpx.Client]) -> None:
    emu, http = paged
    emu.add_fault("/indexes", Status(500), times=None)
    assert http.get("/indexes/prod/backups").status_code == 200
    emu.add_fault(r"/indexes/[^/]+/backups", Status(502))
    assert http.get("/indexes/prod/backups").status_code == 502


def test_reset_closes_the_connection_without_an_answer(
    paged: tuple[Emulator, httpx.Client],
) -> None:
    emu, http = paged
    emu.add_fault("/indexes", Reset())
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        http.get("/indexes")
    assert http.get("/indexes").status_code == 200


def test_slow_delays_the_answer(paged: tuple[Emulator, httpx.Client]) -> None:
    emu, http = paged
    emu.add_fault("/indexes", Slow(0.5))
    with pytest.raises(httpx.ReadTimeout):
        http.get("/indexes", timeout=0.1)
    emu.add_fault("/indexes", Slow(0.1))
    started = time.monotonic()
    assert http.get("/indexes").status_code == 200
    assert time.monotonic() - started >= 0.1


def test_faults_compose_on_one_request(paged: tuple[Emulator, httpx.Client]) -> None:
    emu, http = paged
    emu.add_fault("/indexes", (Slow(0.1), Status(503)))
    started = time.monotonic()
    assert http.get("/indexes").status_code == 503
    assert time.monotonic() - started >= 0.1


def test_malformed_is_200_with_invalid_json(paged: tuple[Emulator, httpx.Client]) -> None:
    emu, http = paged
    emu.add_fault("/indexes/prod/backups", Malformed())
    response = http.get("/indexes/prod/backups")
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_bad_shape_replaces_or_strips(paged: tuple[Emulator, httpx.Client]) -> None:
    emu, http = paged
    emu.add_fault("/indexes/prod/backup-schedules", BadShape())
    emu.add_fault("/indexes/prod/backup-schedules", BadShape(missing="schedule_id"))
    assert http.get("/indexes/prod/backup-schedules").json() == {"data": "oops"}
    rows = http.get("/indexes/prod/backup-schedules").json()["data"]
    assert rows
    assert all("schedule_id" not in row and "name" in row for row in rows)


def test_echo_quotes_the_request_key_back(paged: tuple[Emulator, httpx.Client]) -> None:
    emu, http = paged
    emu.add_fault("/indexes", Echo(400))
    emu.add_fault("/indexes", Echo(401, plain=True))
    echoed = http.get("/indexes", headers={"Api-Key": "pcsk_sent_by_the_client"})
    assert echoed.status_code == 400
    assert "pcsk_sent_by_the_client" in echoed.json()["error"]["message"]
    plain = http.get("/indexes")
    assert (plain.status_code, plain.headers["content-type"]) == (401, "text/plain")
    assert plain.text == f"Invalid API key {KEY}"


def test_redirect_answers_with_a_location(paged: tuple[Emulator, httpx.Client]) -> None:
    emu, http = paged
    emu.add_fault("/indexes", Redirect("http://127.0.0.1:9/elsewhere", code=307))
    moved = http.get("/indexes")
    assert (moved.status_code, moved.headers["location"]) == (307, "http://127.0.0.1:9/elsewhere")


def test_served_faults_lists_what_each_rule_served(paged: tuple[Emulator, httpx.Client]) -> None:
    emu, http = paged
    emu.add_fault(r"/indexes/[^/]+/backups", Status(503), times=2)
    for path in (
        "/indexes",
        "/indexes/prod/backups",
        "/indexes/prod/backups",
        "/indexes/prod/backups",
    ):
        http.get(path)
    assert emu.served_faults == [("/indexes/prod/backups", (Status(503),))] * 2


def test_tls_mode_serves_https_with_the_given_certificate(tmp_path: Path) -> None:
    from tests.emulator.tls import make_certificates

    certificates = make_certificates(tmp_path)
    with Emulator(
        rows_state(1), api_key=KEY, tls=(str(certificates.cert), str(certificates.key))
    ) as emu:
        assert emu.url.startswith("https://127.0.0.1:")
        headers = {"Api-Key": KEY, "X-Pinecone-Api-Version": "2026-07"}
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            httpx.get(f"{emu.url}/indexes", headers=headers)
        context = ssl.create_default_context(cafile=str(certificates.ca))
        trusted = httpx.get(f"{emu.url}/indexes", headers=headers, verify=context)
        assert trusted.status_code == 200
        assert len(emu.requests) == 1  # the refused handshake never became a request


def test_token_loop_repeats_the_request_token(paged: tuple[Emulator, httpx.Client]) -> None:
    emu, http = paged
    emu.add_fault("/indexes/prod/backup-schedules", TokenLoop(), times=None)
    first = http.get("/indexes/prod/backup-schedules", params={"limit": 1}).json()
    token = first["pagination"]["next"]
    again = http.get("/indexes/prod/backup-schedules", params={"paginationToken": token}).json()
    assert again["pagination"]["next"] == token
    assert again["data"] == first["data"]


def test_overlap_points_the_next_token_back(paged: tuple[Emulator, httpx.Client]) -> None:
    emu, http = paged
    emu.add_fault("/indexes/prod/backup-schedules", Overlap(1), times=None)
    pages = walk(http, "/indexes/prod/backup-schedules", 2)
    assert names(pages) == [["s0", "s1"], ["s1", "s2"], ["s2", "s3"], ["s3"]]


def test_latency_applies_to_every_answer() -> None:
    with Emulator(rows_state(1), api_key=KEY, latency=0.1) as emu:
        started = time.monotonic()
        httpx.get(emu.url + "/indexes")
        assert time.monotonic() - started >= 0.1


def test_shutdown_is_prompt_with_open_and_sleeping_connections() -> None:
    emu = Emulator(rows_state(1), api_key=KEY).start()
    emu.add_fault("/indexes", Slow(30))
    with httpx.Client(base_url=emu.url, timeout=0.2) as http:
        http.get("/indexes/prod/backups")  # leaves a keep-alive connection open
        with pytest.raises(httpx.ReadTimeout):
            http.get("/indexes")  # leaves a handler asleep
        started = time.monotonic()
        emu.close()
        assert time.monotonic() - started < 2
    with pytest.raises(RuntimeError, match="not running"):
        _ = emu.url


# --------------------------------------------------------------------------- builders


def test_make_run_defaults_follow_the_live_api() -> None:
    ready = make_run("nightly", "2026-04-29T06:00:00.123456789Z")
    assert ready["name"] == "nightly-20260429T060000Z"
    assert ready["created_at"] == "2026-04-29T06:00:00.123456789Z"
    assert "scheduled_execution_at" not in ready
    assert (ready["record_count"], ready["size_bytes"]) == (1000, 1_000_000)
    scheduled = make_run("nightly", "2026-04-30T06:00:00+00:00", status="Scheduled")
    assert scheduled["scheduled_execution_at"] == "2026-04-30T06:00:00+00:00"
    assert scheduled["record_count"] is None
    nameless = make_run("nightly", "2026-04-30T06:00:00Z", status="Initializing", name=None)
    assert "name" not in nameless


def test_make_schedule_disabled_has_no_next_run() -> None:
    schedule = make_schedule("prod", "nightly", enabled=False)
    assert schedule["next_scheduled_run"] is None
    assert schedule["schedule_type"] == "time-based"
    assert make_schedule("prod", "nightly")["schedule_id"] == schedule["schedule_id"]


def test_backups_from_history_keeps_existing_ready_runs() -> None:
    runs = [
        make_run("n", "2026-04-28T06:00:00Z"),
        make_run("n", "2026-04-29T06:00:00Z"),
        make_run("n", "2026-04-30T06:00:00Z", status="InitializationFailed"),
    ]
    backups = backups_from_history(runs, index="prod", exclude=[runs[0]["backup_id"]])
    assert [b["backup_id"] for b in backups] == [runs[1]["backup_id"]]
    assert backups[0]["source_index_name"] == "prod"


def test_make_index_rejects_unknown_kinds() -> None:
    with pytest.raises(ValueError, match="unknown index kind"):
        make_index("x", "serverless")


# --------------------------------------------------------------------------- command line


def test_state_round_trips_through_json(tmp_path: Path) -> None:
    state = rich_state()
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state.to_json()), encoding="utf-8")
    assert load_state(path) == state


def test_module_serves_a_state_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(rich_state().to_json()), encoding="utf-8")
    command = [sys.executable, "-m", "tests.emulator", str(path), "--api-key", KEY]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) as process:  # noqa: S603 -- our own module
        try:
            assert process.stdout is not None
            url = process.stdout.readline().strip()
            headers = {"Api-Key": KEY, "X-Pinecone-Api-Version": "2026-07"}
            body = httpx.get(url + "/indexes", headers=headers).json()
            assert [i["name"] for i in body["indexes"]] == ["prod", "edge", "legacy"]
        finally:
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=10) == 0
