"""Which indexes the spec speaks for: the declared ones and those its coverage globs match."""

from collections.abc import Mapping
from fnmatch import fnmatchcase

from checker.model import Index, Spec


def covered_indexes(spec: Spec, indexes: Mapping[str, Index]) -> set[str]:
    """Schedulable indexes matching a glob of `coverage.indexes` (pod indexes never do)."""
    if spec.coverage is None:
        return set()
    globs = spec.coverage.indexes
    return {
        name
        for name, index in indexes.items()
        if index.schedulable and any(fnmatchcase(name, g) for g in globs)
    }


def relevant_indexes(spec: Spec, indexes: Mapping[str, Index]) -> set[str]:
    """Indexes whose schedules the spec must account for."""
    declared = {decl.index for decl in spec.schedules if decl.index in indexes}
    return declared | covered_indexes(spec, indexes)
