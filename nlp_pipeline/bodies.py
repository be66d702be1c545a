"""Issuing bodies across years: a stable ``body_id`` per agency and one primary copy per body-year.

Series across years only make sense when the same body is recognised under its name variants
(full/half width, spaces, a dropped 区/市 prefix, 平潭综合实验区XX局 vs 平潭XX局, one-character
typos) and when a body-year published twice (HTML and PDF, a re-publication) is counted once.
The ``body_id`` is the body's normalised canonical name, so it is readable and stable across runs
as long as the name (or the user's alias for it) does not change.
"""

from __future__ import annotations

import csv
import fnmatch
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from .errors import UsageError

UNASSIGNED = None  # body_id of a report whose agency is unknown and matches no path pattern

# Names whose normalised forms are at least this similar (rapidfuzz ratio, 0-100), start with the
# same two characters (the place: 黄浦 and 黄埔 are different districts) and share the body-type
# suffix are taken as one body. 90 lets one wrong or extra character through in names of 10+
# characters but never merges 衡阳市财政局 with 衡阳市教育局 (ratio 83).
FUZZY_CUTOFF = 90.0
_MIN_FUZZY_LEN = 8

_PUNCT = re.compile(r"[\s·•・,，、.。:：;；'\"“”‘’()（）\[\]【】《》<>〈〉_\-—－~～/／]+")
# 衡阳市人社局 / 衡阳人社局: the 市/区/县 after a 2-3 character place name (not 市场监督管理局, 区级,
# 市委, 县区...). ``assign`` puts it back where two bodies differ only by it (长沙县 / 长沙市).
_PLACE_SUFFIX = re.compile(r"^([\u4e00-\u9fff]{2,3}?)(市|区|县)(?![场级委辖区县市])")
# Everything up to the last place-level character: names that differ there (呼和浩特市新城区… /
# 呼和浩特市回民区…) are different bodies however similar the rest, so they never join fuzzily.
_PLACE_PART = re.compile(r"^.*[省市县区州旗盟]")
_DIGITS = re.compile(r"\d+")
_PINGTAN = re.compile(r"^平潭综合实验区")


@dataclass(frozen=True, slots=True)
class Aliases:
    """User-supplied aliases: exact names (renamed bodies) and path patterns (reports without agency)."""

    names: Mapping[str, str]
    patterns: tuple[tuple[str, str], ...] = ()

    @classmethod
    def empty(cls) -> Aliases:
        return cls(names={}, patterns=())


def normalize_agency(name: str, *, keep_place_suffix: bool = False) -> str:
    """The comparison form of an agency name: NFKC (full → half width), no spaces or punctuation,
    平潭综合实验区 shortened to 平潭, and the 市/区/县 after a short place name dropped (unless
    ``keep_place_suffix``: ``assign`` keeps it where it is all that tells two bodies apart)."""
    s = _clean(name)
    return s if keep_place_suffix else _PLACE_SUFFIX.sub(r"\1", s, count=1)


def _clean(name: str) -> str:
    """NFKC, no spaces or punctuation, 平潭综合实验区 shortened: every step but the suffix drop."""
    return _PINGTAN.sub("平潭", _PUNCT.sub("", unicodedata.normalize("NFKC", name)))


def _place_suffix(name: str) -> str:
    """The 市/区/县 that ``normalize_agency`` drops from this name ("" if none)."""
    m = _PLACE_SUFFIX.match(_clean(name))
    return m.group(2) if m else ""


def _place(key: str) -> str:
    m = _PLACE_PART.match(key)
    return m.group(0) if m else ""


def body_key(agency: str | None, source: str = "") -> str:
    """The same-body key of one report on its own (no corpus, no aliases): its normalised agency;
    a report that names no body is a body of its own. ``assign`` refines it over a corpus."""
    return normalize_agency(agency or "") or f"source:{source}"


