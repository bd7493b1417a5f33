"""Chinese phrase banks for the offer angles: discount, value, free shipping, urgency, scarcity.

Written as Chinese shop copy is (限时、好价、到手价、包邮、手慢无), never with the absolute terms
the Advertising Law bars (最、第一、全网 …). 折 comes only from `zhe`, so it is always the true
discount; urgency never names a deadline.
"""

from __future__ import annotations

from contracts.vocabulary import Angle, Locale
from training.corpus.templates import Need, PhraseBank

DISCOUNT = PhraseBank(
    Angle.DISCOUNT,
    Locale.ZH_CN,
    headline=(
        "{brand} {name}限时{zhe}，到手{price}",
        "{name}直降{save}，现价{price}",
        "好价！{name}{zhe}入手",
        "原价{was}，现价{price}：{name}",
        "{name}，{feature}，{zhe}好价",
        "立省{save}！{brand} {name}",
        "{zhe}入手{brand} {name}",
        "降价了！{name}到手{price}",
    ),
    subject=(
        "{name}降价了，{zhe}",
        "{brand} {name}立省{save}",
    ),
    push=(
        "还在犹豫{name}吗？现在{zhe}，到手{price}。",
        "你看中的{brand} {name}降价了，立省{save}！",
        "{name}，{feature}，限时{zhe}，{price}就能入手。",
    ),
    sms=(
        "{brand} {name}限时{zhe}，原价{was}，现价{price}，快来看看。",
        "好价提醒：{name}直降{save}，到手{price}。",
        "{brand}宠粉好价：{name}，{feature}，{zhe}仅需{price}。",
    ),
)

VALUE = PhraseBank(
    Angle.VALUE,
    Locale.ZH_CN,
    headline=(
        "{price}入手{brand} {name}",
        "{name}，{feature}，只要{price}",
        "高性价比之选：{name}",
        "到手价{price}｜{brand} {name}",
        "{name}，实用又划算",
        "物有所值：{name}，{price}",
        "{brand} {name}，{price}闭眼入",
        "原价{was}，现价{price}：{name}",
        "{title}，到手价{price}",
        ("囤货好时机：{name}，{price}", Need.CONSUMABLE),
    ),
    subject=(
        "{price}就能入手{name}",
        "{brand} {name}，物有所值",
    ),
    push=(
        "还在犹豫{name}吗？到手价{price}，实用又划算。",
        "{brand} {name}，{feature}，{price}就能带回家。",
        "划算好物提醒：{name}，到手价{price}。",
        ("囤货正当时：{brand} {name}，{price}。", Need.CONSUMABLE),
    ),
    sms=(
        "{brand} {name}，{feature}，到手价{price}，物有所值。",
        "实用又划算：{name}只要{price}，欢迎选购。",
        "{price}入手{brand} {name}，日常使用不心疼。",
    ),
)

FREE_SHIPPING = PhraseBank(
    Angle.FREE_SHIPPING,
    Locale.ZH_CN,
    headline=(
        "包邮到家：{brand} {name}",
        "{name}，{feature}，包邮",
        "{price}包邮｜{name}",
        "免运费入手{brand} {name}",
        "包邮！{name}到手{price}",
        "{zhe}还包邮：{name}",
        "不用凑单，{name}包邮",
        "{brand} {name}，包邮送到家",
    ),
    subject=(
        "{name}包邮到家",
        "免运费：{brand} {name}",
    ),
    push=(
        "还在犹豫{name}吗？{price}还包邮。",
        "{brand} {name}，{feature}，包邮到家。",
        "{name}免运费，到手价{price}，快来看看。",
    ),
    sms=(
        "{brand} {name}，{feature}，{price}包邮到家。",
        "包邮提醒：{name}，到手{price}，无需运费。",
        "不用凑单！{brand} {name}包邮，仅需{price}。",
    ),
)

URGENCY = PhraseBank(
    Angle.URGENCY,
    Locale.ZH_CN,
    headline=(
        "趁现在，入手{brand} {name}",
        "别犹豫了！{name}，{price}",
        "喜欢就趁早：{name}，{feature}",
        "今天就带{name}回家",
        "{zhe}好价别错过：{name}",
        "心动不如行动：{brand} {name}",
        "早下手早享受：{name}，{price}",
        "别再等了，{name}就现在",
    ),
    subject=(
        "别犹豫，{name}等你",
        "趁现在入手{brand} {name}",
    ),
    push=(
        "还在犹豫{name}吗？心动不如行动，{price}。",
        "{brand} {name}，{feature}，喜欢就趁现在。",
        "{name}限时{zhe}，别错过！",
        "今天就把{name}带回家吧，到手价{price}。",
    ),
    sms=(
        "{brand} {name}等你带回家，{price}，趁现在下单吧。",
        "别犹豫啦：{name}，{feature}，{price}，喜欢就趁现在。",
        "{name}{zhe}好价，趁现在入手，到手{price}。",
    ),
)

SCARCITY = PhraseBank(
    Angle.SCARCITY,
    Locale.ZH_CN,
    headline=(
        "仅剩{stock}件！{brand} {name}",
        "库存紧张：{name}，{price}",
        "手慢无！{name}仅剩{stock}件",
        "所剩不多：{name}，{feature}",
        "{name}只剩{stock}件，要买趁早",
        "库存告急，{brand} {name}速抢",
        "{zhe}好价只剩{stock}件：{name}",
        "数量有限：{brand} {name}",
    ),
    subject=(
        "仅剩{stock}件：{name}",
        "库存紧张，{name}要抓紧",
    ),
    push=(
        "还在犹豫{name}吗？仅剩{stock}件，手慢无。",
        "{brand} {name}库存紧张，只剩{stock}件。",
        "你关注的{name}所剩不多，{price}，要买趁早。",
    ),
    sms=(
        "{brand} {name}仅剩{stock}件，到手{price}，手慢无。",
        "库存紧张：{name}，{feature}，只剩{stock}件，要买趁早。",
        "所剩不多！{name}，{price}，喜欢就别犹豫。",
    ),
)

BANKS: tuple[PhraseBank, ...] = (DISCOUNT, VALUE, FREE_SHIPPING, URGENCY, SCARCITY)
