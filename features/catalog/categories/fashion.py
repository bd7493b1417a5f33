"""Things people wear: apparel, shoes, jewelry and beauty (brand names are invented)."""

from __future__ import annotations

from features.catalog.taxonomy import CategorySpec, Term, attribute, color, kind, material, terms

_FABRIC = "采用{v}面料"

APPAREL = CategorySpec(
    key="apparel",
    name=Term("apparel", "服装"),
    brands=("Northloom", "Vellora", "Urbanweft", "Mossgrove", "Kestrel & Pine"),
    kinds=(
        kind(
            "T-shirt=T恤",
            9.99,
            34.99,
            material(
                "cotton=纯棉; organic cotton=有机棉; cotton blend=棉混纺; linen=亚麻", _FABRIC
            ),
        ),
        kind(
            "hoodie=连帽卫衣",
            24.99,
            79.99,
            material("fleece=抓绒; French terry=毛圈布; cotton blend=棉混纺", _FABRIC),
        ),
        kind(
            "chino pants=休闲长裤",
            24.99,
            69.99,
            material("cotton twill=棉斜纹布; stretch cotton=弹力棉", _FABRIC),
            unit="pair of",
        ),
        kind(
            "rain jacket=防雨夹克",
            39.99,
            149.99,
            material("recycled nylon=再生尼龙; polyester=聚酯纤维", _FABRIC),
        ),
        kind(
            "wool sweater=羊毛衫",
            39.99,
            129.99,
            material("lambswool=羔羊毛; merino wool=美丽诺羊毛; cashmere blend=羊绒混纺", _FABRIC),
        ),
    ),
    adjectives=terms("classic=经典; lightweight=轻薄; everyday=日常; soft=柔软; versatile=百搭"),
    attributes=(
        color(
            "black=黑色; white=白色; navy=藏青色; heather gray=麻灰色; olive green=橄榄绿; "
            "beige=米色; burgundy=酒红色"
        ),
        attribute(
            "size=尺码", "is cut in size {v}=尺码为{v}", "XS=XS; S=S; M=M; L=L; XL=XL; XXL=XXL"
        ),
        attribute(
            "fit=版型",
            "has a {v}=为{v}",
            "regular fit=常规版型; slim fit=修身版型; relaxed fit=宽松版型",
        ),
    ),
    uses=(
        Term("Easy to layer for work or weekends.", "通勤和周末都很好搭配。"),
        Term("A dependable piece for an everyday wardrobe.", "日常衣橱里的百搭单品。"),
        Term("Pairs well with jeans or chinos.", "搭配牛仔裤或休闲裤都合适。"),
    ),
)

SHOES = CategorySpec(
    key="shoes",
    name=Term("shoes", "鞋靴"),
    brands=("Stridewell", "Pacelo", "Cobblecraft", "Ardent Trail"),
    kinds=(
        kind(
            "running shoes=跑步鞋",
            49.99,
            159.99,
            material("engineered mesh=工程网布; knit=针织面料"),
            unit="pair of",
        ),
        kind(
            "sneakers=休闲运动鞋",
            39.99,
            119.99,
            material("canvas=帆布; leather=皮革; suede=麂皮"),
            unit="pair of",
        ),
        kind(
            "hiking boots=徒步靴",
            79.99,
            199.99,
            material("leather=皮革; suede=麂皮; ripstop nylon=防撕裂尼龙"),
            unit="pair of",
        ),
        kind("loafers=乐福鞋", 49.99, 149.99, material("leather=皮革; suede=麂皮"), unit="pair of"),
        kind(
            "slippers=拖鞋", 14.99, 39.99, material("wool felt=羊毛毡; fleece=抓绒"), unit="pair of"
        ),
    ),
    adjectives=terms(
        "lightweight=轻盈; cushioned=缓震; versatile=百搭; classic=经典; breathable=透气"
    ),
    attributes=(
        color("black=黑色; white=白色; gray=灰色; navy=藏青色; brown=棕色; tan=驼色"),
        attribute(
            "size=尺码",
            "is size {v}=尺码为{v}",
            "US 6=美码6; US 7=美码7; US 8=美码8; US 9=美码9; US 10=美码10; US 11=美码11; "
            "US 12=美码12",
        ),
        attribute("width=鞋型", "has a {v} fit=鞋型{v}", "regular=标准; wide=加宽"),
    ),
    uses=(
        Term("Made for long days on your feet.", "适合长时间穿着。"),
        Term("An easy match for casual outfits.", "轻松搭配各类休闲装。"),
        Term("Ready for city streets and weekend walks.", "城市通勤和周末散步都能胜任。"),
    ),
)