def load_aliases(aliases: Aliases | str | Path | None) -> Aliases | None:
    """An alias table, read from its file if a path is given: a run reads the file once and hands
    the same table to the corpus pass and the database (a FIFO could not be read twice)."""
    if aliases is None or isinstance(aliases, Aliases):
        return aliases
    return read_aliases(aliases)


def _is_pattern(alias: str) -> bool:
    return any(ch in alias for ch in "*?[/\\")


def read_aliases(path: str | Path) -> Aliases:
    """Read ``alias,canonical`` rows (a header row ``alias,canonical`` is optional).

    An alias containing ``* ? [ /`` is a glob pattern on the report's path (for reports whose
    text names no agency); any other alias is an agency name mapped to the canonical name.
    """
    p = Path(path)
    try:
        with p.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(str(p), f"cannot read the alias file {p}: {exc}") from exc
    names: dict[str, str] = {}
    patterns: list[tuple[str, str]] = []
    for i, row in enumerate(rows):
        cells = [c.strip() for c in row]
        if not any(cells) or (i == 0 and [c.lower() for c in cells[:2]] == ["alias", "canonical"]):
            continue
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise UsageError(str(p), f"{p} line {i + 1}: expected 'alias,canonical', got {row!r}")
        if _is_pattern(cells[0]):
            patterns.append((cells[0], cells[1]))
        else:
            names[normalize_agency(cells[0])] = cells[1]
    return Aliases(names=names, patterns=tuple(patterns))


def _suffix(key: str) -> str:
    return key[-1:] if key else ""


def cluster_names(keys: Iterable[str]) -> dict[str, str]:
    """Map each normalised name to its cluster's representative (the most frequent variant, then
    the longest, then the first in sort order). Variants join when rapidfuzz's ratio reaches
    ``FUZZY_CUTOFF``, the first two characters (the place) and the last (局/委/办/厅/院...) are the
    same and so are the numbers in them (第一/第二 aside, 1号 and 2号 are different bodies). Names
    shorter than 8 characters only join by an alias."""
    counts = Counter(keys)
    order = sorted(counts, key=lambda k: (-counts[k], -len(k), k))
    rep: dict[str, str] = {}
    reps: dict[tuple[str, str, tuple[str, ...], str], list[str]] = defaultdict(list)
    for key in order:
        target = key
        block = (key[:2], _suffix(key), tuple(_DIGITS.findall(key)), _place(key))
        if len(key) >= _MIN_FUZZY_LEN and reps[block]:
            hit = process.extractOne(key, reps[block], scorer=fuzz.ratio, processor=None, score_cutoff=FUZZY_CUTOFF)
            if hit is not None:
                target = hit[0]
        if target == key and len(key) >= _MIN_FUZZY_LEN:
            reps[block].append(key)
        rep[key] = target
    return rep


def assign(
    reports: Sequence[Mapping[str, Any]], *, aliases: Aliases | None = None
) -> dict[str, tuple[str | None, str]]:
    """source → (body_id or None, how: 'agency' / 'alias' / 'path_pattern' / 'unassigned')."""
    aliases = aliases or Aliases.empty()
    keyed: dict[str, tuple[str, str]] = {}
    out: dict[str, tuple[str | None, str]] = {}
    for r in reports:
        src = str(r["source"])
        agency = r.get("agency")
        if agency and normalize_agency(str(agency)):
            key = normalize_agency(str(agency))
            if key in aliases.names:
                keyed[src] = (normalize_agency(aliases.names[key]), "alias")
            else:
                keyed[src] = (key, "agency")
            continue
        posix = Path(src).as_posix()
        hit = next(
            (canon for pat, canon in aliases.patterns if fnmatch.fnmatch(posix, pat) or fnmatch.fnmatch(Path(src).name, pat)),
            None,
        )
        if hit is not None:
            keyed[src] = (normalize_agency(hit), "path_pattern")
        else:
            out[src] = (UNASSIGNED, "unassigned")
    _separate_places(keyed, {str(r["source"]): str(r.get("agency") or "") for r in reports})
    rep = cluster_names(k for k, _ in keyed.values())
    for src, (key, how) in keyed.items():
        out[src] = (rep[key], how if rep[key] == key else f"{how}+fuzzy")
    return out


