"""The JUnit XML report (`--format junit`): every check as a test case, for CI test dashboards.

CI systems (GitLab, Jenkins, Azure DevOps, GitHub test-report actions) already know how to show,
count and trend JUnit results, so each check becomes a test case with a stable identity:

- one `<testsuite>` per declared schedule, named `backup-drift.<index>` SEPARATOR
  `<schedule>`, whose `<properties>` hold the schedule's facts (id, status, last good backup,
  error, spec location); SEPARATOR is U+203A (single right-pointing angle quotation mark)
  between two spaces, which reads as a path step;
- in it one `<testcase>` per declaration rule, classname `backup-drift.<index>`, name
  `<schedule>` SEPARATOR `<rule>`, present whether or not the rule found anything, so that a
  dashboard can follow each check of each schedule from run to run;
- a case holds a `<failure>` (type: the most severe finding, message: the first finding, body:
  every finding of that rule with its time and spec location) when the rule has an unwaived
  finding, a `<skipped>` naming the waiver when all its findings are waived (or known from
  the `--baseline` report, which no longer fails the run either), and an `<error>`
  when its schedule could not be checked (status `unknown`) and the rule found nothing: a rule
  that did find something ran, so its failure stands. A rule that needs the run history of a
  schedule whose history was never read (declared disabled, or no such schedule) is skipped as
  "not judged" rather than shown as a pass;
- a last suite `backup-drift.fleet` with one case per fleet rule (`schedule-unmanaged`,
  `index-uncovered`) and the run's facts as properties. Every finding no declared schedule
  claims lands there, and rows of the report that name no schedule (a coverage index whose data
  could not be read) turn its clean cases into errors. Because it always exists, even an empty
  report yields passing test cases.

The output validates against the `junit-10.xsd` that pytest's `xunit2` family targets, so it
carries no `file`/`line` attribute on test cases and no `time` (the report measures none; the
only timestamp is the report's `now`). (classname, name) pairs are unique. Every string is
escaped by ElementTree and passed through `xml_safe`, so no API value can break the XML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, replace

from checker.model import Finding, Location, Report, ScheduleResult, severity_rank
from checker.report.escape import xml_safe
from checker.rules import DECLARATION_RULES, FLEET_RULES
from checker.timeutil import format_utc

TOOL_NAME = "backup-drift"
FLEET_SUITE = f"{TOOL_NAME}.fleet"
SEPARATOR = " \u203a "
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass(frozen=True)
class _Case:
    """One test case before it becomes XML; `classname` and `name` are already XML-safe."""

    classname: str
    name: str
    findings: tuple[Finding, ...]
    error: str | None = None  # why its subject could not be checked
    not_judged: str | None = None  # why this rule was not applied to its subject
    mixed: bool = False  # findings of several subjects: each line names its own


@dataclass(frozen=True)
class _Suite:
    name: str
    properties: tuple[tuple[str, str], ...]
    cases: tuple[_Case, ...]


def render(report: Report) -> str:
    """The report as an indented JUnit XML document with a trailing newline."""
    root = _testsuites([_suite_element(suite, report) for suite in _suites(report)])
    ET.indent(root, space="  ")
    return _XML_DECLARATION + ET.tostring(root, encoding="unicode") + "\n"


# --------------------------------------------------------------------------- model


def _suites(report: Report) -> list[_Suite]:
    """A suite per declared schedule, then the fleet suite, with unique case names."""
    declared = [s for s in report.schedules if s.name is not None]
    findings = sorted(report.findings, key=lambda f: f.sort_key)
    claimed, orphans = _split(findings, {(s.index, s.name) for s in declared})
    suites = [_schedule_suite(s, claimed.get((s.index, s.name), [])) for s in declared]
    suites.append(_fleet_suite(report, orphans))
    return _deduplicated(suites)


def _split(
    findings: Iterable[Finding], declared: Set[tuple[str, str | None]]
) -> tuple[dict[tuple[str, str | None], list[Finding]], list[Finding]]:
    """Findings of a declaration rule by the declared (index, schedule) they belong to, and
    the rest.

    Fleet-rule findings are about the project rather than one declaration, even when an
    undeclared schedule shares a declared name, so they always stay in the fleet suite.
    """
    claimed: dict[tuple[str, str | None], list[Finding]] = {}
    rest: list[Finding] = []
    for finding in findings:
        key = (finding.index, finding.schedule)
        if key in declared and finding.rule not in FLEET_RULES:
            claimed.setdefault(key, []).append(finding)
        else:
            rest.append(finding)
    return claimed, rest


def _schedule_suite(result: ScheduleResult, findings: Sequence[Finding]) -> _Suite:
    classname = xml_safe(f"{TOOL_NAME}.{result.index}")
    label = result.name or ""
    error = (result.error or "could not be checked") if result.status == "unknown" else None
    cases = tuple(
        _Case(
            classname,
            xml_safe(f"{label}{SEPARATOR}{rule}"),
            group,
            error,
            _not_judged(result, rule),
        )
        for rule, group in _by_rule(findings, DECLARATION_RULES).items()
    )
    return _Suite(f"{classname}{SEPARATOR}{xml_safe(label)}", _schedule_properties(result), cases)


def _not_judged(result: ScheduleResult, rule: str) -> str | None:
    """Why a history rule did not look at this schedule, so that its case is not a false pass.

    A schedule declared disabled, or one that does not exist, never has its history read
    (`history_judged` is False); every rule that needs that history was then not applied.
    """
    needs = DECLARATION_RULES[rule].needs if rule in DECLARATION_RULES else frozenset()
    if result.history_judged or "history" not in needs:
        return None
    return "not judged: the schedule's history was not read (declared disabled, or no schedule)"


def _fleet_suite(report: Report, findings: Sequence[Finding]) -> _Suite:
    """Fleet rules, plus anything unclaimed; unreadable coverage rows make clean cases errors."""
    unread = [s for s in report.schedules if s.name is None and s.status == "unknown"]
    error = "; ".join(f"{s.index}: {s.error or 'could not be checked'}" for s in unread) or None
    cases = tuple(
        _Case(FLEET_SUITE, xml_safe(rule), group, error=error, mixed=True)
        for rule, group in _by_rule(findings, FLEET_RULES).items()
    )
    return _Suite(FLEET_SUITE, _run_properties(report), cases)


def _by_rule(
    findings: Iterable[Finding], catalogue: Mapping[str, object]
) -> dict[str, tuple[Finding, ...]]:
    """Findings grouped by rule: every catalogue rule in catalogue order, then any other rule.

    A rule outside the catalogue should not occur, but if it does its findings still get a case
    of their own rather than silently vanishing from the report.
    """
    groups: dict[str, list[Finding]] = {rule: [] for rule in catalogue}
    extra = sorted({f.rule for f in findings} - set(catalogue))
    groups.update({rule: [] for rule in extra})
    for finding in findings:
        groups[finding.rule].append(finding)
    return {rule: tuple(group) for rule, group in groups.items()}


def _deduplicated(suites: Sequence[_Suite]) -> list[_Suite]:
    """Suites whose (classname, name) pairs are unique across the whole document.

    Dashboards key test history on that pair, so two schedules whose names become equal once
    made XML-safe must not merge; the later one gets a ` (2)` suffix.
    """
    seen: set[tuple[str, str]] = set()
    return [replace(s, cases=tuple(_unique(case, seen) for case in s.cases)) for s in suites]


def _unique(case: _Case, seen: set[tuple[str, str]]) -> _Case:
    name, count = case.name, 1
    while (case.classname, name) in seen:
        count += 1
        name = f"{case.name} ({count})"
    seen.add((case.classname, name))
    return replace(case, name=name)


# --------------------------------------------------------------------------- properties


def _schedule_properties(result: ScheduleResult) -> tuple[tuple[str, str], ...]:
    """The schedule's facts; absent ones are left out (a property's value is required)."""
    facts = {
        "index": result.index,
        "schedule": result.name,
        "schedule_id": result.schedule_id,
        "status": result.status,
        "last_success": format_utc(result.last_success) if result.last_success else None,
        "error": result.error,
        "location": _where(result.location) if result.location else None,
    }
    return tuple((key, value) for key, value in facts.items() if value is not None)


def _run_properties(report: Report) -> tuple[tuple[str, str], ...]:
    facts = [
        ("spec", report.spec),
        ("now", format_utc(report.now)),
        ("fail_on", report.fail_on),
        ("exit_code", str(report.exit_code)),
    ]
    if report.coverage is not None:
        facts.append(("coverage.schedulable", str(len(report.coverage.schedulable))))
        facts.append(("coverage.covered", str(len(report.coverage.covered))))
    return tuple(facts)


def _where(location: Location) -> str:
    return f"{location.file}:{location.line}:{location.column}"


# --------------------------------------------------------------------------- XML


def _testsuites(suites: Sequence[ET.Element]) -> ET.Element:
    root = ET.Element("testsuites", {"name": TOOL_NAME, **_totals(suites)})
    root.extend(suites)
    return root


def _totals(suites: Sequence[ET.Element]) -> dict[str, str]:
    """Sums of the suites' counters, the attributes `<testsuites>` may carry."""
    return {
        key: str(sum(int(suite.get(key, "0")) for suite in suites))
        for key in ("tests", "failures", "errors")
    }


