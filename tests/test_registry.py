"""The rule and format registries are complete: documented, in the schema, in the README,
selectable from the CLI, and every rule has a passing and a failing case here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from checker import cli
from checker.evaluate import evaluate
from checker.model import Coverage, Index, Location, ProjectState, Report, Retention, Waiver
from checker.report import RENDERERS
from checker.rules import ALL_RULES
from checker.spec import rule_ids
from tests.builders import NOW, check, daily_runs, declaration, run, schedule, spec, t

ROOT = Path(__file__).resolve().parents[1]
GOOD = daily_runs("2026-03-20", "2026-04-30")
UPCOMING = run("2026-05-01T06:00", "Scheduled", scheduled_execution_at=t("2026-05-01T06:00"))


def _swap(day: str, status: str) -> list:  # type: ignore[type-arg]
    return [run(r.created_at, status) if f"{r.created_at:%m-%d}" == day else r for r in GOOD]


def _fleet(extra_schedule: bool, extra_index: bool) -> Report:
    coverage = Coverage(("prod-*",), "warning", Location("s.yaml", 2, 1))
    scheds = [schedule(), *([schedule(schedule_id="x", name="adhoc")] if extra_schedule else [])]
    indexes = {"products-prod": Index("products-prod", True)}
    if extra_index:
        indexes["prod-new"] = Index("prod-new", True)
    state = ProjectState(
        indexes,
        {"products-prod": tuple(scheds), "prod-new": ()},
        {"c688ed12-5a39-4254-9518-bd394b7f4886": (*GOOD, UPCOMING)},
        {"products-prod": frozenset(r.backup_id for r in GOOD[-7:])},
    )
    return evaluate(spec(declaration(), coverage=coverage), state, t(NOW))


def _base(**kw: object) -> Report:
    return check(declaration(**kw), schedule(), [*GOOD, UPCOMING], NOW)


Case = Callable[[], Report]
# rule id -> (a scene where it stays silent, a scene where it fires)
CASES: dict[str, tuple[Case, Case]] = {
    "index-missing": (_base, lambda: check(declaration(index="nope"), None, [], NOW)),
    "schedule-missing": (_base, lambda: _base(name="weekly")),
    "schedule-ambiguous": (
        _base,
        lambda: evaluate(
            spec(declaration()),
            ProjectState(
                {"products-prod": Index("products-prod", True)},
                {"products-prod": (schedule(), schedule(schedule_id="b"))},
                {},
                {},
            ),
            t(NOW),
        ),
    ),
    "frequency-drift": (
        _base,
        lambda: check(declaration(), schedule(frequency="weekly"), GOOD, NOW),
    ),
    "retention-drift": (_base, lambda: _base(retention=Retention(14))),
    "enabled-drift": (_base, lambda: check(declaration(), schedule(enabled=False), GOOD, NOW)),
    "missed-run": (_base, lambda: check(declaration(), schedule(), GOOD[:-3], NOW)),
    "failed-run": (_base, lambda: check(declaration(), schedule(), _swap("04-28", "Failed"), NOW)),
    "stuck-run": (_base, lambda: check(declaration(), schedule(), _swap("04-29", "Pending"), NOW)),
    "unknown-status": (_base, lambda: check(declaration(), schedule(), _swap("04-29", "Odd"), NOW)),
    "gap": (_base, lambda: check(declaration(), schedule(), _swap("04-28", "Failed"), NOW)),
    "stale": (_base, lambda: _base(max_age=timedelta(hours=1))),
    "scheduler-stalled": (
        _base,
        lambda: check(declaration(), schedule(next_scheduled_run=None), GOOD, NOW),
    ),
    "size-drop": (
        _base,
        lambda: check(
            declaration(),
            schedule(),
            [run("2026-04-29T06:00", record_count=100), run("2026-04-30T06:00", record_count=10)],
            NOW,
        ),
    ),
    "retention-short": (_base, lambda: _base(retention=Retention(7, min_ready=30))),
    "retention-overdue": (
        _base,
        lambda: check(declaration(), schedule(), GOOD, NOW, backups=[r.backup_id for r in GOOD]),
    ),
    "waiver-expired": (
        _base,
        lambda: _base(
            waivers=(Waiver("gap", "r", t("2026-01-01"), None, None, Location("s", 1, 1)),)
        ),
    ),
    "schedule-unmanaged": (lambda: _fleet(False, False), lambda: _fleet(True, False)),
    "index-uncovered": (lambda: _fleet(False, False), lambda: _fleet(False, True)),
}


def test_every_registered_rule_has_cases_and_no_case_is_orphaned() -> None:
    assert set(CASES) == set(ALL_RULES)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_passes_and_fails(rule: str) -> None:
    passing, failing = CASES[rule]
    assert [f for f in passing().findings if f.rule == rule] == []
    assert [f for f in failing().findings if f.rule == rule] != []


@pytest.mark.parametrize("rule", sorted(ALL_RULES))
def test_every_rule_is_documented_for_explain(rule: str) -> None:
    doc = ALL_RULES[rule].doc
    assert doc.startswith(f"{rule}: ")
    for section in ("What it checks", "Why it matters", "Parameters", "Passes", "Fails"):
        assert section in doc, f"{rule} docs lack {section!r}"


def test_the_schema_knows_exactly_the_registered_rules() -> None:
    assert sorted(rule_ids()) == sorted(ALL_RULES)


def test_the_readme_rule_table_is_the_registry() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("<!-- rules-table:start -->")[1].split("<!-- rules-table:end -->")[0]
    rows = table.strip().splitlines()[2:]
    expected = [f"| `{r.id}` | {r.default_severity} | {r.summary} |" for r in ALL_RULES.values()]
    assert rows == expected


def test_the_cli_offers_every_renderer() -> None:
    assert set(cli.FORMATS) == set(RENDERERS)


def test_explain_prints_each_rules_documentation(capsys: pytest.CaptureFixture[str]) -> None:
    for rule in ALL_RULES:
        with pytest.raises(SystemExit) as done:
            cli.main(["explain", rule])
        assert done.value.code == 0
        assert "Why it matters" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["explain"])
    catalogue = capsys.readouterr().out
    assert all(rule in catalogue for rule in ALL_RULES)
