"""Things for the home: electronics, home & kitchen, grocery and pet supplies (invented brands)."""

from __future__ import annotations

from features.catalog.taxonomy import (
    CategorySpec,
    Term,
    attribute,
    capacity,
    color,
    kind,
    material,
    terms,
)

ELECTRONICS = CategorySpec(
    key="electronics",
    name=Term("electronics", "数码电子"),
    brands=("Voltaro", "Sonique Labs", "Arclite", "Nexiwave", "Pulsebyte"),
    kinds=(
        kind("wireless earbuds=无线耳机", 29.99, 179.99, unit="pair of"),
        kind("over-ear headphones=头戴式耳机", 49.99, 299.99, unit="pair of"),
        kind("Bluetooth speaker=蓝牙音箱", 24.99, 199.99),
        kind("smartwatch=智能手表", 79.99, 349.99),
        kind("fitness tracker=运动手环", 29.99, 129.99),
    ),
    adjectives=terms("compact=小巧; sleek=简约; portable=便携; lightweight=轻量; everyday=日常"),
    attributes=(
        color("black=黑色; white=白色; silver=银色; midnight blue=午夜蓝; graphite=石墨灰"),
        attribute(
            "battery life=续航",
            "lasts up to {v} on a charge=续航最长{v}",
            "8 hours=8小时; 12 hours=12小时; 20 hours=20小时; 30 hours=30小时; 40 hours=40小时",
            tiered=True,
        ),
        attribute(
            "connectivity=连接方式",
            "connects over {v}=支持{v}连接",
            "Bluetooth 5.0=蓝牙5.0; Bluetooth 5.2=蓝牙5.2; Bluetooth 5.3=蓝牙5.3",
        ),
        attribute(
            "water resistance=防水等级",
            "is rated {v} for water resistance=防水等级{v}",
            "IPX4=IPX4; IPX5=IPX5; IPX7=IPX7",
        ),
    ),
    uses=(
        Term("Built for commutes, workouts and travel.", "通勤、运动和旅行都适用。"),
        Term("A simple upgrade for everyday listening.", "日常使用的简单升级。"),
        Term("Small enough to take anywhere.", "小巧便携，随身携带。"),
    ),
)

HOME_KITCHEN = CategorySpec(
    key="home_kitchen",
    name=Term("home & kitchen", "家居厨房"),
    brands=("Hearthly", "Copperleaf", "Kitchora", "Nestwell"),
    kinds=(
        kind(
            "electric kettle=电热水壶",
            24.99,
            89.99,
            material("glass=玻璃; stainless steel=不锈钢"),
            attribute("wattage=功率", "draws {v}=功率{v}", "1200 W=1200瓦; 1500 W=1500瓦", True),
        ),
        kind(
            "blender=搅拌机",
            39.99,
            199.99,
            material("BPA-free plastic=无BPA塑料; glass=玻璃"),
            attribute(
                "wattage=功率",
                "draws {v}=功率{v}",
                "600 W=600瓦; 1000 W=1000瓦; 1400 W=1400瓦",
                True,
            ),
        ),
        kind("French press=法压壶", 19.99, 49.99, material("glass=玻璃; stainless steel=不锈钢")),
        kind("teapot=茶壶", 14.99, 59.99, material("ceramic=陶瓷; cast iron=铸铁; glass=玻璃")),
        kind("storage jar=密封储物罐", 9.99, 34.99, material("glass=玻璃; ceramic=陶瓷")),
    ),
    adjectives=terms("modern=现代; minimalist=极简; sturdy=坚固; elegant=优雅; compact=小巧"),
    attributes=(
        color("white=白色; black=黑色; sage green=鼠尾草绿; cream=奶白色; red=红色"),
        capacity("600 ml=600毫升; 800 ml=800毫升; 1 L=1升; 1.5 L=1.5升; 1.7 L=1.7升"),
    ),
    uses=(
        Term("A practical pick for a busy kitchen.", "忙碌厨房里的实用之选。"),
        Term("Looks good left out on the counter.", "摆在台面上也很好看。"),
        Term("A thoughtful housewarming gift.", "乔迁送礼的贴心之选。"),
    ),
)