def _suite_element(suite: _Suite, report: Report) -> ET.Element:
    cases = [_case_element(case) for case in suite.cases]
    element = ET.Element("testsuite", {"name": suite.name, **_counts(cases)})
    element.set("timestamp", format_utc(report.now))
    element.append(_properties_element(suite.properties))
    element.extend(cases)
    return element


def _counts(cases: Sequence[ET.Element]) -> dict[str, str]:
    """The required `tests`/`failures`/`errors` counters, and `skipped`."""
    outcomes = [child.tag for case in cases for child in case]
    return {
        "tests": str(len(cases)),
        "failures": str(outcomes.count("failure")),
        "errors": str(outcomes.count("error")),
        "skipped": str(outcomes.count("skipped")),
    }


def _properties_element(properties: Iterable[tuple[str, str]]) -> ET.Element:
    element = ET.Element("properties")
    for name, value in properties:
        ET.SubElement(element, "property", {"name": xml_safe(name), "value": xml_safe(value)})
    return element


def _case_element(case: _Case) -> ET.Element:
    element = ET.Element("testcase", {"classname": case.classname, "name": case.name})
    outcome = _outcome(case)
    if outcome is not None:
        element.append(outcome)
    return element


def _outcome(case: _Case) -> ET.Element | None:
    """Failure or waiver first (a rule that found something did run), then error, then skip."""
    active = [f for f in case.findings if not _accepted(f)]
    if active:
        return _failure(active, case)
    if case.findings:
        return _skipped(case)
    if case.error is not None:
        return _outcome_element("error", "unknown", case.error, None)
    if case.not_judged is not None:
        return ET.Element("skipped", {"message": case.not_judged})
    return None


