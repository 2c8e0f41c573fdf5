"""The GitHub annotation and Markdown step-summary formats, and their escapers.

The GitHub output is read back with `parse_command`, a copy of how the Actions runner parses a
workflow command, so the tests check what GitHub itself would see. Golden files in
tests/golden/ pin the exact output; rewrite them with `UPDATE_GOLDEN=1 pytest` and read the
diff before committing it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.model import (
    SEVERITIES,
    CoverageSummary,
    Finding,
    Location,
    Report,
    Severity,
    severity_rank,
)
from checker.report import github, markdown
from checker.report.escape import (
    ELLIPSIS,
    MAX_CHARS,
    github_data,
    github_property,
    markdown_text,
    terminal_safe,
)
from checker.report.text import render_text
from tests.report_fixtures import (
    FIXTURES,
    HOSTILE_INDEX,
    HOSTILE_LONG,
    HOSTILE_MESSAGE,
    HOSTILE_NAME,
    assert_golden,
    at,
    basic,
    clean,
    empty,
    hostile,
    report,
)

FIXTURE_NAMES = sorted(FIXTURES)
UNSAFE_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}

# --------------------------------------------------------------------------- helpers


RUNNER_COMMANDS = frozenset(
    {
        "error", "warning", "notice", "debug", "group", "endgroup", "echo",
        "set-output", "set-env", "add-path", "add-mask", "save-state",
        "stop-commands", "add-matcher", "remove-matcher",
    }
)  # fmt: skip
DATA_ESCAPES = (("%0D", "\r"), ("%0A", "\n"), ("%25", "%"))
PROPERTY_ESCAPES = (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%"))


@dataclass(frozen=True)
class Command:
    name: str
    data: str
    properties: dict[str, str] = field(default_factory=dict)


def unescape(text: str, escapes: tuple[tuple[str, str], ...]) -> str:
    """The runner's un-escaping: one `Replace` per mapping, in its order, `%25` last."""
    for escaped, raw in escapes:
        text = text.replace(escaped, raw)
    return text


def parse_command(line: str) -> Command | None:
    """A line as the Actions runner's `ActionCommand.TryParseV2` reads it, or None.

    Leading whitespace is ignored, the command info ends at the first `::` after the opening
    one, properties are split on `,` and then on the first `=`, empty pieces are skipped.
    """
    message = line.lstrip()
    if not message.startswith("::"):
        return None
    end = message.find("::", 2)
    if end < 0:
        return None
    name, _, properties = message[2:end].partition(" ")
    if name not in RUNNER_COMMANDS:
        return None
    parsed: dict[str, str] = {}
    for piece in properties.strip().split(","):
        key, _, value = piece.partition("=")
        if key and value:
            parsed[key] = unescape(value, PROPERTY_ESCAPES)
    return Command(name, unescape(message[end + 2 :], DATA_ESCAPES), parsed)


def commands(output: str) -> list[Command]:
    """Every line of `output` that the runner would take for a command."""
    return [c for c in map(parse_command, output.splitlines()) if c is not None]


def inert(s: str, limit: int = MAX_CHARS) -> str:
    """What an annotation may show of `s`: no unsafe character but CR/LF, tab as a space."""
    kept = "".join(
        " " if c == "\t" else c
        for c in s
        if c in "\r\n\t" or unicodedata.category(c) not in UNSAFE_CATEGORIES
    )
    return kept if len(kept) <= limit else kept[: limit - len(ELLIPSIS)] + ELLIPSIS


