"""Mutation test for the claim cross-checks on clean real reports.

For every clean real report (gold lists no arithmetic error) the claims are linked to the
tables; then, one at a time, ONE linked narrative figure is changed (the claim object and the
same-length digits in ``Document.text``) or ONE cell the claim links to is changed, and the
checks are re-run. A mutation is caught when a finding appears that the unmutated run did not
have. Unmutated reports give the false-alarm count. Deterministic: every choice is seeded.

Recall over linked claims cannot see a figure the checks never linked, so a second figure is
printed over SHOULD_LINK: the narrative figures judged by reading to state a table cell (or a
sum or share of cells). Each counts two mutations (its figure, one of its cells); a figure
that is not extracted or not linked counts both as misses. Items are (offset into
``Document.text``, sha1 of the span's text, first 10 hex): a drifted item is reported, not scored.

Claims come from ``nlp_pipeline.claims.extract_claims``; while that returns nothing (or with
``--regex-claims``) a small regex extractor stands in so the linking itself can be measured.

    /work/venv/bin/python scripts/mutation_test.py [--shared DIR] [--regex-claims] [--seed N]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from nlp_pipeline import claims as claims_mod
from nlp_pipeline import crosschecks, loaders, sections, tables
from nlp_pipeline.document import Document
from nlp_pipeline.result import CellValue, Claim, Finding, Section

DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared"

_FIGURE = re.compile(
    r"(?P<pre>约|近|大约|不到|不足|不超过|超过)?(?P<num>\d+(?:\.\d+)?)(?P<scale>万|亿)?(?P<more>余|多)?"
    r"(?P<unit>件|条|个|项|次|宗|万元|元|%)(?P<post>以上|左右)?"
)


def regex_claims(doc: Document) -> list[Claim]:
    """Stand-in extractor: figures with a unit in narrative text (tables skipped), metric left empty."""
    in_table = [(b.start, b.end) for b in doc.tables]
    out: list[Claim] = []
    for m in _FIGURE.finditer(doc.text):
        if any(s <= m.start() < e for s, e in in_table):
            continue
        if doc.text[m.end("num") : m.end("num") + 1] in ("年", "月", "日"):
            continue
        written = float(m.group("num"))
        scale = m.group("scale") or ""
        unit = m.group("unit")
        if unit == "万元":
            scale, unit = "万", "元"
        mult = {"": 1.0, "万": 1e4, "亿": 1e8}[scale]
        pre, post = m.group("pre") or "", m.group("post") or ""
        qualifier = "exact"
        if m.group("more") or post == "以上" or pre == "超过":
            qualifier = "at_least"
        elif pre in ("约", "近", "大约") or post == "左右":
            qualifier = "about"
        elif pre in ("不到", "不足", "不超过"):
            qualifier = "at_most"
        s0 = max(doc.text.rfind(ch, 0, m.start()) for ch in "。\n") + 1
        e0 = min((i for i in (doc.text.find(ch, m.end()) for ch in "。\n") if i >= 0), default=len(doc.text))
        out.append(
            Claim(
                value=written * mult,
                unit=unit,
                qualifier=qualifier,  # type: ignore[arg-type]
                metric="",
                start=m.start("num"),
                end=m.end(),
                text=doc.text[m.start("num") : m.end()],
                sentence=doc.text[s0:e0],
                scale=scale,
                written_value=written if scale else None,
                is_change=bool(
                    re.search(r"同比|较上年|比上年|增长|下降|减少|增加", doc.text[s0 : m.start()][-8:])
                ),
            )
        )
    return out


# Judged by reading every claim of the clean real reports (audit of round 2): figures that
# state a 表二/表三/表四 cell or a sum or share of cells. Not listed: disclosure listings
# (主动公开 N 条 by category), 依申请公开 information counts, website and new-media figures.
SHOULD_LINK: dict[str, tuple[tuple[int, str], ...]] = {
    "czj-2022.html": (
        (1424, "ebe946da4d"),
        (1440, "ebe946da4d"),
        (1453, "fae31ecec0"),
    ),
    "czj-2024.docx": (
        (1489, "dbfc33b492"),
        (1497, "dbfc33b492"),
        (1506, "ebe946da4d"),
        (1513, "ebe946da4d"),
    ),
    "czj-2024.html": (
        (1410, "dbfc33b492"),
        (1418, "dbfc33b492"),
        (1427, "ebe946da4d"),
        (1434, "ebe946da4d"),
    ),
    "czj-2025.html": (
        (1379, "dbfc33b492"),
        (1387, "dbfc33b492"),
        (1396, "ebe946da4d"),
        (1403, "ebe946da4d"),
    ),
    "jjf-2022.html": ((1762, "1a2326d503"),),
    "jjf-2022.print.pdf": ((1816, "1a2326d503"),),
    "shuyang-fgj-2023.html": ((519, "11c13022b2"),),
    "szfgs-2024.pdf": (
        (378, "ebe946da4d"),
        (679, "75334a7429"),
        (687, "ffcc2aba18"),
        (701, "0035c1a161"),
        (707, "322f22d906"),
        (743, "37e37e3ef8"),
        (754, "44b4a9bb60"),
        (762, "2bec2ab2eb"),
        (770, "6c379bfe7d"),
        (779, "ffe8731c41"),
        (793, "ec7dc52f9a"),
        (803, "5e9b493198"),
        (811, "e573ad2079"),
        (818, "12a97f492b"),
        (825, "f30ba60499"),
    ),
    "zonghe-2021.html": (
        (1348, "4803264267"),
        (1362, "051fa23b3e"),
        (1366, "ebe946da4d"),
    ),
    "zonghe-2022.html": (
        (539, "3e85ea677d"),
        (559, "292da9f1c2"),
        (1124, "3c8391c2ad"),
        (1133, "44b4a9bb60"),
        (1141, "5a62ead161"),
        (1159, "fae31ecec0"),
        (1279, "ebe946da4d"),
        (1288, "dbfc33b492"),
    ),
    "zonghe-2023.html": (
        (634, "04fc923120"),
        (996, "ada6d8d5ba"),
        (1005, "b903b79ebc"),
        (1013, "ebe946da4d"),
        (1023, "ada6d8d5ba"),
        (1039, "a932242e2d"),
        (1044, "85f709648f"),
        (1055, "e573ad2079"),
        (1059, "b88c60fc8d"),
        (1069, "8ca398ea0c"),
        (1074, "af2bb60066"),
        (1085, "ebe946da4d"),
        (1089, "a779687ed9"),
        (1099, "dbfc33b492"),
        (1103, "2bfb9bbd11"),
        (1125, "dbfc33b492"),
        (1134, "f30ba60499"),
    ),
    "zonghe-2023.print.pdf": (
        (696, "04fc923120"),
        (1058, "ada6d8d5ba"),
        (1067, "b903b79ebc"),
        (1075, "ebe946da4d"),
        (1085, "ada6d8d5ba"),
        (1101, "a932242e2d"),
        (1106, "85f709648f"),
        (1117, "e573ad2079"),
        (1121, "b88c60fc8d"),
        (1131, "8ca398ea0c"),
        (1136, "af2bb60066"),
        (1147, "ebe946da4d"),
        (1151, "a779687ed9"),
        (1161, "dbfc33b492"),
        (1165, "2bfb9bbd11"),
        (1187, "dbfc33b492"),
        (1196, "f30ba60499"),
    ),
    "zonghe-2024.html": (
        (815, "9930aa6070"),
        (962, "5f5cd5f495"),
    ),
    "zonghe-2025.html": (
        (743, "ddcd3b59cb"),
        (751, "e5fccf6f34"),
        (764, "6dec65f712"),
        (787, "5af37cabb4"),
        (795, "c187fc01fc"),
    ),
}


# Phrasings of 表三 rows the way reports commonly write them, in our own wording, over one
# consistent synthetic 2021-format 表三 (PHRASING_CELLS). Each sentence states the figure marked by
# its figure correctly: unmutated it must raise nothing; with the figure changed it must be
# caught. This measures the links of phrasings the clean real reports happen not to use.
_PHRASING_ROWS: dict[str, tuple[int, ...]] = {
    "apply.new": (18, 3, 0, 1, 0, 2),
    "apply.carried_over": (2, 1, 0, 0, 0, 0),
    "apply.granted": (7, 1, 0, 0, 0, 1),
    "apply.partial": (2, 0, 0, 0, 0, 0),
    "apply.denied.state_secret": (1, 0, 0, 0, 0, 0),
    "apply.denied.process_info": (1, 1, 0, 0, 0, 0),
    "apply.unable.not_held": (3, 1, 0, 0, 0, 0),
    "apply.unable.need_create": (1, 0, 0, 0, 0, 0),
    "apply.unable.unclear": (0, 0, 0, 0, 0, 0),
    "apply.rejected.complaint": (1, 0, 0, 0, 0, 0),
    "apply.rejected.duplicate": (1, 0, 0, 0, 0, 0),
    "apply.other.no_correction": (1, 0, 0, 0, 0, 0),
    "apply.other.no_fee": (0, 0, 0, 0, 0, 0),
    "apply.other.other": (1, 0, 0, 0, 0, 0),
    "apply.carried_forward": (1, 1, 0, 1, 0, 1),
}
_PHRASING_ROWS["apply.total_processed"] = tuple(
    sum(col)
    for col in zip(
        *(p for r, p in _PHRASING_ROWS.items() if not r.startswith(("apply.new", "apply.carried"))),
        strict=True,
    )
)
_COLUMNS = ("natural", "commercial", "research", "social", "legal", "other_org", "total")
PHRASING_CELLS: dict[str, CellValue] = {
    f"{row}.{col}": CellValue(float(v), str(v), "number")
    for row, parts in _PHRASING_ROWS.items()
    for col, v in zip(_COLUMNS, (*parts, sum(parts)), strict=True)
}
PHRASINGS: tuple[tuple[str, str], ...] = (
    ("今年本机关收到公民、法人或者其他组织提出的政府信息公开申请24件。", "24件"),
    ("全年新收自然人、法人和其他组织的信息公开申请24件。", "24件"),
    ("全年共受理公民、法人及其他组织的申请24件，其中法人或其他组织提出6件。", "6件"),
    ("收到申请24件，其中自然人提出18件。", "18件"),
    ("全年新收申请24件，结转上年度申请3件。", "3件"),
    ("全年新收申请24件，上年结转3件。", "3件"),
    ("全年新收申请24件，另有上一年度结转的申请3件。", "3件"),
    ("全年办结申请23件，其中因无法提供相关信息答复5件。", "5件"),
    ("全年办结申请23件，无法提供5件。", "5件"),
    ("全年办结申请23件，其中因本机关不掌握相关信息告知申请人4件。", "4件"),
    ("全年办结申请23件，其中其他处理2件。", "2件"),
    ("全年办结申请23件，其中作其他处理2件。", "2件"),
    ("全年办结申请23件，其中予以公开9件。", "9件"),
    ("全年办结申请23件，其中同意公开9件。", "9件"),
    ("全年办结申请23件，其中部分公开2件。", "2件"),
    ("全年办结申请23件，其中予以公开及部分公开11件。", "11件"),
    ("全年办结申请23件，其中不予公开3件。", "3件"),
    ("全年办结申请23件，其中不同意公开3件。", "3件"),
    ("全年办结申请23件，其中不予以公开3件。", "3件"),
    ("全年办结申请23件，其中属于过程性信息不予公开2件。", "2件"),
    ("全年办结申请23件，其中不予处理2件。", "2件"),
    ("全年办结申请23件，其中不予受理2件。", "2件"),
    ("全年办结申请23件，其中对信访、举报、投诉类申请不予处理1件。", "1件"),
    ("全年办结申请23件，其中申请人逾期不补正1件。", "1件"),
    ("全年依申请公开办结23件。", "23件"),
    ("全年办结申请23件，另有4件结转下年度继续办理。", "4件"),
)


def phrasing_scores() -> tuple[int, int, int, list[str]]:
    """(phrasings, linked, caught, notes): unmutated false alarms and uncaught mutations in notes."""
    linked = caught = 0
    notes: list[str] = []
    for sentence, figure in PHRASINGS:
        text = sentence + "\n"
        at = re.search(rf"(?<!\d){figure}", text).start()  # type: ignore[union-attr]
        value = float(re.match(r"\d+", figure).group(0))  # type: ignore[union-attr]
        c = Claim(
            value=value, unit="件", qualifier="exact", metric="", start=at, end=at + len(figure), text=figure
        )
        doc = loaders.parse_text(text, source="phrasing.txt", fmt="txt")
        done, base = crosschecks.check_claims(doc, [c], PHRASING_CELLS, sections=(), year=None)
        if base:
            notes.append(f"  false alarm: {sentence} -> {base[0].message}")
        if not done[0].cells:
            notes.append(f"  not linked: {sentence}")
            continue
        linked += 1
        wrong = value + 10  # clear of every neighbouring reading (a row and its group differ by a few)
        _, found = crosschecks.check_claims(
            doc, [replace(c, value=wrong)], PHRASING_CELLS, sections=(), year=None
        )
        if found:
            caught += 1
        else:
            notes.append(f"  mutation missed: {sentence} ({figure} -> {wrong:g})")
    return len(PHRASINGS), linked, caught, notes


@dataclass
class Case:
    name: str
    doc: Document
    claims: list[Claim]
    cells: dict[str, CellValue]
    sections: tuple[Section, ...]
    year: int | None


def _key(f: Finding) -> tuple[object, ...]:
    return (f.rule, f.claim.start if f.claim else f.start, f.cells, f.found)


def _run(
    case: Case, doc: Document, claims: list[Claim], cells: dict[str, CellValue]
) -> tuple[list[Claim], list[Finding]]:
    return crosschecks.check_claims(doc, claims, cells, sections=case.sections, year=case.year)


def _new_figure(claim: Claim, rng: random.Random) -> str | None:
    """Same-length replacement digits for the claim's written number, moved where the qualifier can tell."""
    m = re.search(r"\d+(?:\.\d+)?", claim.text)
    if not m:
        return None
    digits = m.group(0)
    int_part = digits.split(".")[0]
    pos = len(int_part) - 1 if claim.qualifier in ("exact", "range") and claim.unit != "%" else 0
    old = int(int_part[pos])
    if claim.qualifier == "at_least":
        choices = [d for d in range(old + 1, 10)]
    elif claim.qualifier == "at_most":
        choices = [d for d in range(0 if pos else 1, old)]
    else:
        choices = [d for d in range(10) if d != old and not (pos == 0 and d == 0 and len(int_part) > 1)]
    if not choices:
        return None
    new_int = int_part[:pos] + str(rng.choice(choices)) + int_part[pos + 1 :]
    return new_int + digits[len(int_part) :]


