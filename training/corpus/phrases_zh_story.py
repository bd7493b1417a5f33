"""Chinese phrase banks for the story angles: quality, social proof, new arrival, brand, gift.

口碑 and 好评 appear only with the real rating and review count behind them; praise of make
and brand stays general (品质在线、用心打造) and free of the barred absolute terms.
"""

from __future__ import annotations

from contracts.vocabulary import Angle, Locale
from training.corpus.templates import Need, PhraseBank

QUALITY = PhraseBank(
    Angle.QUALITY,
    Locale.ZH_CN,
    headline=(
        "品质在线：{brand} {name}",
        "{name}，{feature}，质感看得见",
        "用心之作｜{brand} {name}",
        "{rating}分好评，{name}品质在线",
        "细节见品质：{name}",
        "{brand}出品，{name}值得入手",
        "好品质看得见：{name}，{price}",
        "{name}，{feature}，做工用心",
    ),
    subject=(
        "{brand} {name}，品质在线",
        "细看{name}的好品质",
        "{rating}分好评的{name}",
    ),
    push=(
        "还在考虑{name}吗？{brand}出品，{feature}。",
        "{brand} {name}，{feature}，质感在线，{price}。",
        "买家打出{rating}分，{name}品质看得见。",
    ),
    sms=(
        "{brand} {name}，{feature}，用心做好品质，到手价{price}。",
        "品质好物推荐：{name}，{rating}分好评，{price}。",
        "好品质值得拥有：{brand} {name}，{price}，快来看看。",
    ),
)

SOCIAL_PROOF = PhraseBank(
    Angle.SOCIAL_PROOF,
    Locale.ZH_CN,
    headline=(
        "{reviews}条评价，{rating}分好评：{name}",
        "口碑好物｜{brand} {name}，{rating}分",
        "{reviews}位买家打出{rating}分：{name}",
        "大家都说好：{name}，{rating}分",
        "{rating}分口碑款：{brand} {name}",
        "看看{reviews}位买家怎么说：{name}",
        "口碑见证：{name}，{feature}",
        "{name}，{reviews}条评价{rating}分",
    ),
    subject=(
        "{reviews}人评价，{rating}分：{name}",
        "口碑好物：{brand} {name}",
    ),
    push=(
        "还在犹豫{name}吗？{reviews}位买家给出{rating}分。",
        "{brand} {name}，{rating}分好评，{reviews}条评价都在这。",
        "口碑好物推荐：{name}，{feature}，{rating}分。",
    ),
    sms=(
        "{brand} {name}，{reviews}位买家评分{rating}，到手价{price}。",
        "口碑好物：{name}，{rating}分好评，{price}入手。",
        "看看{reviews}条评价怎么说：{brand} {name}，{price}。",
    ),
)

NEW_ARRIVAL = PhraseBank(
    Angle.NEW_ARRIVAL,
    Locale.ZH_CN,
    headline=(
        "新品上架：{brand} {name}",
        "{brand}上新｜{name}，{feature}",
        "新品尝鲜：{name}，{price}",
        "上新啦！{name}",
        "{brand}新款{name}来了",
        "新品抢先看：{name}",
        "新款{name}，{feature}",
        "新品到货：{brand} {name}，{price}",
    ),
    subject=(
        "{brand}新品：{name}",
        "上新了！{name}，{price}",
    ),
    push=(
        "{brand}上新啦：{name}，{feature}，快来尝鲜。",
        "新品{name}到货，到手价{price}，抢先看看。",
        "新款{brand} {name}来了，等你来看。",
    ),
    sms=(
        "{brand}新品上架：{name}，{feature}，到手价{price}。",
        "上新提醒：{brand} {name}，{price}，快来尝鲜。",
        "新款{name}来了，{price}入手，欢迎选购。",
    ),
)

BRAND_STORY = PhraseBank(
    Angle.BRAND_STORY,
    Locale.ZH_CN,
    headline=(
        "{brand}出品：{name}",
        "来自{brand}的{name}，{feature}",
        "认准{brand}：{name}，{price}",
        "{brand}用心打造｜{name}",
        "品牌好物：{brand} {name}",
        "{brand}的用心，藏在{name}里",
        "走近{brand}：{name}",
        "{brand}匠心之作：{name}",
    ),
    subject=(
        "{brand}出品的{name}",
        "认识一下{brand}：{name}",
    ),
    push=(
        "还在考虑{name}吗？{brand}出品，用心做好每个细节。",
        "来自{brand}的{name}，{feature}，{price}。",
        "认准{brand}：{name}，快来看看。",
    ),
    sms=(
        "{brand}出品：{name}，{feature}，到手价{price}。",
        "{brand}用心打造{name}，{price}，欢迎选购。",
        "走近{brand}：{name}，{feature}，{price}，快来看看。",
    ),
)

GIFT = PhraseBank(
    Angle.GIFT,
    Locale.ZH_CN,
    headline=(
        "送礼不踩雷：{brand} {name}",
        "送TA一份心意：{name}",
        "加入礼物清单：{name}，{price}",
        "自用送礼都合适：{name}",
        "用{name}传递心意",
        "{name}，{feature}，送礼有面",
        "{brand} {name}，送礼好选择",
        ("包邮送心意：{name}", Need.FREE_SHIPPING),
    ),
    subject=(
        "送礼灵感：{brand} {name}",
        "这份心意，{name}替你说",
    ),
    push=(
        "还在发愁送什么？{brand} {name}，{price}。",
        "送TA一份心意：{name}，{feature}。",
        "犒劳自己或送人都合适：{name}，{price}。",
    ),
    sms=(
        "送礼灵感：{brand} {name}，{feature}，{price}。",
        "还在发愁送什么？{name}，自用送礼都合适，{price}。",
        "{brand} {name}，{price}，把心意送给重要的人。",
    ),
)

BANKS: tuple[PhraseBank, ...] = (QUALITY, SOCIAL_PROOF, NEW_ARRIVAL, BRAND_STORY, GIFT)
