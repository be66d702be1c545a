"""Vagueness of section 五 statements (泛泛而谈): hand-written statements."""

from __future__ import annotations

import pytest

from nlp_pipeline.vagueness import vagueness


@pytest.mark.parametrize(
    ("text", "vague"),
    [
        ("政务公开工作水平有待进一步提高", True),
        ("工作人员主动性还需进一步加强，与上级要求仍有差距", True),  # a generic role is no concrete object
        ("2023年，信息公开内容不够全面", True),  # the report year is not a number that says something
        ("认真学习《中华人民共和国政府信息公开条例》，不断提升工作水平", True),  # every report names it
        ("政策解读质量有待提高", True),  # a work area, not an object
        ("全年仅发布解读两篇，数量有待提高", False),  # a Chinese-numeral count
        ("建立一个长效机制，确保各项工作落到实处", True),  # "一个" counts nothing
        ("每季度对政务新媒体开展一次抽查", False),
        ("因机构改革，历史信息迁移不够及时", False),  # a concrete cause
        ("持续推进政务公开工作，不断提升工作质效", True),
        ("政府网站搜索功能有待进一步完善", False),
        ("依申请公开答复期限把握不够严格", False),
        ("全年仅发布解读2篇，数量有待提高", False),
        ("本年度新设立了办公场所", False),  # no generic evaluation at all: not 泛泛而谈
    ],
)
def test_vagueness_rule(text: str, vague: bool) -> None:
    v, reason = vagueness(text)
    assert v is vague
    assert (reason != "") is vague


@pytest.mark.parametrize(
    ("text", "vague"),
    [
        ("新进人员跟班学习的制度执行还需进一步加强", False),
        ("依托“一网通办”平台的信息公开有待进一步完善", False),
        ("少数稿件存在断字现象，审核把关仍需加强", False),
        ("面向企业的问卷调查覆盖面仍需拓展", False),
        ("“阅办联动”机制建设有待深化", False),
        ("《政府信息公开指南》内容更新不够及时", False),
        ("政务公开队伍能力有待进一步提升", True),
        ("智能化、数字化水平仍需提升", True),
        ("落实“公开为常态、不公开为例外”原则不够到位，有待加强", True),
    ],
)
def test_vagueness_names_objects_outside_the_word_list(text: str, vague: bool) -> None:
    """Written for this test: named systems, quoted names and errors are concrete; slogans are not."""
    assert vagueness(text)[0] is vague


