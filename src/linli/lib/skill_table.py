"""The skill vocabulary and the professions table, as data (read by ``linli.lib.skills``).

A skill row is (code, 名称, English name, service categories, phrasings): the phrasings are joined
by 、 and are what residents, grid workers and staff write for the skill, in Chinese and a little
English. A phrasing belongs to one skill only. A job title is a phrasing of a skill when it names
that one skill (厨师 cooks, 护士 nurses, 电工 wires); what a job implies besides (a doctor also knows
first aid) is in ``PROFESSION_ROWS``.

Codes are stored: a code is never renamed and a skill never removed, only given new phrasings.
The categories are the codes of ``linli.needs.catalogue.DEFAULT_CATEGORIES``; a skill with none
serves the summer courses (阳光小课堂) or the patrols rather than one of the 12 service categories.
"""

from __future__ import annotations

SKILL_ROWS: tuple[tuple[str, str, str, tuple[str, ...], str], ...] = (
    # ---- repairs
    (
        "utility_repair",
        "水电维修",
        "Plumbing and wiring",
        ("repairs",),
        "水电、水电工、修水管、水管、水管维修、修水龙头、水龙头、水暖、管道疏通、疏通下水道、通下水道、下水道、"
        "电路维修、修电路、电路、换灯泡、修电灯、接电线、电线、电工、plumbing、plumber、electrician",
    ),
    (
        "appliance_repair",
        "家电维修",
        "Appliance repair",
        ("repairs",),
        "修家电、家电、电器维修、修电器、小家电、修空调、空调维修、修冰箱、冰箱维修、修洗衣机、洗衣机维修、"
        "修电视、电视维修、修热水器、热水器维修",
    ),
    (
        "computer_repair",
        "电脑维修",
        "Computer and phone repair",
        ("repairs", "computer_lessons"),
        "修电脑、电脑故障、装系统、重装系统、修手机、手机维修、修打印机、修网络、网络维修、路由器、宽带维修",
    ),
    (
        "carpentry",
        "木工装修",
        "Carpentry and home repairs",
        ("repairs",),
        "木工、木匠、修家具、家具维修、装修、刷墙、泥瓦、瓦工、贴瓷砖、carpentry、carpenter",
    ),
    (
        "vehicle_repair",
        "修车",
        "Vehicle repair",
        ("repairs",),
        "修自行车、自行车维修、修电动车、电动车维修、修摩托车、汽车维修、修汽车",
    ),
    ("sewing", "缝补", "Mending clothes and shoes", ("repairs",), "缝纫、裁缝、补衣服、改衣服、修鞋、sewing"),
    # ---- computers and phones
    (
        "computers",
        "电脑",
        "Computers",
        ("computer_lessons",),
        "计算机、电脑教学、教电脑、电脑操作、电脑培训、办公软件、打字、上网、excel、ppt、computer、computers",
    ),
    (
        "smartphone_teaching",
        "智能手机教学",
        "Smartphone lessons",
        ("computer_lessons", "online_shopping"),
        "智能手机、手机、用手机、教手机、手机教学、教老人用手机、手机操作、手机使用、教微信、微信使用、视频通话、"
        "手机支付、smartphone",
    ),
    (
        "programming",
        "编程",
        "Programming",
        ("computer_lessons",),
        "软件开发、写程序、程序设计、网站开发、programming、coding",
    ),
    # ---- errands and bookings
    (
        "online_errands",
        "网购代办",
        "Online shopping and bill errands",
        ("online_shopping",),
        "网购、代购、网上购物、淘宝、拼多多、京东、跑腿、代买、买菜、水电费、缴费、代缴、网上缴费、充话费",
    ),
    (
        "appointment_booking",
        "预约挂号",
        "Booking hospital appointments",
        ("hospital_booking",),
        "挂号、网上挂号、代挂号、预约就诊、约号",
    ),
    (
        "hospital_escort",
        "陪诊",
        "Accompanying patients to hospital",
        ("hospital_booking", "home_care"),
        "陪同就医、陪同就诊、陪看病、陪同看病、陪老人看病、陪护就医、陪医",
    ),
    (
        "ticket_buying",
        "代购车票",
        "Buying train and air tickets",
        ("ticket_booking",),
        "订票、买票、购票、网上购票、车票、火车票、高铁票、机票、抢票、12306",
    ),
    # ---- kitchen, meals, bathing
    (
        "cooking",
        "烹饪",
        "Cooking",
        ("charity_kitchen", "meals_bathing"),
        "厨师、大厨、主厨、厨艺、做饭、煮饭、烧饭、做菜、烧菜、炒菜、下厨、掌勺、烹调、家常菜、闽南菜、cooking、chef",
    ),
    (
        "pastry",
        "面点",
        "Dumplings and pastry",
        ("charity_kitchen",),
        "面点师、包饺子、包包子、蒸馒头、做馒头、面食、糕点、烘焙、做蛋糕、baking",
    ),
    ("meal_delivery", "送餐", "Delivering meals", ("meals_bathing", "charity_kitchen"), "送饭、助餐、配餐、送菜上门"),
    (
        "bathing_help",
        "助浴",
        "Help with bathing",
        ("meals_bathing", "home_care"),
        "洗澡、帮忙洗澡、帮老人洗澡、擦身、擦洗、洗头",
    ),
    # ---- care at home
    (
        "haircut",
        "理发",
        "Haircuts",
        ("home_care",),
        "理发师、剪发、剪头发、剪头、美发、剃头、上门理发、haircut、barber",
    ),
    (
        "elder_care",
        "照护老人",
        "Caring for the elderly",
        ("home_care", "meals_bathing"),
        "照顾老人、照料老人、养老护理、老人护理、护理员、护工、陪护、生活照料、失能照护、照护、看护、caregiver",
    ),
    (
        "companionship",
        "陪伴聊天",
        "Company and conversation",
        ("home_care", "counselling"),
        "陪伴、陪聊、聊天、陪老人聊天、探访、探望、看望老人、读报",
    ),
    (
        "housekeeping",
        "家政保洁",
        "Housekeeping and cleaning",
        ("home_care",),
        "家政、保洁、打扫、打扫卫生、清洁、收纳、做家务、家务、擦窗、cleaning",
    ),
    ("moving", "搬运", "Carrying and moving", ("home_care",), "搬家、搬东西、搬重物、搬抬、力气活、体力活、扛煤气"),
    (
        "driving",
        "驾驶",
        "Driving",
        ("home_care", "hospital_booking"),
        "开车、司机、驾驶员、接送、驾照、有车、driving、driver",
    ),
    # ---- medicine (the angel service team, 天使服务队)
    (
        "medicine",
        "医疗",
        "Medicine",
        ("free_clinic",),
        "医生、大夫、医师、执业医师、看病、义诊、问诊、西医、医务、行医、doctor",
    ),
    (
        "general_practice",
        "全科",
        "General practice",
        ("free_clinic",),
        "全科医生、全科医学、家庭医生、内科",
    ),
    ("orthopaedics", "骨科", "Orthopaedics", ("free_clinic",), "骨科医生、骨伤、正骨、orthopaedics、orthopedics"),
    (
        "tcm",
        "中医",
        "Traditional Chinese medicine",
        ("free_clinic", "home_care"),
        "中医师、中医大夫、中药、针灸、推拿、按摩、拔罐、刮痧、艾灸、中医理疗",
    ),
    (
        "nursing",
        "护理",
        "Nursing",
        ("free_clinic", "home_care"),
        "护士、护师、打针、输液、换药、伤口护理、量血压、测血压、测血糖、nurse、nursing",
    ),
    ("pharmacy", "药学", "Pharmacy", ("free_clinic",), "药剂师、药师、药剂、用药指导、用药咨询、pharmacist"),
    (
        "rehabilitation",
        "康复",
        "Rehabilitation",
        ("free_clinic", "home_care"),
        "康复治疗、康复治疗师、康复训练、理疗、物理治疗、physiotherapy",
    ),
    ("dentistry", "口腔", "Dentistry", ("free_clinic",), "牙医、牙科、口腔科、dentist"),
    (
        "first_aid",
        "急救",
        "First aid",
        ("free_clinic", "home_care"),
        "急救员、救护员、应急救护、心肺复苏、海姆立克、cpr、aed",
    ),
    (
        "health_talks",
        "健康讲座",
        "Health talks and advice",
        ("free_clinic",),
        "健康教育、健康知识、健康咨询、健康管理、慢病管理、养生",
    ),
    # ---- counselling, mediation, the law
    (
        "mental_health",
        "心理咨询",
        "Psychological counselling",
        ("counselling",),
        "心理咨询师、心理疏导、心理辅导、心理、谈心、情绪疏导、counselling、counseling",
    ),
    (
        "social_work",
        "社工",
        "Social work",
        ("home_care", "counselling", "dispute_mediation"),
        "社会工作、社会工作者、社工师、个案管理、social work、social worker",
    ),
    (
        "mediation",
        "调解",
        "Mediation",
        ("dispute_mediation",),
        "调解员、人民调解、纠纷调解、邻里纠纷、化解矛盾、劝架、mediation、mediator",
    ),
    (
        "legal",
        "法律",
        "Law",
        ("legal_advice", "dispute_mediation"),
        "律师、法律咨询、法务、法律援助、普法、打官司、lawyer、legal",
    ),
    # Advice on pensions and insurance claims is the nearest of the 12 categories to 法务咨询.
    (
        "paperwork",
        "政策咨询",
        "Forms and entitlements",
        ("legal_advice",),
        "代办手续、填表、办证、社保、医保、养老金",
    ),
    # ---- safety
    (
        "fire_safety",
        "消防",
        "Fire safety",
        ("home_care",),
        "消防员、消防安全、消防检查、防火、灭火、燃气安全、安全用电、firefighter",
    ),
    ("patrol", "巡逻", "Patrols", (), "治安巡逻、巡逻队、巡查、值守、站岗、安保、保安、平安志愿者、小喇叭、patrol"),
    ("fraud_prevention", "反诈", "Fraud prevention", (), "防诈骗、反诈骗、防骗、反诈宣传"),
    # ---- teaching and the summer courses
    (
        "tutoring",
        "辅导",
        "Tutoring",
        (),
        "家教、辅导作业、作业辅导、学业辅导、课业辅导、补课、教师、教书、授课、tutoring、tutor",
    ),
    ("english", "英语", "English", (), "英文、教英语、english"),
    (
        "translation",
        "翻译",
        "Translation",
        (),
        "外语、日语、韩语、俄语、法语、德语、口译、笔译、translation、translator",
    ),
    ("sign_language", "手语", "Sign language", (), "sign language"),
    ("minnan", "闽南语", "Minnan dialect", (), "闽南话、厦门话、minnan、hokkien"),
    ("chinese_classics", "国学", "Chinese classics", (), "经典诵读、古诗、诗词、三字经、弟子规、论语"),
    (
        "calligraphy",
        "书法",
        "Calligraphy",
        (),
        "毛笔字、硬笔书法、钢笔字、写春联、写对联、calligraphy",
    ),
    ("painting", "绘画", "Painting and drawing", (), "画画、素描、国画、油画、水彩、美术、painting、drawing"),
    ("crafts", "手工", "Handicrafts", (), "泥塑、黏土、粘土、剪纸、折纸、编织、织毛衣、crafts"),
    (
        "photography",
        "摄影",
        "Photography and video",
        (),
        "拍照、照相、摄像、拍视频、视频剪辑、photography",
    ),
    ("music", "音乐", "Music and singing", (), "唱歌、声乐、合唱、乐器、二胡、钢琴、吉他、古筝、南音、music"),
    ("dance", "舞蹈", "Dance", (), "跳舞、广场舞、民族舞、dance"),
    ("exercise", "太极健身", "Tai chi and exercise", (), "太极、太极拳、八段锦、健身气功、瑜伽、tai chi"),
    ("childcare", "照看儿童", "Childcare", (), "带孩子、看孩子、照看小孩、托管、育儿、幼教"),
    ("gardening", "园艺", "Gardening", (), "种花、养花、种菜、绿化、gardening"),
    ("event_organising", "组织活动", "Organising events", (), "活动组织、活动策划、主持、文艺演出"),
    ("accounting", "财会", "Bookkeeping and accounts", (), "会计、财务、记账、出纳、报税、算账、accounting"),
)