def mutate_narrative(case: Case, i: int, rng: random.Random) -> tuple[Document, list[Claim]] | None:
    claim = case.claims[i]
    m = re.search(r"\d+(?:\.\d+)?", claim.text)
    new = _new_figure(claim, rng)
    if m is None or new is None:
        return None
    at = case.doc.text.find(claim.text, claim.start)
    if at != claim.start:
        return None
    s = claim.start + m.start()
    text = case.doc.text[:s] + new + case.doc.text[s + len(new) :]
    written = float(new)
    factor = claim.value / (claim.written_value if claim.written_value else float(m.group(0)) or 1.0)
    mutated = replace(
        claim,
        value=written * factor,
        written_value=written if claim.written_value is not None else None,
        text=claim.text[: m.start()] + new + claim.text[m.end() :],
    )
    new_claims = list(case.claims)
    new_claims[i] = mutated
    return replace(case.doc, text=text), new_claims


def mutate_cell(case: Case, cell_ids: tuple[str, ...], rng: random.Random) -> dict[str, CellValue] | None:
    numeric = [c for c in cell_ids if case.cells.get(c) and case.cells[c].value is not None]
    if not numeric:
        return None
    cid = rng.choice(numeric)
    old = case.cells[cid].value or 0.0
    delta = rng.choice([1, 2, 3, 5, 7]) * (1 if rng.random() < 0.5 else -1)
    new = old + delta if old + delta >= 0 else old - delta
    cells = dict(case.cells)
    cells[cid] = CellValue(new, str(int(new)) if new == int(new) else str(new), "number")
    return cells


