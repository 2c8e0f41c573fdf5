"""The SARIF 2.1.0 report (`--format sarif`), for GitHub code scanning and other SARIF viewers.

Code scanning turns each result into an alert on the spec file, opened and closed from run to
run, so what matters most here is identity:

- `tool.driver.rules` lists every rule of the catalogue, with its summary, its documentation
  (`backup-drift explain`) as help, and its default severity as level (notice -> note).
- Each finding is a result at its spec location (line 1 of the spec when it has none, because
  code scanning needs a line). A waived finding is still a result, with an `external`
  suppression whose justification is the waiver's reason, so the alert shows as dismissed.
- `partialFingerprints["backupDrift/v1"]` is a SHA-256 of (rule, index, schedule, at) plus an
  occurrence counter: the alert keeps its identity when a message is reworded or the spec
  moves, and two findings never share one.
- With `--baseline`, `baselineState` says whether a finding is `new` or was already there
  (`unchanged`).
- A schedule that could not be checked is an error notification of the invocation, and
  `executionSuccessful` is false exactly when the check did not complete (exit code 3).
  Unused waivers are configuration notifications (level note).

Paths stay as the report holds them: a relative path is a URI reference against `%SRCROOT%`
(the directory backup-drift ran in), an absolute one a `file:` URI. The JSON is ASCII-only,
so no API value can put a raw control or bidi character into the file, and it parses back to
the very strings of the report (lone surrogates, which JSON cannot carry, become U+FFFD).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import quote

import checker
from checker.model import Finding, Location, Report, ScheduleResult, UnusedWaiver
from checker.rules import ALL_RULES
from checker.timeutil import format_utc

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
TOOL_NAME = "backup-drift"
INFORMATION_URI = "https://pypi.org/project/pinecone-backup-drift/"
FINGERPRINT = "backupDrift/v1"
SRCROOT = "%SRCROOT%"

LEVELS: Mapping[str, str] = {"error": "error", "warning": "warning", "notice": "note"}
BASELINE_STATES: Mapping[str, str] = {"new": "new", "known": "unchanged"}

_SURROGATE = re.compile("[\ud800-\udfff]")
_WINDOWS_DRIVE = re.compile(r"[A-Za-z]:/")


def render(report: Report) -> str:
    """The report as a SARIF log: indented, ASCII-only JSON with a trailing newline."""
    document = _without_surrogates(sarif_log(report))
    return json.dumps(document, indent=2, ensure_ascii=True, allow_nan=False) + "\n"


def sarif_log(report: Report) -> dict[str, object]:
    """The SARIF log as plain JSON values: one run of the tool."""
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [_run(report)]}


def _run(report: Report) -> dict[str, object]:
    rule_ids = _rule_ids(report.findings)
    findings = sorted(report.findings, key=lambda f: f.sort_key)
    results = [
        _result(finding, rule_ids.index(finding.rule), fingerprint, report.spec)
        for finding, fingerprint in zip(findings, fingerprints(findings), strict=True)
    ]
    return {
        "tool": {"driver": _driver(rule_ids)},
        "invocations": [_invocation(report)],
        "originalUriBaseIds": {
            SRCROOT: {"description": {"text": "The directory backup-drift ran in."}},
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {
            "spec": report.spec,
            "now": format_utc(report.now),
            "fail_on": report.fail_on,
        },
    }


# --------------------------------------------------------------------------- rules


def _rule_ids(findings: Iterable[Finding]) -> list[str]:
    """The catalogue's rule ids in catalogue order, then any other id a finding carries.

    A rule outside the catalogue should not occur; if it does, its results still need a rule
    to point at, so it gets a minimal descriptor instead of an invalid `ruleIndex`.
    """
    extra = sorted({f.rule for f in findings} - set(ALL_RULES))
    return [*ALL_RULES, *extra]


def _driver(rule_ids: Sequence[str]) -> dict[str, object]:
    return {
        "name": TOOL_NAME,
        "version": checker.__version__,
        "semanticVersion": checker.__version__,
        "informationUri": INFORMATION_URI,
        "rules": [_rule(rule_id) for rule_id in rule_ids],
    }


def _rule(rule_id: str) -> dict[str, object]:
    """A rule's reporting descriptor: its catalogue summary, documentation and default level."""
    rule = ALL_RULES.get(rule_id)
    if rule is None:
        return {"id": rule_id, "shortDescription": {"text": f"{rule_id} (not in the catalogue)"}}
    doc = rule.doc.strip()
    return {
        "id": rule.id,
        "name": _pascal_case(rule.id),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": doc},
        "help": {"text": doc, "markdown": doc},
        "defaultConfiguration": {"level": LEVELS[rule.default_severity]},
    }


def _pascal_case(rule_id: str) -> str:
    """`missed-run` -> `MissedRun`: SARIF's convention for a rule's `name`."""
    return "".join(part.capitalize() for part in rule_id.split("-"))


# --------------------------------------------------------------------------- results


