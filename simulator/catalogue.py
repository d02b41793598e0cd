"""The data centre's information resource directory (政务信息资源目录), ~1,000 entries.

Each entry has an id like ``320701-015`` (department 01, resource 015), Chinese and English
names, the providing department, format (db_table / api / file), share type (无条件共享 /
有条件共享 / 不予共享), update cycle and the base database it belongs to. About thirty
entries are really served by this simulator; their ``served_kind`` / ``served_target`` /
``served_filter`` say which table, feed or file drop serves them. The rest are realistic
directory entries with nothing behind them, as in a real catalogue.
"""

from __future__ import annotations

import numpy as np

from .feeds import Feed, Step
from .frame import Frame, strings
from .rng import generator
from .schema import catalogue_resources, metadata
from .times import DAY

SHARE_TYPES = {"unconditional": "无条件共享", "conditional": "有条件共享", "not_shared": "不予共享"}
CYCLES = ("realtime", "5min", "hourly", "daily", "weekly", "monthly", "quarterly", "yearly")
CYCLE_ZH = {
    "realtime": "实时",
    "5min": "每5分钟",
    "hourly": "每小时",
    "daily": "每日",
    "weekly": "每周",
    "monthly": "每月",
    "quarterly": "每季度",
    "yearly": "每年",
}

