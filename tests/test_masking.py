"""Personal data masked out of tickets and posts: each kind, and text that only looks like it."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest

from data_adapters.nlp.masking import is_id_number, mask

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id_number(first17: str) -> str:
    """An ID number with the right check character for its first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


VALID_ID = _id_number("32070619900101123")  # ends in 0
VALID_ID_X = _id_number("32072219850615008")  # ends in X
BAD_CHECK = VALID_ID[:17] + str((int(VALID_ID[17]) + 1) % 10)


def test_the_id_numbers_used_here_are_what_they_claim() -> None:
    assert is_id_number(VALID_ID)
    assert VALID_ID_X.endswith("X") and is_id_number(VALID_ID_X)
    assert not is_id_number(BAD_CHECK)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # mobiles
        ("请回电13812345678。", "请回电138****5678。"),
        ("电话：138 1234 5678", "电话：138 **** 5678"),
        ("手机138-1234-5678", "手机138-****-5678"),
        ("+86 138-1234-5678", "+86 138-****-5678"),
        ("+8613812345678", "+86138****5678"),
        ("8613812345678", "86138****5678"),
        ("（+86）19912345678", "（+86）199****5678"),
        # landlines
        ("座机0518-85512345", "座机0518-****2345"),
        ("(0518)85512345", "(0518)****2345"),
        ("（0518）8551 2345", "（0518）**** 2345"),
        ("0518 8551 2345", "0518 **** 2345"),
        ("010-62345678", "010-****5678"),
        ("电话85512345", "电话****2345"),
        ("座机：8551-2345", "座机：****-2345"),
        ("联系电话是051885512345", "联系电话是0518****2345"),
        # ID numbers
        (f"身份证号{VALID_ID}。", f"身份证号320***********{VALID_ID[-4:]}。"),
        (f"证件{VALID_ID_X}", f"证件320***********{VALID_ID_X[-4:]}"),
        (f"证件{VALID_ID_X.lower()}", f"证件320***********{VALID_ID_X[-4:].lower()}"),
        # licence plates
        ("苏G·12345被拖走", "苏G·1***5被拖走"),
        ("苏GD12345", "苏GD****5"),
        ("苏G12345D", "苏G1****D"),
        ("苏G12345", "苏G1***5"),
        ("苏G 12345", "苏G 1***5"),
        ("车牌苏G·A1234", "车牌苏G·A***4"),
        ("鲁Q1234挂", "鲁Q1***挂"),
        ("浙a12345", "浙a1***5"),
        # names after a cue
        ("联系人：张伟，电话", "联系人：张**，电话"),
        ("联系人王建国反映", "联系人王**反映"),
        ("姓名:李娜。", "姓名:李**。"),
        ("姓名是欧阳娜娜", "姓名是欧阳**"),
        ("联系人姓名：王芳", "联系人姓名：王**"),
        ("我叫王建国，手机", "我叫王**，手机"),
        ("联系人张伟先生", "联系人张**先生"),
        # fullwidth digits are read as ASCII
        ("电话１３８１２３４５６７８", "电话138****5678"),
    ],
)
def test_each_kind_is_masked_with_a_hint(text: str, masked: str) -> None:
    assert mask(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "打了12345还没解决",
        "12345热线的工作人员",
        "拨打0518-12345",
        "电话12345",
        "卡里还有¥1380.00元",
        "价格1380.00元",
        "2026-11-28 08:30",
        "2026年11月28日13:45:00",
        "工单号GD2026112800012",
        "LYG20261128010001",
        "订单号1381234567",  # 10 digits
        "订单号13812345678901",  # 14 digits
        f"订单号{BAD_CHECK}",  # 18 digits, wrong check character
        "订单号320706199002301234",  # 18 digits, 30 February
        "订单号990706199001011234",  # 18 digits, no province 99
        "坐标119.175, 34.600",
        "海州区人民路138号",
        "解放东路1381号3栋1234室",
        "https://weibo.com/1381234567/20261128120001",
        "江苏GDP增长",
        "苏GABCDE",
        "来电人王先生",
        "联系人李女士，联系电话",
        "联系人员很多",
        "联系人信息不全",
        "姓名和电话",
        "<script>alert('xss')</script>",
        '<img src=x onerror="alert(document.cookie)">',
        "",
    ],
)
def test_text_that_only_looks_like_personal_data_stays(text: str) -> None:
    assert mask(text) == text


def test_future_birth_dates_are_not_id_numbers() -> None:
    tomorrow = date.today() + timedelta(days=1)
    future = _id_number(f"320706{tomorrow:%Y%m%d}123")
    assert not is_id_number(future)
    assert mask(future) == future


MIXED = (
    "市民来电反映：海州区人民路138号门口苏G·12345长期占道，"
    f"联系人：张伟，电话：13812345678，座机0518-85512345，身份证{VALID_ID}。"
    "<b>转发</b>&nbsp;工单GD2026112800012，12345热线已受理，费用¥1380.00。"
)


def test_mixed_text_masks_every_kind_and_keeps_the_rest() -> None:
    assert mask(MIXED) == (
        "市民来电反映：海州区人民路138号门口苏G·1***5长期占道，"
        f"联系人：张**，电话：138****5678，座机0518-****2345，身份证320***********{VALID_ID[-4:]}。"
        "<b>转发</b>&nbsp;工单GD2026112800012，12345热线已受理，费用¥1380.00。"
    )


@pytest.mark.parametrize(
    "text",
    [
        MIXED,
        "姓名是欧阳娜娜",
        "联系人：张伟，电话：138 1234 5678",
        "+86 138-1234-5678，(0518)85512345，苏GD12345",
        f"{VALID_ID}、{VALID_ID_X}",
    ],
)
def test_masking_is_idempotent(text: str) -> None:
    once = mask(text)
    assert once != text
    assert mask(once) == once


def test_masking_is_fast() -> None:
    """Precompiled patterns: thousands of texts a second (measured: about 150,000/s)."""
    texts = [MIXED, "来电人反映：朝阳小区3号楼楼下的烧烤店噪音特别大。"] * 2000
    started = time.perf_counter()
    masked = [mask(t) for t in texts]
    assert time.perf_counter() - started < 2.0
    assert masked[0] != texts[0] and masked[1] == texts[1]
