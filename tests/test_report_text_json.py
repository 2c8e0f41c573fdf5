"""The text and JSON report formats, their registry, and the terminal escaper.

Golden files in tests/golden/ pin the exact output; rewrite them with `UPDATE_GOLDEN=1 pytest`
and read the diff before committing it.
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

import checker
from checker.errors import UsageError
from checker.model import Finding, Report
from checker.report import RENDERERS, json_report, render, render_text
from checker.report.escape import ELLIPSIS, MAX_CHARS, terminal_safe
from checker.schemas_access import load_schema
from checker.timeutil import format_utc
from tests.report_fixtures import (
    FIXTURES,
    HOSTILE_LONG,
    HOSTILE_MESSAGE,
    NOW,
    assert_golden,
    basic,
    clean,
    hostile,
    report,
)

SGR = re.compile("\x1b\\[[0-9;]*m")
UNSAFE_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}

FIXTURE_NAMES = sorted(FIXTURES)


def validator() -> Draft202012Validator:
    return Draft202012Validator(load_schema("report.schema.json"))


def rendered_json(report_: Report) -> dict[str, object]:
    document: dict[str, object] = json.loads(json_report.render(report_))
    return document


def json_findings(report_: Report) -> list[dict[str, object]]:
    findings: list[dict[str, object]] = rendered_json(report_)["findings"]  # type: ignore[assignment]
    return findings


# --------------------------------------------------------------------------- golden files


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_text_matches_golden(name: str) -> None:
    assert_golden(f"report_{name}.txt", render_text(FIXTURES[name]()))


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_json_matches_golden(name: str) -> None:
    assert_golden(f"report_{name}.json", json_report.render(FIXTURES[name]()))


# --------------------------------------------------------------------------- registry


def test_registry_holds_exactly_the_implemented_formats() -> None:
    assert set(RENDERERS) == {"text", "json", "github", "markdown", "junit", "sarif", "prometheus"}


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_every_renderer_returns_text_for_every_fixture(fmt: str, name: str) -> None:
    output = RENDERERS[fmt](FIXTURES[name]())
    assert isinstance(output, str)
    assert output.endswith("\n")
    output.encode("utf-8")  # writable to any UTF-8 stream, lone surrogates included


def test_render_dispatches_by_name() -> None:
    assert render(basic(), "json") == json_report.render(basic())
    assert render(basic(), "text") == render_text(basic(), color=False)


def test_unknown_format_is_a_usage_error_naming_the_choices() -> None:
    with pytest.raises(UsageError, match=r"'yaml'.*text, json") as caught:
        render(basic(), "yaml")
    assert caught.value.exit_code == 2


# --------------------------------------------------------------------------- JSON


def test_schema_is_valid_draft_2020_12() -> None:
    schema = load_schema("report.schema.json")
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["format_version"]["const"] == 1


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_json_validates_against_schema(name: str) -> None:
    validator().validate(rendered_json(FIXTURES[name]()))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("now",), "2026-04-30T12:00:00Z\n"),
        (("now",), "2026-04-30T12:00:00.5Z"),
        (("now",), "2026-04-30T12:00:00+00:00"),
        (("format_version",), 2),
        (("fail_on",), "sometimes"),
        (("schedules", 0, "status"), "ok"),
        (("schedules", 2, "error"), None),  # unknown must say why
        (("findings", 0, "severity"), "fatal"),
        (("findings", 2, "waiver_reason"), None),  # waived must say why
        (("findings", 0, "rule"), "Missed_Run"),
    ],
)
def test_schema_rejects_what_the_contract_forbids(
    path: tuple[str | int, ...], value: object
) -> None:
    document: dict[str, object] = rendered_json(basic())
    target: object = document
    for step in path[:-1]:
        target = target[step]  # type: ignore[index]
    target[path[-1]] = value  # type: ignore[index]
    assert not validator().is_valid(document)


def test_schema_lets_consumers_see_unknown_fields() -> None:
    document = rendered_json(basic())
    document["added_in_a_later_release"] = {"x": 1}
    document["findings"][0]["fingerprint"] = "abc"  # type: ignore[index]
    validator().validate(document)


def test_json_keys_follow_the_contract_order() -> None:
    document = rendered_json(basic())
    assert list(document) == [
        "format_version",
        "tool",
        "now",
        "spec",
        "exit_code",
        "fail_on",
        "summary",
        "schedules",
        "findings",
        "coverage",
        "unused_waivers",
    ]
    assert list(json_findings(basic())[0]) == [
        "rule",
        "severity",
        "index",
        "schedule",
        "schedule_id",
        "at",
        "message",
        "waived",
        "waiver_reason",
        "location",
        "details",
        "baseline",
    ]


def test_json_names_the_tool_and_its_version() -> None:
    document = rendered_json(clean())
    assert document["format_version"] == 1
    assert document["tool"] == {"name": "backup-drift", "version": checker.__version__}


def test_json_is_indented_and_ends_in_one_newline() -> None:
    text = json_report.render(clean())
    assert text.startswith('{\n  "format_version": 1,\n')
    assert text.endswith("}\n")
    assert not text.endswith("\n\n")


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_json_keeps_the_report_order_of_findings(name: str) -> None:
    report_ = FIXTURES[name]()
    expected = [(f.rule, f.index, f.schedule, f.at and format_utc(f.at)) for f in report_.findings]
    actual = [(f["rule"], f["index"], f["schedule"], f["at"]) for f in json_findings(report_)]
    assert actual == expected


def test_json_sorts_findings_even_when_the_report_does_not() -> None:
    sorted_report = basic()
    shuffled = dataclasses.replace(sorted_report, findings=tuple(reversed(sorted_report.findings)))
    assert json_report.render(shuffled) == json_report.render(sorted_report)
    assert render_text(shuffled) == render_text(sorted_report)


def test_json_times_are_utc_whole_seconds_with_z() -> None:
    schedules = rendered_json(basic())["schedules"]
    assert schedules[0]["last_success"] == "2026-04-30T06:00:03Z"  # type: ignore[index]
    schedules = rendered_json(clean())["schedules"]
    assert schedules[1]["last_success"] == "2026-04-26T06:00:00Z"  # type: ignore[index]  # was +02:00


def test_json_converts_details_at_any_depth() -> None:
    details = json_findings(hostile())[0]["details"]
    assert details == {
        "key\n\x1b[31m": "value\x1b[0m\r",
        "when": "2026-04-02T06:00:00Z",
        "nested": {"list": ["2026-04-01T06:00:00Z", 1, None, True, 2.5], "set": ["a", "b"]},
        "inf": "inf",
        "long": HOSTILE_LONG,
    }


def test_json_refuses_details_it_would_have_to_guess_at() -> None:
    finding = Finding("gap", "error", "i", "s", None, None, "m", details={"d": timedelta(1)})
    with pytest.raises(TypeError, match="timedelta"):
        json_report.render(report([], [finding], exit_code=1))


def test_json_keeps_hostile_strings_whole_and_escaped_by_json() -> None:
    text = json_report.render(hostile())
    document = json.loads(text)
    assert document["schedules"][1]["error"] == HOSTILE_LONG
    assert document["spec"] == "spec\x1b]0;title\x07\n.yaml"


def test_json_replaces_lone_surrogates_and_keeps_everything_else() -> None:
    message = json_findings(hostile())[0]["message"]
    assert message == HOSTILE_MESSAGE.replace("\ud800", "\ufffd")


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_json_file_holds_no_raw_control_or_invisible_character(name: str) -> None:
    text = json_report.render(FIXTURES[name]())
    assert {c for c in text if c != "\n" and unicodedata.category(c) in UNSAFE_CATEGORIES} == set()


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_text_holds_no_raw_control_or_invisible_character(name: str) -> None:
    text = render_text(FIXTURES[name]())
    unsafe = {c for c in text if c != "\n" and unicodedata.category(c) in UNSAFE_CATEGORIES}
    assert unsafe == set()
    assert all(c == "\n" or ord(c) >= 0x20 for c in text)


def test_hostile_strings_cannot_forge_lines_or_commands() -> None:
    lines = render_text(hostile()).splitlines()
    assert not [line for line in lines if line.lstrip().startswith(("::", "PASS"))]
    assert lines[0] == r"backup-drift: spec\x1b]0;title\x07\n.yaml at 2026-04-30T12:00:00Z"


def test_text_truncates_absurdly_long_strings() -> None:
    text = render_text(hostile())
    assert "TAIL-MARK" not in text
    assert max(len(line) for line in text.splitlines()) < 2 * MAX_CHARS


def test_text_is_colourless_by_default_and_in_the_registry() -> None:
    for name in FIXTURE_NAMES:
        assert "\x1b" not in render_text(FIXTURES[name]())
        assert "\x1b" not in RENDERERS["text"](FIXTURES[name]())


def test_colour_marks_status_and_severity() -> None:
    text = render_text(basic(), color=True)
    assert "\x1b[1;31mFAIL\x1b[0m" in text
    assert "\x1b[32mPASS\x1b[0m" in text
    assert "\x1b[33mwarning\x1b[0m  gap" in text
    assert "\x1b[2merror\x1b[0m    missed-run" in text  # a waived finding is dimmed


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_colour_adds_nothing_but_escape_codes(name: str) -> None:
    report_ = FIXTURES[name]()
    assert SGR.sub("", render_text(report_, color=True)) == render_text(report_)


def test_each_finding_is_shown_exactly_once() -> None:
    text = render_text(basic())
    for finding in basic().findings:
        assert text.count(f"  {finding.message}") + text.count(f": {finding.message}") == 1


def test_findings_of_no_schedule_block_are_listed_at_the_end() -> None:
    text = render_text(basic())
    others = text.split("\nOther findings\n")[1]
    assert "billing-prod: index billing-prod matches coverage glob" in others
    assert "products-prod / adhoc-weekly: schedule adhoc-weekly" in others


def test_summary_counts_and_incomplete_verdict() -> None:
    lines = render_text(basic()).splitlines()
    assert lines[-2] == (
        "4 schedules: 1 pass, 1 fail, 2 unknown · 4 errors, 3 warnings, 1 notice, 1 waived · exit 3"
    )
    assert lines[-1].startswith("Verdict incomplete:")


def test_no_incomplete_verdict_when_everything_was_read() -> None:
    text = render_text(clean())
    assert "incomplete" not in text
    assert text.endswith("0 notices, 0 waived · exit 0\n")


def test_text_shows_only_the_times_in_the_report() -> None:
    stamps = set(re.findall(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", render_text(clean())))
    assert stamps == {"2026-04-30T12:00:00Z", "2026-04-30T06:00:00Z", "2026-04-26T06:00:00Z"}
    assert NOW.isoformat() not in render_text(clean())


# --------------------------------------------------------------------------- terminal_safe


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b", r"\x1b"),
        ("\n", r"\n"),
        ("\r", r"\r"),
        ("\t", r"\t"),
        ("\x00", r"\x00"),
        ("\x7f", r"\x7f"),
        ("\x9b", r"\x9b"),
        ("\u202e", r"\u202e"),
        ("\u200b", r"\u200b"),
        ("\u2028", r"\u2028"),
        ("\ud800", r"\ud800"),
        ("\U000e0041", r"\U000e0041"),
    ],
)
def test_terminal_safe_escapes_unsafe_characters(raw: str, shown: str) -> None:
    assert terminal_safe(f"a{raw}b") == f"a{shown}b"


def test_terminal_safe_leaves_ordinary_text_alone() -> None:
    text = "products-prod / nightly: é 日本 | <b> ]]> %0A ../../etc/passwd \\x1b"
    assert terminal_safe(text) == text


def test_terminal_safe_cuts_long_strings_with_an_ellipsis() -> None:
    assert terminal_safe("x" * MAX_CHARS) == "x" * MAX_CHARS
    cut = terminal_safe("x" * 5000)
    assert len(cut) == MAX_CHARS
    assert cut.endswith(ELLIPSIS)


def test_terminal_safe_never_cuts_an_escape_in_half() -> None:
    assert terminal_safe("a" * 298 + "\x1b" + "b") == "a" * 298 + ELLIPSIS
    assert terminal_safe("abc\x1bdef", limit=6) == "abc" + ELLIPSIS


@given(st.text())
def test_terminal_safe_output_is_always_inert_and_bounded(text: str) -> None:
    shown = terminal_safe(text)
    assert len(shown) <= MAX_CHARS
    assert not [c for c in shown if unicodedata.category(c) in UNSAFE_CATEGORIES]


@given(
    st.text(st.characters(exclude_categories=("Cc", "Cf", "Cs", "Zl", "Zp")), max_size=MAX_CHARS)
)
def test_terminal_safe_keeps_safe_text_unchanged(text: str) -> None:
    assert terminal_safe(text) == text
