"""The JUnit XML, SARIF and Prometheus report formats, and their escapers.

Golden files in tests/golden/ pin the exact output; rewrite them with `UPDATE_GOLDEN=1 pytest`
and read the diff before committing it. The public schemas these formats must satisfy are read
from ../shared/reference-schemas when that folder is present (the tests that need it skip
otherwise); the XSD check also needs the `xmlschema` package, and a structural check of the
same XSD rules runs without it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import re
import stat
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft4Validator

from checker.files import write_atomically
from checker.model import Finding, Report, ScheduleResult
from checker.report import junit, prometheus, sarif
from checker.report.escape import prometheus_label_value, xml_safe
from checker.rules import ALL_RULES, DECLARATION_RULES, FLEET_RULES
from checker.timeutil import format_utc
from tests.report_fixtures import (
    FIXTURES,
    HOSTILE_MESSAGE,
    NOW,
    assert_golden,
    at,
    basic,
    clean,
    empty,
    hostile,
    loc,
    report,
)

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference-schemas"
JUNIT_XSD = REFERENCE / "junit-10.xsd"
SARIF_SCHEMA = REFERENCE / "sarif-schema-2.1.0.json"

FIXTURE_NAMES = sorted(FIXTURES)

XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def finding(rule: str = "gap", **changes: Any) -> Finding:
    """A finding of products-prod/nightly; `changes` override any field."""
    base = Finding(rule, "error", "products-prod", "nightly", "sid", at(20), f"{rule} happened")
    return dataclasses.replace(base, **changes)


def row(name: str | None = "nightly", **changes: Any) -> ScheduleResult:
    """A passing products-prod row; `changes` override any field."""
    base = ScheduleResult("products-prod", name, "sid", "pass", at(29), None, loc(12))
    return dataclasses.replace(base, **changes)


# --------------------------------------------------------------------------- golden files


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_junit_matches_golden(name: str) -> None:
    assert_golden(f"report_{name}.junit.xml", junit.render(FIXTURES[name]()))


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_sarif_matches_golden(name: str) -> None:
    assert_golden(f"report_{name}.sarif", sarif.render(FIXTURES[name]()))


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_prometheus_matches_golden(name: str) -> None:
    assert_golden(f"report_{name}.prom", prometheus.render(FIXTURES[name]()))


@pytest.mark.parametrize("render", [junit.render, sarif.render, prometheus.render])
@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_output_is_deterministic_and_independent_of_finding_order(render: Any, name: str) -> None:
    original = FIXTURES[name]()
    shuffled = dataclasses.replace(original, findings=tuple(reversed(original.findings)))
    assert render(original) == render(FIXTURES[name]()) == render(shuffled)
    assert render(original).endswith("\n")
    render(original).encode("utf-8")  # writable to any UTF-8 stream


# --------------------------------------------------------------------------- JUnit helpers


def parse_xml(text: str) -> ET.Element:
    """Parse our own output (no DTD, no entities beyond XML's five)."""
    return ET.fromstring(text.encode("utf-8"))  # noqa: S314  # input is the renderer's own output


def cases(root: ET.Element) -> list[ET.Element]:
    return root.findall("./testsuite/testcase")


def case(root: ET.Element, classname: str, name: str) -> ET.Element:
    found = [c for c in cases(root) if (c.get("classname"), c.get("name")) == (classname, name)]
    assert len(found) == 1, (classname, name)
    return found[0]


def outcome(testcase: ET.Element) -> ET.Element | None:
    children = list(testcase)
    assert len(children) <= 1
    return children[0] if children else None


def junit_of(report_: Report) -> ET.Element:
    return parse_xml(junit.render(report_))


# --------------------------------------------------------------------------- JUnit validity


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_junit_validates_against_the_xsd(name: str) -> None:
    xmlschema = pytest.importorskip("xmlschema")
    if not JUNIT_XSD.exists():
        pytest.skip(f"{JUNIT_XSD} is not present")
    xmlschema.XMLSchema10(str(JUNIT_XSD)).validate(junit.render(FIXTURES[name]()))


def test_the_xsd_check_rejects_what_the_xsd_forbids() -> None:
    xmlschema = pytest.importorskip("xmlschema")
    if not JUNIT_XSD.exists():
        pytest.skip(f"{JUNIT_XSD} is not present")
    schema = xmlschema.XMLSchema10(str(JUNIT_XSD))
    ok = '<testsuite name="s" tests="1" failures="0" errors="0"><testcase name="c"/></testsuite>'
    assert schema.is_valid(ok)
    assert not schema.is_valid(ok.replace('name="c"', 'name="c" file="x.yaml" line="3"'))
    assert not schema.is_valid(ok.replace(' tests="1"', ""))


SUITE_REQUIRED = {"name", "tests", "failures", "errors"}
SUITE_ALLOWED = SUITE_REQUIRED | {"skipped", "timestamp"}
CASE_ALLOWED = {"classname", "name"}
OUTCOMES = {"failure", "error", "skipped"}


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_junit_keeps_to_the_xsd_rules_it_relies_on(name: str) -> None:
    """The XSD's rules for what we emit, checked without xmlschema."""
    root = junit_of(FIXTURES[name]())
    assert root.tag == "testsuites"
    assert set(root.attrib) == {"name", "tests", "failures", "errors"}
    for suite in root:
        assert suite.tag == "testsuite"
        assert SUITE_REQUIRED <= set(suite.attrib) <= SUITE_ALLOWED
        assert {child.tag for child in suite} <= {"properties", "testcase"}
        for prop in suite.iterfind("./properties/property"):
            assert set(prop.attrib) == {"name", "value"}
        for testcase in suite.iterfind("testcase"):
            assert set(testcase.attrib) == CASE_ALLOWED
            assert {child.tag for child in testcase} <= OUTCOMES


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_junit_counters_add_up(name: str) -> None:
    root = junit_of(FIXTURES[name]())
    for suite in root:
        tags = Counter(child.tag for testcase in suite.iterfind("testcase") for child in testcase)
        assert int(suite.get("tests", "")) == len(suite.findall("testcase"))
        assert int(suite.get("failures", "")) == tags["failure"]
        assert int(suite.get("errors", "")) == tags["error"]
        assert int(suite.get("skipped", "")) == tags["skipped"]
    for key in ("tests", "failures", "errors"):
        assert int(root.get(key, "")) == sum(int(s.get(key, "")) for s in root)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_junit_classname_and_name_pairs_are_unique(name: str) -> None:
    pairs = [(c.get("classname"), c.get("name")) for c in cases(junit_of(FIXTURES[name]()))]
    assert len(pairs) == len(set(pairs))


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_junit_has_at_least_one_testcase(name: str) -> None:
    assert cases(junit_of(FIXTURES[name]()))


def test_an_empty_report_still_passes_a_testcase() -> None:
    root = junit_of(empty())
    assert [outcome(c) for c in cases(root)] == [None] * len(FLEET_RULES)
    assert root.get("failures") == root.get("errors") == "0"


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_junit_holds_no_xml_illegal_or_invisible_character(name: str) -> None:
    text = junit.render(FIXTURES[name]())
    assert not XML_ILLEGAL.search(text)
    assert not [c for c in text if c not in "\n\t" and (ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0)]


def test_junit_timestamps_are_only_the_reports_now() -> None:
    text = junit.render(clean())
    assert set(re.findall(r'timestamp="([^"]*)"', text)) == {format_utc(NOW)}
    assert " time=" not in text


# --------------------------------------------------------------------------- JUnit content


def test_junit_has_a_case_per_declared_schedule_and_rule() -> None:
    root = junit_of(basic())
    for result in basic().schedules:
        if result.name is None:
            continue
        names = {
            c.get("name")
            for c in cases(root)
            if c.get("classname") == f"backup-drift.{result.index}"
        }
        assert names == {f"{result.name}{junit.SEPARATOR}{rule}" for rule in DECLARATION_RULES}


def test_junit_schedule_suites_carry_the_schedules_facts() -> None:
    suite = junit_of(basic()).findall("testsuite")[1]
    assert suite.get("name") == f"backup-drift.orders-prod{junit.SEPARATOR}nightly"
    facts = {p.get("name"): p.get("value") for p in suite.iterfind("./properties/property")}
    assert facts == {
        "index": "orders-prod",
        "schedule": "nightly",
        "schedule_id": "5b0f3e2a-1d7c-4e8b-9a61-0c2f7d9e4b13",
        "status": "fail",
        "last_success": "2026-04-26T06:00:00Z",
        "location": "schedules.yaml:20:5",
    }


def test_junit_failure_lists_the_rules_findings_and_names_the_first_unwaived() -> None:
    testcase = case(
        junit_of(basic()), "backup-drift.orders-prod", f"nightly{junit.SEPARATOR}missed-run"
    )
    failure = outcome(testcase)
    assert failure is not None
    assert failure.tag == "failure"
    assert failure.get("type") == "error"
    assert failure.get("message") == "no backup ran for the slot planned at 2026-04-27T06:00:00Z"
    assert (failure.text or "").splitlines() == [
        "error 2026-04-21T06:00:00Z no backup ran for the slot planned at 2026-04-21T06:00:00Z"
        " [waived: INC-4521 us-east-1 outage] (schedules.yaml:27:9)",
        "error 2026-04-27T06:00:00Z no backup ran for the slot planned at 2026-04-27T06:00:00Z",
    ]


def test_junit_failure_type_is_the_most_severe_finding() -> None:
    findings = [finding(severity="notice", at=at(1)), finding(severity="warning", at=at(2))]
    root = junit_of(report([row()], findings, exit_code=1))
    failure = outcome(case(root, "backup-drift.products-prod", f"nightly{junit.SEPARATOR}gap"))
    assert failure is not None
    assert (failure.get("type"), failure.get("message")) == ("warning", "gap happened")


def test_junit_case_whose_findings_are_all_waived_is_skipped_with_the_reason() -> None:
    waived = finding(waived=True, waiver_reason="INC-1 outage")
    root = junit_of(report([row()], [waived], exit_code=0))
    skipped = outcome(case(root, "backup-drift.products-prod", f"nightly{junit.SEPARATOR}gap"))
    assert skipped is not None
    assert skipped.tag == "skipped"
    assert skipped.get("message") == "waived: INC-1 outage"
    assert "gap happened [waived: INC-1 outage]" in (skipped.text or "")


def test_junit_findings_known_from_the_baseline_are_skipped_not_failed() -> None:
    known = [finding(baseline="known", at=at(1)), finding(baseline="known", at=at(2))]
    root = junit_of(report([row()], [*known, finding("stale", baseline="new")], exit_code=1))
    skipped = outcome(case(root, "backup-drift.products-prod", f"nightly{junit.SEPARATOR}gap"))
    assert skipped is not None
    assert (skipped.tag, skipped.get("message")) == ("skipped", "known: in the baseline")
    assert (skipped.text or "").count("[known: in the baseline]") == 2
    new = outcome(case(root, "backup-drift.products-prod", f"nightly{junit.SEPARATOR}stale"))
    assert new is not None
    assert new.tag == "failure"


def test_junit_unknown_schedule_errs_except_where_a_rule_still_found_something() -> None:
    root = junit_of(basic())
    error = "history of schedule 9d1c4a7e-6b2f-4c3d-8e5a-7f0b1c2d3e4f could not be read"
    kinds = {}
    for testcase in cases(root):
        if testcase.get("classname") == "backup-drift.users-prod":
            result = outcome(testcase)
            assert result is not None
            kinds[testcase.get("name", "").rsplit(" ", 1)[1]] = result.tag
            if result.tag == "error":
                assert result.get("message", "").startswith(error)
    assert kinds == dict.fromkeys(DECLARATION_RULES, "error") | {"waiver-expired": "failure"}


def test_junit_fleet_suite_holds_fleet_findings_and_the_runs_facts() -> None:
    suite = junit_of(basic()).findall("testsuite")[-1]
    assert suite.get("name") == "backup-drift.fleet"
    outcomes = {c.get("name"): outcome(c) for c in suite.iterfind("testcase")}
    assert list(outcomes) == list(FLEET_RULES)
    assert all(o is not None and o.tag == "failure" for o in outcomes.values())
    facts = {p.get("name"): p.get("value") for p in suite.iterfind("./properties/property")}
    assert facts["exit_code"] == "3"
    assert facts["now"] == "2026-04-30T12:00:00Z"
    assert facts["coverage.schedulable"] == "5"


def test_junit_unreadable_coverage_rows_turn_clean_fleet_cases_into_errors() -> None:
    unread = row(None, index="prod-*", status="unknown", error="index list: HTTP 503")
    uncovered = finding("index-uncovered", index="billing", schedule=None, at=None)
    root = junit_of(report([unread], [uncovered], exit_code=3))
    fleet = {c.get("name"): outcome(c) for c in cases(root)}
    unmanaged, covered = fleet["schedule-unmanaged"], fleet["index-uncovered"]
    assert unmanaged is not None
    assert (unmanaged.tag, unmanaged.get("message")) == ("error", "prod-*: index list: HTTP 503")
    assert covered is not None
    assert covered.tag == "failure"


def test_junit_fleet_findings_stay_in_the_fleet_suite_even_under_a_declared_name() -> None:
    unmanaged = finding("schedule-unmanaged", severity="warning", at=None)
    root = junit_of(report([row()], [unmanaged], exit_code=0))
    result = outcome(case(root, "backup-drift.fleet", "schedule-unmanaged"))
    assert result is not None
    assert result.tag == "failure"


def test_junit_findings_of_no_declared_schedule_or_known_rule_are_never_lost() -> None:
    stray = [finding(index="elsewhere"), finding("brand-new-rule")]
    root = junit_of(report([row()], stray, exit_code=1))
    fleet = [c.get("name") for c in cases(root) if c.get("classname") == "backup-drift.fleet"]
    assert fleet == [*FLEET_RULES, "gap"]
    assert outcome(case(root, "backup-drift.fleet", "gap")) is not None
    new_rule = case(root, "backup-drift.products-prod", f"nightly{junit.SEPARATOR}brand-new-rule")
    assert outcome(new_rule) is not None


def test_junit_rules_that_needed_unread_history_are_skipped_not_passed() -> None:
    root = junit_of(report([row(history_judged=False)], [], exit_code=0))
    by_rule = {
        c.get("name", "").rsplit(" ", 1)[1]: outcome(c)
        for c in cases(root)
        if c.get("classname") == "backup-drift.products-prod"
    }
    for rule_id, result in by_rule.items():
        if "history" in DECLARATION_RULES[rule_id].needs:
            assert result is not None
            assert result.tag == "skipped"
            assert result.get("message", "").startswith("not judged")
        else:
            assert result is None


def test_junit_every_finding_is_in_some_outcome_body() -> None:
    bodies = "\n".join(o.text or "" for o in junit_of(basic()).iter() if o.tag in OUTCOMES)
    for f in basic().findings:
        assert f.message in bodies


def test_junit_names_that_collide_once_escaped_stay_distinct() -> None:
    rows = [row("a\x1b"), row("a\\x1b")]
    names = [c.get("name") for c in cases(junit_of(report(rows, [], exit_code=0)))]
    assert f"a\\x1b{junit.SEPARATOR}gap" in names
    assert f"a\\x1b{junit.SEPARATOR}gap (2)" in names


def test_junit_hostile_strings_stay_inert() -> None:
    text = junit.render(hostile())
    root = parse_xml(text)
    assert "<script>" not in text
    assert "CDATA" not in text
    assert "]]&gt;" in text
    assert "\x1b" not in text
    suite = root.findall("testsuite")[1]
    facts = {p.get("name"): p.get("value") for p in suite.iterfind("./properties/property")}
    assert facts["schedule_id"] == "]]>"
    assert facts["schedule"] == "<b>|"
    failure = outcome(root.findall("testsuite")[0].findall("testcase")[7])
    assert failure is not None
    assert failure.get("message") == xml_safe(HOSTILE_MESSAGE)
    assert "line1\nline2" in (failure.get("message") or "")  # attribute newlines survive


# --------------------------------------------------------------------------- xml_safe


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x00", r"\x00"),
        ("\x1b", r"\x1b"),
        ("\x0b", r"\x0b"),
        ("\r", r"\r"),
        ("\x7f", r"\x7f"),
        ("\x9b", r"\x9b"),
        ("\u202e", r"\u202e"),
        ("\ufffe", r"\ufffe"),
        ("\uffff", r"\uffff"),
        ("\ud800", r"\ud800"),
        ("\n", "\n"),
        ("\t", "\t"),
        ("<&>\"']]>", "<&>\"']]>"),  # ElementTree's job, not xml_safe's
        ("é日本", "é日本"),
    ],
)
def test_xml_safe_escapes_what_xml_cannot_hold_or_should_not_show(raw: str, shown: str) -> None:
    assert xml_safe(f"a{raw}b") == f"a{shown}b"


