"""A hand-written corpus of short rule-of-law reports in the shapes real offices write them
(district, county, township and department reports; none of it copied from any): each figure
is marked ⟦number|label⟧, the label being the demo indicator it must bind to (a key of CODES)
or "new"; every other Arabic number is a non-figure (a year, a date, a document number, a
hotline, an ordinal, a list number, a name in 《》).

`parse(report)` gives the plain text and the labelled figures as (paragraph, start, text,
label) with `start` in the paragraph's text.
"""

from __future__ import annotations

import re

CODES = {
    "rcv": "biz_review_cases_received",
    "cls": "biz_review_cases_closed",
    "rate": "biz_review_closure_rate",
    "court": "biz_leader_court_appearance_rate",
    "inh": "biz_inhouse_counsel",
    "exp": "biz_external_law_experts",
    "law": "biz_external_lawyers",
    "firms": "biz_external_law_firms",
    "tot": "biz_external_counsel_total",
    "lit": "biz_counsel_litigation_cases",
    "appr": "biz_approval_reforms",
    "lic": "biz_license_items_merged",
    "post": "biz_post_approval_filings",
    "twp": "biz_township_penalty_powers",
    "sub": "biz_subdistrict_penalty_powers",
    "dc": "grass_district_centers",
    "tc": "grass_township_centers",
    "gw": "grass_grid_workers",
    "cov": "grass_grid_coverage",
    "mass": "grass_mass_prevention_force",
    "fb": "grass_functional_branches",
    "gb": "grass_grid_branches",
    "jfb": "grass_joint_functional_branches",
    "bpg": "grass_building_party_groups",
    "pt": "grass_patrol_townships",
    "pm": "grass_patrol_min_size",
    "disp": "grass_disputes_mediated",
    "mat": "edu_materials_distributed",
    "cons": "edu_legal_consultations",
    "edu": "edu_people_educated",
    "board": "edu_bulletin_boards",
    "sign": "edu_culture_signs",
    "panel": "edu_publicity_panels",
    "study": "lead_council_study_per_quarter",
}