# (department, English name, [(subject zh, subject en), ...])
DEPARTMENTS = (
    (
        "市公安局",
        "Municipal Public Security Bureau",
        (
            ("户籍人口", "registered population"),
            ("流动人口", "floating population"),
            ("机动车登记", "motor vehicle registration"),
            ("驾驶人", "driver"),
            ("交通违法", "traffic violation"),
            ("道路交通事故", "road traffic accident"),
            ("视频监控点位", "CCTV camera location"),
            ("出入境证件办理", "exit-entry document"),
            ("110接处警", "110 police dispatch"),
            ("旅馆业住宿登记", "hotel guest registration"),
        ),
    ),
    (
        "市自然资源和规划局",
        "Natural Resources and Planning Bureau",
        (
            ("国土空间规划", "territorial spatial plan"),
            ("不动产登记", "real estate registration"),
            ("土地供应", "land supply"),
            ("建设用地审批", "construction land approval"),
            ("地理实体", "geographic entity"),
            ("海域使用", "sea area use"),
            ("地质灾害隐患点", "geological hazard site"),
            ("基础测绘成果", "basic surveying product"),
            ("永久基本农田", "permanent basic farmland"),
        ),
    ),
    (
        "市生态环境局",
        "Ecology and Environment Bureau",
        (
            ("空气质量监测", "air quality monitoring"),
            ("地表水水质", "surface water quality"),
            ("污染源在线监测", "pollution source online monitoring"),
            ("排污许可", "pollutant discharge permit"),
            ("环境行政处罚", "environmental penalty"),
            ("建设项目环评审批", "EIA approval"),
            ("危险废物经营单位", "hazardous waste operator"),
            ("噪声监测", "noise monitoring"),
        ),
    ),
    (
        "市交通运输局",
        "Transport Bureau",
        (
            ("公交线路", "bus route"),
            ("公交站点", "bus stop"),
            ("公交车辆实时位置", "bus real-time position"),
            ("出租车运营", "taxi operation"),
            ("道路运输经营许可", "road transport licence"),
            ("港口航道", "port channel"),
            ("交通拥堵指数", "traffic congestion index"),
            ("公路桥梁", "highway bridge"),
            ("网约车平台", "ride-hailing platform"),
        ),
    ),
    (
        "市水利局",
        "Water Resources Bureau",
        (
            ("河道水位", "river water level"),
            ("水库水情", "reservoir status"),
            ("雨量站", "rain gauge"),
            ("取水许可", "water abstraction permit"),
            ("河湖长制", "river chief system"),
            ("防汛物资", "flood-control supplies"),
            ("水利工程", "water conservancy project"),
            ("闸站运行", "sluice operation"),
        ),
    ),
    (
        "市数据局",
        "Data Bureau",
        (
            ("公共数据资源目录", "public data catalogue"),
            ("数据共享交换日志", "data sharing exchange log"),
            ("电子证照", "electronic certificate"),
            ("政务云资源", "government cloud resource"),
            ("数据质量", "data quality"),
            ("公共数据开放", "open data"),
            ("基础库运行", "base database operation"),
        ),
    ),
    (
        "市市场监督管理局",
        "Market Regulation Administration",
        (
            ("企业登记", "enterprise registration"),
            ("个体工商户登记", "individual business registration"),
            ("食品经营许可", "food business licence"),
            ("特种设备", "special equipment"),
            ("产品质量抽检", "product quality sampling"),
            ("消费投诉", "consumer complaint"),
            ("经营异常名录", "abnormal operation list"),
            ("计量器具", "measuring instrument"),
        ),
    ),
    (
        "市统计局",
        "Statistics Bureau",
        (
            ("地区生产总值", "gross domestic product"),
            ("规模以上工业", "industry above designated size"),
            ("固定资产投资", "fixed asset investment"),
            ("社会消费品零售总额", "retail sales"),
            ("居民收支", "household income and expenditure"),
            ("人口抽样调查", "population sample survey"),
            ("价格指数", "price index"),
            ("统计公报", "statistical bulletin"),
        ),
    ),
    (
        "市财政局",
        "Finance Bureau",
        (
            ("一般公共预算收支", "general public budget"),
            ("政府性基金", "government fund"),
            ("政府采购", "government procurement"),
            ("国有资产", "state-owned assets"),
            ("财政专项资金", "special fiscal fund"),
            ("政府债务", "government debt"),
        ),
    ),
    (
        "连云港港口集团",
        "Lianyungang Port Group",
        (
            ("港口货物吞吐量", "port cargo throughput"),
            ("集装箱吞吐量", "container throughput"),
            ("船舶靠泊", "ship berthing"),
            ("泊位", "berth"),
            ("堆场", "yard"),
            ("船舶进出港", "vessel arrivals and departures"),
            ("集疏运车辆", "port truck"),
        ),
    ),
    (
        "市住房和城乡建设局",
        "Housing and Urban-Rural Development Bureau",
        (
            ("商品房预售", "commercial housing pre-sale"),
            ("建筑施工许可", "construction permit"),
            ("物业服务企业", "property service enterprise"),
            ("老旧小区改造", "old residential area renovation"),
            ("燃气设施", "gas facility"),
            ("园林绿地", "parks and green space"),
            ("城市桥梁", "urban bridge"),
            ("建筑工地扬尘监测", "construction dust monitoring"),
        ),
    ),
    (
        "市城市管理局",
        "Urban Management Bureau",
        (
            ("路灯设施", "street light"),
            ("环卫作业", "sanitation operation"),
            ("垃圾分类", "waste sorting"),
            ("城市排水管网", "urban drainage network"),
            ("井盖设施", "manhole cover"),
            ("户外广告", "outdoor advertising"),
            ("数字城管案件", "digital city management case"),
            ("停车泊位", "parking space"),
        ),
    ),
    (
        "市卫生健康委员会",
        "Health Commission",
        (
            ("医疗机构", "medical institution"),
            ("医护人员", "medical staff"),
            ("床位使用", "bed occupancy"),
            ("传染病监测", "infectious disease surveillance"),
            ("120急救", "120 ambulance service"),
            ("出生医学证明", "birth certificate"),
            ("预防接种", "vaccination"),
            ("公共场所卫生许可", "public place hygiene licence"),
        ),
    ),
    (
        "市教育局",
        "Education Bureau",
        (
            ("学校基本信息", "school"),
            ("在校学生", "enrolled student"),
            ("教职工", "teaching staff"),
            ("招生入学", "admission"),
            ("校外培训机构", "off-campus training institution"),
            ("校车", "school bus"),
            ("学位供给", "school place"),
        ),
    ),
    (
        "市人力资源和社会保障局",
        "Human Resources and Social Security Bureau",
        (
            ("社会保险参保", "social insurance enrolment"),
            ("就业登记", "employment registration"),
            ("失业保险", "unemployment insurance"),
            ("劳动保障监察", "labour inspection"),
            ("职业技能培训", "vocational training"),
            ("人才引进", "talent introduction"),
            ("根治欠薪", "wage arrears"),
        ),
    ),
    (
        "市民政局",
        "Civil Affairs Bureau",
        (
            ("最低生活保障对象", "minimum living allowance recipient"),
            ("养老机构", "elderly care institution"),
            ("婚姻登记", "marriage registration"),
            ("社会组织", "social organisation"),
            ("殡葬服务", "funeral service"),
            ("标准地名", "standard place name"),
            ("城乡社区", "urban and rural community"),
        ),
    ),
    (
        "市应急管理局",
        "Emergency Management Bureau",
        (
            ("应急避难场所", "emergency shelter"),
            ("应急物资储备", "emergency supplies reserve"),
            ("危险化学品企业", "hazardous chemical enterprise"),
            ("安全生产执法", "work safety enforcement"),
            ("应急救援队伍", "rescue team"),
            ("自然灾害灾情", "natural disaster damage"),
            ("应急预案", "emergency plan"),
        ),
    ),
    (
        "市气象局",
        "Meteorological Bureau",
        (
            ("气象预警", "weather warning"),
            ("自动气象站观测", "automatic weather station"),
            ("天气预报", "weather forecast"),
            ("雷达回波", "radar echo"),
            ("降水实况", "observed precipitation"),
            ("台风路径", "typhoon track"),
            ("气候公报", "climate bulletin"),
        ),
    ),
    (
        "市农业农村局",
        "Agriculture and Rural Affairs Bureau",
        (
            ("耕地", "cultivated land"),
            ("农业经营主体", "agricultural business entity"),
            ("渔船", "fishing vessel"),
            ("动物疫病", "animal disease"),
            ("农产品质量安全", "agricultural product safety"),
            ("高标准农田", "high-standard farmland"),
        ),
    ),
    (
        "市商务局",
        "Commerce Bureau",
        (
            ("外贸进出口", "foreign trade"),
            ("外商投资企业", "foreign-invested enterprise"),
            ("重点商贸企业", "key commercial enterprise"),
            ("电子商务", "e-commerce"),
            ("成品油经营", "refined oil business"),
            ("消费券发放", "consumption voucher"),
        ),
    ),
    (
        "市文化广电和旅游局",
        "Culture, Radio, Television and Tourism Bureau",
        (
            ("A级旅游景区", "A-grade scenic area"),
            ("景区客流", "scenic area visitor flow"),
            ("旅行社", "travel agency"),
            ("星级饭店", "star-rated hotel"),
            ("文物保护单位", "protected heritage site"),
            ("公共文化场馆", "public cultural venue"),
        ),
    ),
    (
        "市医疗保障局",
        "Healthcare Security Bureau",
        (
            ("医保参保", "medical insurance enrolment"),
            ("医保结算", "medical insurance settlement"),
            ("定点医药机构", "designated medical institution"),
            ("医保基金", "medical insurance fund"),
            ("药品集中采购", "centralised drug procurement"),
        ),
    ),
    (
        "市行政审批局",
        "Administrative Approval Bureau",
        (
            ("行政审批事项", "administrative approval item"),
            ("审批办件", "approval case"),
            ("投资项目审批", "investment project approval"),
            ("政务服务好差评", "service rating"),
        ),
    ),
    (
        "市司法局",
        "Justice Bureau",
        (
            ("人民调解", "people's mediation"),
            ("法律援助", "legal aid"),
            ("律师事务所", "law firm"),
            ("社区矫正", "community correction"),
            ("公证", "notarisation"),
        ),
    ),
    (
        "市发展和改革委员会",
        "Development and Reform Commission",
        (
            ("重大项目", "major project"),
            ("价格监测", "price monitoring"),
            ("公共信用信息", "public credit information"),
            ("能源消费", "energy consumption"),
            ("粮食储备", "grain reserve"),
        ),
    ),
    (
        "市工业和信息化局",
        "Industry and Information Technology Bureau",
        (
            ("规上工业企业", "industrial enterprise above designated size"),
            ("工业用电", "industrial electricity use"),
            ("5G基站", "5G base station"),
            ("专精特新企业", "specialised and innovative SME"),
            ("化工园区", "chemical park"),
        ),
    ),
    (
        "市消防救援支队",
        "Fire and Rescue Detachment",
        (
            ("消防站", "fire station"),
            ("消防车辆", "fire engine"),
            ("消防水源", "fire water source"),
            ("火灾事故", "fire incident"),
            ("消防安全重点单位", "key fire-safety unit"),
            ("消防监督检查", "fire safety inspection"),
        ),
    ),
    (
        "国家税务总局连云港市税务局",
        "Lianyungang Taxation Bureau",
        (
            ("纳税信用", "tax credit rating"),
            ("税收收入", "tax revenue"),
            ("发票", "invoice"),
            ("纳税人登记", "taxpayer registration"),
            ("欠税公告", "tax arrears notice"),
        ),
    ),
    (
        "市退役军人事务局",
        "Veterans Affairs Bureau",
        (
            ("退役军人", "veteran"),
            ("优抚对象", "entitled group"),
            ("拥军优属", "support for military families"),
        ),
    ),
    (
        "市体育局",
        "Sports Bureau",
        (
            ("体育场馆", "sports venue"),
            ("全民健身设施", "public fitness facility"),
            ("体育赛事活动", "sports event"),
        ),
    ),
    (
        "市审计局",
        "Audit Bureau",
        (("审计项目", "audit project"), ("审计整改", "audit rectification")),
    ),
    (
        "市住房公积金管理中心",
        "Housing Provident Fund Management Centre",
        (
            ("公积金缴存", "provident fund deposit"),
            ("公积金贷款", "provident fund loan"),
            ("公积金提取", "provident fund withdrawal"),
        ),
    ),
    (
        "市政务服务管理办公室",
        "Government Services Office",
        (
            ("政务服务事项", "government service item"),
            ("一网通办", "one-stop online service"),
            ("政务服务中心窗口", "service centre window"),
        ),
    ),
    (
        "市12345政务服务便民热线",
        "12345 Government Service Hotline",
        (
            ("12345工单", "12345 ticket"),
            ("热线满意度", "hotline satisfaction"),
            ("热线知识库", "hotline knowledge base"),
            ("企业诉求", "enterprise request"),
        ),
    ),
    (
        "连云港海关",
        "Lianyungang Customs",
        (
            ("进出口货物", "imports and exports"),
            ("报关单", "customs declaration"),
            ("口岸通关时效", "port clearance time"),
            ("进境检疫", "entry quarantine"),
        ),
    ),
    (
        "国网连云港供电公司",
        "State Grid Lianyungang Power Supply Company",
        (
            ("全社会用电量", "electricity consumption"),
            ("计划停电", "planned power outage"),
            ("充电桩", "charging pile"),
            ("变电站", "substation"),
        ),
    ),
    (
        "市水务集团",
        "Lianyungang Water Group",
        (
            ("供水管网", "water supply network"),
            ("水厂出厂水质", "water plant output quality"),
            ("计划停水", "planned water outage"),
            ("用水户", "water user"),
            ("二次供水设施", "secondary water supply facility"),
        ),
    ),
    (
        "市公交集团",
        "Lianyungang Public Transport Group",
        (
            ("公交车辆", "bus fleet"),
            ("公交客流", "bus ridership"),
            ("公交准点率", "bus on-time rate"),
            ("公交IC卡", "bus card"),
        ),
    ),
    (
        "市人民政府办公室",
        "General Office of the Municipal Government",
        (
            ("政府文件", "government document"),
            ("政府信息公开", "government information disclosure"),
            ("建议提案办理", "handling of proposals"),
        ),
    ),
    (
        "市档案馆",
        "Municipal Archives",
        (("档案目录", "archive catalogue"), ("开放档案", "open archive")),
    ),
    (
        "市人民防空办公室",
        "Civil Air Defence Office",
        (("人防工程", "civil air defence works"), ("防空警报器", "air-raid siren")),
    ),
    (
        "市信访局",
        "Letters and Visits Bureau",
        (("信访事项", "petition"), ("网上信访", "online petition")),
    ),
    (
        "市残疾人联合会",
        "Disabled Persons' Federation",
        (("持证残疾人", "certified disabled person"), ("康复服务", "rehabilitation service")),
    ),
    (
        "市机关事务管理局",
        "Government Offices Administration",
        (("公务用车", "official vehicle"), ("公共机构能耗", "public institution energy use")),
    ),
)