def test_xml_safe_never_cuts() -> None:
    assert xml_safe("x" * 10_000) == "x" * 10_000


@given(st.text())
def test_xml_safe_output_always_survives_an_xml_round_trip(text: str) -> None:
    element = ET.Element("e", {"a": xml_safe(text)})
    element.text = xml_safe(text)
    parsed = parse_xml(ET.tostring(element, encoding="unicode"))
    assert parsed.get("a") == (parsed.text or "") == xml_safe(text)
    assert not XML_ILLEGAL.search(xml_safe(text))


# --------------------------------------------------------------------------- SARIF helpers


def sarif_of(report_: Report) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(sarif.render(report_))
    return document


def run_of(report_: Report) -> dict[str, Any]:
    run: dict[str, Any] = sarif_of(report_)["runs"][0]
    return run


def results_of(report_: Report) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = run_of(report_)["results"]
    return results


# --------------------------------------------------------------------------- SARIF


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_sarif_validates_against_the_schema(name: str) -> None:
    if not SARIF_SCHEMA.exists():
        pytest.skip(f"{SARIF_SCHEMA} is not present")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
    validator.validate(sarif_of(FIXTURES[name]()))


def test_the_sarif_check_rejects_what_the_schema_forbids() -> None:
    if not SARIF_SCHEMA.exists():
        pytest.skip(f"{SARIF_SCHEMA} is not present")
    validator = Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    document = sarif_of(basic())
    document["runs"][0]["results"][0]["level"] = "notice"
    assert not validator.is_valid(document)


