"""Words on figures, in reports and in the app, in Chinese and English, declared once.

Indicator and lever names live with their declarations (``INDICATORS``, ``LEVERS``);
this module adds the units and the phrases figures, reports and the app need, and one
function per kind of label, each taking ``lang`` (``"zh"`` or ``"en"``).
"""

from __future__ import annotations

from typing import Literal

from innosim.indicators import INDICATORS
from innosim.levers import LEVERS

Lang = Literal["zh", "en"]
LANGS: tuple[str, ...] = ("zh", "en")

UNITS: dict[str, tuple[str, str]] = {
    "firms": ("家", "firms"),
    "fraction": ("%", "%"),
    "亿元": ("亿元", "100 million yuan"),
    "institutions": ("家", "institutions"),
    "carriers": ("家", "carriers"),
    "links": ("项", "links"),
    "patents per 10k residents": ("件/万人", "per 10k residents"),
    "patents": ("件", "patents"),
    "teams": ("个", "teams"),
    "persons": ("人", "persons"),
}
"""Indicator unit -> (Chinese, English) as shown on axes. Fractions are drawn as percentages."""

TEXT: dict[str, tuple[str, str]] = {
    # figures
    "median": ("中位数", "median"),
    "band50": ("50%区间", "50% band"),
    "band90": ("90%区间", "90% band"),
    "fact": ("十三五实际值", "13th-plan fact"),
    "target": ("2025年目标", "2025 target"),
    "year": ("年份", "year"),
    "fan_title": ("各指标预测(中位数与50%/90%区间)", "Projected indicators (median, 50% and 90% bands)"),
    "trajectory_title": ("各指标模拟轨迹(单次运行)", "Simulated indicators (one run)"),
    "effect_title": (
        "相对基准情景的配对效应({year}年,中位数与5%-95%区间)",
        "Paired effect against the reference ({year}; median, 5-95% interval)",
    ),
    "effect_axis": ("效应(占基准情景中位数的%)", "effect (% of the reference median)"),
    "attain_title": ("实现{year}年目标的概率", "Probability of meeting the {year} targets"),
    "attain_axis": ("实现目标的重复运行占比", "share of replicates meeting the target"),
    "spending_title": (
        "分杠杆财政投入({start}-{end}年累计,中位数)",
        "Public spending by lever ({start}-{end}, median)",
    ),
    "spent": ("实际支出", "spent"),
    "budget_total": ("预算", "budget"),
    "spending_axis": ("亿元", "100 million yuan"),
    "cost_title": (
        "成本效益:每亿元新增投入带来的{year}年效应(中位数与5%-95%区间)",
        "Cost-effectiveness: {year} effect per 亿元 of extra spending (median, 5-95% interval)",
    ),
    "per_yi": ("每亿元", "per 亿元"),
    "sweep_title": ("参数扫描:{year}年各点的中位数与5%-95%区间", "Sweep: {year} median and 5-95% interval per point"),
    "point": ("设计点", "point"),
    "sens_bars_title": (
        "{method}:{name},{year}年({points}个点×{replicates}次重复)",
        "{method}: {name}, {year} ({points} points x {replicates} replicates)",
    ),
    "sens_bars_leading": (
        "按最大指数列出前{n}个因素(共{of}个;全部见 indices.csv)",
        "the {n} factors of largest index of {of} (all in indices.csv)",
    ),
    "sens_time_title": (
        "{method}:{name},各年{index}(前{n}个因素)",
        "{method}: {name}, {index} by year (leading {n} factors)",
    ),
    "population_title": ("企业群体:按产业与区域(第{year}年)", "Firm population by sector and zone ({year})"),
    "firms_axis": ("企业数(按全区规模折算)", "firms (district scale)"),
    "no_data": ("无数据", "no data"),
    # the app
    "app_title": ("innosim · 白云区科技创新“十四五”规划模拟", "innosim · Baiyun 14th-plan innovation simulator"),
    "app_run": ("运行到2025年", "Run to 2025"),
    "app_seed": ("随机种子", "seed"),
    "app_budget": ("亿元/年", "亿元/yr"),
    "app_latest": ("最新值({year}年)", "latest ({year})"),
    "app_empty": ("点击 Step、▶ 或“运行到2025年”开始模拟。", "Press Step, ▶ or “Run to 2025” to start."),
    "app_scenario": ("基础情景", "base scenario"),
    "app_budgets": ("本次运行的年度预算(亿元/年,2021年起)", "budgets of this run (亿元/yr, from 2021)"),
    # reports
    "report_run": ("情景预测报告", "Scenario projection report"),
    "report_comparison": ("情景比较报告", "Scenario comparison report"),
    "report_sweep": ("参数扫描报告", "Sweep report"),
    "report_sensitivity": ("敏感性分析报告", "Sensitivity analysis report"),
    "report_optimisation": ("政策组合优化报告", "Lever-mix optimisation report"),
    "report_discovery": ("情景发现报告", "Scenario discovery report"),
    "pareto_title": (
        "帕累托前沿:承诺投入与目标({n}个候选,每个{replicates}次配对重复,±1标准误)",
        "Pareto front: committed spending against the objectives ({n} candidates, {replicates} paired replicates each, ±1 s.e.)",
    ),
    "candidates": ("全部候选", "all candidates"),
    "front": ("前沿", "front"),
    "front_table": ("前沿上的政策组合", "Lever mixes on the front"),
    "decisions": ("决策变量", "Decision variables"),
    "bounds": ("取值范围", "bounds"),
    "budget_cap": ("投入上限:2021-2025年{cap}亿元", "spending cap: {cap}亿 over 2021-2025"),
    "peeling_title": (
        "PRIM剥离轨迹:覆盖率与密度(所选箱体为红圈)",
        "PRIM peeling trajectory: coverage against density (chosen box circled)",
    ),
    "coverage": ("覆盖率", "coverage"),
    "density": ("密度", "density"),
    "restricted_dims": ("受限维数", "restricted dimensions"),
    "condition": ("条件", "condition"),
    "cases": ("{cases}个运行,其中{hits}个满足条件({year}年)", "{cases} runs, {hits} of them meet it ({year})"),
    "box": (
        "PRIM箱体(覆盖率{coverage:.0%},密度{density:.0%},质量{mass:.0%})",
        "PRIM box (coverage {coverage:.0%}, density {density:.0%}, mass {mass:.0%})",
    ),
    "lower": ("下限", "lower"),
    "upper": ("上限", "upper"),
    "qp": ("拟p值", "quasi-p"),
    "feature_scores": ("特征重要性(极端随机树)", "Feature scores (extra trees)"),
    "score": ("得分", "score"),
    "scenarios": ("情景", "Scenarios"),
    "scenario": ("情景", "scenario"),
    "description": ("说明", "description"),
    "indicators": ("指标与目标", "Indicators against the targets"),
    "figures": ("图表", "Figures"),
    "attainment": ("目标实现概率", "Probability of meeting the targets"),
    "spending": ("财政投入", "Public spending"),
    "manifest": ("运行信息", "Provenance"),
    "indicator": ("指标", "indicator"),
    "unit": ("单位", "unit"),
    "sim2020": ("2020年模拟值", "2020 simulated"),
    "fact2020": ("2020年实际值", "2020 fact"),
    "median_interval": ("{year}年中位数 [5%-95%]", "{year} median [5-95%]"),
    "target2025": ("2025年目标", "2025 target"),
    "p_target": ("实现概率", "P(target)"),
    "effect": ("效应 [5%-95%]", "effect [5-95%]"),
    "lever": ("政策杠杆", "lever"),
    "budget": ("年度预算(亿元)", "budget (亿元/yr)"),
    "spent_period": ("{start}-{end}年支出(亿元)", "spent {start}-{end} (亿元)"),
    "uptake": ("执行率", "uptake"),
    "extra": ("新增支出(亿元)", "extra (亿元)"),
    "total": ("合计", "total"),
    "factors": ("因素", "factors"),
    "ranking": ("因素排序({year}年,{index})", "Factors ranked ({year}, {index})"),
    "rank": ("排名", "rank"),
    "factor": ("因素", "factor"),
    "value": ("指数", "index"),
    "points": ("设计点", "Design points"),
    "generated": ("由 innosim {version} 生成", "Generated by innosim {version}"),
    "reference": ("基准", "reference"),
    "replicates_note": ("{replicates}次重复运行,随机种子{seed}", "{replicates} replicates, seed {seed}"),
}
"""Phrase key -> (Chinese, English); ``{name}`` fields are filled by :func:`text`."""