# (suffix zh, suffix en, format, cycle)
SUFFIXES = (
    ("信息", "information", "db_table", "daily"),
    ("明细", "details", "db_table", "daily"),
    ("台账", "ledger", "db_table", "weekly"),
    ("变更信息", "change records", "db_table", "daily"),
    ("月度统计", "monthly statistics", "file", "monthly"),
    ("季度统计", "quarterly statistics", "file", "quarterly"),
    ("年度统计", "annual statistics", "file", "yearly"),
    ("分区县统计", "statistics by district", "file", "monthly"),
    ("查询接口", "query API", "api", "realtime"),
    ("核验接口", "verification API", "api", "realtime"),
    ("实时数据", "real-time data", "api", "5min"),
    ("空间分布", "spatial distribution", "file", "monthly"),
    ("目录", "directory", "db_table", "monthly"),
)
BASE_KEYWORDS = (
    ("population", ("户籍", "流动人口", "人口", "婚姻", "出生", "持证残疾人", "退役军人")),
    ("legal_entity", ("企业", "个体工商户", "纳税人登记", "社会组织", "律师事务所", "旅行社")),
    (
        "spatial",
        (
            "地理",
            "国土",
            "点位",
            "设施",
            "管网",
            "水源",
            "站点",
            "场所",
            "地名",
            "耕地",
            "农田",
            "桥梁",
            "泊位",
            "井盖",
            "路灯",
            "场馆",
            "基站",
            "海域",
            "隐患点",
        ),
    ),
    (
        "macro_economy",
        (
            "生产总值",
            "工业",
            "投资",
            "零售",
            "收支",
            "价格",
            "吞吐量",
            "外贸",
            "用电量",
            "税收",
            "预算",
            "统计公报",
            "能源",
        ),
    ),
    ("social_credit", ("信用", "许可", "处罚", "异常名录", "欠税", "失信")),
    ("e_certificate", ("电子证照", "证明", "证件")),
)
GENERIC_FIELDS = (
    "统一编码",
    "名称",
    "类型",
    "所属区县",
    "地址",
    "经度",
    "纬度",
    "状态",
    "负责单位",
    "联系电话",
    "统计期",
    "数值",
    "计量单位",
    "登记日期",
    "更新时间",
)

