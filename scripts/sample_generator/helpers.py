"""Small helpers shared by the generator: random streams, exact decimal text, compact JSON,
dates and stable ids."""

from __future__ import annotations

import hashlib
import math
import random
import uuid
from calendar import monthrange
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from json.encoder import encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any, Callable

from sample_generator.catalogue import CENT


class Rng(random.Random):
    """random.Random with the few distributions the generator needs."""

    def chance(self, p: float) -> bool:
        return self.random() < p

    def lognorm_mean(self, mean: float, sigma: float) -> float:
        """Lognormal draw whose expectation is `mean`."""
        return mean * math.exp(self.gauss(-0.5 * sigma * sigma, sigma))

    def poisson(self, lam: float) -> int:
        if lam <= 0:
            return 0
        if lam > 40:
            return max(0, round(self.gauss(lam, math.sqrt(lam))))
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= self.random()
            if p <= limit:
                return k
            k += 1

    def binom(self, n: int, p: float) -> int:
        if n <= 0 or p <= 0:
            return 0
        if p >= 1:
            return n
        if n <= 40:  # inversion: one uniform draw
            u = self.random()
            q_ = 1.0 - p
            prob = q_ ** n
            cdf, k, ratio = prob, 0, p / q_
            while u > cdf and k < n:
                prob *= (n - k) / (k + 1) * ratio
                k += 1
                cdf += prob
            return k
        mean = n * p
        if mean < 12:
            return min(n, self.poisson(mean))
        return min(n, max(0, round(self.gauss(mean, math.sqrt(mean * (1 - p))))))

    def hex(self, digits: int) -> str:
        return f"{self.getrandbits(4 * digits):0{digits}x}"


def stream(seed: int, *parts: object) -> Rng:
    """An independent, reproducible random stream for (seed, parts)."""
    return Rng("|".join([str(seed), *map(str, parts)]))


_QUANTUM: dict[int, Decimal] = {places: Decimal(1).scaleb(-places) for places in range(0, 19)}


def dec(value: Decimal, places: int = 10) -> str:
    """Plain decimal text (no exponent, no trailing zeros), rounded half-even to `places` decimals."""
    text = str(value)
    if "E" not in text:  # fast path: already plain; strip trailing zeros if it fits `places`
        dot = text.find(".")
        if dot < 0:
            return "0" if text == "-0" else text
        if len(text) - dot - 1 <= places:
            text = text.rstrip("0")
            if text[-1] == ".":
                text = text[:-1]
            return "0" if text == "-0" else text
    quantized = value.quantize(_QUANTUM[places], rounding=ROUND_HALF_EVEN)
    text = format(quantized.normalize(), "f")
    return "0" if text in ("-0", "0") else text


jstr: Callable[[str], str] = encode_basestring_ascii


def money2(value: Decimal) -> str:
    """Two-decimal money text (GitHub style)."""
    return format(value.quantize(CENT, rounding=ROUND_HALF_UP), "f")


def jdump(obj: Any) -> str:
    """Compact JSON; Decimal values are written as exact plain decimal numbers."""
    kind = type(obj)
    if kind is str:
        return encode_basestring_ascii(obj)
    if kind is bool:
        return "true" if obj else "false"
    if kind is int:
        return str(obj)
    if obj is None:
        return "null"
    if kind is Decimal:
        return dec(obj)
    if kind is dict:
        return "{" + ",".join(encode_basestring_ascii(k) + ":" + jdump(v) for k, v in obj.items()) + "}"
    if kind is list or kind is tuple:
        return "[" + ",".join(jdump(v) for v in obj) + "]"
    if kind is float:
        return repr(obj)
    raise TypeError(f"cannot encode {kind}")


def epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())


def iso_z(day: date, seconds: float = 0.0, millis: bool = False) -> str:
    """RFC 3339 UTC text of `day` + `seconds` (``2026-05-01T06:00:00Z``, optionally with milliseconds)."""
    whole = int(seconds)
    if whole >= 86_400 or whole < 0:
        day = day + timedelta(days=whole // 86_400)
        whole %= 86_400
    hh, rest = divmod(whole, 3600)
    mm, ss = divmod(rest, 60)
    if millis:
        ms = min(999, int(round((seconds - int(seconds)) * 1000)))
        return f"{day.isoformat()}T{hh:02d}:{mm:02d}:{ss:02d}.{ms:03d}Z"
    return f"{day.isoformat()}T{hh:02d}:{mm:02d}:{ss:02d}Z"


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def month_end(day: date) -> date:
    return day.replace(day=monthrange(day.year, day.month)[1])


def stable_uuid(*parts: object) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "ai-finops-sample:" + "|".join(map(str, parts))))


def sku_id(*parts: object) -> str:
    digest = hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest().upper()
    return f"{digest[0:4]}-{digest[4:8]}-{digest[8:12]}"
