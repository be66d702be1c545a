"""Claims: hand-written sentences for every number form, qualifier, unit and negative class,
the spaCy pipeline set-up, and real reports against the hand-labelled gold."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from nlp_pipeline import claims, loaders
from nlp_pipeline.claims import extract_claims, get_nlp
from nlp_pipeline.document import Block, Document
from nlp_pipeline.result import Claim, Section

from .conftest import REAL, ROOT, SAMPLES, real_path, require_shared

GOLD = ROOT / "corpora" / "claims_gold.jsonl"


def _doc(text: str) -> Document:
    """A TXT-like document: one text block per non-empty line."""
    blocks, pos = [], 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\n")
        if body.strip():
            blocks.append(Block("text", body, pos, pos + len(body)))
        pos += len(line)
    return Document(source="mem.txt", format="txt", text=text, blocks=tuple(blocks))


def _claims(text: str) -> list[Claim]:
    return extract_claims(_doc(text), ())


def _one(text: str) -> Claim:
    found = _claims(text)
    assert len(found) == 1, [c.text for c in found]
    return found[0]


# --- number forms -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "text", "value", "unit"),
    [
        ("本年共发布动态信息1468条。", "1468条", 1468, "条"),
        ("全年受理申请２０５件。", "２０５件", 205, "件"),
        ("累计浏览1,234,567人次。", "1,234,567人次", 1234567, "人次"),
        ("办结率为99.5%。", "99.5%", 99.5, "%"),
        ("受理申请二十四件。", "二十四件", 24, "件"),
        ("发布解读一百零五篇。", "一百零五篇", 105, "篇"),
        ("发放手册两千份。", "两千份", 2000, "份"),
        ("发布信息1.2万条。", "1.2万条", 12000, "条"),
        ("培训干部3千余人。", "3千余人", 3000, "人"),
        ("占比百分之十二。", "百分之十二", 12, "%"),
        ("专项资金1.5亿元。", "1.5亿元", 150000000, "亿元"),
        ("页面访问量为318万，", "318万", 3180000, ""),
        ("举办宣讲活动36场次。", "36场次", 36, "场次"),
        ("修正错别字17处。", "17处", 17, "处"),
        ("线上申请占比超七成。", "七成", 7, "成"),
        ("按期答复率达百分之百。", "百分之百", 100, "%"),
        ("累计上传文件3万余份。", "3万余份", 30000, "份"),
    ],
)
def test_number_forms(sentence: str, text: str, value: float, unit: str) -> None:
    c = _one(sentence)
    assert (c.text, c.value, c.unit) == (text, value, unit)
    assert c.start == sentence.index(text) and c.end == c.start + len(text)


@pytest.mark.parametrize(
    ("sentence", "unit"),
    [
        ("开展培训6次。", "次"),
        ("覆盖企业25家。", "家"),
        ("梳理事项48项。", "项"),
        ("编印简报12期。", "期"),
        ("召开发布会9场。", "场"),
        ("配备联络员3名。", "名"),
        ("办理复议案件2起。", "起"),
        ("抽检农产品140批次。", "批次"),
        ("办结率提高2.5个百分点。", "个百分点"),
        ("化解纠纷4宗。", "宗"),
        ("走访群众30户。", "户"),
        ("邀请专家5位。", "位"),
    ],
)
def test_units(sentence: str, unit: str) -> None:
    c = _one(sentence)
    assert c.unit == unit and c.text.endswith(unit)


def test_money_keeps_written_scale() -> None:
    c = _one("本年度共收取信息处理费265万元。")
    assert (c.value, c.written_value, c.scale, c.unit, c.text) == (2650000, 265, "万", "万元", "265万元")
    plain = _one("向申请人收取信息处理费150元。")
    assert (plain.value, plain.written_value, plain.scale, plain.unit) == (150, 150, "", "元")


def test_span_runs_across_spaces_and_line_breaks() -> None:
    text = "本年度办结的全部申请里作部分公开处理的 3\n件，不予处理的 12 件。"
    a, b = _claims(text)
    assert (a.text, a.value, a.start, a.end) == ("3\n件", 3, 20, 23)
    assert (b.text, b.value) == ("12 件", 12)
    assert text[b.start : b.end] == b.text


# --- qualifiers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "text", "qualifier", "value", "upper"),
    [
        ("开展活动10余场。", "10余场", "at_least", 10, None),
        ("发布信息600多条。", "600多条", "at_least", 600, None),
        ("受理申请300件以上。", "300件", "at_least", 300, None),
        ("订阅用户超2600万，", "2600万", "at_least", 26000000, None),
        ("培训约200人次。", "200人次", "about", 200, None),
        ("制作政策短视频近120个。", "120个", "about", 120, None),
        ("办理100件左右。", "100件", "about", 100, None),
        ("收到申请不到10件。", "10件", "at_most", 10, None),
        ("答复时间控制在5件以内。", "5件", "at_most", 5, None),
        ("每月开展三至五场培训。", "三至五场", "range", 3, 5),
        ("开设专栏3-5个。", "3-5个", "range", 3, 5),
        ("新增五六个栏目。", "五六个", "range", 5, 6),
        ("发布短视频五六十个。", "五六十个", "range", 50, 60),
        ("约占40%。", "40%", "about", 40, None),
        ("受理申请30件。", "30件", "exact", 30, None),
        ("好评率高达98%。", "98%", "exact", 98, None),
    ],
)
def test_qualifiers(sentence: str, text: str, qualifier: str, value: float, upper: float | None) -> None:
    c = _one(sentence)
    assert (c.text, c.qualifier, c.value, c.upper) == (text, qualifier, value, upper)


# --- negatives ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "本报告统计期限自2025年1月1日起至2025年12月31日止。",
        "（2026年1月13日）",
        "平均办理时长由35分钟缩短至12分钟。",
        "在15个工作日内答复，三个月内完成。",
        "电话：0000-12345678，邮编：100000。",
        "地址：人民路行政中心5号楼12层。",
        "根据国办公开办函〔2021〕30号要求编制。",
        "依据第二十条第（一）项和第五十条规定。",
        "一是加强领导；（三）完善机制；第一，规范流程。",
        "1.属于国家秘密",
        "危及三安全一稳定的信息，严格落实三审三校和“三审”要求。",
        "畅通12345热线，推进一网通办和一件事改革。",
        "属于三类内部事务信息和四类过程性信息。",
        "推进“三个中心”建设，打造“100%满意”品牌。",
        "印发《关于支持企业的二十条措施》。",
        "报告包括总体情况等六个部分，共六项内容。",
        "深入贯彻党的二十大精神，推进“十四五”规划。",
        "关注数48210，聚焦两大领域。",
        "单条播放量破亿、破千万。",
        "推行一件事一次办，实现最多跑一次，收集数十条意见。",
        "落实两个确立、四个意识，坚持五位一体。",
        "访谈每月1期，每周一次，每3个月通报。",
        "零距离服务，采购汽车零件一批。",
    ],
)
def test_negatives(sentence: str) -> None:
    assert _claims(sentence) == []


# --- metric, channel, change, sections -----------------------------------------------------


def test_subtotals_attach_to_their_own_noun() -> None:
    a, b = _claims("全年收到政府信息公开申请30件，其中予以公开12件。")
    assert (a.value, a.metric) == (30, "收到政府信息公开申请")
    assert (b.value, b.metric) == (12, "予以公开")


def test_metric_and_channel() -> None:
    a, b, c = _claims(
        "全年依托局门户网站刊发各类信息915条，借助微信公众号推送信息204条。"
        "通过领导信箱等渠道答复网民留言58件。"
    )
    assert (a.metric, a.channel) == ("刊发信息", "门户网站")
    assert (b.metric, b.channel) == ("推送信息", "微信公众号")
    assert (c.metric, c.channel) == ("答复网民留言", "")


def test_classifier_takes_following_noun_and_percent_inherits() -> None:
    a = _one("全区7个重点事项均已实现网上办理。")
    assert (a.value, a.unit, a.metric) == (7, "个", "重点事项")
    n, p = _claims("部分公开15件（4.2%），")
    assert (n.metric, p.metric, p.unit, p.value) == ("部分公开", "部分公开", "%", 4.2)


def test_metric_from_what_follows_a_light_verb_or_title() -> None:
    a, b = _claims("全年组织4次季度检查。推出20期《政策面对面》栏目。")
    assert (a.metric, b.metric) == ("季度检查", "政策面对面")
    c = _one("编印《政务简报》36期。")
    assert c.metric == "编印政务简报"
    d = _one("全县在用政务新媒体账号共计41个。")
    assert (d.metric, d.channel) == ("在用政务新媒体账号", "政务新媒体")


def test_channel_is_scoped_to_its_own_clause() -> None:
    got = _claims("全年收到政府网站上的申请件2件，办结依申请2件，公开答复1件，无法提供1件。")
    assert [(c.value, c.channel) for c in got] == [(2, "政府网站"), (2, ""), (1, ""), (1, "")]


def test_channel_breakdowns_and_lists() -> None:
    got = _claims("通过政府网站发布信息120条，其中政策解读30条（25%），开展培训5次。")
    assert [(c.value, c.channel) for c in got] == [
        (120, "政府网站"),
        (30, "政府网站"),
        (25, "政府网站"),
        (5, ""),
    ]
    via = _claims("全年通过门户网站开展意见征集17期、在线问卷调查9期。")
    assert [c.channel for c in via] == ["门户网站", "门户网站"]
    items = _claims("召开新闻发布会42场、媒体通气会19场。")
    assert [c.channel for c in items] == ["新闻发布会", ""]
    after = _claims("注销2个无人维护的政务新媒体，新开设网页3个。")
    assert [c.channel for c in after] == ["政务新媒体", ""]
    other = _claims("通过网站发布信息10条，其中经其他渠道转载4条。")
    assert [c.channel for c in other] == ["网站", ""]


def test_channel_spans_survive_jieba_gluing_words() -> None:
    nlp = get_nlp()
    text = "通过县政府门户网站公开信息20条，局微信公众号推送8条，热线电话受理6件，市政府网站转载3条。"
    sdoc = nlp(text)
    spans = [(s.label_, text[slice(*s._.surface)], s.text) for s in sdoc.spans["channels"]]
    assert spans == [
        ("政府网站", "政府门户网站", "县政府门户网站"),
        ("微信公众号", "微信公众号", "局微信公众号"),
        ("热线", "热线", "热线电话"),
        ("政府网站", "政府网站", "市政府网站"),
    ]
    assert [c.channel for c in sdoc._.claims] == ["政府网站", "微信公众号", "热线", "政府网站"]


def test_resolve_mentions_keeps_longest() -> None:
    m = claims.ChannelMention
    got = claims.resolve_mentions(
        [m(2, 4, "网站"), m(0, 4, "门户网站"), m(6, 8, "网站"), m(0, 4, "门户网站")]
    )
    assert got == [m(0, 4, "门户网站"), m(6, 8, "网站")]


def test_change_claims() -> None:
    base, change = _claims("页面访问量为240万，同比大幅增长37%。")
    assert (base.is_change, change.is_change, change.value, change.unit) == (False, True, 37, "%")
    assert change.metric == "页面访问量"
    drop = _one("依申请公开数量较上年减少12件。")
    assert (drop.is_change, drop.value) == (True, 12)


@pytest.mark.parametrize(
    ("sentence", "marker", "metric"),
    [
        ("办结率较上年提升幅度为5个百分点。", "较上年", "办结率提升幅度"),  # jieba: 率较|上年
        ("网站访问量比上年度提升幅度为12%。", "比上年度", "网站访问量提升幅度"),  # 比上|年度
        ("较２０２３年提升幅度为6%。", "较２０２３年", "提升幅度"),  # digits one by one
        ("好评率上年同期提升幅度为9%。", "上年同期", "好评率提升幅度"),
    ],
)
def test_comparison_markers_make_a_percentage_a_change(sentence: str, marker: str, metric: str) -> None:
    sdoc = get_nlp()(sentence)
    assert [sentence[slice(*s._.surface)] for s in sdoc.spans["comparisons"]] == [marker]
    (c,) = sdoc._.claims
    assert (c.is_change, c.metric) == (True, metric)


def test_no_comparison_without_a_year_or_prior_period() -> None:
    sdoc = get_nlp()("好评率比3年度提升幅度为6%，公开率为98%。")
    assert list(sdoc.spans["comparisons"]) == []
    assert [c.is_change for c in sdoc._.claims] == [False, False]


def test_section_of_each_claim() -> None:
    text = "一、总体情况\n全年发布信息20条。\n五、存在的主要问题及改进情况\n整改问题3个。\n"
    secs = (
        Section("overview", "一、总体情况", 0, text.index("五、")),
        Section("problems", "五、存在的主要问题及改进情况", text.index("五、"), len(text)),
    )
    a, b = extract_claims(_doc(text), secs)
    assert (a.section, b.section) == ("overview", "problems")


def test_short_line_ending_in_a_number_is_not_joined_to_the_next() -> None:
    assert _claims("行政许可 64\n项目名称\n") == []


def test_table_blocks_are_not_read() -> None:
    text = "全年发布信息20条。\n行政许可 | 55件 |\n"
    doc = _doc(text)
    table_start = text.index("行政许可")
    doc = Document(
        source="mem.txt",
        format="txt",
        text=text,
        blocks=(doc.blocks[0], Block("table", text[table_start:-1], table_start, len(text) - 1)),
    )
    assert [c.text for c in extract_claims(doc, ())] == ["20条"]


# --- spaCy pipeline ---------------------------------------------------------------------------


def test_pipeline_is_blank_zh_with_jieba_and_sets_extension() -> None:
    nlp = get_nlp()
    assert nlp is get_nlp()
    assert nlp.lang == "zh"
    assert nlp.config["nlp"]["tokenizer"]["segmenter"] == "jieba"
    assert nlp.pipe_names == ["gov_figures", "gov_channels", "gov_comparisons", "gov_claims"]
    assert Doc.has_extension("claims") and Doc.has_extension("figures")
    sdoc = nlp("收到申请30件")
    assert [(c.value, c.text) for c in sdoc._.claims] == [(30, "30件")]


def test_figure_doc_cuts_only_clauses_with_a_figure() -> None:
    nlp = get_nlp()
    text = "网站运行平稳。发布信息12条，其中政策解读3篇；另有说明，\u2029年度报告"
    sdoc = claims.figure_doc(nlp, text, claims.find_figures(text))
    assert sdoc.text == text
    assert [t.text for t in sdoc] == [
        *"网站运行平稳。",
        *[t.text for t in nlp.make_doc("发布信息12条，其中政策解读3篇；")],
        *"另有说明，",
        "\u2029",
        *"年度报告",
    ]


def _figure_doc_as_make_doc(nlp: Language, text: str, figures: object) -> Doc:
    return nlp.make_doc(text)


def test_figure_doc_gives_the_claims_of_the_whole_passage_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cutting only the clauses that hold a figure changes no claim of any real or sample report."""
    require_shared()
    paths = [
        p for root in (REAL, SAMPLES) for p in sorted(root.iterdir()) if p.suffix in (".txt", ".md", ".html")
    ]
    docs = [loaders.load(p) for p in paths]
    fast = [extract_claims(d, ()) for d in docs]
    monkeypatch.setattr(claims, "figure_doc", _figure_doc_as_make_doc)
    whole = [extract_claims(d, ()) for d in docs]
    assert sum(map(len, whole)) > 500
    assert fast == whole


