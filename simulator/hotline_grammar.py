"""What people tell the 12345 hotline: topics (service codes, agencies, deadlines, rhythms) and
the template grammar their descriptions are written from.

Each description is opening (by channel) + a topic body + optional personal contact details;
the bodies mix time phrases, places, causes, impacts, earlier attempts and requests, so a few
thousand tickets a day read like real work orders rather than a handful of fixed sentences.
"""

from __future__ import annotations

from dataclasses import dataclass

from .chinese_text import COMMON_RULES, Grammar


@dataclass(frozen=True)
class Topic:
    key: str
    code: str
    name: str
    share: float
    agencies: tuple[str, ...]
    deadline_days: float
    mood: str  # complaint | neutral | praise
    summer: float = 1.0  # multiplier June-August
    winter: float = 1.0  # multiplier December-February
    night: float = 1.0  # multiplier 21:00-06:00
    rain: float = 0.0  # extra multiplier per mm/h of rain (ponding, leaks)


TOPICS = (
    Topic(
        "noise",
        "0101",
        "噪声扰民",
        9,
        ("市生态环境局{dn}分局", "{dn}城市管理局", "市公安局{dn}分局"),
        3,
        "complaint",
        summer=1.4,
        night=2.2,
    ),
    Topic(
        "road_damage",
        "0201",
        "道路破损",
        6,
        ("{dn}住房和城乡建设局", "{dn}城市管理局"),
        5,
        "complaint",
        rain=0.05,
    ),
    Topic(
        "street_light",
        "0202",
        "路灯故障",
        4,
        ("{dn}城市管理局",),
        3,
        "complaint",
        winter=1.2,
        night=1.8,
    ),
    Topic(
        "water_supply",
        "0301",
        "供水问题",
        6,
        ("市水务集团",),
        1,
        "complaint",
        summer=1.2,
        winter=1.3,
    ),
    Topic(
        "gas_heating",
        "0302",
        "燃气供暖",
        3,
        ("港华燃气公司", "市热力公司"),
        2,
        "complaint",
        summer=0.4,
        winter=2.5,
    ),
    Topic(
        "power",
        "0303",
        "供电问题",
        2,
        ("国网连云港供电公司",),
        1,
        "complaint",
        summer=2.0,
        rain=0.08,
    ),
    Topic("property", "0401", "物业管理", 10, ("{dn}住房和城乡建设局", "{street}"), 5, "complaint"),
    Topic("illegal_parking", "0501", "违章停车", 6, ("市公安局交通警察支队",), 1, "complaint"),
    Topic(
        "traffic",
        "0502",
        "交通出行",
        6,
        ("市交通运输局", "市公交集团", "市公安局交通警察支队"),
        5,
        "complaint",
    ),
    Topic("garbage", "0601", "环境卫生", 6, ("{dn}城市管理局",), 2, "complaint", summer=1.3),
    Topic(
        "environment",
        "0602",
        "环境污染",
        4,
        ("市生态环境局{dn}分局",),
        5,
        "complaint",
        summer=1.2,
        night=1.3,
    ),
    Topic(
        "greening", "0603", "园林绿化", 1.5, ("{dn}住房和城乡建设局",), 3, "complaint", rain=0.05
    ),
    Topic(
        "flooding",
        "0604",
        "积水内涝",
        0.3,
        ("{dn}城市管理局", "市水利局"),
        1,
        "complaint",
        rain=3.0,
    ),
    Topic("food_safety", "0701", "食品安全", 3, ("市市场监督管理局",), 5, "complaint", summer=1.3),
    Topic("consumer", "0702", "消费维权", 5, ("市市场监督管理局",), 7, "complaint"),
    Topic(
        "wage_arrears",
        "0801",
        "劳动保障",
        5,
        ("市人力资源和社会保障局",),
        7,
        "complaint",
        winter=2.0,
    ),
    Topic("education", "0901", "教育", 4, ("市教育局", "{dn}教育局"), 5, "complaint"),
    Topic("medical", "1001", "医疗卫生", 4, ("市卫生健康委员会", "市医疗保障局"), 5, "complaint"),
    Topic(
        "housing",
        "1101",
        "房屋建设",
        2.5,
        ("市住房和城乡建设局", "市自然资源和规划局"),
        10,
        "complaint",
    ),
    Topic("pets", "1201", "养犬管理", 1.5, ("市公安局{dn}分局",), 3, "complaint", night=1.4),
    Topic(
        "consultation",
        "1301",
        "政策咨询",
        14,
        (
            "市人力资源和社会保障局",
            "市住房公积金管理中心",
            "市公安局",
            "市医疗保障局",
            "市行政审批局",
        ),
        1,
        "neutral",
        night=0.5,
    ),
    Topic(
        "praise",
        "1401",
        "表扬感谢",
        3,
        ("{street}", "{dn}城市管理局", "市公安局{dn}分局"),
        3,
        "praise",
        night=0.4,
    ),
)