def finding(severity: Severity, n: int, **kw: object) -> Finding:
    """The n-th numbered finding of a schedule, distinct by its time and message."""
    return Finding(
        "gap", severity, "orders-prod", "nightly", None, at(1 + n % 28, n % 24), f"{severity} {n}",
        **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def many(errors: int = 0, warnings: int = 0, notices: int = 0) -> Report:
    counts: dict[Severity, int] = {"error": errors, "warning": warnings, "notice": notices}
    found = [finding(level, n) for level in SEVERITIES for n in range(counts[level])]
    return report([], found, exit_code=1 if found else 0)


def annotation_levels(output: str) -> list[str]:
    return [c.name for c in commands(output) if "file" in c.properties]


def gfm_cells(row: str) -> list[str]:
    """A table row split as GitHub's table extension does: `\\|` is content, not a border."""
    cells: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(row):
        if row[i] == "\\" and row[i + 1 : i + 2] == "|":
            current.append("\\|")
            i += 2
            continue
        if row[i] == "|":
            cells.append("".join(current))
            current = []
        else:
            current.append(row[i])
        i += 1
    cells.append("".join(current))
    return cells[1:-1]  # outside the leading and trailing border


def tables(md: str) -> list[list[str]]:
    """Runs of consecutive lines that start with `|`."""
    found: list[list[str]] = []
    run: list[str] = []
    for line in [*md.splitlines(), ""]:
        if line.startswith("|"):
            run.append(line)
        elif run:
            found.append(run)
            run = []
    return found


def assert_well_formed(md: str) -> None:
    """Every table row has its header's cell count, and `<details>` blocks are balanced."""
    assert md.endswith("\n")
    for table in tables(md):
        width = len(gfm_cells(table[0]))
        assert table[1] == "| " + " | ".join(["---"] * width) + " |"
        assert [len(gfm_cells(row)) for row in table] == [width] * len(table), table
    opened = 0
    for line in md.splitlines():
        if line.startswith("<details>"):
            assert opened == 0
            assert re.fullmatch(r"<details><summary>[^<>]*</summary>", line)
            opened += 1
        elif line == "</details>":
            assert opened == 1
            opened -= 1
    assert opened == 0


FINDING_ROW = re.compile(r"^\| (error|warning|notice) \|", re.MULTILINE)
OMITTED = re.compile(r"\*\*(\d+) more findings? not shown\*\*")


def shown_and_omitted(md: str) -> tuple[int, int]:
    match = OMITTED.search(md)
    return len(FINDING_ROW.findall(md)), int(match.group(1)) if match else 0


def unmarkdown(text: str) -> str:
    """Undo `markdown_text`'s escapes (backslash pairs and the three entities) in one pass."""
    entities = {"lt": "<", "gt": ">", "amp": "&"}
    return re.sub(
        r"\\(.)|&(lt|gt|amp);", lambda m: m.group(1) or entities[m.group(2)], text, flags=re.S
    )


# --------------------------------------------------------------------------- golden files


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_github_matches_golden(name: str) -> None:
    assert_golden(f"report_{name}.github", github.render(FIXTURES[name]()))


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_markdown_matches_golden(name: str) -> None:
    assert_golden(f"report_{name}.md", markdown.render(FIXTURES[name]()))


# --------------------------------------------------------------------------- GitHub: safety


def test_hostile_report_starts_no_line_with_a_command_but_its_annotations() -> None:
    output = github.render(hostile())
    starts = [line for line in output.splitlines() if line.lstrip().startswith("::")]
    assert len(starts) == len(github.annotations_for(hostile())) == 3
    assert [parse_command(line) is not None for line in starts] == [True] * 3
    assert {c.name for c in commands(output)} == {"error"}


def test_hostile_annotations_read_back_as_the_inert_original_strings() -> None:
    parsed = commands(github.render(hostile()))
    failed_run = parsed[1]
    assert failed_run.data == inert(HOSTILE_MESSAGE)
    assert failed_run.properties["title"] == inert(
        f"backup-drift: failed-run ({HOSTILE_INDEX} / {HOSTILE_NAME})"
    )
    assert failed_run.properties["file"] == inert("spec\x1b]0;title\x07\n.yaml")
    assert (failed_run.properties["line"], failed_run.properties["col"]) == ("1", "1")


def test_injected_newlines_and_percent_escapes_stay_inside_the_data() -> None:
    data = commands(github.render(hostile()))[1].data
    assert "\n::error::pwned" not in data  # the literal "%0A" came back as "%0A", not a newline
    assert "%0A::error::pwned" in data
    assert data.startswith("line1\nline2")  # a real newline is kept, escaped on the line


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_github_output_holds_no_raw_cr_esc_or_other_unsafe_character(name: str) -> None:
    output = github.render(FIXTURES[name]())
    unsafe = {c for c in output if c != "\n" and unicodedata.category(c) in UNSAFE_CATEGORIES}
    assert unsafe == set()
    assert output.splitlines() == output.split("\n")[:-1]  # no other line terminator either


def test_legacy_command_syntax_cannot_hide_in_an_annotation() -> None:
    sneaky = Finding("gap", "error", "i", "##[set-output name=x;]y", None, None, "##[error]z")
    output = github.render(report([], [sneaky], exit_code=1))
    carriers = [line for line in output.splitlines() if "##[" in line]
    assert carriers
    assert all(parse_command(line) is not None for line in carriers)  # parsed as V2, never V1


@settings(max_examples=200, deadline=None)
@given(index=st.text(), name=st.text(), message=st.text(), file=st.text())
def test_any_strings_round_trip_and_forge_nothing(
    index: str, name: str, message: str, file: str
) -> None:
    found = Finding(
        "gap", "warning", index, name, None, None, message, location=Location(file, 7, 3)
    )
    output = github.render(report([], [found], exit_code=1))
    [annotation] = commands(output)
    assert annotation.name == "warning"
    assert annotation.data == inert(message)
    title = inert(f"backup-drift: gap ({index} / {name})")
    expected = {"line": "7", "col": "3", "title": title}
    if inert(file):  # an empty property is left out; the runner would ignore it
        expected["file"] = inert(file)
    assert annotation.properties == expected


# --------------------------------------------------------------------------- GitHub: content


def test_annotations_come_highest_severity_first() -> None:
    levels = annotation_levels(github.render(basic()))
    assert levels == ["error"] * 6 + ["warning"] * 3 + ["notice"]
    shuffled = many(errors=2, warnings=2, notices=2)
    reversed_report = report([], reversed(shuffled.findings), exit_code=1)
    levels = annotation_levels(github.render(reversed_report))
    assert levels == sorted(levels, key=lambda level: severity_rank(level))  # type: ignore[arg-type]


def test_order_within_a_level_is_the_report_order() -> None:
    output = github.render(basic())
    errors = [c.properties["title"] for c in commands(output) if c.name == "error"]
    assert errors[2:] == [
        "backup-drift: index-uncovered (billing-prod)",
        "backup-drift: retention-drift (orders-prod / nightly)",
        "backup-drift: missed-run (orders-prod / nightly)",
        "backup-drift: failed-run (orders-prod / nightly)",
    ]


def test_unknown_schedules_lead_as_errors_saying_why() -> None:
    first, second = commands(github.render(basic()))[:2]
    assert first.name == second.name == "error"
    assert first.properties["title"] == "backup-drift: could not check (users-prod / weekly)"
    assert first.properties["line"] == "34"
    assert first.data.endswith("could not be read: HTTP 503 after 4 attempts")
    assert "UNKNOWN" in first.data
    assert second.properties["title"] == "backup-drift: could not check (search-prod)"
    assert (second.properties["file"], second.properties["line"]) == ("schedules.yaml", "1")


@pytest.mark.parametrize(
    ("title", "where"),
    [
        ("backup-drift: retention-drift (orders-prod / nightly)", ("24", "26")),  # its own
        ("backup-drift: missed-run (orders-prod / nightly)", ("20", "5")),  # its declaration's
        ("backup-drift: schedule-unmanaged (products-prod / adhoc-weekly)", ("1", "1")),  # none
    ],
)
def test_annotation_anchors_at_the_best_known_spec_line(title: str, where: tuple[str, str]) -> None:
    [found] = [c for c in commands(github.render(basic())) if c.properties["title"] == title]
    assert found.properties["file"] == "schedules.yaml"
    assert (found.properties["line"], found.properties["col"]) == where


def test_waived_findings_are_not_annotated_but_counted_last() -> None:
    output = github.render(basic())
    assert "2026-04-21T06:00:00Z" not in output  # the waived missed-run
    assert output.splitlines()[-1].startswith("1 waived finding not annotated")


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_plain_lines_are_the_text_reports_tally_then_the_waived_count(name: str) -> None:
    fixture = FIXTURES[name]()
    plain = [line for line in github.render(fixture).splitlines() if not line.startswith("::")]
    tally_lines = 2 if fixture.exit_code == 3 else 1
    expected = render_text(fixture).splitlines()[-tally_lines:]
    if fixture.summary.waived:
        expected.append(
            f"{fixture.summary.waived} waived finding not annotated (waived findings "
            "do not fail the build; the text, JSON and Markdown reports list them "
            "with their reasons)"
        )
    assert plain == expected


def test_clean_run_prints_only_the_tally() -> None:
    assert github.render(clean()) == (
        "2 schedules: 2 pass, 0 fail, 0 unknown · 0 errors, 0 warnings, 0 notices, 0 waived "
        "· exit 0\n"
    )


def test_each_level_is_capped_at_ten_and_a_closing_notice_counts_the_rest() -> None:
    output = github.render(many(errors=15, warnings=12, notices=3))
    parsed = commands(output)
    levels = [c.name for c in parsed]
    assert levels.count("error") == 10
    assert levels.count("warning") == 10
    assert levels.count("notice") == 3 + 1
    closing = parsed[-1]
    assert closing.name == "notice"
    assert closing.data.startswith("7 more annotations not shown (5 errors, 2 warnings)")


def test_overflowing_notices_leave_room_for_the_closing_notice() -> None:
    parsed = commands(github.render(many(notices=11)))
    assert len(parsed) == 10  # all GitHub will show, the closing notice among them
    assert parsed[-1].data.startswith("2 more annotations not shown (2 notices)")


def test_the_closing_notice_takes_a_notice_slot_when_others_overflow() -> None:
    parsed = commands(github.render(many(errors=11, notices=10)))
    assert [c.name for c in parsed].count("notice") == 10
    assert parsed[-1].data.startswith("2 more annotations not shown (1 error, 1 notice)")


def test_ten_of_each_level_fit_without_a_closing_notice() -> None:
    parsed = commands(github.render(many(errors=10, warnings=10, notices=10)))
    assert len(parsed) == 30
    assert all("file" in c.properties for c in parsed)


def test_the_kept_annotations_are_the_first_of_each_level() -> None:
    parsed = commands(github.render(many(errors=12)))
    kept = [c.data for c in parsed if c.name == "error"]
    expected = [f.message for f in sorted(many(errors=12).findings, key=lambda f: f.sort_key)]
    assert kept == expected[:10]


# --------------------------------------------------------------------------- GitHub: escapers


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("%", "%25", "%25"),
        ("\r", "%0D", "%0D"),
        ("\n", "%0A", "%0A"),
        (":", ":", "%3A"),
        (",", ",", "%2C"),
        ("%0A", "%250A", "%250A"),
        ("\x1b[1m", "[1m", "[1m"),
        ("\t", " ", " "),
        ("\x00\x7f\x9b\u202e\u200b\u2028\u2029\ud800", "", ""),
        ("é 日本 | <b> = ; ]", "é 日本 | <b> = ; ]", "é 日本 | <b> = ; ]"),
    ],
)
def test_github_escapers(raw: str, data: str, prop: str) -> None:
    assert github_data(f"a{raw}b") == f"a{data}b"
    assert github_property(f"a{raw}b") == f"a{prop}b"


