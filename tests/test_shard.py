"""`check --shard K/N` and `merge`: shards split the work, merged they equal the whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.errors import UsageError
from checker.shard import Shard, parse_shard
from tests.builders import declaration
from tests.test_cli import EXAMPLE, NOW, SPEC, run


@pytest.mark.parametrize("count", [1, 2, 3, 5])
def test_every_declaration_lands_in_exactly_one_shard(count: int) -> None:
    decls = [declaration(index=f"idx-{i}", name=f"s{i % 3}") for i in range(60)]
    for decl in decls:
        owners = [k for k in range(1, count + 1) if Shard(k, count).selects(decl)]
        assert len(owners) == 1


def test_shards_are_stable_and_spread() -> None:
    decls = [declaration(index=f"idx-{i}") for i in range(200)]
    sizes = [sum(Shard(k, 4).selects(d) for d in decls) for k in range(1, 5)]
    assert sum(sizes) == 200
    assert min(sizes) > 25  # not all in one bucket
    assert Shard(2, 4).selects(decls[7]) == Shard(2, 4).selects(declaration(index="idx-7"))


@pytest.mark.parametrize("text", ["0/3", "4/3", "1/0", "a/b", "1", "1/999"])
def test_bad_shard_specs_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError, match="--shard"):
        parse_shard(text)


@pytest.mark.parametrize("count", [2, 3, 4])
def test_merged_shards_equal_the_unsharded_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, count: int
) -> None:
    base = ("check", SPEC, "--snapshot", EXAMPLE, "--now", NOW, "-f", "json")
    whole_code, whole, _ = run(capsys, *base)
    paths = []
    for k in range(1, count + 1):
        path = tmp_path / f"shard{k}.json"
        run(capsys, *base, "--shard", f"{k}/{count}", "-o", str(path))
        paths.append(str(path))
    code, merged, _ = run(capsys, "merge", *paths, "-f", "json")
    assert merged == whole
    assert code == whole_code == 1


def test_only_shard_one_runs_the_fleet_rules(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    base = ("check", SPEC, "--snapshot", EXAMPLE, "--now", NOW, "-f", "json")
    fleet_rules = {'"schedule-unmanaged"', '"index-uncovered"'}
    first, second = (run(capsys, *base, "--shard", f"{k}/2")[1] for k in (1, 2))
    assert all(rule in first for rule in fleet_rules)
    assert not any(rule in second for rule in fleet_rules)
    assert '"coverage": null' in second


def test_merge_refuses_reports_of_different_runs_or_overlaps(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    base = ("check", SPEC, "--snapshot", EXAMPLE, "-f", "json")
    early, late = tmp_path / "a.json", tmp_path / "b.json"
    run(capsys, *base, "--now", NOW, "-o", str(early))
    run(capsys, *base, "--now", "2026-05-01T00:00:00Z", "-o", str(late))
    code, _, err = run(capsys, "merge", str(early), str(late))
    assert code == 2
    assert "different runs" in err
    code, _, err = run(capsys, "merge", str(early), str(early))
    assert code == 2
    assert "two reports" in err
    (tmp_path / "x.json").write_text('{"format_version": 1}')
    code, _, err = run(capsys, "merge", str(tmp_path / "x.json"))
    assert code == 2
    assert "not a backup-drift JSON report" in err