# Text that holds a skill's phrasing but names no skill: 手机号 is a phone number, not phone lessons.
NOT_SKILLS = ("手机号", "救护车", "电话号码")

# (code, 名称, English name, skills implied, how the job is written, 、-joined). Whoever holds the job is
# assumed to offer these skills; staff confirm before dispatching.
PROFESSION_ROWS: tuple[tuple[str, str, str, tuple[str, ...], str], ...] = (
    ("chef", "厨师", "Chef", ("cooking", "pastry"), "大厨、主厨、厨子、炊事员、chef、cook"),
    ("doctor", "医生", "Doctor", ("medicine", "first_aid", "health_talks"), "大夫、医师、西医、doctor"),
    ("tcm_doctor", "中医师", "Chinese-medicine doctor", ("tcm", "medicine", "health_talks"), "中医、中医大夫、老中医"),
    ("nurse", "护士", "Nurse", ("nursing", "first_aid", "health_talks"), "护师、护士长、nurse"),
    ("pharmacist", "药剂师", "Pharmacist", ("pharmacy", "health_talks"), "药师、pharmacist"),
    ("therapist", "康复治疗师", "Physiotherapist", ("rehabilitation", "elder_care"), "治疗师、理疗师"),
    ("dentist", "牙医", "Dentist", ("dentistry", "health_talks"), "牙科医生、口腔医生、dentist"),
    (
        "social_worker",
        "社工",
        "Social worker",
        ("social_work", "mental_health", "mediation", "companionship"),
        "社会工作者、社工师、social worker",
    ),
    (
        "psychologist",
        "心理咨询师",
        "Psychologist",
        ("mental_health", "companionship"),
        "心理医生、心理治疗师、psychologist",
    ),
    (
        "firefighter",
        "消防员",
        "Firefighter",
        ("fire_safety", "first_aid", "moving"),
        "消防队员、消防兵、消防战士、firefighter",
    ),
    ("lawyer", "律师", "Lawyer", ("legal", "mediation", "paperwork"), "法官、检察官、法律工作者、lawyer"),
    ("teacher", "教师", "Teacher", ("tutoring",), "老师、退休教师、班主任、teacher"),
    ("electrician", "电工", "Electrician", ("utility_repair", "appliance_repair"), "电力工人、electrician"),
    ("plumber", "水暖工", "Plumber", ("utility_repair",), "管道工、水电工、plumber"),
    (
        "programmer",
        "程序员",
        "Programmer",
        ("computers", "computer_repair", "smartphone_teaching", "programming", "online_errands"),
        "软件工程师、IT工程师、网管、码农、programmer",
    ),
    (
        "retired_cadre",
        "退休干部",
        "Retired official",
        ("mediation", "paperwork", "event_organising"),
        "老干部、干部、公务员、居委会主任",
    ),
    ("police_officer", "民警", "Police officer", ("patrol", "mediation", "fraud_prevention"), "警察、辅警、police"),
    ("veteran", "退伍军人", "Veteran", ("patrol", "first_aid", "moving"), "军人、老兵、转业军人、复员军人"),
    ("security_guard", "保安", "Security guard", ("patrol",), "保安员、门卫"),
    ("driver", "司机", "Driver", ("driving",), "驾驶员、出租车司机、网约车司机、driver"),
    ("barber", "理发师", "Barber", ("haircut",), "发型师、美发师、barber"),
    ("accountant", "会计", "Accountant", ("accounting", "paperwork"), "会计师、出纳、财务人员、accountant"),
    ("caregiver", "护工", "Care worker", ("elder_care", "bathing_help", "housekeeping"), "护理员、保姆、家政员"),
    ("tailor", "裁缝", "Tailor", ("sewing",), "tailor"),
    ("carpenter", "木匠", "Carpenter", ("carpentry",), "木工、carpenter"),
    ("photographer", "摄影师", "Photographer", ("photography",), "photographer"),
    ("translator", "翻译", "Translator", ("translation",), "译员、translator"),
    ("mechanic", "修车师傅", "Mechanic", ("vehicle_repair",), "汽修工、mechanic"),
    ("student", "大学生", "University student", ("tutoring", "smartphone_teaching", "computers"), "研究生、student"),
)