def test_github_escapers_cut_long_values_before_escaping() -> None:
    assert github_data("x" * MAX_CHARS) == "x" * MAX_CHARS
    assert github_data("x" * 5000) == "x" * (MAX_CHARS - 1) + ELLIPSIS
    assert github_property("%" * 5000) == "%25" * (MAX_CHARS - 1) + ELLIPSIS
    assert github_data("\x1b" * 5000 + "ok") == "ok"  # dropped characters take no room


# --------------------------------------------------------------------------- Markdown: safety


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_markdown_tables_keep_their_shape_and_details_balance(name: str) -> None:
    assert_well_formed(markdown.render(FIXTURES[name]()))


def test_hostile_pipes_cannot_add_table_cells() -> None:
    md = markdown.render(hostile())
    [row] = [line for line in md.splitlines() if line.startswith("| error | failed\\-run")]
    cells = gfm_cells(row)
    assert len(cells) == 4
    assert "pwned \\| a \\| b \\|" in cells[3]


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_markdown_holds_no_raw_html_but_its_own_details(name: str) -> None:
    md = markdown.render(FIXTURES[name]())
    ours = re.sub(r"</?(details|summary)>", "", md)
    assert "<" not in ours
    assert ">" not in ours


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_markdown_echoed_into_a_ci_log_starts_no_workflow_command(name: str) -> None:
    md = markdown.render(FIXTURES[name]())
    assert commands(md) == []
    assert "##[" not in md