def _result(finding: Finding, rule_index: int, fingerprint: str, spec: str) -> dict[str, object]:
    result: dict[str, object] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [_location(finding.location, spec)],
        "partialFingerprints": {FINGERPRINT: fingerprint},
        "properties": {
            "index": finding.index,
            "schedule": finding.schedule,
            "schedule_id": finding.schedule_id,
            "at": format_utc(finding.at) if finding.at is not None else None,
        },
    }
    if finding.baseline is not None:
        result["baselineState"] = BASELINE_STATES[finding.baseline]
    if finding.waived:
        result["suppressions"] = [_suppression(finding)]
    return result


def _suppression(finding: Finding) -> dict[str, object]:
    """A waiver lives in the spec, outside the analysed artefact: an `external` suppression."""
    justification = finding.waiver_reason or "waived in the spec"
    return {"kind": "external", "status": "accepted", "justification": justification}


def fingerprints(findings: Sequence[Finding]) -> list[str]:
    """One stable fingerprint per finding, in the same order: `<sha256>:<occurrence>`.

    The hash covers what identifies the problem (rule, index, schedule, at), not its wording
    nor its spec line, so code scanning follows an alert across runs and edits. The counter
    keeps two findings with the same identity (two undeclared schedules of one name) apart.
    """
    seen: Counter[str] = Counter()
    prints = []
    for finding in findings:
        digest = _identity_hash(finding)
        seen[digest] += 1
        prints.append(f"{digest}:{seen[digest]}")
    return prints


def _identity_hash(finding: Finding) -> str:
    """SHA-256 of `Finding.identity`, the same identity `--baseline` matches findings by."""
    identity = json.dumps(list(finding.identity))
    return hashlib.sha256(identity.encode("ascii")).hexdigest()


def _location(location: Location | None, spec: str) -> dict[str, object]:
    """Where in the spec; a finding about no particular line points at the spec's first."""
    file, line, column = (
        (location.file, location.line, location.column) if location else (spec, 1, 1)
    )
    return {
        "physicalLocation": {
            "artifactLocation": artifact_location(file),
            "region": {"startLine": max(line, 1), "startColumn": max(column, 1)},
        }
    }


def artifact_location(path: str) -> dict[str, str]:
    """A spec path as a SARIF artifact location: relative to `%SRCROOT%`, or a `file:` URI.

    Backslashes become slashes (a Windows path), and everything a URI reference cannot hold
    raw is percent-encoded, `:` included, so that `a:b.yaml` is not read as a URI scheme.
    """
    slashed = path.replace("\\", "/")
    if slashed.startswith("/"):
        return {"uri": "file://" + _quote(slashed, "/:")}
    if _WINDOWS_DRIVE.match(slashed):
        return {"uri": "file:///" + _quote(slashed, "/:")}
    return {"uri": _quote(slashed, "/"), "uriBaseId": SRCROOT}


def _quote(path: str, safe: str) -> str:
    return quote(path, safe=safe, errors="replace")


# --------------------------------------------------------------------------- invocation


def _invocation(report: Report) -> dict[str, object]:
    """Did the check complete (exit code 0 or 1), and what it could not check or never used."""
    unknown = [s for s in report.schedules if s.status == "unknown"]
    return {
        "executionSuccessful": report.exit_code in (0, 1),
        "exitCode": report.exit_code,
        "toolExecutionNotifications": [_unknown_notification(s, report.spec) for s in unknown],
        "toolConfigurationNotifications": [
            _unused_waiver_notification(w, report.spec) for w in report.unused_waivers
        ],
    }


def _unknown_notification(result: ScheduleResult, spec: str) -> dict[str, object]:
    subject = result.index if result.name is None else f"{result.index} / {result.name}"
    notification: dict[str, object] = {
        "level": "error",
        "message": {"text": f"{subject}: could not be checked: {result.error or 'no reason'}"},
    }
    if result.location is not None:
        notification["locations"] = [_location(result.location, spec)]
    notification["properties"] = {
        "index": result.index,
        "schedule": result.name,
        "schedule_id": result.schedule_id,
    }
    return notification


def _unused_waiver_notification(waiver: UnusedWaiver, spec: str) -> dict[str, object]:
    text = (
        f"waiver for {waiver.rule} on {waiver.index} / {waiver.schedule} matched no finding "
        f"({waiver.reason}); delete it when the incident is over"
    )
    return {
        "level": "note",
        "message": {"text": text},
        "locations": [_location(waiver.location, spec)],
        "associatedRule": {"id": waiver.rule},
    }


# --------------------------------------------------------------------------- text


def _without_surrogates(value: object) -> object:
    """`value` with every lone surrogate in its strings replaced by U+FFFD, at any depth.

    JSON would write a surrogate as `\\udXXX`, and a reader pairs two adjacent ones into a
    character the report never held (or rejects the file); U+FFFD says "something was here".
    """
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_SURROGATE.sub("\ufffd", k): _without_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_surrogates(v) for v in value]
    return value