JEWELRY = CategorySpec(
    key="jewelry",
    name=Term("jewelry", "珠宝首饰"),
    brands=("Aurelle", "Silvermoth", "Opaline & Co.", "Lunaria"),
    kinds=(
        kind("pendant necklace=吊坠项链", 19.99, 149.99),
        kind("stud earrings=耳钉", 14.99, 99.99),
        kind("bangle bracelet=手镯", 19.99, 129.99),
        kind("stacking ring=叠戴戒指", 12.99, 79.99),
        kind("anklet=脚链", 9.99, 39.99),
    ),
    adjectives=terms("delicate=精致; minimalist=极简; timeless=经典; dainty=小巧; elegant=优雅"),
    attributes=(
        attribute(
            "material=材质",
            "is made of {v}=采用{v}",
            "stainless steel=不锈钢; gold-plated brass=镀金黄铜; 925 sterling silver=925纯银",
            tiered=True,
        ),
        attribute(
            "stone=镶嵌",
            "is set with {v}=镶嵌{v}",
            "cubic zirconia=锆石; freshwater pearl=淡水珍珠; moonstone=月光石",
        ),
        attribute(
            "finish=色泽",
            "has a {v} finish=色泽为{v}",
            "silver-tone=银色; gold-tone=金色; rose gold=玫瑰金",
        ),
    ),
    uses=(
        Term("Easy to wear every day or to stack.", "日常佩戴或叠戴都合适。"),
        Term("A small gift that is easy to get right.", "不易出错的小礼物。"),
        Term("Adds a quiet detail to any outfit.", "为任何穿搭增添低调细节。"),
    ),
)

BEAUTY = CategorySpec(
    key="beauty",
    name=Term("beauty", "美妆个护"),
    brands=("Lumelle", "Petalune", "Auralis", "Dewbloom", "Solvessa"),
    kinds=(
        kind(
            "face moisturizer=面霜",
            12.99,
            59.99,
            attribute("volume=容量", "contains {v}=容量{v}", "50 ml=50毫升; 100 ml=100毫升", True),
        ),
        kind(
            "vitamin C serum=维C精华",
            14.99,
            69.99,
            attribute("volume=容量", "contains {v}=容量{v}", "15 ml=15毫升; 30 ml=30毫升", True),
        ),
        kind(
            "sunscreen=防晒霜",
            9.99,
            34.99,
            attribute("volume=容量", "contains {v}=容量{v}", "50 ml=50毫升; 100 ml=100毫升", True),
            attribute(
                "SPF=防晒指数", "offers {v} protection=防晒指数{v}", "SPF 30=SPF30; SPF 50=SPF50"
            ),
        ),
        kind(
            "lip balm set=润唇膏套装",
            5.99,
            19.99,
            attribute(
                "pack=规格", "comes as a {v}=规格为{v}", "pack of 3=3支装; pack of 4=4支装", True
            ),
        ),
        kind(
            "sheet mask=面膜",
            9.99,
            29.99,
            attribute(
                "pack=规格", "comes as a {v}=规格为{v}", "pack of 5=5片装; pack of 10=10片装", True
            ),
        ),
    ),
    adjectives=terms("gentle=温和; hydrating=保湿; lightweight=轻薄; daily=日常; nourishing=滋润"),
    attributes=(
        attribute(
            "skin type=适用肤质",
            "is formulated for {v}=适合{v}",
            "all skin types=所有肤质; dry skin=干性肌肤; oily skin=油性肌肤; "
            "sensitive skin=敏感肌肤",
        ),
        attribute(
            "scent=香型",
            "has a {v} scent=带有{v}香气",
            "lavender=薰衣草; citrus=柑橘; rose=玫瑰; green tea=绿茶",
        ),
    ),
    uses=(
        Term("Fits easily into a morning or evening routine.", "轻松融入早晚护肤步骤。"),
        Term("A small treat for your daily routine.", "日常护理的小小犒赏。"),
        Term("Easy to pack for a weekend away.", "周末出行也方便携带。"),
    ),
)
