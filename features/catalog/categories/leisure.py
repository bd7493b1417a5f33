"""Things for free time: sports & outdoors, toys and books (brand names are invented)."""

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

SPORTS_OUTDOORS = CategorySpec(
    key="sports_outdoors",
    name=Term("sports & outdoors", "运动户外"),
    brands=("Summitcraft", "Trailhaven", "Alpenfox", "Kinetiq"),
    kinds=(
        kind(
            "yoga mat=瑜伽垫",
            19.99,
            89.99,
            material("TPE=TPE; natural rubber=天然橡胶; cork=软木"),
            attribute(
                "thickness=厚度", "is {v} thick=厚度{v}", "4 mm=4毫米; 6 mm=6毫米; 8 mm=8毫米", True
            ),
        ),
        kind(
            "insulated water bottle=保温水壶",
            14.99,
            44.99,
            material("stainless steel=不锈钢"),
            capacity("500 ml=500毫升; 750 ml=750毫升; 1 L=1升"),
        ),
        kind(
            "camping tent=露营帐篷",
            79.99,
            349.99,
            attribute(
                "sleeps=容纳人数",
                "sleeps {v}=可容纳{v}",
                "2 people=2人; 3 people=3人; 4 people=4人",
                True,
            ),
        ),
        kind(
            "trekking poles=登山杖",
            24.99,
            89.99,
            material("aluminum alloy=铝合金; carbon fiber=碳纤维"),
            unit="pair of",
        ),
        kind("daypack=双肩背包", 29.99, 119.99, capacity("20 L=20升; 28 L=28升; 35 L=35升")),
    ),
    adjectives=terms(
        "lightweight=轻量; compact=便携; durable=耐用; versatile=多用途; essential=必备"
    ),
    attributes=(
        color("black=黑色; olive green=橄榄绿; orange=橙色; slate blue=石板蓝; gray=灰色"),
    ),
    uses=(
        Term("Ready for weekend hikes and training days.", "周末徒步和日常训练都能用。"),
        Term("Packs easily for your next trip outdoors.", "下次出行轻松收纳带走。"),
        Term("A solid pick for an active routine.", "运动生活的可靠之选。"),
    ),
)

TOYS = CategorySpec(
    key="toys",
    name=Term("toys", "玩具"),
    brands=("Wonderbrick", "Tumbletoo", "Playfable", "Jollyjinx"),
    kinds=(
        kind(
            "building block set=积木套装",
            14.99,
            99.99,
            attribute(
                "pieces=颗粒数",
                "includes {v}=共{v}",
                "250 pieces=250块; 500 pieces=500块; 1000 pieces=1000块",
                True,
            ),
        ),
        kind(
            "plush bear=毛绒熊",
            9.99,
            39.99,
            attribute(
                "height=高度",
                "stands {v} tall=高{v}",
                "25 cm=25厘米; 40 cm=40厘米; 60 cm=60厘米",
                True,
            ),
        ),
        kind(
            "wooden puzzle=木质拼图",
            9.99,
            29.99,
            attribute(
                "pieces=片数",
                "has {v}=共{v}",
                "24 pieces=24片; 48 pieces=48片; 100 pieces=100片",
                True,
            ),
        ),
        kind(
            "remote control car=遥控车",
            24.99,
            89.99,
            attribute(
                "top speed=最高时速",
                "reaches {v}=最高时速{v}",
                "15 km/h=15公里; 25 km/h=25公里",
                True,
            ),
        ),
        kind(
            "board game=桌游",
            14.99,
            49.99,
            attribute(
                "players=人数", "is for {v}=支持{v}同玩", "2-4 players=2-4人; 2-6 players=2-6人"
            ),
            attribute(
                "play time=游戏时长",
                "plays in about {v}=每局约{v}",
                "30 minutes=30分钟; 60 minutes=60分钟",
            ),
        ),
    ),
    adjectives=terms(
        "colorful=多彩; creative=创意; classic=经典; playful=趣味; family-friendly=亲子"
    ),
    attributes=(
        attribute(
            "age=适用年龄",
            "is recommended for {v}=适合{v}",
            "ages 3+=3岁以上; ages 6+=6岁以上; ages 8+=8岁以上",
        ),
    ),
    uses=(
        Term("A fun pick for birthdays and holidays.", "生日和节日送礼的好选择。"),
        Term("Great for family play time.", "适合亲子共度游戏时光。"),
        Term("Keeps little hands busy on rainy days.", "下雨天也能玩得开心。"),
    ),
)

BOOKS = CategorySpec(
    key="books",
    name=Term("books", "图书"),
    brands=("Inkwell Press", "Lanternhouse Books", "Papercrane Publishing", "Bramblewood Editions"),
    kinds=(
        kind(
            "mystery novel=悬疑小说",
            9.99,
            27.99,
            attribute(
                "pages=页数", "runs {v}=共{v}", "288 pages=288页; 352 pages=352页; 416 pages=416页"
            ),
        ),
        kind(
            "science fiction novel=科幻小说",
            9.99,
            29.99,
            attribute(
                "pages=页数", "runs {v}=共{v}", "320 pages=320页; 400 pages=400页; 512 pages=512页"
            ),
        ),
        kind(
            "cookbook=烹饪书",
            14.99,
            39.99,
            attribute(
                "pages=页数", "runs {v}=共{v}", "192 pages=192页; 256 pages=256页; 304 pages=304页"
            ),
        ),
        kind(
            "picture book=儿童绘本",
            6.99,
            19.99,
            attribute(
                "pages=页数", "runs {v}=共{v}", "32 pages=32页; 40 pages=40页; 48 pages=48页"
            ),
        ),
        kind(
            "travel guide=旅行指南",
            12.99,
            29.99,
            attribute(
                "pages=页数", "runs {v}=共{v}", "224 pages=224页; 288 pages=288页; 336 pages=336页"
            ),
        ),
    ),
    adjectives=terms(
        "engaging=精彩; beautifully designed=装帧精美; essential=必读; collectible=典藏"
    ),
    attributes=(
        attribute("format=装帧", "is a {v} edition={v}版", "paperback=平装; hardcover=精装", True),
        attribute(
            "language=语言",
            "is written in {v}=语言为{v}",
            "English=英文; Simplified Chinese=简体中文; English and Chinese=中英双语",
        ),
    ),
    uses=(
        Term("A good companion for quiet evenings.", "适合安静夜晚慢慢阅读。"),
        Term("A thoughtful gift for readers of any age.", "送给爱书人的贴心礼物。"),
        Term("Worth a place on your bookshelf.", "值得在书架上占一席之地。"),
    ),
)
