"""The contact number (parsers.fields.phone.find_phone) from the flattened text, as the parser
reads it: the first phone number, digits only. Masking: tests/parsers/test_phone_mask.py."""

from __future__ import annotations

from parsers.fields.phone import find_phone
from parsers.parser import prepare
from tests.parsers.fields import table


def contact(text: str) -> str | None:
    found = find_phone(prepare(text)[1])
    return found[0] if found else None


CONTACT = {
    # Mobiles, however grouped.
    "mobile": ("电话13812345678", "13812345678"),
    "mobile-dashes": ("招普工5名，联系138-1234-5678", "13812345678"),
    "mobile-spaces": ("联系王姐 139 5801 2233", "13958012233"),
    "mobile-dots": ("138.1234.5678", "13812345678"),
    "mobile-full-width": ("手机：１３８１２３４５６７８", "13812345678"),
    "mobile-after-name": ("陶瓷厂需要叉车工一名，联系13790123456黄生", "13790123456"),
    "mobile-wechat": ("微信同号15867001122", "15867001122"),
    "mobile-after-text": ("有电焊证，找活，日结最好 15867001122", "15867001122"),
    # Landlines keep their area code.
    "landline": ("联系电话0574-86123456", "057486123456"),
    "landline-spaces": ("急需叉车工1名，联系0574 8765 4321", "057487654321"),
    "landline-three-digit-code": ("联系电话 028-84561234", "02884561234"),
    # A labelled local number.
    "labelled-local": ("电话：86123456", "86123456"),
    "labelled-local-grouped": ("tel: 8612 3456", "86123456"),
    # The first number wins.
    "mobile-first": ("张工13805741122或0574-86881234", "13805741122"),
    "landline-first": ("联系0574-86881234或13805741122", "057486881234"),
    "after-pay-and-date": ("3月10号开工，一天200，电话13857412345", "13857412345"),
    # Figures that are no phone number.
    "no-number": ("招普工5名，月薪5000", None),
    "pay-range": ("工资3000-5000", None),
    "dotted-dates": ("3.10到3.20", None),
    "headcount-range": ("人数：10-15人", None),
    "id-card": ("身份证330206199001011234", None),
    "order-number": ("订单号 20250303", None),
}


@table(CONTACT)
def test_find_phone(text: str, expected: str | None) -> None:
    assert contact(text) == expected