# --- real reports -------------------------------------------------------------------------------


def test_hengyang_claims() -> None:
    doc = loaders.load(real_path("hengyang-hrss-2025.txt"))
    found = extract_claims(doc, ())
    got = [(c.value, c.unit, c.metric, c.channel) for c in found]
    assert got == [
        (2082, "条", "发布信息", "网站"),
        (270, "条", "推送信息", "微信公众号"),
        (366, "件", "处理网民咨询", ""),
    ]
    assert all(doc.text[c.start : c.end] == c.text for c in found)


def _gold() -> list[dict]:
    require_shared()
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_gold_is_well_formed() -> None:
    entries = _gold()
    assert len(entries) >= 15
    for e in entries:
        assert e["claims"] and len(e["text_sha1"]) == 10
        for c in e["claims"]:
            assert c["qualifier"] in ("exact", "at_least", "about", "at_most", "range")
            assert c["start"] < c["end"] and len(c["sha1"]) == 10


def test_precision_recall_on_gold() -> None:
    matched = gold_n = pred_n = scored = 0
    for e in _gold():
        doc = loaders.load(REAL / e["file"])
        if hashlib.sha1(doc.text.encode("utf-8")).hexdigest()[:10] != e["text_sha1"]:
            continue  # the loader's text changed since labelling: eval_claims.py reports it
        scored += 1
        pred = {(c.start, c.end, c.value) for c in extract_claims(doc, ())}
        gold = {(c["start"], c["end"], c["value"]) for c in e["claims"]}
        matched += len(pred & gold)
        gold_n += len(gold)
        pred_n += len(pred)
    assert scored, "every claims-gold file drifted from the loader's text: relabel (scripts/eval_claims.py)"
    assert matched / pred_n >= 0.95
    assert matched / gold_n >= 0.95


