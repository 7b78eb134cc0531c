"""The speech's indicator catalogue: the codes the report template and the import format use.

The data migration `0002_catalogue` loads exactly this into every database.
"""

SECTIONS = [
    # code, name, order
    ("lead", "组织领导", 1),
    ("biz", "依法行政与营商环境", 2),
    ("grass", "基层治理", 3),
    ("edu", "普法宣传", 4),
]

DEPARTMENTS = [
    # code, name, short name
    ("sfj", "区司法局", "司法局"),
    ("spj", "区行政审批服务局", "审批局"),
    ("bb", "区委编办", "编办"),
    ("zfw", "区委政法委", "政法委"),
    ("zzb", "区委组织部", "组织部"),
    ("gaj", "公安分局", "公安分局"),
    ("xcb", "区委宣传部", "宣传部"),
]

COUNT, PERCENTAGE = "count", "percentage"

INDICATORS = [
    # code, section, name, unit, value type, owning department (name)
    (
        "lead_council_study_per_quarter",
        "lead",
        "区政府常务会议每季度集体学法次数（不少于）",
        "次",
        COUNT,
        "区司法局",
    ),
    ("biz_approval_reforms", "biz", "完成涉企行政审批事项改革", "项", COUNT, "区行政审批服务局"),
    (
        "biz_license_items_merged",
        "biz",
        "证照事项整合、融合、更新",
        "个",
        COUNT,
        "区行政审批服务局",
    ),
    ("biz_post_approval_filings", "biz", "后置审批、备案事项", "项", COUNT, "区行政审批服务局"),
    ("biz_inhouse_counsel", "biz", "内聘法律顾问", "人", COUNT, "区司法局"),
    ("biz_external_law_experts", "biz", "外聘法律顾问中的法学专家", "人", COUNT, "区司法局"),
    ("biz_external_lawyers", "biz", "外聘法律顾问中的专业律师", "人", COUNT, "区司法局"),
    ("biz_external_law_firms", "biz", "外聘律师事务所", "家", COUNT, "区司法局"),
    (
        "biz_counsel_litigation_cases",
        "biz",
        "区政府法律顾问参与区政府法律诉讼",
        "起",
        COUNT,
        "区司法局",
    ),
    (
        "biz_leader_court_appearance_rate",
        "biz",
        "重大案件行政负责人出庭应诉率",
        "%",
        PERCENTAGE,
        "区司法局",
    ),
    ("biz_review_cases_received", "biz", "受理行政复议案件", "起", COUNT, "区司法局"),
    ("biz_review_cases_closed", "biz", "办结行政复议案件", "起", COUNT, "区司法局"),
    ("biz_township_penalty_powers", "biz", "放权赋权乡镇行使行政处罚权", "项", COUNT, "区委编办"),
    ("biz_subdistrict_penalty_powers", "biz", "街道行使行政处罚权", "项", COUNT, "区委编办"),
    ("grass_district_centers", "grass", "区级综治中心", "个", COUNT, "区委政法委"),
    ("grass_township_centers", "grass", "乡级综治中心", "个", COUNT, "区委政法委"),
    ("grass_grid_workers", "grass", "专（兼）职网格员", "名", COUNT, "区委政法委"),
    ("grass_grid_coverage", "grass", "网格化管理服务覆盖率", "%", PERCENTAGE, "区委政法委"),
    ("grass_mass_prevention_force", "grass", "群防群治力量", "人", COUNT, "区委政法委"),
    ("grass_functional_branches", "grass", "功能型党支部", "个", COUNT, "区委组织部"),
    ("grass_joint_functional_branches", "grass", "联合功能型党支部", "个", COUNT, "区委组织部"),
    ("grass_grid_branches", "grass", "网格党支部", "个", COUNT, "区委组织部"),
    ("grass_building_party_groups", "grass", "楼院、楼栋党小组", "个", COUNT, "区委组织部"),
    ("grass_patrol_townships", "grass", "组建专职巡逻队的乡镇（街道）", "个", COUNT, "公安分局"),
    ("grass_patrol_min_size", "grass", "每支专职巡逻队不少于", "人", COUNT, "公安分局"),
    ("grass_disputes_mediated", "grass", "调处各类矛盾纠纷", "起", COUNT, "区司法局"),
    ("edu_materials_distributed", "edu", "发放各类宣传资料", "份", COUNT, "区司法局"),
    ("edu_legal_consultations", "edu", "解答法律咨询", "人次", COUNT, "区司法局"),
    ("edu_people_educated", "edu", "受教育群众", "人次", COUNT, "区委宣传部"),
    ("edu_bulletin_boards", "edu", "设立宣传栏", "个", COUNT, "区司法局"),
    ("edu_culture_signs", "edu", "法治文化展示牌", "个", COUNT, "区司法局"),
    ("edu_publicity_panels", "edu", "法治宣传板块", "块", COUNT, "区司法局"),
]

