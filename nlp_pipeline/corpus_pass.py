"""Checks across reports: copied section 五 text and each body's consecutive years.

Everything here works on ``Report`` objects. The pass runs group by group: first every
report's statements go into a copy index (statement texts and sketches only), then each body's
reports are taken together, marked against the index and paired year with year. The batch
runner feeds it from the stored results one body at a time; ``corpus_pass`` is the same pass
over reports held in memory (``analyze`` over a few files, tests).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from . import bodies, yearly
from . import copies as copy_detection  # ``copies`` is CorpusPass's on/off option
from .bodies import body_key
from .result import Finding, Report

CORPUS_PASS = "corpus"  # value of ``detail["pass"]`` on findings added by the corpus-level pass
Line = dict[str, Any]


def assign_bodies(
    items: Iterable[tuple[int, str | None, str]], *, aliases: bodies.Aliases | str | Path | None = None
) -> dict[int, str]:
    """(position, agency, source) → body per position: ``bodies.assign`` over the whole corpus
    (name variants joined, the user's aliases applied), the same bodies as the database's
    ``body_years``. A report that no name or alias places is a body of its own."""
    items = list(items)
    assigned = bodies.assign([{"source": s, "agency": a} for _, a, s in items], aliases=bodies.load_aliases(aliases))
    out: dict[int, str] = {}
    for k, _, source in items:
        body_id, _how = assigned[source]
        out[k] = body_id if body_id is not None else f"source:{source}"
    return out


class CorpusPass:
    """The corpus pass in two steps: ``add`` every report, then ``run_body`` once per body.

    ``add`` keeps only what copy detection needs (``copies.CopyIndex``: statement texts and
    sketches). Failures of a corpus check never lose a per-file result: they become warnings.
    """

    def __init__(self, *, copies: bool = True, n_reports: int = 0) -> None:
        self.index: copy_detection.CopyIndex | None = copy_detection.CopyIndex() if copies and n_reports > 1 else None
        self.warnings: list[str] = []

    def add(self, report: Report, *, body: str) -> None:
        if self.index is None:
            return
        try:
            self.index.add(report, body=body)
        except Exception as exc:  # a corpus check's bug must not lose the per-file results
            self._copies_failed(exc)

    def _copies_failed(self, exc: Exception) -> None:
        self.warnings.append(f"find_copies failed: {type(exc).__name__}: {exc}")
        self.index = None

    def run_body(self, reports: Mapping[int, Report], *, body: str) -> dict[int, Report]:
        """One body's reports (keyed by their position in the corpus) → the ones that changed."""
        updated = dict(reports)
        if self.index is not None:
            for k, r in reports.items():
                try:
                    marked = copy_detection.mark_copies(r, self.index, body=body)
                except Exception as exc:
                    self._copies_failed(exc)
                    updated = dict(reports)
                    break
                updated[k] = _tag_new_findings(r, marked)
        for cur_k, prev_k in consecutive_pairs(updated, key=lambda r: body):
            cur, prev = updated[cur_k], updated[prev_k]
            try:
                extra = list(yearly.check_previous(cur, prev))
            except Exception as exc:
                self.warnings.append(f"check_previous failed on {cur.source}: {type(exc).__name__}: {exc}")
                continue
            if extra:
                tagged = tuple(_tag(f) for f in extra)
                updated[cur_k] = dataclasses.replace(cur, findings=(*cur.findings, *tagged))
        return {k: r for k, r in updated.items() if r is not reports[k]}


def corpus_pass(
    reports: Sequence[Report], *, copies: bool = True, aliases: bodies.Aliases | str | Path | None = None
) -> tuple[list[Report], list[str]]:
    """The corpus pass over reports held in memory: the updated reports (same order; an
    unchanged report is the same object) and warnings for checks that could not run."""
    run = CorpusPass(copies=copies, n_reports=len(reports))
    body_of = assign_bodies(((i, r.agency, r.source) for i, r in enumerate(reports)), aliases=aliases)
    for i, r in enumerate(reports):
        run.add(r, body=body_of[i])
    out = list(reports)
    for body, keys in group_by_body(body_of).items():
        for k, r in run.run_body({k: reports[k] for k in keys}, body=body).items():
            out[k] = r
    return out, run.warnings


def group_by_body(body_of: Mapping[int, str]) -> dict[str, list[int]]:
    """Positions per body (from ``assign_bodies``), bodies in order of first appearance."""
    groups: dict[str, list[int]] = defaultdict(list)
    for k, body in body_of.items():
        groups[body].append(k)
    return groups


def consecutive_pairs(
    reports: Mapping[int, Report], *, key: Callable[[Report], str] = lambda r: body_key(r.agency, r.source)
) -> list[tuple[int, int]]:
    """(current, previous) keys for reports of the same body (by ``key``) one year apart.

    When a year has several files (the same report as HTML and PDF), each is paired with the
    previous year's file that has the most cells.
    """
    groups: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for k, r in reports.items():
        if r.year is not None:
            groups[key(r)][r.year].append(k)
    pairs: list[tuple[int, int]] = []
    for years in groups.values():
        for year, keys in sorted(years.items()):
            prev = years.get(year - 1)
            if not prev:
                continue
            best = max(prev, key=lambda k: (len(reports[k].cells), -k))
            pairs += [(k, best) for k in keys]
    return pairs


def strip_corpus_pass(line: Line) -> Line:
    """A final-output line back to its per-file form, so the corpus pass can be re-run on it."""
    if "error" in line:
        return line
    d = dict(line)
    d["findings"] = [f for f in d.get("findings") or () if (f.get("detail") or {}).get("pass") != CORPUS_PASS]
    d["problems"] = [{**p, "copied_from": None} for p in d.get("problems") or ()]
    return d


def _tag(f: Finding) -> Finding:
    return dataclasses.replace(f, detail={**f.detail, "pass": CORPUS_PASS})


def _tag_new_findings(before: Report, after: Report) -> Report:
    old = list(before.findings)
    findings: list[Finding] = []
    for f in after.findings:
        if f in old:
            old.remove(f)
            findings.append(f)
        else:
            findings.append(_tag(f))
    return dataclasses.replace(after, findings=tuple(findings))