def test_sarif_names_the_tool_and_version() -> None:
    document = sarif_of(clean())
    assert document["version"] == "2.1.0"
    assert document["$schema"].endswith("sarif-schema-2.1.0.json")
    driver = document["runs"][0]["tool"]["driver"]
    assert driver["name"] == "backup-drift"
    assert driver["version"] == driver["semanticVersion"]
    assert driver["informationUri"].startswith("https://")


def test_sarif_describes_every_rule_of_the_catalogue() -> None:
    rules = run_of(empty())["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(ALL_RULES)
    for descriptor in rules:
        rule = ALL_RULES[descriptor["id"]]
        assert descriptor["shortDescription"] == {"text": rule.summary}
        assert descriptor["fullDescription"]["text"] == rule.doc.strip()
        assert descriptor["help"] == {"text": rule.doc.strip(), "markdown": rule.doc.strip()}
        level = {"error": "error", "warning": "warning", "notice": "note"}[rule.default_severity]
        assert descriptor["defaultConfiguration"] == {"level": level}
    assert rules[6]["name"] == "MissedRun"


def test_sarif_has_one_result_per_finding_pointing_at_its_rule() -> None:
    rules = run_of(basic())["tool"]["driver"]["rules"]
    results = results_of(basic())
    assert len(results) == len(basic().findings)
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_result_carries_level_message_location_and_properties() -> None:
    result = next(r for r in results_of(basic()) if r["ruleId"] == "size-drop")
    assert result["level"] == "note"
    assert result["message"] == {
        "text": "record_count 1200 is 60% below the previous Ready backup's 3000 (limit 50%)"
    }
    assert result["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "schedules.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 1, "startColumn": 1},
            }
        }
    ]
    assert result["properties"] == {
        "index": "orders-prod",
        "schedule": "nightly",
        "schedule_id": "5b0f3e2a-1d7c-4e8b-9a61-0c2f7d9e4b13",
        "at": "2026-04-26T06:00:00Z",
    }
    assert "suppressions" not in result


