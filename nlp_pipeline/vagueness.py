"""Is a section 五 statement vague (泛泛而谈)? Only generic wording and no object a reader could check."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["named_objects", "names_domain", "vagueness"]

#: Generic evaluation/effort wording: fits any report of any body in any year.
_EVALUATIVE = re.compile(
    r"有待|亟待|亟需|[还仍尚]需|[仍尚]待|需要?进一步|还要|进一步|(?:还有|仍有|存在)(?:一定)?差距|差距|"
    r"(?:提升|优化|改进|进步)空间|不够|不到位|不足|欠缺|薄弱|不强|不高|不深|不广|不均衡|参差不齐|单一|有限|松懈|滞后|"
    r"加强|强化|提高|提升|完善|改进|增强|推进|推动|深化|持续|不断|切实|扎实|着力|做好|抓好|落实|贯彻|优化|健全|"
    r"拓宽|拓展|扩大|丰富|创新|规范|确保|坚持|注重|努力|全力|积极|压实|凝聚|打造|提质增效|新台阶|更加|全面|充分发挥|"
    r"不完全|不匹配|不相适应|不适应|不平衡|加大|营造|树立|(?:还有|仍有|存在)(?:一定|较大)?的?距离|"
    r"配齐|配强|充实|较少|偏少|不多"
)
#: Mentions every report makes (the report year, the regulation itself), generic roles ("部分乡镇",
#: "乡镇工作人员", guide V3) and work areas (guide V2): they name nothing specific.
_BOILERPLATE_NAMES = re.compile(
    r"(?:19|20)\d{2}\s*年度?|《[^》]{0,30}条例[^》]{0,10}》|《(?:条例|办法)》"
    r"|(?:部分|个别|少数|有的|各)(?:乡镇|街道|社区|村)(?:和|、|及)?(?:[县区市]直)?(?:部门|单位)?"
    r"|(?:乡镇|街道|社区|村)(?:的)?(?:工作人员|干部|信息员|人员)|对(?:乡镇|街道|社区|村)的"
    r"|(?:乡镇|乡村|镇村|村居|县乡|县镇|乡|镇|村)两级(?:的)?(?:工作人员|干部|信息员|人员)?"
    r"|兄弟(?:乡镇|街道|单位|部门|县区|地区|城市)"
    # 村务/居务公开 is the grassroots work area (guide V2); its board or catalogue is an object
    r"|(?:村|居)务公开(?!栏|专栏|目录|清单)"
    # the statutory time limit every answer has, named without a number (guide V2: a number makes it one)
    r"|(?:法定|规定)(?:的)?(?:程序)?(?:和|及|与)?(?:期限|时限)"
    # work areas named by words that elsewhere name an object (guide V2): "信息安全和个人隐私保护工作",
    # "强化考核监督"
    r"|信息安全(?=和|、|及|工作|管理|意识|防线|有待|仍需|还需|不够)|(?:个人)?隐私保护工作|安全意识|安全防线"
    r"|考核监督|监督考核"
)
#: Policy domains: the fields a body works in (the guide's "policy domain" object), matched inside
#: jieba words so "深入学习" never reads as 入学. A statement that names its field's own matter
#: ("低保评审", "排污单位") is about something a reader can check, however generic its verbs.
#: Generic addressees (企业, 群众, 公众) are not domains.
_DOMAINS = re.compile(
    "学校|幼儿园|招生|入学|学生|家长|教师|学位|校外培训|医院|医保|医疗|药品|疫苗|疫情|卫生|诊疗|"
    "低保|特困|救助|补贴|补助|优抚|优待|抚恤|社保|社会保险|养老|就业|失业|工伤|工资|欠薪|劳动合同|人才引进|职称|"
    "住房|公积金|贷款|保障房|棚改|物业|房屋|土地|用地|宅基地|不动产|耕地|矿产|林地|森林|草原|湿地|"
    "污染|排污|排放|环评|监测|水质|空气|大气|秸秆|垃圾|河道|河湖|水库|防汛|汛期|灾害|地质|地震|应急预案|"
    "消防|交通|公交|道路|出租|网约车|停车|财政|税|价格|市场主体|食品|特种设备|产品质量|文物|旅游|景区|"
    "体育|场馆|退役军人|户籍|出入境|治安|警情|法律援助|公证|仲裁|涉农|农业|农村|种植|养殖|粮食|"
    "统计|审计|科研|科技项目|专利|知识产权|招商|投资|外贸|商务|国资|国企|城管|市容|燃气|供水|供电|"
    "救灾|安全生产|危化|矿山|民宿|演出|非遗|殡葬|婚姻|收养|残疾|儿童|老年|妇女|涉案|车驾|就医|医生|"
    "公租房|廉租房|轮候|药店|事故|隐患|金融|融资|信贷|缉私|通关|海关|民族|宗教|气象|林草"
)
#: Concrete objects: a named channel or medium, document type, procedure, place, cause, time limit
#: or frequency, or a number (policy domains: ``_DOMAINS``). Work-area nouns every report uses (解读,
#: 平台, 队伍, 培训, 依申请, 互动, 基层, 人员, 机制, 渠道, 形式) are deliberately absent: "政策解读质量有待
#: 提高" names an area, not an object a reader could check.
_CONCRETE = re.compile(
    r"\d|[%％]|(?:[二两三四五六七八九十百千]|[一二三四五六七八九][十百千])[一二三四五六七八九十百千]*"
    r"(?:个|件|次|场|条|项|家|篇|期|名|批|天|日|月|小时|分钟|工作日)|"
    r"网站|门户|网页|页面|公众号|微信|微博|抖音|新媒体|客户端|APP|小程序|热线|公开栏|公告栏|电子屏|专栏|栏目|专区|专版|"
    r"窗口|大厅|查阅点|查阅室|服务点|服务中心|电视|广播|报纸|公报|发布会|留言|信箱|在线咨询|知识库|搜索|检索|链接|"
    r"图解|图表|图片|图文|视频|音频|动漫|漫画|H5|长图|案例|问答|专家解读|"
    r"规范性文件|文号|目录|指南|清单|年报|预算|决算|规划|采购|招投标|招标|收费|审批|许可|处罚|执法|资金|档案|草案|"
    r"拟文|审查|保密|抽查|巡检|排查|通报|问责|责任追究|复议|诉讼|纠错|意见征集|民意征集|"
    r"绩效|考核(?:办法|结果|指标|细则|分值)|审核(?:流程|环节)|逐件|逐条|涉密|答复书|告知书|救济途径|条款|"
    r"文书|模板|范本|名单|"
    r"征求意见|听证|座谈|问卷|访谈|清理|归集|预公开|编制|岗前|新入职|新上岗|传帮带|舆情|隐私|个人信息|"
    r"起草|审签|签发|会签|投诉|举报|异议|"
    r"重大项目|建设项目|重大行政决策|决策过程|执行过程|营商环境|惠企|征收|征地|拆迁|环保|"
    r"村|社区|街道|乡镇|机构改革|人事变动|兼职|兼任|借调|流动性|申请量|分散|噪音|老化|失效|设备|"
    r"(?:调整|变动|更换|调动|流动)(?:频繁|较多|较大|较快)|交接|公告|指标|"
    r"时限|期限|工作日|日内|天内|每月|每季度?|每周|每半年|每年|按月|按季|季度|年底|年初|月底|"
    r"补正|说明理由|登记|归档|限时|"
    r"错误|错别字|错字|差错|断字|调查|征集|重点项目|全流程|一网通办|跟班"
)
#: Proper-noun-like jieba tags: a word tagged so names a specific thing (a system, body, place,
#: product, foreign-script name) unless it is a generic word of the genre. Person-name tags (nr) are
#: left out: section 五 names no persons, and jieba gives nr to words such as 易懂 and 建立健全.
_NAMED_POS = re.compile(r"^(?:nz|eng|nt|ns|m)$")
#: Management functions every body has (guide V2: work areas, whether bare, as a system's modifier
#: or as a procedure: "审核把关不够严格", "信息发布审核制度", "考核评价机制", "督促检查"). Named with a
#: number, a frequency, an error or a step ("三审三校", "逐件审核", "年度绩效考核"), the statement is
#: concrete by those.
_FUNCTIONS = frozenset(
    {"审核", "考核", "考评", "评价", "评议", "监督", "督查", "督促", "检查", "督促检查", "管理", "发布", "报送",
     "协调", "联动", "保障", "培训", "学习", "办理", "答复", "审核把关", "把关", "指导", "公开属性", "属性", "认定"}
)
#: Heads that turn a specific modifier into a named system ("跟班学习制度", "阅办联动机制").
_SYSTEM_HEADS = frozenset({"制度", "机制", "系统", "平台", "模式", "工程", "行动", "专栏", "清单", "错误"})
#: A quoted name of a document, or of a column, campaign or system ("“阅办联动”机制"); quoted slogans
#: ("公开为常态、不公开为例外", "接地气") are no object, and neither is the regulation's own title.
_QUOTED_NAME = re.compile(
    r"《(?![^》]*条例)(?![^》]*办法》)[^》]{2,30}》"
    r"|“[^”]{2,16}”(?=(?:专栏|栏目|专区|专题|活动|行动|工程|品牌|平台|系统|机制|模式|制度|试点|号|APP|小程序|服务))"
)
#: Generic words jieba tags as proper nouns or numerals: qualities (-化), superiors, quantifiers.
_GENERIC_NAMED = re.compile(
    r"^(?:[\u4e00-\u9fff]{1,3}化|多[\u4e00-\u9fff]*|全[\u4e00-\u9fff]*|各[\u4e00-\u9fff]*|一[\u4e00-\u9fff]?|一些|一定|部分|少数|个别|若干|进一步|"
    r"[一二两三四五六七八九十百千万]|党工委|管委会|[省市区县]委|[省市区县]政府|国务院|上级[\u4e00-\u9fff]*)$"
)


def _generic_words() -> frozenset[str]:
    from ._vague_lexicon import GENERIC_WORDS

    return GENERIC_WORDS


def named_objects(text: str, *, generic: frozenset[str] | None = None) -> list[str]:
    """Specific things a statement names, found by jieba part of speech rather than a word list.

    A word tagged as a proper noun, organisation, place, foreign-script name or numeral (nz, nt,
    ns, nr, eng, m), and a system name made of a specific modifier and a head such as 制度/机制/
    平台 ("跟班学习制度"), count, unless the word is one of the genre's generic words: ``generic``
    (learned by ``scripts/eval_problems.py`` from statements labelled vague) or a quality in -化,
    a quantifier or a superior body.
    """
    gen = _generic_words() if generic is None else generic
    toks = _tagged(text)
    out = [
        w
        for w, f in toks
        if _NAMED_POS.match(f)
        and w not in gen
        and w not in _FUNCTIONS
        and not _GENERIC_NAMED.match(w)
        and not re.fullmatch(r"\W+", w)
    ]
    for i, (head, _) in enumerate(toks):
        if head not in _SYSTEM_HEADS:
            continue
        mod, tag = toks[i - 1] if i else ("", "x")
        if len(mod) >= 2 and tag not in ("x", "uj", "c", "p", "d") and mod not in gen and mod not in _FUNCTIONS:
            out.append(mod + head)
    out += [m.group(0) for m in _QUOTED_NAME.finditer(text)]
    return out


@lru_cache(maxsize=4096)
def _tagged(text: str) -> tuple[tuple[str, str], ...]:
    """jieba words and part-of-speech tags of ``text`` (whitespace removed)."""
    from .jieba_dict import posseg

    return tuple((w.word, w.flag) for w in posseg().cut(re.sub(r"\s+", "", text)))


#: Short names of a body's field that its full name does not hold as a substring.
_FIELD_SHORT = (
    ("医疗保障", "医保"),
    ("人力资源和社会保障", "人社"),
    ("住房和城乡建设", "住建"),
    ("卫生健康", "卫健"),
    ("卫生健康", "医疗"),
    ("市场监督管理", "市场监管"),
    ("林业和草原", "林草"),
    ("民族宗教", "民宗"),
)


#: What may follow a body's field in a word that still names the field as a whole ("财政系统",
#: "统计数据", "医疗卫生机构"); any other rest names a matter inside it ("增值税", "纳税人").
_FIELD_WHOLE = frozenset(
    {"", "工作", "部门", "系统", "领域", "行业", "机构", "信息", "数据", "事业", "单位", "业务", "政务", "方面",
     "管理", "服务"}
)


def _own_field(word: str, agency: str | None) -> bool:
    """Does ``word`` name the field of ``agency`` as a whole ("财政" or "财政系统" in 市财政局's report,
    not "增值税" in a 税务局's)?"""
    if not agency:
        return False
    name = agency + "".join(short for full, short in _FIELD_SHORT if full in agency)
    found = list(_DOMAINS.finditer(word))
    if not found or not all(m.group(0) in name for m in found):
        return False
    rest = list(word)
    for m in found:  # the field as the name spells it: "税" grows to "税务" in 市税务局
        a, b = m.span()
        while a > 0 and word[a - 1 : b] in name:
            a -= 1
        while b < len(word) and word[a : b + 1] in name:
            b += 1
        rest[a:b] = [""] * (b - a)
    return "".join(rest) in _FIELD_WHOLE


def names_domain(text: str, *, agency: str | None = None) -> list[str]:
    """Words of ``text`` that name a policy domain (``_DOMAINS`` inside one jieba word, or a domain
    of four characters or more anywhere: jieba cuts 安全生产 in two), except the body's own field
    named as a whole: a domain the agency's name holds ("财政信息公开工作" in a 财政局's report,
    "卫生机构" in a 卫生健康委员会's) is no object (guide V2a)."""
    toks = [w for w, _ in _tagged(text)]
    words = [
        w
        for i, w in enumerate(toks)
        if _DOMAINS.search(w) and not _own_field(w, agency) and not _ADDRESSEE_NEXT.match("".join(toks[i + 1 : i + 3]))
    ]
    long = [
        m.group(0)
        for m in _DOMAINS.finditer(text)
        if len(m.group(0)) >= 4 and not _ADDRESSEE_NEXT.match(text[m.end() :])
    ]
    return words + [d for d in long if not _own_field(d, agency) and not any(d in w for w in words)]


#: What follows a field's people when they are only the body's public ("纳税人期待", "退役军人关切"):
#: addressees like 群众 and 企业, no domain (guide V2a).
_ADDRESSEE_NEXT = re.compile(r"^的?(?:期待|期盼|期望|需求|关切|诉求|满意|获得感)")


@lru_cache(maxsize=4096)  # a body repeats its statements year after year
def vagueness(text: str, *, generic: frozenset[str] | None = None, agency: str | None = None) -> tuple[bool, str]:
    """Is the statement 泛泛而谈? Returns (vague, reason).

    The format notice asks section 五 to be 明确具体, not 笼统模糊、泛泛而谈 (definition and borderline
    cases: ``corpora/problems/guide.md``, section 5). Rule: a statement is vague when it uses generic evaluation or
    effort wording (有待进一步加强, 还需提升, 仍有差距, 不够到位, 持续推进 …) and names no concrete
    object: no channel or medium (网站, 公众号, 视频 …), document type (目录, 清单, 预决算 …),
    procedure (审查, 抽查, 通报 …), policy domain or place, cause (机构改革, 兼职 …), time limit or
    frequency, and no number. The report year and the regulation's title do not count: every report
    names them. Beyond that list, jieba's part-of-speech tags find what a list cannot know: proper
    nouns, organisations, numerals and named systems (``named_objects``). What is left is only
    work-area nouns and generic qualities (解读, 队伍, 质量, 水平, 意识 …), so the sentence could
    stand in any report of any year. A statement without evaluative wording (a plain account of
    what was done) is not vague. With ``agency`` (the report's body), a domain its name holds is
    the body's field as a whole ("财政信息公开工作" in a 财政局's report) and no object.
    """
    t = _BOILERPLATE_NAMES.sub("", unicodedata.normalize("NFKC", text))
    evaluative = list(dict.fromkeys(m.group(0) for m in _EVALUATIVE.finditer(t)))
    if not evaluative or _CONCRETE.search(t) or names_domain(t, agency=agency):
        return False, ""
    named = named_objects(t, generic=generic)
    named = [w for w in named if not _own_field(w, agency)]  # "财政系统" in a 财政局's report
    if named:
        return False, ""
    shown = "、".join(evaluative)[:40]
    return (
        True,
        f"only generic wording ({shown}); no channel, document type, number, procedure or domain noun",
    )