# Resources this simulator really serves: (dept index, name zh, name en, format, share,
#   cycle, base database, served kind, target, filter, fields)
SERVED = (
    (
        "市统计局",
        "分区县分年龄性别常住人口",
        "Residents by district, age band and sex",
        "db_table",
        "conditional",
        "monthly",
        "population",
        "sql",
        "pop_population",
        None,
        "as_of,district_code,age_band,sex,persons",
    ),
    (
        "市公安局",
        "人口出生死亡及迁移月度统计",
        "Monthly births, deaths and migration",
        "db_table",
        "conditional",
        "monthly",
        "population",
        "sql",
        "pop_migration",
        None,
        "as_of,district_code,births,deaths,migration_in,migration_out",
    ),
    (
        "市市场监督管理局",
        "市场主体登记信息",
        "Market entity registrations",
        "db_table",
        "conditional",
        "daily",
        "legal_entity",
        "sql",
        "ent_enterprises",
        None,
        "uscc,name,entity_type,industry,district_code,registered_at,status",
    ),
    (
        "市统计局",
        "宏观经济主要指标",
        "Main macro-economic indicators",
        "db_table",
        "unconditional",
        "monthly",
        "macro_economy",
        "sql",
        "macro_values",
        None,
        "indicator_code,district_code,period,value,ytd_value,yoy_pct",
    ),
    (
        "市统计局",
        "宏观经济指标定义",
        "Macro-economic indicator definitions",
        "db_table",
        "unconditional",
        "yearly",
        "macro_economy",
        "sql",
        "macro_indicators",
        None,
        "indicator_code,name_zh,unit_zh,frequency",
    ),
    (
        "市发展和改革委员会",
        "双公示及红黑名单信息",
        "Licences, penalties and credit lists",
        "db_table",
        "unconditional",
        "daily",
        "social_credit",
        "sql",
        "credit_records",
        None,
        "record_id,record_type,subject_uscc,subject_name,title,decided_at,published_at",
    ),
    (
        "市数据局",
        "电子证照每日签发统计",
        "E-certificates issued per day",
        "db_table",
        "conditional",
        "daily",
        "e_certificate",
        "sql",
        "cert_daily_issuance",
        None,
        "issue_date,district_code,cert_type,issued",
    ),
    (
        "市数据局",
        "电子证照每日签发统计文件",
        "E-certificates issued per day (CSV file)",
        "file",
        "conditional",
        "daily",
        "e_certificate",
        "file",
        "files/ecert-daily-{yyyymmdd}.csv",
        None,
        "issue_date,district_code,cert_type,cert_name_zh,issued",
    ),
    (
        "市城市管理局",
        "城市道路路灯设施",
        "Street lights",
        "db_table",
        "conditional",
        "daily",
        "spatial",
        "sql",
        "geo_assets",
        "kind = 'street_light'",
        None,
    ),
    (
        "市消防救援支队",
        "市政消火栓",
        "Fire hydrants",
        "db_table",
        "conditional",
        "daily",
        "spatial",
        "sql",
        "geo_assets",
        "kind = 'fire_hydrant'",
        None,
    ),
    (
        "市公安局",
        "公共视频监控点位",
        "Public CCTV cameras",
        "db_table",
        "not_shared",
        "daily",
        "spatial",
        "sql",
        "geo_assets",
        "kind = 'cctv_camera'",
        None,
    ),
    (
        "市城市管理局",
        "窨井盖设施",
        "Manhole covers",
        "db_table",
        "conditional",
        "daily",
        "spatial",
        "sql",
        "geo_assets",
        "kind = 'manhole_cover'",
        None,
    ),
    (
        "市交通运输局",
        "公交站点",
        "Bus stops",
        "db_table",
        "unconditional",
        "weekly",
        "spatial",
        "sql",
        "geo_assets",
        "kind = 'bus_stop'",
        None,
    ),
    (
        "市公安局",
        "交通信号灯",
        "Traffic signals",
        "db_table",
        "conditional",
        "weekly",
        "spatial",
        "sql",
        "geo_assets",
        "kind = 'traffic_signal'",
        None,
    ),
    (
        "市教育局",
        "中小学及幼儿园",
        "Schools and kindergartens",
        "db_table",
        "unconditional",
        "monthly",
        "spatial",
        "sql",
        "geo_assets",
        "kind = 'school'",
        None,
    ),
    (
        "市卫生健康委员会",
        "医疗机构分布",
        "Hospitals and clinics",
        "db_table",
        "unconditional",
        "monthly",
        "spatial",
        "sql",
        "geo_assets",
        "kind = 'hospital'",
        None,
    ),
    (
        "市住房和城乡建设局",
        "城市公园绿地",
        "Parks",
        "db_table",
        "unconditional",
        "monthly",
        "spatial",
        "sql",
        "geo_assets",
        "kind = 'park'",
        None,
    ),
    (
        "市水务集团",
        "供水管网",
        "Water supply pipes",
        "db_table",
        "not_shared",
        "monthly",
        "spatial",
        "sql",
        "geo_assets",
        "kind = 'water_pipe'",
        None,
    ),
    (
        "市城市管理局",
        "城市排水管网",
        "Drainage pipes",
        "db_table",
        "conditional",
        "monthly",
        "spatial",
        "sql",
        "geo_assets",
        "kind = 'drainage_pipe'",
        None,
    ),
    (
        "市城市管理局",
        "城市部件状态变更记录",
        "City asset status changes",
        "db_table",
        "conditional",
        "realtime",
        "spatial",
        "sql",
        "geo_asset_status_changes",
        None,
        None,
    ),
    (
        "市应急管理局",
        "应急救援力量与物资",
        "Emergency response resources",
        "db_table",
        "conditional",
        "5min",
        "spatial",
        "sql",
        "geo_resources",
        None,
        None,
    ),
    (
        "市应急管理局",
        "应急避难场所分布",
        "Emergency shelters (GeoJSON)",
        "file",
        "unconditional",
        "monthly",
        "spatial",
        "file",
        "files/shelters.geojson",
        None,
        None,
    ),
    (
        "市生态环境局",
        "空气质量实时监测",
        "Real-time air quality",
        "api",
        "unconditional",
        "realtime",
        None,
        "sensorthings",
        "sensor_observations",
        "kind = 'air_quality'",
        None,
    ),
    (
        "市水利局",
        "河道水库水位实时监测",
        "River and reservoir water levels",
        "api",
        "conditional",
        "realtime",
        None,
        "sensorthings",
        "sensor_observations",
        "kind = 'water_level'",
        None,
    ),
    (
        "市生态环境局",
        "地表水水质自动监测",
        "Automatic surface water quality",
        "api",
        "conditional",
        "realtime",
        None,
        "sensorthings",
        "sensor_observations",
        "kind = 'water_quality'",
        None,
    ),
    (
        "市公安局",
        "道路交通流量检测",
        "Road traffic detectors",
        "api",
        "conditional",
        "5min",
        None,
        "sensorthings",
        "sensor_observations",
        "kind = 'traffic'",
        None,
    ),
    (
        "市交通运输局",
        "交通拥堵指数与公交准点率",
        "Congestion index and bus on-time rate",
        "api",
        "unconditional",
        "5min",
        None,
        "sensorthings",
        "sensor_observations",
        "kind = 'traffic_index'",
        None,
    ),
    (
        "市12345政务服务便民热线",
        "12345热线工单",
        "12345 hotline tickets",
        "api",
        "conditional",
        "realtime",
        None,
        "open311",
        "hotline_tickets",
        None,
        None,
    ),
    (
        "市数据局",
        "网络舆情采集",
        "Collected public posts",
        "db_table",
        "not_shared",
        "realtime",
        None,
        "sql",
        "public_posts",
        None,
        None,
    ),
    (
        "市气象局",
        "突发事件预警信息（CAP）",
        "Early warnings (CAP 1.2)",
        "file",
        "unconditional",
        "realtime",
        None,
        "cap",
        "cap/{identifier}.xml",
        None,
        None,
    ),
    (
        "市应急管理局",
        "预警信息发布记录",
        "Early warning messages",
        "db_table",
        "unconditional",
        "realtime",
        None,
        "sql",
        "cap_messages",
        None,
        None,
    ),
    (
        "市公安局",
        "110/119/120联动警情",
        "110/119/120 incidents",
        "db_table",
        "not_shared",
        "realtime",
        None,
        "sql",
        "emergency_incidents",
        None,
        None,
    ),
    (
        "连云港港口集团",
        "港口在泊船舶动态",
        "Ships at berth",
        "db_table",
        "conditional",
        "hourly",
        None,
        "sql",
        "port_berth_snapshots",
        None,
        None,
    ),
    (
        "连云港港口集团",
        "港口生产日报",
        "Daily port production",
        "db_table",
        "conditional",
        "daily",
        "macro_economy",
        "sql",
        "port_daily",
        None,
        None,
    ),
    (
        "市数据局",
        "公共数据资源目录",
        "Public data resource directory",
        "db_table",
        "unconditional",
        "weekly",
        None,
        "sql",
        "catalogue_resources",
        None,
        None,
    ),
)
TARGET_SIZE = 1000


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _base_database(name: str) -> str | None:
    for base, words in BASE_KEYWORDS:
        if any(w in name for w in words):
            return base
    return None