CHANNELS = (("phone", 0.6), ("app", 0.15), ("wechat", 0.18), ("web", 0.07))
OPENINGS = {
    "phone": [
        "来电人反映：",
        "市民来电反映，",
        "来电反映：",
        "市民来电称，",
        "来电人称：",
        "",
        "来电人表示，",
    ],
    "app": [
        "市民通过“我的连云港”APP反映：",
        "APP留言：",
        "市民通过APP反映，",
        "网友通过APP留言称：",
    ],
    "wechat": [
        "市民通过12345微信公众号反映：",
        "微信留言：",
        "网友通过微信反映，",
        "市民在小程序留言：",
    ],
    "web": ["网友留言：", "市民在政府网站留言称：", "网民反映：", "网上留言："],
}
HOSPITALS = (
    "市第一人民医院",
    "市第二人民医院",
    "市中医院",
    "市妇幼保健院",
    "市东方医院",
    "东海县人民医院",
    "赣榆区人民医院",
    "灌云县人民医院",
    "灌南县人民医院",
)

RULES: dict[str, list] = {
    **COMMON_RULES,
    # --- noise ---------------------------------------------------------------------------
    "noise": [
        "{addr}{noise.src}，{night}{noise.sound}，{noise.impact}，{feel}。{repeat}{ask}",
        "{when}{addr}{noise.src}，{noise.sound}，{noise.impact}。{repeat}{ask}",
        "反映{addr}{noise.src}噪音扰民，{night}还在{noise.act}，{noise.impact}。{ask}",
        "家住{addr}，{noise.src}，{morning}就开始{noise.act}，{noise.impact}，{feel}。{ask}",
    ],
    "noise.src": [
        "附近有工地夜间施工",
        "楼下的{shop}",
        "小区广场上有人跳广场舞",
        "楼上住户装修",
        "附近的烧烤摊",
        "路边的KTV",
        "对面的商铺用大喇叭促销",
        "隔壁的酒吧",
        "附近的加工厂",
        "楼下有人开改装车轰油门",
        "小区里的空调外机",
        "菜市场卸货",
    ],
    "noise.sound": [
        "噪音特别大",
        "音响开得震天响",
        "机器轰鸣声不断",
        "电钻声、敲击声不停",
        "音乐声很大",
        "吵闹声不断",
        "渣土车来回跑，动静很大",
    ],
    "noise.act": ["施工", "放音乐", "喧哗", "作业", "装卸货"],
    "noise.impact": [
        "严重影响周边居民休息",
        "家里老人孩子晚上根本睡不着",
        "第二天还要上班，根本休息不好",
        "孩子马上要中考，没法安心学习",
        "家中有病人需要静养",
        "整栋楼的居民都有意见",
    ],
    # --- roads ---------------------------------------------------------------------------
    "road_damage": [
        "{addr}路面{road.damage}，{road.risk}，{repeat}{ask}",
        "{when}{addr}{road.damage}，{road.risk}。{ask}",
        "反映{addr}的人行道{road.walk}，{road.risk}，{ask}",
        "{addr}附近道路{road.damage}，{road.cause}，{road.risk}。{repeat}{ask}",
    ],
    "road.damage": [
        "出现一个大坑",
        "坑洼不平",
        "塌陷了一块",
        "破损严重",
        "有多处裂缝",
        "窨井盖破损",
        "井盖缺失",
        "井盖松动，车压过去哐哐响",
        "沥青大面积脱落",
    ],
    "road.cause": [
        "前段时间管道施工后没有修复",
        "大货车经常碾压",
        "雨水冲刷后更严重了",
        "修好没多久又坏了",
    ],
    "road.risk": [
        "晚上骑电动车很容易摔倒",
        "已经有人摔伤了",
        "下雨天积水看不清，很危险",
        "车辆经过颠簸很厉害",
        "存在很大的安全隐患",
        "老人孩子经过很不安全",
    ],
    "road.walk": ["地砖松动", "砖块翘起", "被挖开后一直没有恢复", "被占道堆放建材"],
    "street_light": [
        "{addr}{light.issue}，{light.impact}。{repeat}{ask}",
        "{when}{addr}一带{light.issue}，{light.impact}，{ask}",
        "反映{addr}{light.issue}，{light.impact}，{feel}，{ask}",
    ],
    "light.issue": [
        "路灯不亮",
        "整条路的路灯都不亮",
        "有好几盏路灯坏了",
        "路灯一闪一闪的",
        "路灯白天一直亮着，浪费电",
        "路灯杆被撞歪了",
        "路灯线路裸露在外",
    ],
    "light.impact": [
        "晚上黑漆漆的，行人出行很不方便",
        "晚上下班回家很害怕",
        "存在安全隐患",
        "附近居民晚上散步不方便",
        "很容易发生交通事故",
    ],
    # --- utilities -----------------------------------------------------------------------
    "water_supply": [
        "{addr}{when}{water.issue}，{water.impact}，{ask}",
        "{addr}{water.issue}，事先没有接到任何通知，{water.impact}。{repeat}{ask}",
        "反映{addr}{water.issue}，{water.impact}，{feel}。{ask}",
    ],
    "water.issue": [
        "停水了",
        "水压很低，楼上基本没水",
        "自来水发黄，有异味",
        "水管爆裂，路面全是水",
        "水表井漏水",
        "水里有很多杂质",
        "供水时断时续",
    ],
    "water.impact": [
        "做饭洗澡都成问题",
        "家里老人生活很不方便",
        "影响正常生活",
        "浪费了大量自来水",
        "不敢直接饮用",
    ],
    "gas_heating": [
        "{addr}{gas.issue}，{ask}",
        "{when}{addr}{gas.issue}，{gas.impact}。{repeat}{ask}",
    ],
    "gas.issue": [
        "楼道里有很浓的燃气味",
        "燃气开通申请了很久还没人来安装",
        "燃气费明显比以前高，怀疑表有问题",
        "暖气不热，室内温度只有十几度",
        "集中供暖到现在还没开始",
        "燃气灶打不着火，燃气公司一直没来人",
    ],
    "gas.impact": ["担心有安全隐患", "家里老人孩子冻得受不了", "给生活带来很大不便"],
    "power": [
        "{addr}{when}{pow.issue}，{pow.impact}，{ask}",
        "{addr}{pow.issue}，事先没有通知，{ask}",
    ],
    "pow.issue": [
        "停电了",
        "经常跳闸停电",
        "电压不稳，电器都不能用",
        "电线杆倾斜，电线垂得很低",
        "变压器有异响",
    ],
    "pow.impact": [
        "天这么热家里老人受不了",
        "冰箱里的东西都坏了",
        "存在安全隐患",
        "严重影响生产经营",
    ],
    # --- neighbourhood -------------------------------------------------------------------
    "property": [
        "{addr}物业{prop.issue}，{prop.impact}，{repeat}{ask}",
        "{when}{addr}{prop.issue2}，物业{prop.attitude}。{ask}",
        "反映{addr}{prop.issue2}，找物业{prop.attitude}，{feel}。{ask}",
    ],
    "prop.issue": [
        "不作为，小区垃圾没人清理",
        "乱收停车费",
        "擅自涨物业费",
        "服务态度很差",
        "对小区内私搭乱建不管不问",
        "把公共绿地改成了停车位",
        "一直不公开公共收益",
    ],
    "prop.issue2": [
        "{building}号楼电梯经常坏，已经被困过好几次",
        "小区门禁坏了好久",
        "楼道灯不亮",
        "地下车库漏水",
        "小区消防通道被堵",
        "二次供水水箱很久没清洗",
        "小区监控坏了",
    ],
    "prop.attitude": ["一直推诿", "说没钱维修", "根本不管", "答应修但一直拖着", "态度很恶劣"],
    "prop.impact": ["业主意见很大", "居民生活受到很大影响", "大家都很不满"],
    "illegal_parking": [
        "{addr}{park.issue}，{park.impact}。{ask}",
        "{when}{addr}{park.issue}，{park.impact}，{repeat}希望交警过来处理。",
    ],
    "park.issue": [
        "有车辆长期占用消防通道",
        "很多车辆乱停乱放",
        "有车辆占用盲道停放",
        "机动车停在人行道上",
        "有辆车堵住了小区门口",
        "有大货车长期停在路边",
        "共享电动车乱停，堵住了路口",
    ],
    "park.impact": [
        "行人只能走到机动车道上",
        "一旦发生火灾后果不堪设想",
        "早晚高峰经常堵车",
        "出行很不方便",
        "车子开不出去",
    ],
    "traffic": ["{addr}{traf.issue}，{traf.impact}，{ask}", "{when}{traf.issue2}，{ask}"],
    "traf.issue": [
        "红绿灯时间设置不合理，绿灯只有十几秒",
        "路口没有红绿灯，车速很快",
        "交通标线模糊不清",
        "经常有渣土车超速行驶",
        "早晚高峰堵车严重",
    ],
    "traf.issue2": [
        "{bus}路公交车班次太少，等车要半个多小时",
        "{bus}路公交车司机开车太猛",
        "{bus}路公交车不按站停靠",
        "出租车拒载、不打表",
        "网约车乱收费",
    ],
    "traf.impact": ["行人过马路很危险", "存在很大安全隐患", "出行很不方便"],
    "garbage": [
        "{addr}{garb.issue}，{garb.impact}，{ask}",
        "{when}{addr}{garb.issue}，{repeat}{ask}",
    ],
    "garb.issue": [
        "垃圾桶满了好几天没人清运",
        "有人乱倒建筑垃圾",
        "垃圾堆积如山",
        "有人焚烧垃圾，烟很大",
        "垃圾中转站臭气熏天",
        "河边堆满了生活垃圾",
        "环卫车作业时污水洒了一路",
    ],
    "garb.impact": ["气味难闻，蚊蝇很多", "严重影响环境卫生", "居民开窗都不敢", "天热了更加严重"],
    "environment": [
        "{addr}{env.issue}，{env.impact}，{repeat}{ask}",
        "{when}{addr}附近{env.issue}，{ask}",
    ],
    "env.issue": [
        "餐馆油烟直排",
        "有刺鼻的化工异味",
        "河道里漂着死鱼，水发黑发臭",
        "工厂晚上偷排废气",
        "有企业往河里排污水",
        "扬尘污染严重",
        "养殖场臭味很大",
    ],
    "env.impact": ["熏得人头疼", "家里都不敢开窗", "严重影响身体健康", "周围居民反映强烈"],
    "greening": ["{addr}{green.issue}，{green.impact}，{ask}"],
    "green.issue": [
        "有一棵大树被风刮倒了",
        "行道树枝叶挡住了路灯和红绿灯",
        "绿化带杂草丛生",
        "树枝快要碰到电线了",
        "公园里的健身器材坏了",
    ],
    "green.impact": ["挡住了道路", "存在安全隐患", "影响行人通行", "很不美观"],
    "flooding": [
        "{addr}{flood.issue}，{flood.impact}，{ask}",
        "下雨后{addr}{flood.issue}，{repeat}{ask}",
        "{rain_when}{addr}{flood.issue}，{flood.impact}，希望尽快排水。",
    ],
    "flood.issue": [
        "积水很深，已经没过脚踝",
        "路面积水严重，有车辆熄火",
        "雨水倒灌进小区地下车库",
        "排水不畅，积水一直退不下去",
        "下水道井盖被冲开了",
        "低洼处积水有半米深",
    ],
    "flood.impact": [
        "行人根本无法通行",
        "一楼住户家里进水了",
        "车辆被泡，损失很大",
        "学生上学都过不去",
    ],
    "rain_when": ["今天的大雨过后", "这场暴雨后", "从早上下雨开始", "雨一下"],
    "pets": ["{addr}{pet.issue}，{pet.impact}，{ask}"],
    "pet.issue": ["有人遛狗不拴绳", "流浪狗很多", "邻居家的狗整夜狂叫", "有人在小区里养大型犬"],
    "pet.impact": ["孩子被吓哭了", "已经有人被咬伤", "晚上根本睡不好", "居民很害怕"],
    # --- markets and work ----------------------------------------------------------------
    "food_safety": [
        "{when}在{addr}的{shop}{food.issue}，{food.impact}，{ask}",
        "反映{addr}{shop}{food.issue2}，{ask}",
    ],
    "food.issue": [
        "买到了过期食品",
        "吃完饭后拉肚子",
        "点的外卖里吃出了异物",
        "买的猪肉有异味",
        "买的海鲜不新鲜，称也不足",
    ],
    "food.issue2": ["后厨卫生条件很差", "无证经营", "使用过期食材", "从业人员没有健康证"],
    "food.impact": ["商家拒绝退换", "要求商家赔偿被拒", "身体出现不适"],
    "consumer": [
        "{when}在{addr}的{shop}{cons.issue}，{cons.impact}，{ask}",
        "{cons.issue2}，{ask}",
    ],
    "cons.issue": [
        "办了预付卡，现在店关门了",
        "买的商品有质量问题，商家不给退",
        "消费时被强制收取服务费",
        "遇到商家虚假宣传",
        "价格标签和结账价格不一致",
    ],
    "cons.issue2": [
        "网购的商品一直不发货，商家联系不上",
        "在健身房办的年卡，老板跑路了",
        "装修公司收了定金后拖着不开工",
        "在培训机构交了学费，现在退费困难",
    ],
    "cons.impact": ["卡里还有{money}元", "多次协商无果", "损失了{money}元", "商家态度蛮横"],
    "wage_arrears": [
        "来电人在{company}工作，{wage.issue}，{wage.impact}，{ask}",
        "{company}{wage.issue}，涉及工人{people}人左右，{wage.impact}。{ask}",
        "来电人在{addr}的工地干活，{wage.issue2}，{ask}",
    ],
    "wage.issue": [
        "被拖欠工资{months}个月",
        "离职后公司一直不结清工资",
        "公司不给缴纳社保",
        "公司拖欠加班费",
        "试用期工资不按约定发放",
    ],
    "wage.issue2": [
        "包工头拖欠工资{money}元一直不给",
        "工程结束了工钱还没结清",
        "老板跑路了，工资没人给",
    ],
    "wage.impact": ["快过年了，家里等着用钱", "多次讨要无果", "生活陷入困难", "公司一直推脱"],
    # --- public services -----------------------------------------------------------------
    "education": ["{edu.issue}，{ask}", "家住{addr}，{edu.issue2}，{ask}"],
    "edu.issue": [
        "咨询今年小学入学划片范围",
        "反映{landmark}附近有校外培训机构违规培训",
        "反映某学校违规收取资料费",
        "孩子所在学校放学时间太早，家长接送困难",
        "学校门口上下学时段交通拥堵严重",
    ],
    "edu.issue2": [
        "孩子上学划片的学校离家太远",
        "孩子入园难，附近幼儿园没有学位",
        "校车接送不规范，超载严重",
    ],
    "medical": ["{med.issue}，{ask}", "{when}在{hospital}{med.issue2}，{med.impact}。{ask}"],
    "med.issue": [
        "咨询异地就医医保报销流程",
        "反映医保卡无法正常结算",
        "咨询新生儿医保如何办理",
        "反映慢性病门诊报销比例问题",
    ],
    "med.issue2": [
        "看病排队时间太长",
        "遇到医生服务态度差",
        "挂号难，号一放出来就没了",
        "检查收费不合理",
    ],
    "med.impact": ["耽误了治疗", "患者家属很不满意", "希望医院改进服务"],
    "housing": [
        "来电人在{community}买的房子{house.issue}，{house.impact}，{ask}",
        "{house.issue2}，{ask}",
    ],
    "house.issue": [
        "开发商延期交房已经半年",
        "交房后一直办不下来不动产证",
        "房屋墙体开裂漏水",
        "实际面积与合同不符",
    ],
    "house.issue2": [
        "反映{community}小区公共维修资金使用不透明",
        "反映{community}安置房迟迟未交付",
        "咨询拆迁补偿标准",
    ],
    "house.impact": ["孩子上学落不了户", "多次找开发商没有结果", "业主们很着急"],
    "consultation": ["{consult.q}", "来电咨询{consult.q2}。", "{consult.intro}{consult.q2}？"],
    "consult.q": [
        "咨询灵活就业人员如何缴纳社保。",
        "咨询公积金提取需要哪些材料。",
        "咨询新生儿落户如何办理。",
        "咨询个体工商户营业执照网上怎么办理。",
        "咨询居住证办理流程。",
        "咨询失业金领取条件。",
        "咨询老年人优待证在哪里办理。",
        "咨询驾驶证到期换证需要带什么材料。",
        "咨询不动产登记需要多长时间。",
        "咨询今年的消费券怎么领取。",
        "咨询医保异地备案怎么办。",
        "咨询高龄津贴发放标准。",
    ],
    "consult.q2": [
        "养老保险转移接续的办理流程",
        "住房公积金贷款额度如何计算",
        "{dn}哪里可以办理身份证",
        "新能源汽车补贴政策",
        "灵活就业人员医保缴费标准",
        "退役军人优待证办理条件",
        "残疾人补贴申请流程",
        "学区划分政策",
        "契税减免政策",
        "人才公寓申请条件",
        "创业担保贷款政策",
        "企业开办一网通办的流程",
    ],
    "consult.intro": ["想问一下", "请问", "您好，咨询一下", "麻烦问一下"],
    "praise": [
        "{praise.who}{praise.did}，{praise.feel}，{praise.end}",
        "表扬{praise.who}{praise.did}，{praise.end}",
    ],
    "praise.who": [
        "{street}的社区工作人员",
        "{hospital}的医护人员",
        "{dn}的环卫工人",
        "{bus}路公交车司机",
        "派出所民警",
        "12345热线的工作人员",
        "市政务服务中心窗口的工作人员",
        "供电公司的抢修师傅",
        "水务集团的维修师傅",
    ],
    "praise.did": [
        "帮忙解决了家里的难题",
        "服务特别热情耐心",
        "冒着大雨连夜抢修",
        "帮我找回了丢失的钱包",
        "及时处理了我反映的问题",
        "主动上门为老人办理业务",
        "救治及时",
    ],
    "praise.feel": ["非常感动", "特别感谢", "给他们点赞", "真心感谢"],
    "praise.end": ["希望对他们给予表扬。", "特此表扬！", "希望领导能表扬一下他们。", "谢谢你们！"],
    # --- replies on closing (reply.<topic> rules are added in grammar()) ------------------
    "res.generic": [
        "工作人员已到现场查看并处理完毕，已电话告知来电人。",
        "已联系相关责任单位整改，目前问题已解决。",
        "经核实情况属实，已责令整改。",
        "已安排人员维修，现已恢复正常。",
        "已向来电人解释相关政策，来电人表示理解。",
        "经现场核查，已协调双方达成一致。",
        "已纳入近期整治计划，将尽快处理。",
    ],
    "res.consultation": [
        "已电话联系来电人，详细解答了相关政策。",
        "已告知来电人办理流程及所需材料。",
    ],
    "res.praise": ["已将表扬转达相关单位及个人。"],
}

VARIABLES = (
    "addr",
    "dn",
    "street",
    "community",
    "landmark",
    "shop",
    "company",
    "hospital",
    "bus",
    "building",
    "money",
    "months",
    "people",
    "name",
    "surname",
    "mobile",
    "agency",
)
CONTACT_SHARE = 0.08
"""Share of tickets whose text carries the caller's name and/or mobile number."""
CONTACTS = [
    "联系人：{name}，电话：{mobile}。",
    "（来电人{surname}先生，电话{mobile}）",
    "请回电{mobile}。",
    "联系人{surname}女士，联系电话{mobile}。",
    "我叫{name}，手机{mobile}，可以随时联系我。",
]


def grammar() -> Grammar:
    g = Grammar({**RULES, "contact": CONTACTS})
    for topic in TOPICS:
        res = f"res.{topic.key}" if f"res.{topic.key}" in RULES else "res.generic"
        g.add(
            f"reply.{topic.key}",
            [
                f"经{{agency}}核实，{{{res}}}",
                f"{{agency}}回复：{{{res}}}",
                f"已转{{agency}}办理，{{{res}}}",
            ],
        )
    g.check(VARIABLES)
    return g
