"""ICE 287(g) agreements as data, with their history.

ICE publishes one spreadsheet of participating agencies (one row per agency and model) and
overwrites it; it has no identifiers and no history.  This package

* reads one published list — ICE's ``.xlsx`` or an archived CSV copy — into a
  :class:`Capture` (:func:`read_capture`), reporting bad rows as ``file:row: reason``;
* gives every agreement a stable key, normalised (state, agency name, model)
  (:func:`agreement_key`), tolerating case, punctuation, abbreviations and, when a new
  capture is matched against known agreements, typos (``rapidfuzz``);
* places each agency on the map (:func:`resolve`): a state, county or Census place GEOID
  from the boundary index, or ``unresolved`` with the reason — never dropped;
* keeps the committed table (:class:`AgreementTable`, :func:`load_agreements`,
  :func:`save_agreements`) and folds one capture into it (:func:`ingest`): first and last
  seen, ended agreements, changed names, models and signing dates (:class:`IngestReport`);
* runs the ``ingest-287g`` command (:func:`ingest_cli`), from a file or from ICE's site
  (:func:`fetch_capture`: timeout, size limit, content check), writing the tables atomically;
* serves the app: :func:`load_for_map`, :func:`active_on`, :func:`map_lookups`,
  :func:`for_jurisdiction` and :func:`ledger_rows`.

A *complete* capture is a whole ICE list: an agreement missing from it has ended.  A
*partial* capture (for example MOA files found in an archive, :func:`read_moa_archive`)
only adds sightings: it never ends anything.

Modules: ``schema`` (columns, vocabularies, capture types), ``parsing`` (ICE's files and the MOA
archive), ``names`` (keys, name similarity, ids), ``resolve`` (placing agencies on boundaries),
``table`` (load, validate, write), ``history`` (ingest, replay), ``views`` (what the app shows),
``fetch`` (ICE's list over HTTP) and ``command`` (``ingest-287g``).  Every public name is
importable from ``sanctuary_map.agreements`` itself.
"""
from __future__ import annotations

from .command import ingest_cli
from .fetch import FETCH_MAX_BYTES, FETCH_TIMEOUT, ICE_287G_URL, MIN_ROWS_RATIO, USER_AGENT, XLSX_MAGIC, Download, FetchError, fetch_capture
from .history import Change, IngestReport, ingest, replay
from .names import agreement_id, agreement_key, name_similarity, normalise_agency, same_agency
from .parsing import (
    Cell,
    date_from_name,
    moa_file_date,
    moa_file_model,
    normalise_model,
    parse_signed,
    read_capture,
    read_moa_archive,
    state_code,
    unwrap_url,
)
from .resolve import Resolution, agency_kind, counties_in_name, load_fbi_directory, match_county, place_names, postal_directory, resolve
from .schema import (
    AGREEMENT_COLUMNS,
    EVIDENCE,
    FUZZY_COUNTY_MIN,
    FUZZY_NAME_MIN,
    FUZZY_PLACE_MIN,
    HEADER_SEARCH_ROWS,
    LAYERS,
    MATCH_LABEL,
    MATCHES,
    MODEL_ABBR,
    RESIGNED_DAYS,
    REVIEW_COLUMNS,
    SIGNED_SOURCES,
    SNAPSHOT_COLUMNS,
    STATUSES,
    UNRESOLVED_COLUMNS,
    AgreementError,
    Capture,
    CaptureProblem,
    CaptureRow,
)
from .table import AgreementTable, load_agreements, resolution_summary, review_rows, save_agreements, unresolved_rows, write_tables
from .views import (
    MODEL_PRIORITY,
    active_on,
    began,
    counts_by_model_and_state,
    for_jurisdiction,
    last_complete_capture,
    ledger_rows,
    load_for_map,
)

__all__ = [
    "AGREEMENT_COLUMNS",
    "AgreementError",
    "Capture",
    "CaptureProblem",
    "CaptureRow",
    "EVIDENCE",
    "FUZZY_COUNTY_MIN",
    "FUZZY_NAME_MIN",
    "FUZZY_PLACE_MIN",
    "HEADER_SEARCH_ROWS",
    "LAYERS",
    "MATCHES",
    "MATCH_LABEL",
    "MODEL_ABBR",
    "RESIGNED_DAYS",
    "REVIEW_COLUMNS",
    "SIGNED_SOURCES",
    "SNAPSHOT_COLUMNS",
    "STATUSES",
    "UNRESOLVED_COLUMNS",
    "Cell",
    "date_from_name",
    "moa_file_date",
    "moa_file_model",
    "normalise_model",
    "parse_signed",
    "read_capture",
    "read_moa_archive",
    "state_code",
    "unwrap_url",
    "agreement_id",
    "agreement_key",
    "name_similarity",
    "normalise_agency",
    "same_agency",
    "Resolution",
    "agency_kind",
    "counties_in_name",
    "load_fbi_directory",
    "match_county",
    "place_names",
    "postal_directory",
    "resolve",
    "AgreementTable",
    "load_agreements",
    "resolution_summary",
    "review_rows",
    "save_agreements",
    "unresolved_rows",
    "write_tables",
    "MODEL_PRIORITY",
    "active_on",
    "began",
    "counts_by_model_and_state",
    "for_jurisdiction",
    "last_complete_capture",
    "ledger_rows",
    "load_for_map",
    "Change",
    "IngestReport",
    "ingest",
    "replay",
    "Download",
    "FETCH_MAX_BYTES",
    "FETCH_TIMEOUT",
    "FetchError",
    "ICE_287G_URL",
    "MIN_ROWS_RATIO",
    "USER_AGENT",
    "XLSX_MAGIC",
    "fetch_capture",
    "ingest_cli",
]