REPORTS: dict[str, str] = {
    # A district government's annual report.
    "district_a": """示范区人民政府关于2025年度法治政府建设情况的报告
2025年，示范区人民政府坚持以习近平法治思想为指导，认真落实《法治政府建设实施纲要（2021—2025年）》，现将有关情况报告如下：
一、主要举措和成效
（一）依法全面履行政府职能
全年完成涉企行政审批事项改革⟦46|appr⟧项，后置审批、备案事项⟦21|post⟧项，整合、融合、更新证照事项⟦17|lic⟧个。区政府常务会议每季度至少集体学法⟦1|study⟧次，全年召开常务会议集中学法⟦6|new⟧次。
（二）推进严格规范公正文明执法
全年共受理行政复议案件⟦152|rcv⟧件，审结⟦139|new⟧件，纠错⟦12|new⟧件。重大案件行政负责人出庭应诉率⟦100|court⟧%。区政府法律顾问参与区政府法律诉讼⟦19|lit⟧起。
（三）加强普法宣传
全年发放各类宣传资料⟦3.2|mat⟧万余份，解答法律咨询⟦4500|cons⟧多人次，受教育群众⟦8|edu⟧万多人次。3月15日、12月4日分别开展集中宣传活动，12348热线接听来电⟦2600|new⟧余个。
二、存在的不足和2026年工作打算
2026年，将按照《示范区法治建设规划（2021—2025年）》的安排，推进第3轮法治督察，确保各项任务落地。
2026年1月20日""",
    # A county government's report with a 12345 hotline and a shared 办结率.
    "county_b": """示范县2025年法治政府建设年度报告
一、党政主要负责人履行第一责任人职责情况
县委常委会、县政府常务会议研究法治议题⟦9|new⟧次，政府常务会每半年至少听取⟦2|new⟧次法治工作汇报。县政府领导班子集体学法⟦8|new⟧次。
二、化解矛盾纠纷
12345政务服务便民热线全年受理群众诉求⟦2|new⟧万余件，办结率、满意率均达⟦99|new⟧%。政协委员提案⟦120|new⟧件，办结率⟦100|new⟧%。人大代表建议⟦86|new⟧件，全部按期办结。
全县调处各类矛盾纠纷⟦1860|disp⟧起，调解成功率⟦98.6|new⟧%。
三、法律顾问
县政府共有内聘法律顾问⟦6|inh⟧人，外聘律师事务所⟦2|firms⟧家，审查合同协议⟦132|new⟧份，出具法律意见书⟦45|new⟧份。
依据《示范县重大行政决策程序规定》（示政发〔2024〕7号），全年审查重大行政决策事项⟦11|new⟧件。
2026年2月3日""",
    # A township's work report.
    "township_c": """示范镇人民政府2025年法治政府建设工作报告
2025年，示范镇深入学习贯彻习近平法治思想，现将本年度工作情况报告如下：
一、强化组织领导
镇党委会专题研究法治工作⟦4|new⟧次，组织镇村干部学法⟦12|new⟧次，覆盖⟦260|new⟧余人次。
二、基层治理
全镇划分网格⟦48|new⟧个，配备专（兼）职网格员⟦96|gw⟧名，网格化管理服务覆盖率达到⟦100|cov⟧%。群防群治力量达⟦1.2|mass⟧万余人。
成立功能型党支部⟦7|fb⟧个，网格党支部⟦23|gb⟧个。镇人民调解委员会调处矛盾纠纷⟦214|disp⟧起，调解成功率⟦97|new⟧%。
三、普法宣传
开展法治宣传“六进”活动⟦32|new⟧场次，发放宣传资料⟦4000|mat⟧余份，覆盖群众⟦2|new⟧万余人次。⟦9|new⟧个村（社区）均配备法律顾问。
设立宣传栏⟦18|board⟧个，法治文化展示牌⟦26|sign⟧个。
四、2026年打算
继续落实“1+3+N”工作机制，做好第2批民主法治示范村创建。
2026年1月15日""",
    # A department (司法局) report.
    "department_d": """示范区司法局2025年度法治政府建设情况报告
一、行政复议
2025年，区司法局共收到行政复议申请⟦64|new⟧件，受理行政复议案件⟦58|rcv⟧起，办结⟦55|cls⟧起，行政复议办结率⟦94.8|rate⟧%。
二、公共法律服务
办理法律援助案件⟦215|new⟧件，为群众挽回经济损失⟦360|new⟧万元。解答法律咨询⟦3200|cons⟧多人次。
全区共有内聘法律顾问⟦12|inh⟧人，外聘法律顾问⟦11|tot⟧人，其中法学专家⟦3|exp⟧人、专业律师⟦8|law⟧人，与律师事务所⟦4|firms⟧家建立合作关系。
三、普法
全年发放各类宣传资料⟦12.3|mat⟧万余份，设立宣传栏⟦260|board⟧个、法治文化展示牌⟦145|sign⟧个、法治宣传板块⟦380|panel⟧块。
四、人民调解
全区共调处各类矛盾纠纷⟦2138|disp⟧起，涉及金额⟦1.5|new⟧亿元。
联系电话：0371-12345678。
2026年1月28日""",
    # A district report with 街道 and penalty powers.
    "district_e": """示范区2025年法治政府建设情况
（一）深化行政执法体制改革
报经上级批准，放权赋权乡镇行使行政处罚权⟦126|twp⟧项，街道行使行政处罚权⟦98|sub⟧项。全区行政执法人员⟦1320|new⟧名，持证率⟦100|new⟧%。
（二）推进社会治理
近年来，共建成区级综治中心⟦1|dc⟧个，乡级综治中心⟦14|tc⟧个，配备专（兼）职网格员⟦1860|gw⟧名。⟦14|pt⟧个乡镇（街道）均组建了不少于⟦10|pm⟧人的专职巡逻队。
（三）规范性文件管理
全年审查规范性文件⟦18|new⟧件，清理规章和规范性文件⟦76|new⟧件，废止⟦9|new⟧件。
（四）行政应诉
全年行政诉讼案件⟦43|new⟧件，行政机关负责人出庭应诉⟦43|new⟧次，重大案件行政负责人出庭应诉率⟦100|court⟧%。
根据《关于加强行政应诉工作的意见》（示办〔2023〕15号）的要求，每年第4季度开展⟦1|new⟧次庭审旁听。
2026年2月12日""",
    # A county education-focused report with approximations.
    "county_f": """示范县2025年度普法依法治理工作报告
全县开展“宪法宣传周”活动⟦56|new⟧场，约⟦1.8|new⟧万人参加。举办法治讲座⟦120|new⟧余场，近⟦500|new⟧名干部参加培训。
全县发放各类宣传资料⟦5.6|mat⟧万余份，受教育群众⟦9.2|edu⟧万余人次，解答法律咨询⟦2700|cons⟧多人次。
建成法治文化公园⟦3|new⟧个、法治文化广场⟦11|new⟧个，设立宣传栏⟦84|board⟧个。
全县国家工作人员学法考试参考率、合格率均达⟦100|new⟧%。
依托“4.15”全民国家安全教育日、“12.4”国家宪法日等节点，开展主题宣传。
2024年至2025年，先后有⟦2|new⟧个村被评为全国民主法治示范村，⟦6|new⟧个村被评为省级民主法治示范村。
2026年1月9日""",
    # A township report with 村 and 万余 forms.
    "township_g": """示范乡2025年度法治建设情况报告
一、依法决策
乡党委会议、乡长办公会议研究重大事项⟦27|new⟧项，全部经过合法性审查。聘请法律顾问⟦1|new⟧名，审核合同⟦38|new⟧份。
二、矛盾化解
全乡排查矛盾纠纷⟦156|new⟧起，化解⟦151|new⟧起，化解率⟦96.8|new⟧%。接待群众来访⟦320|new⟧余人次。
三、平安建设
组建治安巡逻队⟦12|new⟧支，群防群治力量⟦2300|mass⟧人，全乡网格化管理服务覆盖率⟦100|cov⟧%。
四、法治宣传
开展送法下乡⟦18|new⟧次，发放宣传资料⟦6000|mat⟧余份，受教育群众⟦1.1|edu⟧万余人次。
2025年3月，在第1期“法律明白人”培训中，⟦86|new⟧名法律明白人参加。
2026年2月26日""",
    # A department (审批局) report.
    "department_h": """示范区行政审批服务局2025年法治政府建设工作总结
一、深化“放管服”改革
全年完成涉企行政审批事项改革⟦106|appr⟧项，证照事项整合、融合、更新⟦42|lic⟧个，后置审批、备案事项⟦35|post⟧项。
政务服务事项网上可办率⟦98.5|new⟧%，“一件事”集成办理⟦26|new⟧个，办理各类审批事项⟦1.6|new⟧万余件。
二、规范执法
开展“双随机、一公开”抽查⟦42|new⟧批次，抽查市场主体⟦1280|new⟧户次。
三、政务公开
主动公开政府信息⟦860|new⟧条，办理依申请公开⟦23|new⟧件，按期答复率⟦100|new⟧%。
咨询电话：12345，工作时间9:00至17:30。
2026年3月2日""",
    # A district leader's speech.
    "speech_i": """在全区法治建设工作会议上的讲话
同志们：
2025年，全区法治建设取得新进展。区政府常务会议坚持每季度至少集体学法⟦1|study⟧次，区委理论学习中心组专题学法⟦4|new⟧次。
全区共有群防群治力量⟦2.3|mass⟧万余人，成立功能型党支部⟦56|fb⟧个，网格党支部⟦312|gb⟧个。全年调处各类矛盾纠纷⟦2138|disp⟧起。
全年受理行政复议案件⟦58|rcv⟧起，办结⟦55|cls⟧起，办结率⟦94.8|rate⟧%。
全年发放各类宣传资料⟦12.3|mat⟧万余份，解答法律咨询⟦3200|cons⟧多人次，受教育群众⟦8.6|edu⟧万余人次。
今年是“十四五”规划收官之年，第5个“八五”普法年度，要在2026年继续发力。
2025年12月30日""",
    # A county judicial bureau with shapes like 其中 and 同比.
    "department_j": """示范县司法局关于2025年法治政府建设情况的报告
一、行政复议
全年收到行政复议申请⟦96|new⟧件，受理行政复议案件⟦88|rcv⟧件，其中纠错⟦9|new⟧件，纠错率⟦10.2|new⟧%。同比增长⟦12.8|new⟧%。
二、法律顾问
县政府内聘法律顾问⟦5|inh⟧人，外聘法律顾问中法学专家⟦2|exp⟧人，专业律师⟦4|law⟧人。法律顾问参与区政府法律诉讼⟦7|lit⟧起。
三、人民调解
全县共有人民调解委员会⟦215|new⟧个，人民调解员⟦1080|new⟧名，调处各类矛盾纠纷⟦3420|disp⟧起。
四、社区矫正
在册社区矫正对象⟦132|new⟧人，全年无脱管漏管。
《示范县司法行政工作规划（2021—2025年）》确定的⟦18|new⟧项任务全部完成。
2026年1月22日""",
    # A subdistrict (街道) report.
    "township_k": """示范街道办事处2025年度法治政府建设情况报告
一、基层治理
辖区划分网格⟦36|new⟧个，配备专（兼）职网格员⟦72|gw⟧名，网格化管理服务覆盖率⟦100|cov⟧%。成立楼院、楼栋党小组⟦64|bpg⟧个。
二、执法
街道行使行政处罚权⟦98|sub⟧项，全年办理行政处罚案件⟦47|new⟧件，罚没款⟦12.6|new⟧万元。
三、普法
设立法治宣传板块⟦40|panel⟧块、法治文化展示牌⟦12|sign⟧个，开展普法活动⟦28|new⟧场，覆盖居民⟦5000|new⟧余人次。
四、调解
调处各类矛盾纠纷⟦310|disp⟧起，调解成功率⟦99|new⟧%。
2025年12月31日前，完成第2轮权责清单调整。
2026年2月6日""",
    # A county report mixing everything.
    "county_l": """示范县人民政府2025年度法治政府建设情况报告
2025年，示范县坚持依法行政。现将情况报告如下：
一、政府职能
全县完成涉企行政审批事项改革⟦63|appr⟧项，办理政务服务事项⟦21.5|new⟧万件。
二、依法决策
县政府常务会议审议重大行政决策事项⟦14|new⟧项，县政府法律顾问参与区政府法律诉讼⟦5|lit⟧起。
三、社会治理
全县建成乡级综治中心⟦18|tc⟧个，配备专（兼）职网格员⟦2400|gw⟧名，群防群治力量⟦3.1|mass⟧万余人。
四、普法
全县设立宣传栏⟦150|board⟧个，发放各类宣传资料⟦8.8|mat⟧万余份，开展法律咨询⟦1900|cons⟧多人次，受教育群众⟦12|edu⟧万余人次。
五、行政复议
县政府全年受理行政复议案件⟦74|rcv⟧件，办结⟦70|cls⟧件。行政诉讼一审败诉率⟦3.5|new⟧%。
落实《中华人民共和国行政复议法》（2023年修订），每月第1个工作日公开行政复议决定书。
2026年3月11日""",
}

_MARK = re.compile(r"⟦([^|⟧]+)\|([a-z]+)⟧")


def parse(report: str) -> tuple[str, list[tuple[int, int, str, str]]]:
    """The report's plain text and its figures: (paragraph, start in it, number, label)."""
    plain_lines, figures = [], []
    for paragraph, line in enumerate(report.split("\n")):
        out, at = [], 0
        for match in _MARK.finditer(line):
            out.append(line[at : match.start()])
            start = sum(len(piece) for piece in out)
            figures.append((paragraph, start, match.group(1), match.group(2)))
            out.append(match.group(1))
            at = match.end()
        out.append(line[at:])
        plain_lines.append("".join(out))
    return "\n".join(plain_lines), figures
