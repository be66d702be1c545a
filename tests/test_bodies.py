"""Body identity: name normalisation, fuzzy variants, aliases, path patterns, primary copies."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp_pipeline import bodies
from nlp_pipeline.bodies import (
    Aliases,
    assign,
    cluster_names,
    normalize_agency,
    primary_copies,
    read_aliases,
)
from nlp_pipeline.errors import UsageError


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("平潭综合实验区财政金融局", "平潭财政金融局"),
        ("平潭财政金融局", "平潭财政金融局"),
        ("平潭综合实验区", "平潭"),
        ("衡阳市人力资源和社会保障局", "衡阳人力资源和社会保障局"),
        ("衡阳 人力资源和社会保障局", "衡阳人力资源和社会保障局"),
        ("衡阳市　人力资源和社会保障局", "衡阳人力资源和社会保障局"),  # full-width space
        ("石家庄市财政局", "石家庄财政局"),
        ("黄浦区人民政府", "黄浦人民政府"),
        ("区财政局", "区财政局"),  # a bare 区 is kept: 区财政局 and 市财政局 are different levels
        ("市场监督管理局", "市场监督管理局"),  # 市 of 市场 is not a prefix
        ("市政府办公室", "市政府办公室"),
        ("ＡＢ市财政局", "AB市财政局"),  # full-width letters become half-width
        ("上海市科委（市知识产权局）", "上海科委市知识产权局"),
    ],
)
def test_normalize_agency(name: str, key: str) -> None:
    assert normalize_agency(name) == key


def test_assign_joins_variants_and_keeps_distinct_bodies_apart() -> None:
    reports = [
        {"source": "a/2021.html", "agency": "平潭综合实验区财政金融局"},
        {"source": "a/2022.html", "agency": "平潭财政金融局"},
        {"source": "a/2023.pdf", "agency": "平潭综合实验区 财政金融局"},
        {"source": "b/2021.html", "agency": "衡阳市财政局"},
        {"source": "c/2021.html", "agency": "衡阳市教育局"},
        # one wrong character in a long name: joined by rapidfuzz (ratio >= 90)
        {"source": "d/2021.html", "agency": "衡阳市人力资源和社会保障局"},
        {"source": "d/2022.html", "agency": "衡阳市人力资源与社会保障局"},
        {"source": "d/2023.html", "agency": "衡阳市人力资源和社会保障局"},
        {"source": "e/2021.txt", "agency": None},
    ]
    got = assign(reports)
    assert got == {
        "a/2021.html": ("平潭财政金融局", "agency"),
        "a/2022.html": ("平潭财政金融局", "agency"),
        "a/2023.pdf": ("平潭财政金融局", "agency"),
        "b/2021.html": ("衡阳财政局", "agency"),
        "c/2021.html": ("衡阳教育局", "agency"),
        "d/2021.html": ("衡阳人力资源和社会保障局", "agency"),
        "d/2022.html": ("衡阳人力资源和社会保障局", "agency+fuzzy"),
        "d/2023.html": ("衡阳人力资源和社会保障局", "agency"),
        "e/2021.txt": (None, "unassigned"),
    }


def test_cluster_does_not_merge_short_names_or_other_body_types() -> None:
    names = ["沭阳人民政府", "沐阳人民政府", "衡阳人力资源和社会保障局", "衡阳人力资源和社会保障处",
             "黄浦人民政府办公室", "黄埔人民政府办公室", "合成00001测试局", "合成00002测试局"]
    rep = cluster_names(names)
    assert rep == {
        "沭阳人民政府": "沭阳人民政府",
        "沐阳人民政府": "沐阳人民政府",
        "黄浦人民政府办公室": "黄浦人民政府办公室",
        "黄埔人民政府办公室": "黄埔人民政府办公室",
        "合成00001测试局": "合成00001测试局",
        "合成00002测试局": "合成00002测试局",
        "衡阳人力资源和社会保障局": "衡阳人力资源和社会保障局",
        "衡阳人力资源和社会保障处": "衡阳人力资源和社会保障处",
    }


def test_alias_file_names_and_path_patterns(tmp_path: Path) -> None:
    f = tmp_path / "aliases.csv"
    f.write_text(
        "alias,canonical\n"
        "沐阳县人民政府,沭阳县人民政府\n"
        "上海市科学技术委员会,上海市科委\n"
        "*/hengyang-hrss-*,衡阳市人力资源和社会保障局\n",
        encoding="utf-8-sig",
    )
    aliases = read_aliases(f)
    assert aliases.names == {"沐阳人民政府": "沭阳县人民政府", "上海科学技术委员会": "上海市科委"}
    assert aliases.patterns == (("*/hengyang-hrss-*", "衡阳市人力资源和社会保障局"),)
    got = assign(
        [
            {"source": "x/s-2025.txt", "agency": "沐阳县人民政府"},
            {"source": "x/s-2024.txt", "agency": "沭阳县人民政府"},
            {"source": "x/k-2023.md", "agency": "上海市科学技术委员会"},
            {"source": "x/k-2024.md", "agency": "上海市科委"},
            {"source": "x/hengyang-hrss-2025.txt", "agency": None},
            {"source": "x/other-2025.txt", "agency": ""},
        ],
        aliases=aliases,
    )
    assert got == {
        "x/s-2025.txt": ("沭阳人民政府", "alias"),
        "x/s-2024.txt": ("沭阳人民政府", "agency"),
        "x/k-2023.md": ("上海科委", "alias"),
        "x/k-2024.md": ("上海科委", "agency"),
        "x/hengyang-hrss-2025.txt": ("衡阳人力资源和社会保障局", "path_pattern"),
        "x/other-2025.txt": (None, "unassigned"),
    }


def test_bad_alias_file_is_a_usage_error(tmp_path: Path) -> None:
    f = tmp_path / "aliases.csv"
    f.write_text("only-one-column\n", encoding="utf-8")
    with pytest.raises(UsageError, match="line 1"):
        read_aliases(f)
    with pytest.raises(UsageError, match="cannot read"):
        read_aliases(tmp_path / "missing.csv")


def test_primary_copy_most_cells_then_fewest_findings() -> None:
    rows = [
        {"source": "a.html", "body_id": "B", "year": 2024, "n_cells": 200, "n_findings": 9},
        {"source": "a.pdf", "body_id": "B", "year": 2024, "n_cells": 200, "n_findings": 4},
        {"source": "a.docx", "body_id": "B", "year": 2024, "n_cells": 180, "n_findings": 0},
        {"source": "b.html", "body_id": "B", "year": 2023, "n_cells": 10, "n_findings": 1},
        {"source": "c.txt", "body_id": None, "year": 2023, "n_cells": 200, "n_findings": 0},
        {"source": "d.txt", "body_id": "C", "year": None, "n_cells": 200, "n_findings": 0},
    ]
    assert primary_copies(rows) == {"a.pdf", "b.html"}


def test_empty_aliases() -> None:
    assert assign([{"source": "s", "agency": "某局"}], aliases=Aliases.empty()) == {"s": ("某局", "agency")}


def test_a_county_and_the_city_of_the_same_name_stay_apart() -> None:
    """Dropping 市/区/县 joins 衡阳市财政局 with 衡阳财政局, but not 长沙县财政局 with 长沙市财政局."""
    got = bodies.assign(
        [
            {"source": "a/2022.html", "agency": "长沙县财政局"},
            {"source": "b/2023.html", "agency": "长沙市财政局"},
            {"source": "c/2022.html", "agency": "衡阳市财政局"},
            {"source": "c/2023.html", "agency": "衡阳财政局"},
        ]
    )
    assert got == {
        "a/2022.html": ("长沙县财政局", "agency"),
        "b/2023.html": ("长沙市财政局", "agency"),
        "c/2022.html": ("衡阳财政局", "agency"),
        "c/2023.html": ("衡阳财政局", "agency"),
    }


def test_long_names_of_different_districts_never_join_fuzzily() -> None:
    a = "内蒙古自治区呼和浩特市新城区人力资源和社会保障局"
    b = "内蒙古自治区呼和浩特市回民区人力资源和社会保障局"
    got = bodies.assign([{"source": "x/1.html", "agency": a}, {"source": "y/1.html", "agency": b}])
    assert got["x/1.html"][0] != got["y/1.html"][0]
    variant = "内蒙古自治区呼和浩特市新城区人力资源与社会保障局"  # one character off, same district
    got = bodies.assign([{"source": "x/1.html", "agency": a}, {"source": "x/2.html", "agency": variant}])
    assert got["x/1.html"][0] == got["x/2.html"][0]