def test_hostile_html_is_shown_as_text() -> None:
    md = markdown.render(hostile())
    assert "&lt;script&gt;alert\\(1\\)&lt;/script&gt;" in md
    assert "\\]\\]&gt;" in md
    assert "&lt;b&gt;\\|" in md


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_markdown_holds_no_raw_control_or_invisible_character(name: str) -> None:
    md = markdown.render(FIXTURES[name]())
    assert {c for c in md if c != "\n" and unicodedata.category(c) in UNSAFE_CATEGORIES} == set()


def test_markdown_truncates_absurdly_long_strings() -> None:
    md = markdown.render(hostile())
    assert HOSTILE_LONG[:MAX_CHARS] not in md
    assert "TAIL-MARK" not in md
    assert max(len(line) for line in md.splitlines()) < 4 * MAX_CHARS


@pytest.mark.parametrize("char", list("\\`*_{}[]()#+-.!|~$@"))
def test_markdown_text_escapes_every_syntax_character(char: str) -> None:
    assert markdown_text(f"a{char}b") == f"a\\{char}b"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("&", "&amp;"),
        ("<", "&lt;"),
        (">", "&gt;"),
        ("&lt;", "&amp;lt;"),
        ("\n", "\\\\n"),
        ("\x1b", "\\\\x1b"),
        ("é 日本 = : ; %", "é 日本 = : ; %"),
    ],
)
def test_markdown_text_makes_html_and_controls_inert(raw: str, shown: str) -> None:
    assert markdown_text(f"a{raw}b") == f"a{shown}b"


