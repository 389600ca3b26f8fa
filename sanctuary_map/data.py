"""One typed entry point for everything a page, an export, the CLI, a test or a benchmark needs.

``load_map_data(policies, geodata)`` reads the policy table (or takes an already validated
one, e.g. an upload), the boundary index, the related tables, and joins them: the same
chain everywhere, so what a user sees is what they download.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import settings as paths
from .agreements import AgreementTable
from .boundaries import Boundaries, GeodataError, load_boundaries
from .designations import DesignationTable
from .join import JoinResult, join
from .keep import Kept
from .litigation import load_litigation
from .policies import PolicyTable, Problem, load_policies

SELECTIONS_KEPT = 64  # views of one dataset kept computed (each a few MB at most)


@dataclass
class MapData:
    table: PolicyTable
    boundaries: Boundaries | None
    boundary_error: str | None
    joined: JoinResult | None
    litigation: pd.DataFrame
    version: str  # a short content hash of the tables: cite it with the as-of date
    problems: list[Problem] = field(default_factory=list)  # problems in the related tables
    agreements: AgreementTable | None = None  # 287(g) agreements, when loaded
    designations: DesignationTable | None = None  # federal lists, when loaded
    searched: pd.DataFrame | None = None  # search records: "researched, none found" (data/searched.csv)
    # Selections of this data by view (see selection.select): computed once per view, the last SELECTIONS_KEPT.
    selections: Kept = field(default_factory=lambda: Kept(SELECTIONS_KEPT), repr=False, compare=False)

    @property
    def policies(self) -> pd.DataFrame:
        return self.table.rows

    @property
    def matched(self) -> pd.DataFrame:
        """Policy rows that join to a boundary (with the boundary's columns)."""
        if self.joined is None:
            return self.table.rows.iloc[0:0]
        return self.joined.matched


def dataset_version(*files: Path, extra: bytes = b"") -> str:
    h = hashlib.sha256(extra)
    for f in files:
        if Path(f).exists():
            h.update(Path(f).read_bytes())
    return h.hexdigest()[:10]


def load_boundaries_or_error(geodata: Path) -> tuple[Boundaries | None, str | None]:
    try:
        return load_boundaries(geodata), None
    except GeodataError as exc:
        return None, str(exc)


def load_map_data(policies: PolicyTable | Path | None = None, geodata: Path = paths.GEODATA_DIR, *,
                  boundaries: Boundaries | None = None, data_dir: Path = paths.DATA_DIR,
                  with_related: bool = True) -> MapData:
    """Read, validate and join everything; problems become messages, never exceptions."""
    table = policies if isinstance(policies, PolicyTable) else load_policies(policies or paths.POLICIES_CSV)
    error = None
    if boundaries is None:
        boundaries, error = load_boundaries_or_error(Path(geodata))
    joined = join(table.rows, boundaries) if boundaries is not None else None
    ids = set(table.rows["policy_id"])
    litigation, problems = load_litigation(Path(data_dir) / paths.LITIGATION_CSV.name, ids)
    version_files = [Path(policies or paths.POLICIES_CSV)] if not isinstance(policies, PolicyTable) else []
    extra = b"" if not isinstance(policies, PolicyTable) else table.rows.to_csv(index=False).encode()
    data = MapData(table, boundaries, error, joined, litigation,
                   dataset_version(*version_files, *sorted(Path(data_dir).glob("*.csv")), extra=extra), problems)
    if with_related:
        _load_related(data, Path(data_dir))
    return data


def _load_related(data: MapData, data_dir: Path) -> None:
    """287(g) agreements and federal designations, each joined to the same index."""
    from . import agreements, designations
    from .searched import load_searched

    data.designations = designations.load_for_map(data_dir / paths.DESIGNATIONS_CSV.name, data.boundaries, data.policies)
    data.agreements = agreements.load_for_map(data_dir / paths.AGREEMENTS_CSV.name, data.boundaries)
    data.searched, searched_problems = load_searched(data_dir / paths.SEARCHED_CSV.name)
    data.problems += data.designations.problems + data.agreements.problems + searched_problems
