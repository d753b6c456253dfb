"""VIN validation (ISO 3779 with the North-American check digit), shared by stock and
sales: a car's VIN is checked the same way when it arrives and when it is delivered."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin_check_digit(vin: str) -> str:
    """The check digit (position 9) of a 17-character VIN: North-American weights, mod 11."""
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True))
    rest = total % 11
    return "X" if rest == 10 else str(rest)


def vin_validate(vin: str) -> str:
    """The VIN in capitals, or a ValidationError on `vin` saying what is wrong."""
    vin = (vin or "").strip().upper()
    if len(vin) != 17:
        raise ValidationError({"vin": _("A VIN has 17 characters (this one has %(n)d).") % {"n": len(vin)}})
    bad = sorted({c for c in vin if c not in _VIN_VALUES})
    if bad:
        raise ValidationError(
            {"vin": _("A VIN never contains I, O, Q or other symbols: %(chars)s.") % {"chars": " ".join(bad)}}
        )
    expected = vin_check_digit(vin)
    if vin[8] != expected:
        raise ValidationError(
            {
                "vin": _("The check digit (9th character) should be %(digit)s: mistyped VIN?")
                % {"digit": expected}
            }
        )
    return vin