def test_sarif_uses_the_findings_own_spec_location() -> None:
    result = next(r for r in results_of(basic()) if r["ruleId"] == "retention-drift")
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 24, "startColumn": 26}


def test_sarif_waived_finding_is_an_external_suppression_with_the_reason() -> None:
    waived = [r for r in results_of(basic()) if "suppressions" in r]
    assert len(waived) == 1
    assert waived[0]["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "INC-4521 us-east-1 outage"}
    ]


def test_sarif_baseline_state_follows_the_baseline() -> None:
    findings = [finding(baseline="new", at=at(1)), finding(baseline="known", at=at(2))]
    states = [r["baselineState"] for r in results_of(report([row()], findings, exit_code=1))]
    assert states == ["new", "unchanged"]
    assert "baselineState" not in results_of(basic())[0]


def test_sarif_fingerprints_are_stable_across_renders_and_distinct_per_finding() -> None:
    first = [r["partialFingerprints"]["backupDrift/v1"] for r in results_of(basic())]
    second = [r["partialFingerprints"]["backupDrift/v1"] for r in results_of(basic())]
    assert first == second
    assert len(set(first)) == len(first)
    assert all(re.fullmatch(r"[0-9a-f]{64}:1", fp) for fp in first)


def test_sarif_fingerprint_hashes_rule_index_schedule_and_at() -> None:
    identity = json.dumps(["gap", "products-prod", "nightly", "2026-04-20T06:00:00Z"])
    expected = hashlib.sha256(identity.encode()).hexdigest() + ":1"
    assert sarif.fingerprints([finding()]) == [expected]
    assert list(finding().identity) == json.loads(identity)  # the baseline's identity too


