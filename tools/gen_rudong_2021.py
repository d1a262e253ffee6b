"""Generates rubrics/rudong-2021.toml from the seed text so that every clause's 原文 is verbatim.

Run once by hand (python3 tools/gen_rudong_2021.py); the TOML is the product's source of truth and is
checked in. The verbatim test in crates/core/tests re-checks every 原文 against the seed copy.
"""
import pathlib

root = pathlib.Path(__file__).resolve().parent.parent
seed = (root / "rubrics/source/rudong-2021-seed.txt").read_text(encoding="utf-8")
lines = [l.strip() for l in seed.splitlines() if l.strip()]


def para(prefix):
    hits = [l for l in lines if l.startswith(prefix)]
    assert len(hits) == 1, (prefix, hits)
    return hits[0]


net3 = para("3. 网上办件量")
cut = net3.index("对办件量")
net3a, net3b = net3[:cut], net3[cut:]

J = 'rule = { kind = "judgement" }'
# (item id, item name, item max, [(clause id, title, max, text, methods, rule, checkpoints)])
ind1 = [
    ("1.1", "场所设施", "0.1", [
        ("1.1.1", "开放式大厅≥200㎡，标识牌", "0.05", para("1. 镇（街道）设立的为民服务中心"), ["看现场"], J,
         ["有开放式办公的服务大厅", "大厅面积不小于200平方米", "主体建筑显著位置悬挂“XX为民服务中心”或“XX行政审批局”标识牌"]),
        ("1.1.2", "功能分区，办公设备", "0.05", para("2. 大厅内部环境"), ["看现场"], J,
         ["环境干净整洁、舒适美观，设施摆放有序", "划分咨询导服、窗口服务、代办服务、投诉处理、自助服务、政务公开、休息等候等功能区域", "配有证照登记自主服务一体机、电脑、打印机、复印机等设备"]),
    ]),
    ("1.2", "“一站式”服务", "0.1", [
        ("1.2.1", "事项及人员划转", "0.05", para("1.以“应进必进”"), ["查资料", "看现场"], J,
         ["承接的审批服务事项划转到为民服务中心或行政审批局", "相关人员一并划转"]),
        ("1.2.2", "驻镇机构进驻，水电气等纳入", "0.05", para("2.驻镇（街道）机构"), ["查资料", "看现场"], J,
         ["税务、公安、市场主体登记、不动产登记等驻镇机构事项全部进驻", "水、电、燃气、通信、有线电视等服务事项纳入"]),
    ]),
    ("1.3", "全科政务服务", "0.2", [
        ("1.3.1", "全科机制，一窗通办", "0.05", para("1. 建立健全全科政务服务机制"), ["查资料", "看现场"], J,
         ["建立全科政务服务机制", "建立窗口与部门联动机制", "实行“一窗通办，集成服务”"]),
        ("1.3.2", "人社民政卫健残联医保纳入全科窗口", "0.05", para("2. 人社、民政"), ["看现场"], J,
         ["人社、民政、卫健、残联、医保等事项在全科窗口受理、办理"]),
        ("1.3.3", "部门综窗", "0.05", para("3. 税务、公安"), ["看现场"], J,
         ["税务、公安、市场主体登记、不动产登记等暂不能进全科窗口的事项实现部门综窗"]),
        ("1.3.4", "全科培训，全科人员占比", "0.05", para("4. 定期开展全科业务培训"), ["查资料"], J,
         ["定期开展全科业务培训（有计划、记录）", "具备全科专业技能的窗口人员占比较高"]),
    ]),
    ("1.4", "网上服务", "0.2", [
        ("1.4.1", "事项认领率", "0.05", para("1. 事项认领率"), ["平台数据"],
         'rule = { kind = "rank_step", metric = "claim_rate", better = "higher", first = "0.05", step = "0.002" }', []),
        ("1.4.2", "指南完善率", "0.05", para("2. 指南完善率"), ["平台数据", "查资料"],
         'rule = { kind = "per_instance", per = "0.002", metric = "guide_defects" }', []),
        ("1.4.3a", "网上办件无超期", "0.05", net3a, ["平台数据"],
         'rule = { kind = "per_instance", per = "0.002", metric = "overdue_cases" }', []),
        ("1.4.3b", "网上办件量及覆盖率综合排名", "0.05", net3b, ["平台数据"],
         'rule = { kind = "composite_rank", first = "0.05", step = "0.002", parts = [{ metric = "online_volume", better = "higher", weight = "1" }, { metric = "online_coverage", better = "higher", weight = "1" }] }', []),
    ]),
    ("1.5", "窗口服务", "0.2", [
        ("1.5.1", "首问负责等制度，十要十严禁，岗位牌，培训", "0.10", para("1.推行首问负责"), ["看现场", "查资料"], J,
         ["首问负责、限时办结、预约服务、延时办理、一次性告知等制度落实", "落实“十要十严禁”，仪容仪表、服务态度、文明用语规范", "窗口设置岗位牌，公开人员单位、姓名、职务、电话和照片，佩戴工作标志", "常态化开展政务礼仪、政策文件和业务培训"]),
        ("1.5.2", "政务公开专区，办事指南，报送动态", "0.05", para("2.设置政务公开专区"), ["看现场", "查资料"], J,
         ["设置政务公开专区", "通过公示栏、LED屏等公开进驻事项（名称、材料、时限、收费）", "办事指南、示范样本及样表摆放在显著位置", "及时报送政务服务工作动态及创新做法"]),
        ("1.5.3", "好差评，评价牌，投诉渠道，回访", "0.05", para("3.落实政务服务“好差评”"), ["看现场", "查资料"], J,
         ["落实政务服务“好差评”（参考平台好差评数据）", "设置窗口评价牌、投诉电话、意见箱", "意见、投诉及时回访处理"]),
    ]),
    ("1.6", "帮办代办", "0.1", [
        ("1.6.1", "帮办代办队伍、制度、清单", "0.05", para("1. 建立帮办代办队伍"), ["查资料"], J,
         ["专职帮办代办人员：区不少于5人，镇（街道）不少于3人", "配有市场主体智能审批延伸服务专人", "帮办代办管理制度完善", "代办事项清单（民生类、企业全生命周期）"]),
        ("1.6.2", "帮办代办满意度", "0.05", para("2. 对帮办代办工作进行满意度测评"), ["平台数据"],
         'rule = { kind = "proportional", metric = "agent_satisfaction", target = "0.95", mode = "ratio" }', []),
    ]),
    ("1.7", "适老化服务", "0.1", [
        ("1.7.1", "适老用品，敬老专座", "0.05", para("1. 配备老花镜"), ["看现场"], J,
         ["配备老花镜、轮椅、医疗设备等服务用品", "等待区域设置“敬老专座”"]),
        ("1.7.2", "专职适老服务人员", "0.05", para("2. 安排专职服务人员"), ["看现场", "查资料"], J,
         ["安排专职服务人员", "提供咨询引导、预约、陪办、帮缴代缴、政策解答、协助填表、复印打印等服务"]),
    ]),
]
ind2 = [
    ("2.1", "机构设置、人员配备", "0.05", [
        ("2.1.1", "交易机构设置、人员配备", "0.05", para("建立区镇公共资源交易工作机构"), ["查资料"], J,
         ["成立公共资源交易领导机构", "建立交易监督机制", "成立区镇公共资源交易中心", "配备专门工作人员"]),
    ]),
    ("2.2", "管理制度、操作办法", "0.05", [
        ("2.2.1", "交易管理制度、操作办法", "0.05", para("建立健全区镇公共资源交易管理制度"), ["查资料"], J,
         ["交易管理制度健全", "交易操作办法和流程明确并公开公示", "决策、监督、执行相互分离、相互协调"]),
    ]),
    ("2.3", "电子交易平台建设、交易场所标准化", "0.2", [
        ("2.3.1", "交易场所和设施", "0.05", para("1.办公场所和办公设施完备"), ["看现场"], J,
         ["固定的开标室、评标室", "信息发布栏", "电脑、打印机、录音录像设备等硬件良好"]),
        ("2.3.2", "市县认可的电子交易平台", "0.15", para("2.建立、使用市县认可的电子交易平台系统"), ["查资料", "看现场"], J,
         ["建立、使用市县认可的电子交易平台系统"]),
        ("2.3.3", "特色亮点工作加分", "0", para("3.特色亮点工作额外加分"), ["查资料"],
         'rule = { kind = "bonus" }', []),
    ]),
    ("2.4", "信息公开、规范操作、异议投诉处理", "0.15", [
        ("2.4.1", "交易信息发布", "0.05", para("1.交易信息须在南通市公共资源交易网"), ["查资料"], J,
         ["在南通市公共资源交易网等网站发布", "招标信息、资格要求、中标候选人、中标人等要素齐全、格式规范", "公示时间合理合法"]),
        ("2.4.2", "统一进场，规范交易", "0.05", para("2.交易项目按规定统一进场"), ["查资料"], J,
         ["交易项目统一进场", "资料齐全，服务规范，监管到位"]),
        ("2.4.3", "异议投诉处理", "0.05", para("3.异议（质疑）投诉处理规范"), ["查资料"], J,
         ["按规定时限对异议（质疑）书面答复", "投诉由区镇监督机构在规定期限内调查处理"]),
    ]),
    ("2.5", "档案管理", "0.05", [
        ("2.5.1", "交易档案管理", "0.05", para("严格按照档案管理的规定"), ["查资料"], J,
         ["及时收集、整理、归档各交易环节文件", "项目验收后档案统一保管", "电子化交易档案网上云存储"]),
    ]),
]


