"""Break levels and the ``Segmentation`` lookups: hand-built sentences of our own wording."""

from __future__ import annotations

from nlp_pipeline.segmentation import (
    BREAK,
    CLAUSE_MARKS,
    FINE_CLAUSE_MARKS,
    LEVELS,
    SEGMENT_MARKS,
    SEMICOLONS,
    SENTENCE_MARKS,
    Segmentation,
    top_level_split,
)

# 甲0 乙1 ，2 丙3 ；4 丁5 。6 戊7 、8 己9 \n10 庚11
TEXT = "甲乙，丙；丁。戊、己\n庚"


def test_levels_form_a_hierarchy() -> None:
    assert set(SENTENCE_MARKS) < set(SEGMENT_MARKS) < set(CLAUSE_MARKS) < set(FINE_CLAUSE_MARKS)
    assert set(SEGMENT_MARKS) - set(SENTENCE_MARKS) == set(SEMICOLONS)
    assert set(CLAUSE_MARKS) - set(SEGMENT_MARKS) == set("，,：:")
    assert list(LEVELS) == ["sentence", "segment", "clause", "fine_clause"]


def test_marks_per_level_include_the_line_break() -> None:
    seg = Segmentation(TEXT)
    assert seg.marks("sentence") == [6, 10]
    assert seg.marks("segment") == [4, 6, 10]
    assert seg.marks("clause") == [2, 4, 6, 10]
    assert seg.marks("fine_clause") == [2, 4, 6, 8, 10]


def test_passage_breaks_at_its_own_break_not_at_newline() -> None:
    seg = Segmentation("甲\n乙" + BREAK + "丙。", line_break=BREAK)
    assert seg.marks("sentence") == [3, 5]
    assert Segmentation("甲\n乙" + BREAK + "丙。").marks("sentence") == [1, 5]


def test_start_last_mark_and_lower_bound() -> None:
    seg = Segmentation(TEXT)
    assert seg.start("clause", 5) == 5
    assert seg.start("sentence", 5) == 0
    assert seg.start("sentence", 9) == 7
    assert seg.start("fine_clause", 9) == 9
    assert seg.last_mark("clause", 5) == 4
    assert seg.last_mark("clause", 5, 5) == -1
    assert seg.start("clause", 5, 5) == 5
    assert seg.start("sentence", 5, 3) == 3  # no sentence end in [3, 5): the bound


def test_next_mark_bounds_and_spans() -> None:
    seg = Segmentation(TEXT)
    assert seg.next_mark("sentence", 7) == 10
    assert seg.next_mark("sentence", 6) == 6
    assert seg.next_mark("sentence", 11) == 12
    assert seg.next_mark("segment", 0, 3) == 3
    assert seg.bounds("segment", 5) == (5, 7)
    assert seg.bounds("sentence", 11) == (11, 12)
    assert seg.spans("sentence") == [(0, 7), (7, 11), (11, 12)]
    assert seg.spans("sentence", 7, 10) == [(7, 10)]
    assert Segmentation("好。\n\n坏").spans("sentence") == [(0, 2), (4, 5)]  # blank lines are no sentence


def test_lookups_equal_a_scan_of_the_text() -> None:
    text = "收到申请7件（其中网上3件），已办结6件；另有1件转下年。\n附：说明，共2页"
    seg = Segmentation(text)
    for level, chars in LEVELS.items():
        breaks = chars + "\n"
        for pos in range(len(text) + 1):
            for lo in (0, pos // 2):
                scan = max(text.rfind(ch, lo, pos) for ch in breaks)
                assert seg.last_mark(level, pos, lo) == scan, (level, pos, lo)
            ahead = [i for i in (text.find(ch, pos) for ch in breaks) if i >= 0]
            assert seg.next_mark(level, pos) == (min(ahead) if ahead else len(text)), (level, pos)


def test_of_reuses_only_a_segmentation_of_the_same_text() -> None:
    seg = Segmentation(TEXT)
    assert Segmentation.of(TEXT, seg) is seg
    other = Segmentation.of("别的句子。", seg)
    assert other is not seg and other.marks("sentence") == [4]
    assert Segmentation.of(TEXT, None).marks("sentence") == [6, 10]


def test_top_level_split_ignores_marks_inside_quotes_and_brackets() -> None:
    # 他0 说1 “2 好3 。4 ”5 然6 后7 走8 了9 。10 （11 见12 附13 件14 。15 ）16 完17
    text = "他说“好。”然后走了。（见附件。）完"
    assert top_level_split(text, 0, len(text), SENTENCE_MARKS, trail=None) == [(0, 11), (11, 18)]
    assert top_level_split("甲；乙；。", 0, 5, SEMICOLONS, trail="。；") == [(0, 2), (2, 4)]
    assert top_level_split("甲；乙；。", 0, 5, SEMICOLONS, trail=None) == [(0, 2), (2, 4), (4, 5)]
    assert top_level_split("《甲；乙》；丙", 0, 7, SEMICOLONS, trail=None) == [(0, 6), (6, 7)]
