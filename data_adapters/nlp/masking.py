"""Personal data masked out of 12345 tickets and public posts before anything shows them.

`mask(text)` replaces, in this order, each kind below with a hint that keeps a few characters
(so an operator can still tell two callers apart, or read a ticket back to its caller) and
hides the rest behind `*`:

- ID numbers: 18 characters, 17 digits and a digit or X, with a real province code, a real
  birth date (1900 to today) and the right ISO 7064 MOD 11-2 check character:
  `320***********123X` (the first 3 and last 4 kept).
- Mobile numbers: 1[3-9] and 9 more digits, optionally after +86, 86, 0086 or (+86), with
  spaces or dashes between the 3-4-4 groups: `138****5678`, `+86 138 **** 5678` (the middle
  group hidden).
- Landlines: an area code (010, 02x, 0xxx) in brackets or before a space or dash, then a 7- or
  8-digit local number (0518-85512345, (0518)85512345, 0518 8551 2345); or a local number,
  with or without its area code, right after 电话, 座机, 固话 or tel (电话85512345):
  `0518-****2345` (the area code and the last 4 digits kept).
- Licence plates: a province abbreviation, the city letter, an optional middle dot or space,
  then 5 (regular) or 6 (new-energy) letters and digits with at least one digit, or 4 and
  挂/学/警/港/澳: `苏G·1***5`, `苏GD****5` (the first and last character of the serial kept).
- Names: 2 to 4 Chinese characters starting with a common surname, right after 姓名,
  联系人, 联系人姓名 or 我叫 (then an optional ：, : or 是): `联系人：王**` (the surname
  kept, always two stars, so the length of the name is not told).

Fullwidth digits and letters (１３８…) are read as ASCII first, so they cannot slip past, and
come out as ASCII.

Choices, each tested:

- Look-alikes stay: the 12345 hotline, prices, dates and times, ticket and order numbers
  (digits next to letters, such as GD2026112800012, are never a phone or an ID), a 10-digit
  number, an 18-digit number whose check character, birth date or province is wrong (an order
  number is not an ID; about 1 random 18-digit number in 100 passes all three and is masked),
  coordinates and house numbers (人民路138号).
- A surname with 先生/女士 (王先生, 联系人李女士) stays: a surname alone identifies nobody, and
  a full name before them (联系人张伟先生) is still masked.
- 15-digit first-generation ID numbers, e-mail addresses and bank card numbers are not
  recognised.
- Text is only text: HTML in it is kept as it is (it is escaped where it is shown).
- `mask` is idempotent: every masked form contains `*`, which no pattern accepts.
"""

from __future__ import annotations

import re
from datetime import date

_EDGE_BEFORE = r"(?<![0-9A-Za-z])"
_EDGE_AFTER = r"(?![0-9A-Za-z])"

_ID = re.compile(_EDGE_BEFORE + r"[1-9]\d{16}[0-9Xx]" + _EDGE_AFTER)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_PROVINCE_CODES = (*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55))
_PROVINCES = frozenset(str(code) for code in (*_PROVINCE_CODES, *range(61, 66), 71, 81, 82))

_MOBILE = re.compile(
    r"(?<![0-9A-Za-z+])"
    r"((?:\+|00)?86[ -]?|[(（]\+?86[)）] ?)?"
    r"(1[3-9]\d)([ -]?)(\d{4})([ -]?\d{4})" + _EDGE_AFTER
)

_AREA = r"(?:010|02\d|0[3-9]\d{2})"
_LOCAL = r"[2-9]\d{2,3}[ -]?\d{4}"
_AREA_PREFIX = r"(?:[(（]" + _AREA + r"[)）]|" + _AREA + r"[ -]) ?"
_LANDLINE = re.compile(_EDGE_BEFORE + "(" + _AREA_PREFIX + ")(" + _LOCAL + ")" + _EDGE_AFTER)
_LANDLINE_CUED = re.compile(
    r"((?:联系|办公|值班|固定|家庭)?电话(?:号码)?|座机(?:号码)?|固话|[Tt][Ee][Ll])"
    r"([：: ]*(?:是|为)?[：: ]*)"
    r"(" + _AREA + r"?)(" + _LOCAL + r")" + _EDGE_AFTER
)

_PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE = re.compile(
    r"([" + _PLATE_PROVINCES + r"][A-HJ-NP-Za-hj-np-z])([·•・. ]?)"
    r"([A-HJ-NP-Za-hj-np-z0-9]{5,6}|[A-HJ-NP-Za-hj-np-z0-9]{4}[挂学警港澳])" + _EDGE_AFTER
)

# Common Chinese surnames (single and compound); a name must start with one of them.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰"
    "焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲"
    "房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟"
    "应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀"
    "郁胥南班储栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支"
    "卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊乌母裘亓修邰赫杭况那宿鲜印逯"
    "隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
_COMPOUND_SURNAMES = (
    "欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|长孙|"
    "宇文|司徒|夏侯|令狐|端木|独孤|南宫|西门|万俟|呼延"
)
# Words that end a name or cannot be part of one.
_NOT_NAME = (
    "电话|手机|号码|联系|先生|女士|小姐|同志|师傅|地址|身份|信息|方式|反映|来电|家住|住在|投诉"
)
_NAME_CHAR = r"(?:(?!" + _NOT_NAME + r")[\u4e00-\u9fff])"
_NAME = re.compile(
    r"(联系人姓名|联系人(?!员)|姓名|我叫)([：: ]*(?:是|为)?[：: ]*)"
    r"((?!"
    + _NOT_NAME
    + r")(?:"
    + _COMPOUND_SURNAMES
    + r"|["
    + _SURNAMES
    + r"])"
    + _NAME_CHAR
    + r"{1,3}?)"
    r"(?=[^\u4e00-\u9fff*]|$|" + _NOT_NAME + r"|称|说|表示|的)"
)
_COMPOUND = frozenset(_COMPOUND_SURNAMES.split("|"))

_FULLWIDTH = str.maketrans(
    {chr(0xFF10 + i): chr(0x30 + i) for i in range(10)}
    | {chr(0xFF21 + i): chr(0x41 + i) for i in range(26)}
    | {chr(0xFF41 + i): chr(0x61 + i) for i in range(26)}
    | {"\uff0b": "+"}
)
# A text needs a digit or a name cue to hold anything masked.
_MAY_HOLD = re.compile(r"[0-9]|姓名|联系人|我叫")


def mask(text: str) -> str:
    """The text with ID numbers, mobile and landline numbers, licence plates and names after
    a name cue masked (see the module docstring); anything else is returned unchanged."""
    if not text:
        return text
    text = text.translate(_FULLWIDTH)
    if _MAY_HOLD.search(text) is None:
        return text
    text = _ID.sub(_mask_id, text)
    text = _MOBILE.sub(_mask_mobile, text)
    text = _LANDLINE.sub(_mask_landline, text)
    text = _LANDLINE_CUED.sub(_mask_landline, text)
    text = _PLATE.sub(_mask_plate, text)
    return _NAME.sub(_mask_name, text)


def is_id_number(value: str) -> bool:
    """Whether `value` is a valid 18-character resident ID number (province, date, check)."""
    if len(value) != 18 or not value[:17].isdigit() or value[:2] not in _PROVINCES:
        return False
    if not _real_birth_date(value[6:14]):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17].upper()


def _real_birth_date(digits: str) -> bool:
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date.today()


def _mask_id(match: re.Match[str]) -> str:
    value = match.group()
    return value[:3] + "*" * 11 + value[-4:] if is_id_number(value) else value


def _mask_mobile(match: re.Match[str]) -> str:
    prefix, head, gap, _middle, tail = match.groups()
    return f"{prefix or ''}{head}{gap}****{tail}"


def _mask_landline(match: re.Match[str]) -> str:
    *kept, number = match.groups()
    return "".join(kept) + _hide_all_but_last_digits(number, 4)


def _hide_all_but_last_digits(number: str, keep: int) -> str:
    digits = sum(ch.isdigit() for ch in number)
    out, seen = [], 0
    for ch in number:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > digits - keep else "*")
        else:
            out.append(ch)
    return "".join(out)


def _mask_plate(match: re.Match[str]) -> str:
    head, dot, serial = match.groups()
    if not any(ch.isdigit() for ch in serial):
        return match.group()
    return f"{head}{dot}{serial[0]}{'*' * (len(serial) - 2)}{serial[-1]}"


def _mask_name(match: re.Match[str]) -> str:
    cue, gap, name = match.groups()
    surname = name[:2] if name[:2] in _COMPOUND else name[0]
    return f"{cue}{gap}{surname}**"