# Computed indicators (计算指标) shipped with the catalogue, loaded by migration 0010:
# code, section, name, unit, value type, owning department, formula, decimal places.
COMPUTED_INDICATORS = [
    (
        "biz_review_closure_rate",
        "biz",
        "行政复议办结率",
        "%",
        PERCENTAGE,
        "区司法局",
        "biz_review_cases_closed / biz_review_cases_received * 100",
        1,
    ),
    (
        "biz_external_counsel_total",
        "biz",
        "外聘法律顾问中的法学专家和专业律师合计",
        "人",
        COUNT,
        "区司法局",
        "biz_external_law_experts + biz_external_lawyers",
        0,
    ),
]

# Cross-indicator rules seeded with the catalogue: left, operator, right, severity, name.
RULES = [
    (
        "biz_review_cases_closed",
        "<=",
        "biz_review_cases_received",
        "error",
        "办结行政复议案件数不应超过受理数",
    ),
    (
        "grass_district_centers",
        "<=",
        "grass_township_centers",
        "warning",
        "区级综治中心数一般不超过乡级综治中心数",
    ),
]

# 填报说明 shown next to each field of the entry form (loaded by migration 0005). They say what to
# count and, where the speech rounds a figure (万余, 多), that the exact number is what is wanted.
_WAN = "讲话稿中按“万余”表述（如 23456 写作 2.3 万余），此处请填写实际数，不要换算成万。"
HELP_TEXTS = {
    "lead_council_study_per_quarter": "区政府常务会议每季度安排集体学法的最少次数，按现行学法制度填写。",
    "biz_approval_reforms": "截至本报告期末累计完成改革（取消、下放、合并、告知承诺等）的涉企行政审批事项数。",
    "biz_license_items_merged": "截至本报告期末累计完成整合、融合或更新的证照事项个数。",
    "biz_post_approval_filings": "改为后置审批或备案管理的事项数。",
    "biz_inhouse_counsel": "报告期末区政府在聘的内聘法律顾问人数（含公职律师）。",
    "biz_external_law_experts": "报告期末区政府外聘法律顾问中法学专家的人数。",
    "biz_external_lawyers": "报告期末区政府外聘法律顾问中专业律师的人数。",
    "biz_external_law_firms": "报告期末区政府外聘的律师事务所家数。",
    "biz_counsel_litigation_cases": "报告期内区政府法律顾问参与的、以区政府为当事人的诉讼案件数。",
    "biz_leader_court_appearance_rate": "重大行政诉讼案件中行政机关负责人出庭应诉的比例，填 0–100 的数（百分比），如 100。",
    "biz_review_cases_received": "报告期内区政府受理的行政复议案件数。",
    "biz_review_cases_closed": "报告期内办结的行政复议案件数，不应多于受理数。",
    "biz_township_penalty_powers": "依法放权赋权由乡镇行使的行政处罚事项数。",
    "biz_subdistrict_penalty_powers": "依法由街道行使的行政处罚事项数。",
    "grass_district_centers": "截至报告期末建成的区级社会治安综合治理中心个数。",
    "grass_township_centers": "截至报告期末建成的乡镇（街道）级综治中心个数。",
    "grass_grid_workers": "报告期末配备的专职和兼职网格员人数合计。",
    "grass_grid_coverage": "网格化管理服务覆盖的村（社区）占全部村（社区）的比例，填 0–100 的数。",
    "grass_mass_prevention_force": "治保会、治安巡逻队、平安志愿者、楼栋长等群防群治力量人数合计。"
    + _WAN,
    "grass_functional_branches": "报告期末已成立的功能型党支部个数。",
    "grass_joint_functional_branches": "报告期末已成立的联合功能型党支部个数。",
    "grass_grid_branches": "报告期末已成立的网格党支部个数。",
    "grass_building_party_groups": "报告期末已成立的楼院、楼栋党小组个数。",
    "grass_patrol_townships": "已组建专职巡逻队的乡镇（街道）个数。",
    "grass_patrol_min_size": "每支专职巡逻队的最少人数（讲话稿写作“不少于 N 人”）。",
    "grass_disputes_mediated": "报告期内调处的各类矛盾纠纷件数。",
    "edu_materials_distributed": "报告期内累计发放的各类普法宣传资料（册、份）数。" + _WAN,
    "edu_legal_consultations": (
        "报告期内解答法律咨询的人次。讲话稿中按“多人次”表述（取前两位，如 3270 写作 3200 多），"
        "此处请填写实际数。"
    ),
    "edu_people_educated": "报告期内各类普法活动受教育群众的人次。" + _WAN,
    "edu_bulletin_boards": "截至报告期末设立的普法宣传栏个数。",
    "edu_culture_signs": "截至报告期末设立的法治文化展示牌个数。",
    "edu_publicity_panels": "截至报告期末设立的法治宣传板块块数。",
}