OBJECTIVES: dict[str, tuple[str, str]] = {
    "targets_met": ("达标指标数(期望)", "targets met (expected)"),
    "p_all": ("全部达标概率", "P(all targets met)"),
    "p_at_least": ("至少{k}项达标概率", "P(at least {k} targets met)"),
    "shortfall": ("加权差距", "weighted shortfall"),
    "worst_targets_met": ("最差{pct}%情形达标数", "targets met, worst {pct}%"),
    "spending": ("2021-2025年承诺投入(亿元)", "committed spending 2021-2025 (亿元)"),
}
"""Optimisation objective kind -> (Chinese, English) (:mod:`innosim.design.objectives`)."""


def _pick(pair: tuple[str, str], lang: str) -> str:
    check_lang(lang)
    return pair[0] if lang == "zh" else pair[1]


def check_lang(lang: str) -> None:
    """Raise ``ValueError`` unless ``lang`` is one of :data:`LANGS`."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGS)}")


def text(key: str, lang: str, **fields) -> str:
    """The phrase ``key`` in ``lang``, with ``fields`` filled in."""
    return _pick(TEXT[key], lang).format(**fields)


def objective(kind: str, lang: str, **fields) -> str:
    """An optimisation objective's name (``k`` and ``pct`` fill its settings in)."""
    return _pick(OBJECTIVES[kind], lang).format(**fields)


def indicator(iid: str, lang: str) -> str:
    """An indicator's name."""
    ind = INDICATORS[iid]
    return _pick((ind.name_zh, ind.name_en), lang)


def unit(iid: str, lang: str) -> str:
    """An indicator's unit as shown on an axis."""
    return _pick(UNITS[INDICATORS[iid].unit], lang)


def lever(lid: str, lang: str) -> str:
    """A lever's name (``"total"`` for all levers)."""
    if lid == "total":
        return text("total", lang)
    cls = LEVERS[lid]
    name = cls.name_zh.split("(")[0] if lang == "zh" else cls.name_en.split(" (")[0]
    return name


def factor(path: str, lang: str) -> str:
    """A sweep or sensitivity factor: a lever budget by name, else the dotted path without its prefix."""
    parts = path.split(".")
    if len(parts) == 3 and parts[0] == "policy" and parts[1] in LEVERS and parts[2] == "budget":
        return f"{lever(parts[1], lang)} {'预算' if lang == 'zh' else 'budget'}"
    return short(path)


def short(path: str) -> str:
    """A dotted path without its ``policy.``/``parameters.`` prefix."""
    return path.split(".", 1)[1] if path.startswith(("policy.", "parameters.")) else path
