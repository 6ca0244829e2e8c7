"""The demo's resources as data: 阳台山社区's 56 on hand (and five that are not), and the district's patterns.

A row names the kind (``resources.models.KINDS``), who offers it, where it is (``c`` the community, ``1``-``5``
a grid), the service categories it answers (codes of ``needs.catalogue.DEFAULT_CATEGORIES``), its capacity
(so many a ``week``, or so many at ``once``), its weekly hours (``HOURS``) and its state: on hand, on hand
``until`` an agreement ends, ``expired``, or ``retired`` (withdrawn by staff).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from linli.synth.names import person_name
from linli.synth.people import mobile


@dataclass(frozen=True)
class ResourceRow:
    kind: str
    name: str
    owner: str
    where: str
    categories: tuple[str, ...]
    capacity: int
    unit: str
    hours: str
    state: str = ""  # "", "until", "expired" or "retired"
    description: str = ""
    address: str = ""


def _r(kind: str, name: str, owner: str, where: str, categories: str, capacity: int, unit: str, hours: str,
       state: str = "", description: str = "") -> ResourceRow:  # fmt: skip
    return ResourceRow(kind, name, owner, where, tuple(categories.split()), capacity, unit, hours, state, description)


# (weekdays, start, end) in minutes; Xiamen's offices keep summer hours (14:30-18:00 in the afternoon).
HOURS: dict[str, tuple[tuple[range, int, int], ...]] = {
    "office": ((range(5), 510, 720), (range(5), 870, 1080)),
    "weekdays": ((range(5), 480, 1050),),
    "clinic": ((range(6), 480, 720), (range(6), 870, 1050)),
    "meals": ((range(7), 630, 780), (range(7), 990, 1110)),
    "shop": ((range(7), 510, 1260),),
    "daily": ((range(7), 480, 1200),),
    "evening": ((range(5), 990, 1230),),
    "weekend": ((range(5, 7), 540, 1020),),
    "any": (),  # any time
}


def opening_hours(key: str) -> list[dict[str, Any]]:
    """Return the weekly opening hours of pattern ``key``, sorted by day and time."""
    spans = [{"weekday": d, "start": s, "end": e} for days, s, e in HOURS[key] for d in days]
    return sorted(spans, key=lambda h: (h["weekday"], h["start"]))


def contact(rng: random.Random) -> tuple[str, str]:
    """Return a contact person's name and mobile (E.164, checked by ``lib.phone``: no 149 numbers)."""
    sex = rng.choice("12")
    return person_name(rng, sex, rng.randint(1960, 1998)), mobile(rng)


