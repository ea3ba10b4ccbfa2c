"""Personal details out of free text, for people who should see only what was asked.

`/kbgaps` shows administrators what residents typed that the knowledge base could not answer.
The privacy notice promises the bureau figures without personal information, so the text is
shown with names, phone numbers, ID numbers, addresses and ages replaced by placeholders codes
(`[name]`, `[phone]`, `[id]`, `[address]`, `[age]`) that the handler translates. Rules, not a
model: they catch how residents write these in chat (我叫王秀英, 今年78岁, 住在古山镇前黄村,
电话13812345678, 王阿姨), and err towards removing too much.
"""

from __future__ import annotations

import re

NAME, PHONE, ID_NUMBER, ADDRESS, AGE = "[name]", "[phone]", "[id]", "[address]", "[age]"
PLACEHOLDERS = (NAME, PHONE, ID_NUMBER, ADDRESS, AGE)

_CJK = "\u4e00-\u9fff"
_NUM_ZH = "零〇一二两三四五六七八九十百"
# The most common surnames (about 85% of people), single and compound.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤应楼胥俞施"
)
_COMPOUND = "欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|长孙|令狐"
_KIN = (
    "阿姨|大爷|大妈|大娘|奶奶|爷爷|婆婆|伯伯|叔叔|阿婆|阿公|老师|医生|先生|女士|小姐|师傅|老人|"
    "老太太|老太|老伯|大哥|大姐|嫂子|同学|书记|主任|社工"
)

# Words that end a place name: "住在古山镇前黄村" keeps 住在, "社工站的路" is no address.
_STOP = "住在家我你他她它的是了到去从和与给想问要请找有没就都也还"
_PLACE = rf"(?:(?![{_STOP}])[{_CJK}])"
_HOUSE = rf"(?:[{_CJK}]{{0,2}}?[0-9{_NUM_ZH}]+(?:号楼|号|栋|幢|单元|室|楼|组))"

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # ID card numbers before phone numbers (an ID contains phone-like runs).
    (re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)"), ID_NUMBER),
    # Mobiles, with spaces or dashes people type (138 1234 5678, +86 138-1234-5678).
    (re.compile(r"(?:\+?86[\s-]?)?(?<!\d)1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)"), PHONE),
    # Landlines: 0579-8712 3456, 05798712345, 8712-3456 after 电话.
    (re.compile(r"(?<!\d)0\d{2,3}[\s-]?\d{3,4}[\s-]?\d{4}(?!\d)"), PHONE),
    (re.compile(r"(电话|手机)[:：\s是]*\d[\d\s-]{5,}\d"), rf"\g<1>{PHONE}"),
    # Ages: 78岁, 七十八岁, 今年78, 78周岁, aged 78.
    (re.compile(rf"[0-9{_NUM_ZH}]{{1,4}}\s*(?:周岁|岁半|岁)"), AGE),
    (re.compile(rf"(?<=今年)[0-9{_NUM_ZH}]{{1,4}}(?![0-9{_NUM_ZH}])"), AGE),
    (re.compile(r"(?i)\b(?:aged?|I am|I'm)\s+\d{1,3}\b(?:\s*(?:years old|yo))?"), AGE),
    (re.compile(r"(?i)\b\d{1,3}\s*(?:years old|-year-old)\b"), AGE),
    # Names after "my name is", "this is", "called".
    (re.compile(rf"(?<=我叫)[{_CJK}]{{2,3}}"), NAME),
    (re.compile(rf"(名叫|叫做|名字是|姓名是|姓名[：:]\s*)[{_CJK}]{{2,3}}"), rf"\g<1>{NAME}"),
    (
        re.compile(rf"(?<=我是)(?:{_COMPOUND}|[{_SURNAMES}])[{_CJK}]{{1,2}}(?=[，。,.！!\s]|$)"),
        NAME,
    ),
    (re.compile(rf"(?<=我姓)[{_CJK}]"), NAME),
    # A surname with a kinship or courtesy word: 王阿姨, 李大爷, 张老师, 欧阳奶奶.
    (re.compile(rf"(?:{_COMPOUND}|[{_SURNAMES}])(?:{_KIN})"), NAME),
    (re.compile(rf"[老小](?:[{_SURNAMES}])(?=[，。,.！!\s]|$|家|说|的)"), NAME),
    (re.compile(r"(?i)(?<=my name is )[A-Z][a-z]+(?: [A-Z][a-z]+)?"), NAME),
    # Addresses: place words up to a village or estate, or a road with a house number.
    (
        re.compile(
            rf"(?:{_PLACE}{{1,4}}(?:省|市|县|区))?(?:{_PLACE}{{1,4}}(?:镇|乡|街道))?"
            rf"(?:{_PLACE}{{1,5}}(?:村|社区|小区|新村|花园|公寓|大院|苑)(?:{_HOUSE})*"
            rf"|{_PLACE}{{1,5}}(?:路|大街|街|巷|弄){_HOUSE}+)"
        ),
        ADDRESS,
    ),
    (
        re.compile(rf"[0-9{_NUM_ZH}]+(?:号楼|栋|幢|单元|室)(?:[0-9{_NUM_ZH}]+(?:号|室|楼))*"),
        ADDRESS,
    ),
    # Emails and Telegram handles.
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"), PHONE),
    (re.compile(r"(?<!\w)@[A-Za-z]\w{4,31}"), NAME),
)


def redact(text: str) -> str:
    """The text with personal details replaced by placeholder codes (see module docstring)."""
    for pattern, placeholder in _RULES:
        text = pattern.sub(placeholder, text)
    # Two placeholders of one kind in a row (a phone split by a space) read as one.
    for placeholder in PLACEHOLDERS:
        text = re.sub(rf"(?:{re.escape(placeholder)}\s*){{2,}}", placeholder, text)
    return text