@pytest.mark.parametrize(
    "change",
    [
        {"message": "reworded"},
        {"location": loc(99)},
        {"severity": "notice"},
        {"waived": True, "waiver_reason": "r"},
        {"schedule_id": "recreated"},
        {"baseline": "known"},
    ],
)
def test_sarif_fingerprint_ignores_what_does_not_identify_a_finding(change: dict[str, Any]) -> None:
    assert sarif.fingerprints([finding(**change)]) == sarif.fingerprints([finding()])


@pytest.mark.parametrize(
    "change",
    [{"rule": "stale"}, {"index": "other"}, {"schedule": "weekly"}, {"at": at(21)}, {"at": None}],
)
def test_sarif_fingerprint_changes_with_what_identifies_a_finding(change: dict[str, Any]) -> None:
    assert sarif.fingerprints([finding(**change)]) != sarif.fingerprints([finding()])


def test_sarif_findings_of_one_identity_get_distinct_fingerprints() -> None:
    twins = [finding("schedule-unmanaged", at=None), finding("schedule-unmanaged", at=None)]
    first, second = sarif.fingerprints(twins)
    assert first.endswith(":1")
    assert second.endswith(":2")
    assert first[:-2] == second[:-2]


def test_sarif_unknown_schedules_are_error_notifications_and_the_run_failed() -> None:
    invocation = run_of(basic())["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["exitCode"] == 3
    notes = invocation["toolExecutionNotifications"]
    assert [n["level"] for n in notes] == ["error", "error"]
    assert notes[0]["message"]["text"].startswith("users-prod / weekly: could not be checked: ")
    assert notes[1]["message"]["text"].startswith("search-prod: could not be checked: ")
    assert "locations" not in notes[1]  # that row has no spec location


@pytest.mark.parametrize(("exit_code", "successful"), [(0, True), (1, True), (3, False)])
def test_sarif_execution_is_successful_only_when_the_check_completed(
    exit_code: int, successful: bool
) -> None:
    invocation = run_of(report([], [], exit_code=exit_code))["invocations"][0]
    assert invocation["executionSuccessful"] is successful


def test_sarif_unused_waivers_are_configuration_notes() -> None:
    notes = run_of(basic())["invocations"][0]["toolConfigurationNotifications"]
    assert len(notes) == 1
    assert notes[0]["level"] == "note"
    assert notes[0]["associatedRule"] == {"id": "stale"}
    assert "CHG-118 index migration" in notes[0]["message"]["text"]


def test_sarif_rule_outside_the_catalogue_still_has_a_descriptor() -> None:
    run = run_of(report([], [finding("brand-new-rule")], exit_code=1))
    rules = run["tool"]["driver"]["rules"]
    assert rules[run["results"][0]["ruleIndex"]]["id"] == "brand-new-rule"


def test_sarif_hostile_text_round_trips_and_the_file_is_ascii() -> None:
    text = sarif.render(hostile())
    assert text.isascii()
    results = results_of(hostile())
    failed = next(r for r in results if r["ruleId"] == "failed-run")
    assert failed["message"]["text"] == HOSTILE_MESSAGE.replace("\ud800", "\ufffd")
    assert failed["properties"]["index"] == hostile().findings[1].index
    waived = next(r for r in results if r["ruleId"] == "missed-run")
    assert waived["suppressions"][0]["justification"] == "reason\n::warning::x\x1b[8m%0D%0A"
    uri = waived["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "../../etc/passwd%0A%1B%5B1m"


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("schedules.yaml", {"uri": "schedules.yaml", "uriBaseId": "%SRCROOT%"}),
        (
            "ops/backup schedules.yaml",
            {"uri": "ops/backup%20schedules.yaml", "uriBaseId": "%SRCROOT%"},
        ),
        ("a:b.yaml", {"uri": "a%3Ab.yaml", "uriBaseId": "%SRCROOT%"}),
        ("ops\\schedules.yaml", {"uri": "ops/schedules.yaml", "uriBaseId": "%SRCROOT%"}),
        ("/etc/backup/schedules.yaml", {"uri": "file:///etc/backup/schedules.yaml"}),
        ("C:\\ops\\schedules.yaml", {"uri": "file:///C:/ops/schedules.yaml"}),
        ("é\ud800.yaml", {"uri": "%C3%A9%3F.yaml", "uriBaseId": "%SRCROOT%"}),
    ],
)
def test_sarif_artifact_location_is_a_uri_reference(path: str, location: dict[str, str]) -> None:
    assert sarif.artifact_location(path) == location