def q(s):
    assert '"' not in s and "\\" not in s, s
    return '"' + s + '"'


out = []
w = out.append
w("# 《2021年度镇区、街道政务服务考核细则》 as data — the rubric kaohe runs for 如东县.")
w("# Every clause keeps the seed's paragraph verbatim (text), its 考核方式 (method), max points and typed rule.")
w("# Clause ids follow RULES.md §1: <indicator>.<item>.<clause>; 1.4.3 is split into 1.4.3a and 1.4.3b.")
w("# Decimals are written as strings so that nothing passes through a float.")
w("# Generated once from rubrics/source/rudong-2021-seed.txt by tools/gen_rudong_2021.py; edit here from now on.")
w("")
w('id = "rudong-2021"')
w('title = "2021年度镇区、街道政务服务考核细则"')
w("year = 2021")
w('version = "1"')
w('source = "如东县政务服务管理办公室《2021年度镇区、街道政务服务考核细则》（政务服务类）"')
w('category = "政务服务"')
w('max_total = "1.5"')
w("precision = 4")
w('ties = "competition"')
w("")
w("# 平台数据指标 (RULES.md §4). Rates are fractions (0.987); inputs may write 98.7%.")
for key, name, kind, label in [
    ("claim_rate", "认领率", "rate", ""),
    ("guide_defects", "指南问题", "count", "例"),
    ("overdue_cases", "超期办件", "count", "件"),
    ("online_volume", "网上办件量", "count", "件"),
    ("online_coverage", "网上办件覆盖率", "rate", ""),
    ("agent_satisfaction", "帮办代办满意度", "rate", ""),
]:
    w("[[metrics]]")
    w(f"key = {q(key)}")
    w(f"name = {q(name)}")
    w(f"kind = {q(kind)}")
    if label:
        w(f"unit_label = {q(label)}")
    w("")

for ind_id, ind_name, ind_max, items in [("1", "政务服务规范化建设", "1.0", ind1), ("2", "公共资源交易管理规范化", "0.5", ind2)]:
    w("[[indicators]]")
    w(f"id = {q(ind_id)}")
    w(f"name = {q(ind_name)}")
    w(f"max = {q(ind_max)}")
    w("")
    for item_id, item_name, item_max, clauses in items:
        w("[[indicators.items]]")
        w(f"id = {q(item_id)}")
        w(f"name = {q(item_name)}")
        w(f"max = {q(item_max)}")
        w("")
        for cid, title, cmax, text, methods, rule, checks in clauses:
            w("[[indicators.items.clauses]]")
            w(f"id = {q(cid)}")
            w(f"title = {q(title)}")
            w(f"max = {q(cmax)}")
            w("method = [" + ", ".join(q(m) for m in methods) + "]")
            w(f"text = {q(text)}")
            if checks:
                w("checkpoints = [")
                for c in checks:
                    w(f"  {q(c)},")
                w("]")
            w(rule)
            w("")

(root / "rubrics/rudong-2021.toml").write_text("\n".join(out).rstrip() + "\n", encoding="utf-8")
print("wrote rubrics/rudong-2021.toml")