@given(st.text())
def test_markdown_text_reads_back_as_the_terminal_text(text: str) -> None:
    shown = markdown_text(text)
    assert unmarkdown(shown) == terminal_safe(text)
    bare = re.sub(r"\\.|&(lt|gt|amp);", "", shown)
    assert not set(bare) & set("\\`*_{}[]()#+-.!|~$@&<>\n\r")


# --------------------------------------------------------------------------- Markdown: content


@pytest.mark.parametrize(
    ("fixture", "headline"),
    [
        (basic(), "## ⚠️ backup-drift: could not check 2 schedules (exit 3)"),
        (many(errors=6, warnings=1), "## ❌ backup-drift: 6 errors, 1 warning"),
        (clean(), "## ✅ backup-drift: all 2 schedules pass"),
        (empty(), "## ✅ backup-drift: pass (no schedules to check)"),
        (
            report([], [finding("warning", 1)], exit_code=0),
            "## ✅ backup-drift: pass with 1 warning (below --fail-on error)",
        ),
    ],
)
def test_headline_gives_the_verdict(fixture: Report, headline: str) -> None:
    assert markdown.render(fixture).splitlines()[0] == headline


def test_schedule_table_shows_status_identity_last_backup_and_error() -> None:
    md = markdown.render(basic())
    assert "| ✅ PASS | products\\-prod | nightly | 2026-04-30T06:00:03Z |  |" in md
    assert "| ⚠️ UNKNOWN | search\\-prod | — | unknown | schedules of index search\\-prod" in md