def test_sarif_falls_back_to_the_report_spec_for_a_finding_without_location() -> None:
    run = run_of(report([], [finding()], exit_code=1, spec="ops/schedules.yaml"))
    physical = run["results"][0]["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "ops/schedules.yaml"
    assert physical["region"] == {"startLine": 1, "startColumn": 1}


# --------------------------------------------------------------------------- Prometheus grammar

METRIC = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
VALUE = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]Inf|NaN"
HELP_LINE = re.compile(rf"# HELP ({METRIC}) (?:[^\n\\]|\\[\\n])*")
TYPE_LINE = re.compile(rf"# TYPE ({METRIC}) (?:counter|gauge|histogram|summary|untyped)")
SAMPLE_LINE = re.compile(rf"({METRIC})(\{{(?:{LABEL})(?:,{LABEL})*\}})? (?:{VALUE})")


def exposition_lines(text: str) -> Iterator[tuple[str, str, str]]:
    """(kind, metric, line) for every line; fails on any line outside the text format."""
    assert text.endswith("\n")
    for line in text[:-1].split("\n"):
        for kind, pattern in (("help", HELP_LINE), ("type", TYPE_LINE), ("sample", SAMPLE_LINE)):
            match = pattern.fullmatch(line)
            if match:
                yield kind, match.group(1), line
                break
        else:
            pytest.fail(f"not a line of the exposition format: {line!r}")