GROCERY = CategorySpec(
    key="grocery",
    name=Term("grocery", "食品生鲜"),
    brands=("Harvest Lane", "Pantrywise", "Meadowbite", "Orchardly"),
    kinds=(
        kind(
            "roasted almonds=烤杏仁",
            5.99,
            19.99,
            attribute(
                "flavor=口味", "has a {v} flavor=口味为{v}", "lightly salted=淡盐; honey=蜂蜜"
            ),
            attribute(
                "net weight=净含量", "weighs {v}=净含量{v}", "250 g=250克; 500 g=500克", True
            ),
            unit="bag of",
        ),
        kind(
            "dark chocolate bar=黑巧克力",
            2.99,
            9.99,
            attribute(
                "cacao=可可含量", "is made with {v}=可可含量{v}", "70% cacao=70%; 85% cacao=85%"
            ),
            attribute("net weight=净含量", "weighs {v}=净含量{v}", "80 g=80克; 100 g=100克", True),
        ),
        kind(
            "granola=燕麦脆",
            4.99,
            12.99,
            attribute(
                "flavor=口味", "has a {v} flavor=口味为{v}", "honey almond=蜂蜜杏仁; berry=莓果"
            ),
            attribute(
                "net weight=净含量", "weighs {v}=净含量{v}", "350 g=350克; 500 g=500克", True
            ),
        ),
        kind(
            "loose-leaf tea=散装茶叶",
            5.99,
            24.99,
            attribute(
                "variety=品种",
                "is {v} tea=品种为{v}",
                "jasmine=茉莉花茶; sencha=煎茶; oolong=乌龙茶",
            ),
            attribute("net weight=净含量", "weighs {v}=净含量{v}", "50 g=50克; 100 g=100克", True),
        ),
        kind(
            "ground coffee=研磨咖啡",
            7.99,
            24.99,
            attribute(
                "roast=烘焙度",
                "is a {v}=烘焙度为{v}",
                "light roast=浅烘; medium roast=中烘; dark roast=深烘",
            ),
            attribute(
                "net weight=净含量",
                "weighs {v}=净含量{v}",
                "250 g=250克; 500 g=500克; 1 kg=1千克",
                True,
            ),
        ),
    ),
    adjectives=terms(
        "wholesome=健康; premium=优选; small-batch=小批量; everyday=日常; classic=经典"
    ),
    attributes=(
        attribute(
            "diet=饮食标签",
            "is {v}={v}",
            "gluten-free=无麸质; vegan=纯素; non-GMO=非转基因; organic=有机",
        ),
    ),
    uses=(
        Term("A pantry staple worth keeping on hand.", "值得常备的厨房必需品。"),
        Term("Good for breakfast, the office or the road.", "早餐、办公室或路上都很方便。"),
        Term("Easy to share with family and friends.", "适合与家人朋友分享。"),
    ),
)

PET_SUPPLIES = CategorySpec(
    key="pet_supplies",
    name=Term("pet supplies", "宠物用品"),
    brands=("Wagwell", "Purrfield", "Tailtown", "Barkbright"),
    kinds=(
        kind(
            "dog bed=狗窝",
            29.99,
            119.99,
            attribute(
                "size=尺寸",
                "comes in size {v}=尺寸为{v}",
                "small=小号; medium=中号; large=大号",
                True,
            ),
        ),
        kind(
            "cat scratching post=猫抓柱",
            19.99,
            79.99,
            attribute(
                "height=高度",
                "stands {v} tall=高{v}",
                "60 cm=60厘米; 80 cm=80厘米; 100 cm=100厘米",
                True,
            ),
        ),
        kind(
            "dog leash=牵引绳",
            9.99,
            29.99,
            attribute(
                "length=长度", "measures {v} long=长{v}", "1.2 m=1.2米; 1.5 m=1.5米; 2 m=2米", True
            ),
        ),
        kind(
            "pet water fountain=宠物饮水机",
            19.99,
            49.99,
            capacity("1.5 L=1.5升; 2 L=2升; 2.5 L=2.5升"),
        ),
        kind(
            "chew toy set=磨牙玩具套装",
            7.99,
            24.99,
            attribute(
                "pack=规格", "comes as a {v}=规格为{v}", "pack of 3=3件装; pack of 5=5件装", True
            ),
        ),
    ),
    adjectives=terms("durable=耐用; easy-care=易打理; sturdy=结实; everyday=日常; practical=实用"),
    attributes=(color("gray=灰色; beige=米色; navy=藏青色; red=红色; forest green=墨绿色"),),
    uses=(
        Term("Made for everyday life with a pet.", "为日常养宠生活而设计。"),
        Term("A simple upgrade your pet will notice.", "宠物能感受到的小小升级。"),
        Term("A practical gift for a new pet owner.", "送给新手宠物主人的实用礼物。"),
    ),
)