def _separate_places(keyed: dict[str, tuple[str, str]], agency_of: Mapping[str, str]) -> None:
    """Where one key stands for names with different dropped suffixes (长沙县财政局 and 长沙市财政局
    both give 长沙财政局), those reports keep the suffix: a county and the city of the same name are
    two bodies. Names without a suffix (长沙财政局) stay on the short key."""
    suffixes: dict[str, set[str]] = defaultdict(set)
    for src, (key, how) in keyed.items():
        if how == "agency" and (sfx := _place_suffix(agency_of[src])):
            suffixes[key].add(sfx)
    for src, (key, how) in list(keyed.items()):
        if how == "agency" and len(suffixes[key]) > 1 and _place_suffix(agency_of[src]):
            keyed[src] = (normalize_agency(agency_of[src], keep_place_suffix=True), how)


def primary_copies(rows: Sequence[Mapping[str, Any]]) -> set[str]:
    """Sources that are their body-year's primary copy: most cells read, then fewest findings,
    then the first path in sort order (so the choice is deterministic)."""
    groups: dict[tuple[str, int], list[Mapping[str, Any]]] = defaultdict(list)
    for r in rows:
        if r.get("body_id") is not None and r.get("year") is not None:
            groups[(str(r["body_id"]), int(r["year"]))].append(r)
    out: set[str] = set()
    for group in groups.values():
        best = min(group, key=lambda r: (-(r.get("n_cells") or 0), r.get("n_findings") or 0, str(r["source"])))
        out.add(str(best["source"]))
    return out


def write_bodies(con: Any, *, aliases: Aliases | None = None) -> None:
    """Create ``bodies`` and ``body_years`` in an open DuckDB connection from its ``reports``."""
    reports = [
        dict(zip(("source", "agency", "year", "n_cells", "n_findings"), row, strict=True))
        for row in con.execute("SELECT source, agency, year, n_cells, n_findings FROM reports").fetchall()
    ]
    assigned = assign(reports, aliases=aliases)
    for r in reports:
        r["body_id"], r["assigned_by"] = assigned[r["source"]]
    primary = primary_copies(reports)
    by_body: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in reports:
        if r["body_id"] is not None:
            by_body[r["body_id"]].append(r)
    con.execute("DROP TABLE IF EXISTS body_years")
    con.execute("DROP TABLE IF EXISTS bodies")
    con.execute(
        "CREATE TABLE bodies (body_id VARCHAR, name VARCHAR, variants VARCHAR[], n_reports INTEGER, "
        "first_year INTEGER, last_year INTEGER)"
    )
    con.execute(
        "CREATE TABLE body_years (source VARCHAR, body_id VARCHAR, year INTEGER, is_primary BOOLEAN, "
        "assigned_by VARCHAR)"
    )
    body_rows = []
    for bid, rs in sorted(by_body.items()):
        names = Counter(str(r["agency"]) for r in rs if r["agency"])
        name = min(names, key=lambda n: (-names[n], n)) if names else bid
        years = [r["year"] for r in rs if r["year"] is not None]
        body_rows.append(
            (bid, name, sorted(names), len(rs), min(years) if years else None, max(years) if years else None)
        )
    by_rows = [
        (r["source"], r["body_id"], r["year"], r["source"] in primary, r["assigned_by"])
        for r in sorted(reports, key=lambda r: r["source"])
    ]
    import pandas as pd

    for table, rows in (("bodies", body_rows), ("body_years", by_rows)):
        if rows:
            cols = [d[0] for d in con.execute(f"SELECT * FROM {table} LIMIT 0").description]
            frame = pd.DataFrame(rows, columns=cols)  # noqa: F841 (read by DuckDB)
            con.execute(f"INSERT INTO {table} SELECT * FROM frame")