def assert_exposition_format(text: str) -> None:
    """Every line in the grammar; each family once, HELP then TYPE then its samples; no
    duplicate series (node_exporter rejects a file that breaks any of these)."""
    families: list[str] = []
    series: set[str] = set()
    for kind, metric, line in exposition_lines(text):
        if kind == "help":
            assert metric not in families
            families.append(metric)
        else:
            assert metric == families[-1]
        if kind == "sample":
            key = line.rsplit(" ", 1)[0]
            assert key not in series
            series.add(key)


def samples(text: str) -> dict[str, float]:
    """`metric{labels}` -> value, for every sample line."""
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for kind, _, line in exposition_lines(text)
        if kind == "sample"
    }


# --------------------------------------------------------------------------- Prometheus


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_prometheus_follows_the_exposition_format(name: str) -> None:
    assert_exposition_format(prometheus.render(FIXTURES[name](), duration_seconds=1.25))


def test_the_grammar_checker_rejects_what_node_exporter_would() -> None:
    for bad in [
        'm{a="x\ny"} 1\n',
        'm{a="x"y"} 1\n',
        "m 1 1777550400000\n",
        "# TYPE m gauge\n# HELP m h\nm 1\n",
    ]:
        with pytest.raises(BaseException):  # noqa: B017, PT011  # pytest.fail or AssertionError
            assert_exposition_format(bad)


def test_prometheus_run_metrics() -> None:
    values = samples(prometheus.render(basic()))
    assert values["backup_drift_last_run_timestamp_seconds"] == NOW.timestamp()
    assert values["backup_drift_exit_code"] == 3


@pytest.mark.parametrize(("exit_code", "present"), [(0, True), (1, True), (3, False)])
def test_prometheus_last_success_only_when_the_check_completed(
    exit_code: int, present: bool
) -> None:
    values = samples(prometheus.render(report([], [], exit_code=exit_code)))
    assert ("backup_drift_last_success_timestamp_seconds" in values) is present
    if present:
        assert values["backup_drift_last_success_timestamp_seconds"] == NOW.timestamp()


def test_prometheus_duration_only_when_measured() -> None:
    assert "run_duration" not in prometheus.render(clean())
    assert samples(prometheus.render(clean(), 0.25))["backup_drift_run_duration_seconds"] == 0.25


def test_prometheus_counts_unwaived_findings_by_rule_and_severity() -> None:
    findings = [finding(at=at(1)), finding(at=at(2)), finding(severity="warning", at=at(3))]
    findings.append(finding("stale", waived=True, waiver_reason="r"))
    values = samples(prometheus.render(report([row()], findings, exit_code=1)))
    assert {k: v for k, v in values.items() if "findings" in k} == {
        'backup_drift_findings{rule="gap",severity="error"}': 2,
        'backup_drift_findings{rule="gap",severity="warning"}': 1,
        'backup_drift_waived_findings{rule="stale"}': 1,
    }


def test_prometheus_findings_known_from_the_baseline_are_counted_apart() -> None:
    findings = [finding(baseline="known", at=at(1)), finding(baseline="new", at=at(2))]
    values = samples(prometheus.render(report([row()], findings, exit_code=1)))
    assert {k: v for k, v in values.items() if "findings" in k} == {
        'backup_drift_findings{rule="gap",severity="error"}': 1,
        'backup_drift_baseline_findings{rule="gap"}': 1,
    }