def test_findings_are_grouped_per_schedule_with_times() -> None:
    md = markdown.render(basic())
    orders = md.split("#### orders\\-prod / nightly\n")[1].split("####")[0]
    assert "| error | missed\\-run | 2026-04-27T06:00:00Z | no backup ran" in orders
    assert "| error | retention\\-drift | — | retention" in orders
    others = md.split("#### Other findings\n")[1]
    assert "| error | index\\-uncovered | — | billing\\-prod: index billing\\-prod" in others


def test_waived_findings_are_folded_in_details_with_their_reason() -> None:
    md = markdown.render(basic())
    folded = md.split("<details>")[1].split("</details>")[0]
    assert folded.startswith("<summary>1 waived finding (they do not fail the build)</summary>")
    assert "2026-04-21T06:00:00Z" in folded
    assert "INC\\-4521 us\\-east\\-1 outage |" in folded
    assert md.count("2026-04-21T06:00:00Z") == 1


def test_coverage_and_unused_waivers_are_shown() -> None:
    md = markdown.render(basic())
    assert "**Coverage:** 3 of 5 schedulable indexes have a declared, enabled schedule; " in md
    assert "not covered: billing\\-prod, search\\-prod" in md
    assert "| schedules\\.yaml:16:9 | products\\-prod / nightly | stale | CHG\\-118" in md


def test_a_long_uncovered_list_is_cut_with_a_count() -> None:
    names = tuple(f"idx-{n:03d}" for n in range(120))
    fixture = report([], [], exit_code=0, coverage=CoverageSummary(names, ()))
    md = markdown.render(fixture)
    assert "idx\\-049 and 70 more" in md
    assert "idx\\-050" not in md


def test_markdown_ends_with_the_text_reports_tally() -> None:
    md = markdown.render(basic())
    tally, incomplete = render_text(basic()).splitlines()[-2:]
    assert md.endswith(f"{tally}\n\n{incomplete}\n")


# --------------------------------------------------------------------------- Markdown: size


def test_nothing_is_omitted_when_the_report_fits() -> None:
    md = markdown.render(basic())
    assert shown_and_omitted(md) == (len(basic().findings), 0)


def test_every_budget_keeps_structure_and_counts_what_it_omits() -> None:
    full = len(markdown.render(basic()).encode("utf-8"))
    smallest = len(markdown.render_limited(basic(), 0).encode("utf-8"))
    for budget in range(smallest, full + 1, 37):
        md = markdown.render_limited(basic(), budget)
        assert len(md.encode("utf-8")) <= budget
        assert_well_formed(md)
        shown, omitted = shown_and_omitted(md)
        if "too large" not in md:
            assert shown + omitted == len(basic().findings)


def test_a_small_budget_drops_rows_from_the_end() -> None:
    full = markdown.render(basic())
    md = markdown.render_limited(basic(), len(full.encode("utf-8")) - 400)
    assert shown_and_omitted(md) == (6, 3)
    assert "**3 more findings not shown**" in md
    assert "#### Other findings" not in md
    assert md.endswith(full.split("**Coverage:**")[1])  # coverage and tally stay whole


def test_a_budget_too_small_for_any_table_keeps_the_verdict() -> None:
    md = markdown.render_limited(basic(), 800)
    assert len(md.encode("utf-8")) <= 800
    assert md.startswith("## ⚠️ backup-drift: could not check 2 schedules (exit 3)\n")
    assert "too large for GitHub's 1 MiB step-summary limit" in md
    assert "|" not in md


def test_fifty_thousand_findings_stay_under_one_mebibyte() -> None:
    found = [
        Finding(
            "missed-run",
            "error" if n % 3 else "warning",
            f"index-{n % 50:02d}",
            "nightly",
            None,
            at(1 + n % 28, n % 24),
            f"no backup ran for slot {n} | <i>planned</i> at 2026-04-{1 + n % 28:02d}",
            waived=n % 11 == 0,
            waiver_reason="INC-1",
        )
        for n in range(50_000)
    ]
    md = markdown.render(report([], found, exit_code=1))
    assert len(md.encode("utf-8")) <= markdown.BUDGET_BYTES < 1024 * 1024
    assert_well_formed(md)
    shown, omitted = shown_and_omitted(md)
    assert shown > 1000
    assert shown + omitted == 50_000