class CatalogueFeed(Feed):
    name = "catalogue"

    def rows(self) -> Frame:
        rng = generator(self.seed, self.name, 0)

        entries = []
        seq = {i: 0 for i in range(len(DEPARTMENTS))}
        dept_index = {d[0]: i for i, d in enumerate(DEPARTMENTS)}
        for dept_name, zh, en, fmt, share, cycle, base, kind, target, flt, fields in SERVED:
            dept = dept_index[dept_name]
            seq[dept] += 1
            if fields is None and target in metadata.tables:
                fields = ",".join(c.name for c in metadata.tables[target].columns)
            entries.append(
                (
                    dept,
                    seq[dept],
                    zh,
                    en,
                    fmt,
                    share,
                    cycle,
                    base,
                    kind,
                    target,
                    flt,
                    fields or "identifier,sent,msg_type,xml",
                )
            )
        names = {e[2] for e in entries}
        combos = [
            (d, s, x)
            for d in range(len(DEPARTMENTS))
            for s in range(len(DEPARTMENTS[d][2]))
            for x in range(len(SUFFIXES))
        ]
        order = rng.permutation(len(combos))
        for c in order.tolist():
            if len(entries) >= TARGET_SIZE:
                break
            d, s, x = combos[c]
            subject_zh, subject_en = DEPARTMENTS[d][2][s]
            suffix_zh, suffix_en, fmt, cycle = SUFFIXES[x]
            zh = subject_zh + suffix_zh
            if zh in names:
                continue
            names.add(zh)
            seq[d] += 1
            share = ("unconditional", "conditional", "not_shared")[
                int(np.searchsorted([0.35, 0.9], rng.random()))
            ]
            if cycle == "daily" and rng.random() < 0.3:
                cycle = ("hourly", "weekly", "monthly")[int(rng.integers(0, 3))]
            fields = ",".join(
                sorted(
                    rng.choice(GENERIC_FIELDS, int(rng.integers(5, 10)), replace=False).tolist(),
                    key=GENERIC_FIELDS.index,
                )
            )
            entries.append(
                (
                    d,
                    seq[d],
                    zh,
                    _sentence_case(f"{subject_en} {suffix_en}"),
                    fmt,
                    share,
                    cycle,
                    _base_database(zh),
                    None,
                    None,
                    None,
                    fields,
                )
            )
        entries.sort(key=lambda e: (e[0], e[1]))
        n = len(entries)
        t0 = self.world.t0
        registered = t0 - (rng.uniform(60, 5 * 365, n) * DAY).astype(np.int64)
        revised = np.minimum(registered + (rng.uniform(0, 800, n) * DAY).astype(np.int64), t0 - DAY)
        return Frame(
            {
                "resource_id": strings([f"3207{d + 1:02d}-{s:03d}" for d, s, *_ in entries]),
                "name_zh": strings([e[2] for e in entries]),
                "name_en": strings([e[3] for e in entries]),
                "provider": strings([DEPARTMENTS[e[0]][0] for e in entries]),
                "provider_en": strings([DEPARTMENTS[e[0]][1] for e in entries]),
                "format": strings([e[4] for e in entries]),
                "share_type": strings([e[5] for e in entries]),
                "share_type_zh": strings([SHARE_TYPES[e[5]] for e in entries]),
                "update_cycle": strings([e[6] for e in entries]),
                "base_database": strings([e[7] for e in entries]),
                "fields": strings([e[11] for e in entries]),
                "description": strings(
                    [
                        f"{DEPARTMENTS[e[0]][0]}提供的{e[2]}，{CYCLE_ZH[e[6]]}更新，{SHARE_TYPES[e[5]]}。"
                        for e in entries
                    ]
                ),
                "served_kind": strings([e[8] for e in entries]),
                "served_target": strings([e[9] for e in entries]),
                "served_filter": strings([e[10] for e in entries]),
                "registered_at": registered,
                "updated_at": np.maximum(revised, registered),
            }
        )

    def build(self, step: Step) -> None:
        step.insert(catalogue_resources, self.rows())