def test_prometheus_schedule_status_is_one_hot() -> None:
    values = samples(prometheus.render(basic()))
    prefix = 'backup_drift_schedule_status{index="users-prod",schedule="weekly",status='
    assert [values[f'{prefix}"{s}"}}'] for s in ("pass", "fail", "unknown")] == [0, 0, 1]
    rows = Counter(k.rsplit(",status=", 1)[0] for k in values if "schedule_status" in k)
    assert set(rows.values()) == {3}
    assert len(rows) == len(basic().schedules)


def test_prometheus_last_good_backup_only_when_known() -> None:
    values = samples(prometheus.render(basic()))
    metric = "backup_drift_last_good_backup_timestamp_seconds"
    last_good = {k: v for k, v in values.items() if k.startswith(metric)}
    assert last_good == {
        metric + '{index="products-prod",schedule="nightly"}': at(30, 6, 3, 123456).timestamp(),
        metric + '{index="orders-prod",schedule="nightly"}': at(26).timestamp(),
    }


def test_prometheus_keeps_sub_second_times_exactly() -> None:
    assert "} 1777528803.123456\n" in prometheus.render(basic())


def test_prometheus_rows_with_equal_labels_merge_to_one_series() -> None:
    rows = [
        row("a\x1b", last_success=at(1)),
        row("a", status="fail", last_success=at(2)),
        row("a\u200b", status="pass", last_success=None),
    ]
    text = prometheus.render(report(rows, [], exit_code=1))
    assert_exposition_format(text)
    values = samples(text)
    assert (
        values['backup_drift_schedule_status{index="products-prod",schedule="a",status="fail"}']
        == 1
    )
    assert values[
        'backup_drift_last_good_backup_timestamp_seconds{index="products-prod",schedule="a"}'
    ] == (at(2).timestamp())


def test_prometheus_hostile_labels_are_escaped() -> None:
    text = prometheus.render(hostile())
    assert "\x1b" not in text
    assert (
        '{index="[31mFAKE PASS[0m../../etc/passwd",'
        'schedule="nightly\\n::set-output name=x::y\\nPASS",' in text
    )


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a\\b", "a\\\\b"),
        ('a"b', 'a\\"b'),
        ("a\nb", "a\\nb"),
        ("a\rb\tc\x00d\x1be\x7ff\x9bg", "abcdefg"),
        ("a\u202eb\u200bc\u2028d", "abcd"),
        ("a\ud800b", "ab"),
        ("é 日本 {}=,", "é 日本 {}=,"),
    ],
)
def test_prometheus_label_value_escapes_per_the_exposition_format(raw: str, escaped: str) -> None:
    assert prometheus_label_value(raw) == escaped


@given(st.text())
def test_prometheus_label_value_always_fits_the_grammar(text: str) -> None:
    assert SAMPLE_LINE.fullmatch(f'm{{a="{prometheus_label_value(text)}"}} 1')
    prometheus_label_value(text).encode("utf-8")


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.25, "0.25"), (math.inf, "+Inf"), (-math.inf, "-Inf"), (math.nan, "NaN"), (12.0, "12")],
)
def test_prometheus_duration_values_use_the_formats_spelling(value: float, text: str) -> None:
    assert f"backup_drift_run_duration_seconds {text}\n" in prometheus.render(empty(), value)


# --------------------------------------------------------------------------- write_atomically


def test_write_atomically_creates_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "backup_drift.prom"
    write_atomically(target, b"m 1\n")
    assert target.read_bytes() == b"m 1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["backup_drift.prom"]


def test_write_atomically_replaces_the_target_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "backup_drift.prom"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    old_inode = target.stat().st_ino
    write_atomically(target, "new é\n".encode())
    assert target.read_bytes() == "new é\n".encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.stat().st_ino != old_inode  # a rename, not an in-place rewrite
    assert [p.name for p in tmp_path.iterdir()] == ["backup_drift.prom"]


def test_write_atomically_leaves_the_target_alone_when_it_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "backup_drift.prom"
    target.write_text("old\n", encoding="utf-8")

    def refuse(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, b"new\n")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["backup_drift.prom"]


def test_write_atomically_writes_text_as_given(tmp_path: Path) -> None:
    target = tmp_path / "report.prom"
    text = prometheus.render(basic(), duration_seconds=2.5)
    write_atomically(target, text.encode())
    assert target.read_bytes().decode("utf-8") == text