@pytest.mark.parametrize(
    ("text", "vague"),
    [
        ("部分低保评审结果公开还不够全面", False),  # a policy domain of the body's field
        ("重点排污单位监测信息的公开率不高", False),
        ("城区学校划片信息发布不够及时", False),
        ("组织干部深入学习相关文件精神，不断提升业务水平", True),  # 深入学习 is not 入学
        ("窗口人员由其他岗位兼任，业务不够熟悉", False),  # a concrete cause
        ("个别单位招考信息提前两天才发布，时间不够充分", False),  # a Chinese-numeral time span
        ("部分乡镇对政务公开工作重视程度不够", True),  # a generic role (guide V3)
        ("加强对乡镇工作人员的业务指导", True),
        ("信息安全工作和隐私保护工作需要进一步强化", True),  # work areas named bare (guide V2)
        ("信息安全等级保护测评工作有待加强", False),  # a named assessment, not the bare area
        ("专业人才缺乏，工作有待加强", True),  # field words used as qualities are no domain
        ("推动政务公开工作健康发展，不断提升水平", True),
        ("应急处置能力有待提升", True),
        ("百年大计，工作仍需加强", True),
        ("完善工作机制，强化考核监督，确保各项要求落到实处", True),
        ("公示时未对申请人身份证号作隐私处理，审核把关仍需加强", False),
        ("坚持解读材料与政策文件同步起草、同步审签，解读工作仍需加强", False),  # named steps (V5)
        ("各县区部门政务公开工作发展不平衡", True),
        ("注重解读工作的精准性，让政策更易懂", True),  # jieba tags 易懂 as a person's name
        ("信息发布审核把关不够严格", True),  # a management function named bare
        ("加强信息发布审核，杜绝错别字和数据差错", False),  # errors named (V5)
        ("个别民警认为涉密事项多，存在不愿公开的思想", False),  # a cause
        ("信息员调整频繁，政务公开工作的连续性有待加强", False),  # staff turnover is a cause
        ("部分科室交接不到位，信息公开工作衔接不够顺畅", False),
        ("统计公告的指标解释还不够详细", False),
        ("配齐配强信息公开工作人员", True),  # effort wording without evaluation words
        ("解读产品较少，解读形式有待丰富", True),
        ("进一步加强对各村村务公开工作的指导", True),  # 村务公开: the grassroots work area
        ("村务公开栏内容更新滞后", False),  # its board is an object
        ("严格按照法定程序和期限办理，提高答复质量", True),  # the statutory limit, no number
        ("答复期限为15个工作日", False),
        ("个别答复未说明理由，补正告知不够明确", False),  # steps of the procedure
        ("加强对镇村两级信息员的培训，增强公开意识", True),  # 镇村两级: a generic role (V3)
        ("采取图文解读、专家解读等方式，提高解读的可读性", False),  # named forms
        ("部分领域只公开结果，未公开决策过程", False),  # a named stage of the process
    ],
)
def test_vagueness_domains_causes_and_generic_roles(text: str, vague: bool) -> None:
    """Written for this test: a field's own matter or a time span is concrete; "部分乡镇" is a role."""
    assert vagueness(text)[0] is vague


@pytest.mark.parametrize(
    ("text", "agency", "vague"),
    [
        ("进一步推动财政信息公开工作再上新台阶", "南屏市财政局", True),  # the body's own field as a whole
        ("进一步推动财政信息公开工作再上新台阶", "南屏市审计局", False),  # another body's matter
        ("公租房分配结果、轮候排序等信息未能全部公开，住房保障领域公开还不够充分", "南屏市住房和城乡建设局", False),
        ("加强对辖区医疗卫生机构信息公开工作的指导", "某区卫生健康委员会", True),
        ("财政补贴信息公开还不够全面", "某市财政局", False),  # 补贴 is a matter, not the field itself
        ("医保信息公开工作有待加强", "某市医疗保障局", True),  # the field by its short name
        ("税务信息公开工作有待进一步加强", "东岭市税务局", True),  # 税 grows to the name's 税务
        ("增值税留抵退税政策的解读还不够及时", "东岭市税务局", False),  # a matter inside the field
        ("统计数据公开的及时性有待提高", "东岭市统计局", True),  # the field's data as a whole
        ("进一步加强安全生产信息公开", "东岭市水务局", False),  # jieba cuts 安全生产: matched in the text
        ("安全生产信息公开还需进一步加强", "东岭市安全生产监督管理局", True),
        ("政务公开工作与上级要求和纳税人期待相比还有差距", "东岭市税务局", True),  # an addressee
        ("以更高标准推进林草领域政务公开工作", "东岭省林业和草原局", True),  # the field by its short name
        ("对中小微企业融资政策的解读不够通俗", "东岭市地方金融监督管理局", False),
        ("及时回应退役军人关切，不断提升服务水平", "东岭市退役军人事务局", True),
        ("及时回应退役军人关切，不断提升服务水平", "东岭市民政局", True),  # not its field: still an addressee
        ("退役军人优待证办理信息公开还不够及时", "东岭市退役军人事务局", False),
    ],
)
def test_vagueness_reads_the_body_own_field_as_generic(text: str, agency: str, vague: bool) -> None:
    """Guide V2a (sentences and bodies written for this test)."""
    assert vagueness(text, agency=agency)[0] is vague