C, OFFICE = "阳台山社区居委会", "office"
# fmt: off
RESOURCES: tuple[ResourceRow, ...] = (
    # ---- venues (场地)
    _r("venue", "社区党群服务中心多功能厅", C, "c", "free_clinic legal_advice", 4, "week", OFFICE,
       description="可容纳80人，义诊、普法讲座、议事会用"),
    _r("venue", "社区活动室（电脑教室）", C, "c", "computer_lessons", 5, "week", OFFICE,
       description="12台电脑，智能手机和电脑课堂"),
    _r("venue", "长者食堂", C, "c", "meals_bathing charity_kitchen", 40, "week", "meals",
       description="60岁以上老人助餐，独居、高龄老人可送餐上门"),
    _r("venue", "图强小区党群服务站", "图强小区党支部", "1", "home_care online_shopping ticket_booking", 8, "week",
       "weekdays", description="百事帮服务队的落脚点，居民来这里提需求"),
    _r("venue", "爱心厨房", C, "1", "charity_kitchen", 30, "week", "meals", description="低保户、独居老人免费午餐"),
    _r("venue", "人民调解室", "阳台山社区人民调解委员会", "c", "dispute_mediation legal_advice", 6, "week", OFFICE),
    _r("venue", "心灵驿站心理咨询室", C, "c", "counselling", 4, "week", OFFICE),
    _r("venue", "第四网格健康小屋", "第四网格天使服务队", "4", "free_clinic", 20, "week", "weekdays",
       description="量血压、测血糖，天使服务队轮流值守"),
    _r("venue", "社区日间照料中心", C, "2", "home_care meals_bathing", 15, "week", "weekdays"),
    _r("venue", "社区助浴间", C, "2", "meals_bathing", 6, "week", "weekdays"),
    _r("venue", "小喇叭巡逻队值班室", "第五网格小喇叭巡逻队", "5", "dispute_mediation", 5, "week", "daily"),
    _r("venue", "社区图书阅览室", C, "3", "computer_lessons counselling", 5, "week", "daily"),
    # ---- institutions (机构)
    _r("institution", "阳台山社区卫生服务站", "开元街道社区卫生服务中心", "c", "free_clinic hospital_booking", 30,
       "week", "clinic"),
    _r("institution", "家庭医生签约团队", "开元街道社区卫生服务中心", "c", "home_care free_clinic hospital_booking", 10,
       "week", "weekdays", description="行动不便的签约老人可上门随访"),
    _r("institution", "居家养老服务站", "思明区颐家养老服务中心", "2", "home_care meals_bathing", 20, "week", "daily"),
    _r("institution", "小书虫托教中心", "小书虫教育咨询有限公司", "5", "counselling", 3, "week", "evening", "until",
       "第五网格评估过的托教机构，与社区签有公益课时协议"),
    _r("institution", "启航四点半课堂", "启航托管服务部", "3", "counselling computer_lessons", 3, "week", "evening",
       "until"),
    _r("institution", "老年大学阳台山教学点", "思明区老年大学", "c", "computer_lessons", 4, "week", "weekdays"),
    _r("institution", "残疾人之家", "思明区残疾人联合会", "c", "home_care counselling", 5, "week", "weekdays"),
    _r("institution", "社会工作服务站", "厦门市同心社会工作服务中心", "c", "counselling home_care dispute_mediation", 6,
       "week", OFFICE),
    _r("institution", "开元街道法律服务所", "开元街道司法所", "c", "legal_advice dispute_mediation", 5, "week", OFFICE),
    # ---- equipment (设备)
    _r("equipment", "轮椅借用（4台）", C, "c", "home_care hospital_booking", 4, "once", OFFICE),
    _r("equipment", "电子血压计", "第四网格健康小屋", "4", "free_clinic", 3, "once", "weekdays"),
    _r("equipment", "血糖仪", "第四网格健康小屋", "4", "free_clinic", 2, "once", "weekdays"),
    _r("equipment", "助行器、拐杖借用", C, "c", "home_care", 6, "once", OFFICE),
    _r("equipment", "医用护理床借用", "居家养老服务站", "2", "home_care", 2, "once", "daily"),
    _r("equipment", "便民维修工具箱", "图强小区党群服务站", "1", "repairs", 2, "once", "weekdays"),
    _r("equipment", "教学用笔记本电脑（10台）", C, "c", "computer_lessons", 10, "once", OFFICE),
    _r("equipment", "自动体外除颤器（AED）", "阳台山社区卫生服务站", "c", "free_clinic", 1, "once", "any"),
    _r("equipment", "老人助浴椅", "社区助浴间", "2", "meals_bathing", 2, "once", "weekdays"),
    # ---- businesses (商家)
    _r("business", "阳光理发店（上门理发）", "个体户", "1", "home_care", 6, "week", "shop",
       description="行动不便的老人每月免费上门理发一次"),
    _r("business", "老林修鞋铺", "个体户", "2", "repairs", 10, "week", "shop"),
    _r("business", "美佳超市送货上门", "美佳超市", "1", "online_shopping meals_bathing", 30, "week", "shop"),
    _r("business", "鑫达家电维修部", "个体户", "3", "repairs", 8, "week", "shop"),
    _r("business", "安居开锁换锁", "个体户", "c", "repairs", 5, "week", "any"),
    _r("business", "百姓大药房送药上门", "百姓大药房", "4", "online_shopping free_clinic", 15, "week", "shop"),
    _r("business", "好味道快餐店爱心午餐", "个体户", "5", "charity_kitchen meals_bathing", 20, "week", "meals"),
    _r("business", "移动手机维修店", "个体户", "3", "repairs computer_lessons", 6, "week", "shop"),
    _r("business", "洁家家政服务部", "洁家家政服务有限公司", "c", "home_care meals_bathing", 10, "week", "weekdays"),
    _r("business", "顺安水电维修服务部", "个体户", "2", "repairs", 8, "week", "shop"),
    _r("business", "阳台山菜市场送菜上门", "阳台山菜市场管理处", "c", "online_shopping meals_bathing", 20, "week",
       "daily"),
    _r("business", "平安电召车（就医接送）", "厦门平安出租车公司", "c", "hospital_booking", 10, "week", "any"),
    # ---- member units (大党委成员单位, 共建单位)
    _r("member_unit", "开元供电所安全用电检查", "国网厦门供电公司开元供电所", "c", "repairs", 4, "week", "weekdays"),
    _r("member_unit", "开元派出所社区警务室", "思明公安分局开元派出所", "c", "dispute_mediation", 6, "week", "daily"),
    _r("member_unit", "律师事务所法律顾问", "福建鹭江律师事务所", "c", "legal_advice", 4, "week", "weekdays", "until",
       description="共建单位：每周三下午律师驻点，免费咨询"),
    _r("member_unit", "工商银行上门服务", "中国工商银行厦门开元支行", "c", "online_shopping home_care", 3, "week",
       "weekdays", "until", "卧床老人上门办理社保卡、养老金业务"),
    _r("member_unit", "第一医院骨科专家义诊", "厦门大学附属第一医院", "c", "free_clinic hospital_booking", 10, "week",
       "weekdays", description="大党委成员单位：每季度专家义诊，可协助预约专家号"),
    _r("member_unit", "开元消防救援站安全检查", "思明区消防救援大队开元消防救援站", "c", "home_care", 3, "week",
       "weekdays"),
    _r("member_unit", "燃气公司入户安检", "厦门华润燃气有限公司", "c", "repairs", 6, "week", "weekdays"),
    _r("member_unit", "自来水维修热线", "厦门水务集团", "c", "repairs", 6, "week", "daily"),
    _r("member_unit", "中国移动智能手机课", "中国移动厦门分公司", "c", "computer_lessons", 2, "week", "weekend"),
    _r("member_unit", "开元小学心理老师", "思明区开元小学", "3", "counselling", 2, "week", "weekdays"),
    _r("member_unit", "邮政网点代购代寄", "中国邮政厦门开元支局", "c", "online_shopping ticket_booking", 10, "week",
       "weekdays"),
    _r("member_unit", "图强小区物业维修班", "图强小区物业服务中心", "1", "repairs", 10, "week", "daily"),
    # ---- residents' skills offered as a resource (not volunteers: they charge a token fee)
    _r("skill", "退休会计代办社保医保手续", "个体户", "2", "legal_advice", 3, "week", "weekdays"),
    _r("skill", "钟师傅修收音机、小家电", "个体户", "5", "repairs", 4, "week", "weekend"),
    # ---- not on hand: agreements ended, equipment returned, a shop closed
    _r("venue", "暑期阳光小课堂教室（借用）", "思明区开元小学", "3", "computer_lessons", 4, "week", "weekdays",
       "expired"),
    _r("business", "福满超市送货上门", "福满超市", "2", "online_shopping", 20, "week", "shop", "expired"),
    _r("equipment", "电动爬楼机借用", "厦门康乐助残器具租赁", "c", "hospital_booking home_care", 1, "once", OFFICE,
       "expired"),
    _r("member_unit", "建设银行上门服务", "中国建设银行厦门湖滨支行", "c", "online_shopping", 3, "week", "weekdays",
       "expired"),
    _r("business", "老陈修车铺", "个体户", "4", "repairs", 6, "week", "shop", "retired", "店面已转让"),
)
# fmt: on