def test_module_has_no_report_specific_words() -> None:
    for name in ("claims.py", "claim_lexicon.py", "claim_context.py", "_numerals.py"):
        src = (Path(claims.__file__).parent / name).read_text(encoding="utf-8")
        for word in ("衡阳", "平潭", "沭阳", "上海", "淮安", "2082"):
            assert word not in src, name


def test_eval_realigns_drifted_spans(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("eval_claims", ROOT / "scripts" / "eval_claims.py")
    assert spec is not None and spec.loader is not None
    ev = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "eval_claims", ev)  # dataclasses look their module up there
    spec.loader.exec_module(ev)
    old = "受理申请12件，办结12件。"
    new = "（页眉）\n" + old
    gold = [{"start": s, "end": s + 3, "sha1": ev.sha10("12件")} for s in (4, 10)]
    entry = {"file": "x", "text_sha1": ev.sha10(old), "claims": gold}
    moved = ev.realign(entry, new)
    assert [(c["start"], c["end"]) for c in moved["claims"]] == [(9, 12), (15, 18)]
    assert moved["text_sha1"] == ev.sha10(new)
    assert ev.realign({**entry, "claims": [{**gold[0], "sha1": ev.sha10("99件")}]}, new) is None


def test_prose_without_figures_adds_no_word_to_the_vocabulary() -> None:
    """Segments without a figure are single characters: a worker's vocabulary does not grow with
    the prose it reads (only with the words of the clauses that hold a figure)."""
    nlp = get_nlp()
    _claims("网站发布信息12条。进一步加强政务公开工作，提升群众满意度。")
    before = len(nlp.vocab.strings)
    found = _claims("网站发布信息12条。群众满意度工作提升，加强进一步政务公开。")
    assert [c.text for c in found] == ["12条"]
    assert len(nlp.vocab.strings) == before