def _failure(active: Sequence[Finding], case: _Case) -> ET.Element:
    worst = min((f.severity for f in active), key=severity_rank)
    return _outcome_element("failure", worst, active[0].message, _finding_lines(case))


def _accepted(finding: Finding) -> bool:
    """Waived, or already in the `--baseline` report: shown, but no longer a failure."""
    return finding.waived or finding.baseline == "known"


def _skipped(case: _Case) -> ET.Element:
    """All findings accepted: the message names every waiver reason, or the baseline."""
    reasons = dict.fromkeys(_acceptance(f) for f in case.findings)
    element = ET.Element("skipped", {"message": xml_safe("; ".join(reasons))})
    element.text = xml_safe(_finding_lines(case))
    return element


def _outcome_element(tag: str, kind: str, message: str, body: str | None) -> ET.Element:
    """An outcome whose body, when given, lists the findings (an error's message says it all)."""
    element = ET.Element(tag, {"type": xml_safe(kind), "message": xml_safe(message)})
    element.text = xml_safe(body) if body is not None else None
    return element


def _finding_lines(case: _Case) -> str:
    return "\n".join(_finding_line(f, case.mixed) for f in case.findings)


def _subject(finding: Finding) -> str:
    schedule = f" / {finding.schedule}" if finding.schedule is not None else ""
    return f"{finding.index}{schedule}: "


def _acceptance(finding: Finding) -> str:
    if finding.waived:
        return f"waived: {finding.waiver_reason or 'no reason given'}"
    return "known: in the baseline"


def _finding_line(finding: Finding, with_subject: bool) -> str:
    """`severity at [subject: ]message [waived: reason] (file:line:column)`, like the text
    report; the subject (index / schedule) only where one case holds several."""
    when = format_utc(finding.at) if finding.at is not None else "-"
    line = f"{finding.severity} {when} {_subject(finding) if with_subject else ''}{finding.message}"
    if _accepted(finding):
        line += f" [{_acceptance(finding)}]"
    if finding.location is not None:
        line += f" ({_where(finding.location)})"
    return line