# ---- the district: patterns of what every community has, and what some have --------------------------

# fmt: off
# Every community has these ({c} is its name).
DISTRICT_EVERY: tuple[ResourceRow, ...] = (
    _r("venue", "{c}党群服务中心活动室", "{c}居委会", "c", "computer_lessons counselling", 5, "week", OFFICE),
    _r("venue", "{c}长者食堂", "{c}居委会", "c", "meals_bathing charity_kitchen", 40, "week", "meals"),
    _r("venue", "{c}人民调解室", "{c}人民调解委员会", "c", "dispute_mediation legal_advice", 6, "week", OFFICE),
    _r("institution", "{c}卫生服务站", "街道社区卫生服务中心", "c", "free_clinic hospital_booking", 30, "week",
       "clinic"),
    _r("equipment", "{c}轮椅借用", "{c}居委会", "c", "home_care hospital_booking", 3, "once", OFFICE),
)
# The rest are drawn from these, weighted ({s} a surname, {road} a road, {n} a number).
DISTRICT_SOME: tuple[tuple[int, ResourceRow], ...] = (
    (3, _r("venue", "{c}日间照料中心", "{c}居委会", "g", "home_care meals_bathing", 15, "week", "weekdays")),
    (2, _r("venue", "{c}心理咨询室", "{c}居委会", "c", "counselling", 4, "week", OFFICE)),
    (2, _r("venue", "{c}图书阅览室", "{c}居委会", "g", "computer_lessons", 5, "week", "daily")),
    (3, _r("institution", "{s}氏居家养老服务站", "养老服务中心", "g", "home_care meals_bathing", 20, "week", "daily")),
    (3, _r("institution", "{road}托教中心", "教育咨询有限公司", "g", "counselling", 3, "week", "evening")),
    (2, _r("institution", "{c}社会工作服务站", "社会工作服务中心", "c", "counselling home_care dispute_mediation", 6,
           "week", OFFICE)),
    (3, _r("equipment", "电子血压计", "{c}卫生服务站", "g", "free_clinic", 2, "once", "weekdays")),
    (2, _r("equipment", "助行器借用", "{c}居委会", "g", "home_care", 4, "once", OFFICE)),
    (3, _r("equipment", "便民维修工具箱", "{c}居委会", "g", "repairs", 2, "once", "weekdays")),
    (6, _r("business", "{s}记理发店", "个体户", "g", "home_care", 6, "week", "shop")),
    (5, _r("business", "{s}师傅修鞋铺", "个体户", "g", "repairs", 10, "week", "shop")),
    (5, _r("business", "{road}超市送货上门", "个体户", "g", "online_shopping meals_bathing", 30, "week", "shop")),
    (5, _r("business", "{s}记家电维修部", "个体户", "g", "repairs", 8, "week", "shop")),
    (4, _r("business", "{road}药房送药上门", "个体户", "g", "online_shopping free_clinic", 15, "week", "shop")),
    (4, _r("business", "{s}记快餐店爱心午餐", "个体户", "g", "charity_kitchen meals_bathing", 20, "week", "meals")),
    (3, _r("business", "{s}家政服务部", "个体户", "g", "home_care meals_bathing", 10, "week", "weekdays")),
    (3, _r("business", "{s}记水电维修", "个体户", "g", "repairs", 8, "week", "shop")),
    (2, _r("member_unit", "供电所安全用电检查", "国网厦门供电公司", "c", "repairs", 4, "week", "weekdays")),
    (2, _r("member_unit", "派出所社区警务室", "思明公安分局", "c", "dispute_mediation", 6, "week", "daily")),
    (2, _r("member_unit", "律师事务所法律顾问", "律师事务所", "c", "legal_advice", 4, "week", "weekdays")),
    (2, _r("member_unit", "银行上门服务", "银行支行", "c", "online_shopping home_care", 3, "week", "weekdays")),
    (2, _r("member_unit", "医院专家义诊", "共建医院", "c", "free_clinic hospital_booking", 10, "week", "weekdays")),
    (2, _r("member_unit", "燃气公司入户安检", "厦门华润燃气有限公司", "c", "repairs", 6, "week", "weekdays")),
    (1, _r("skill", "{s}师傅修收音机、小家电", "个体户", "g", "repairs", 4, "week", "weekend")),
)
# fmt: on