def load_cases(shared: Path, *, force_regex: bool) -> tuple[list[Case], str]:
    real = shared / "corpora" / "real"
    cases: list[Case] = []
    source = "regex stand-in" if force_regex else "nlp_pipeline.claims"
    for gold_path in sorted((real / "gold").glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        if gold.get("arithmetic_errors"):
            continue
        name = gold_path.name[: -len(".json")]
        doc = loaders.load(real / name)
        secs = sections.find_sections(doc).sections
        year = sections.extract_metadata(doc).year
        cells = dict(tables.read_tables(doc, secs, year=year).cells)
        found = [] if force_regex else claims_mod.extract_claims(doc, secs)
        cases.append(Case(name, doc, list(found), cells, secs, year))
    if not force_regex and not any(c.claims for c in cases):
        source = "regex stand-in (extract_claims returned nothing)"
        force_regex = True
    if force_regex:
        cases = [replace(c, claims=regex_claims(c.doc)) for c in cases]
    return cases, source


@dataclass(frozen=True)
class ShouldLink:
    figures: int
    linked: int
    drifted: int
    total: int
    caught: int
    unlinked: list[str]

    @property
    def recall(self) -> float:
        return self.caught / self.total if self.total else 0.0


def should_link_recall(cases: list[Case], outcomes: dict[tuple[str, int], list[bool]]) -> ShouldLink:
    """Score SHOULD_LINK: each figure's two mutations; unlinked or unextracted figures miss both.

    ``outcomes`` holds, for every linked claim (report, start), whether each mutation was caught.
    """
    by_name = {c.name: c for c in cases}
    figures = linked = drifted = total = caught = 0
    unlinked: list[str] = []
    for name, items in SHOULD_LINK.items():
        case = by_name.get(name)
        if case is None:
            continue
        for start, sha in items:
            claim = next((c for c in case.claims if c.start == start), None)
            if claim is not None:
                span = case.doc.text[start : claim.end]
                if hashlib.sha1(span.encode("utf-8")).hexdigest()[:10] != sha:
                    drifted += 1
                    unlinked.append(f"  {name}@{start}: drifted ({span!r} no longer matches)")
                    continue
            figures += 1
            if claim is None or (name, start) not in outcomes:
                total += 2
                what = "not extracted" if claim is None else f"not linked {claim.text!r}"
                unlinked.append(f"  {name}@{start}: {what}")
                continue
            linked += 1
            total += len(outcomes[(name, start)])
            caught += sum(outcomes[(name, start)])
    return ShouldLink(figures, linked, drifted, total, caught, unlinked)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--regex-claims", action="store_true", help="use the stand-in regex extractor")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--verbose", action="store_true", help="print the false alarms and every miss")
    args = ap.parse_args(argv)
    if not (args.shared / "corpora" / "real" / "gold").is_dir():
        print(f"no real corpus under {args.shared}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    cases, source = load_cases(args.shared, force_regex=args.regex_claims)
    t_load = time.perf_counter() - t0
    total = caught = alarms = n_claims = n_linked = 0
    misses: list[str] = []
    alarm_lines: list[str] = []
    outcomes: dict[tuple[str, int], list[bool]] = {}
    for case in cases:
        linked, base = _run(case, case.doc, case.claims, case.cells)
        n_claims += len(linked)
        n_linked += sum(1 for c in linked if c.cells)
        alarms += len(base)
        alarm_lines += [f"  {case.name}: {f.rule}: {f.message}" for f in base]
        base_keys = {_key(f) for f in base}
        case = replace(case, claims=linked)
        for i, claim in enumerate(linked):
            if not claim.cells:
                continue
            rng = random.Random(f"{args.seed}:{case.name}:{i}")
            tried = outcomes.setdefault((case.name, claim.start), [])
            nm = mutate_narrative(case, i, rng)
            if nm is not None:
                doc, new_claims = nm
                _, found = _run(case, doc, new_claims, case.cells)
                total += 1
                tried.append(any(_key(f) not in base_keys for f in found))
                if tried[-1]:
                    caught += 1
                else:
                    misses.append(
                        f"  {case.name}: narrative {claim.text!r} -> {new_claims[i].text!r} ({claim.cells})"
                    )
            cells = mutate_cell(case, claim.cells, rng)
            if cells is not None:
                _, found = _run(case, case.doc, case.claims, cells)
                total += 1
                changed = [c for c in claim.cells if cells[c].value != case.cells[c].value]
                tried.append(any(_key(f) not in base_keys for f in found))
                if tried[-1]:
                    caught += 1
                else:
                    misses.append(
                        f"  {case.name}: cell {changed} {case.cells[changed[0]].value:g} -> "
                        f"{cells[changed[0]].value:g} (claim {claim.text!r})"
                    )
    elapsed = time.perf_counter() - t0
    recall = caught / total if total else 0.0
    print(f"claims from: {source}")
    print(f"clean reports: {len(cases)}; claims: {n_claims}; linked: {n_linked}")
    print(f"mutations: {total}; caught: {caught}; recall: {recall:.1%} (goal >= 95%)")
    rate = alarms / len(cases) * 20 if cases else 0.0
    print(f"false alarms on unmutated clean reports: {alarms} ({rate:.2f} per 20 reports; goal <= 1)")
    print(f"time: {elapsed:.1f}s (loading and reading tables {t_load:.1f}s)")
    sl = should_link_recall(cases, outcomes)
    print(
        f"should-link figures: {sl.figures} ({sl.linked} linked, {sl.drifted} drifted); "
        f"mutations: {sl.total}; caught: {sl.caught}; recall: {sl.recall:.1%} (goal >= 95%)"
    )
    n_phr, linked_phr, caught_phr, notes = phrasing_scores()
    alarms_phr = sum(1 for n in notes if n.startswith("  false alarm"))
    print(
        f"phrasings (own wording, synthetic 表三): {n_phr}; linked: {linked_phr}; "
        f"mutations caught: {caught_phr}/{n_phr}; false alarms: {alarms_phr}"
    )
    if notes:
        print("\n".join(notes))
    if alarm_lines:
        print("false alarms:")
        print("\n".join(alarm_lines if args.verbose else alarm_lines[:20]))
    if misses:
        print(f"misses ({len(misses)}):")
        print("\n".join(misses if args.verbose else misses[:30]))
    if sl.unlinked:
        print(f"should-link figures not linked ({len(sl.unlinked)}):")
        print("\n".join(sl.unlinked))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
