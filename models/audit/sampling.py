"""The statistics of a risk-limiting sample of pieces: how many to check, and the risk left.

The claim an audit tests: fewer than `tolerable` of the population's pieces are misrouted or
missing. The audit assumes the opposite (the null: at least ceil(tolerable x N) pieces are
wrong) and stops when the pieces checked make that null unlikely enough: its *risk* — the
chance that a population as bad as the null would have given evidence this strong — is at
most the `risk_limit`.

The evidence is Wald's sequential probability ratio, as BRAVO and the Kaplan–Markov
comparison audits that Arlo runs compute it: each piece, in the order the seed drew it,
multiplies the evidence by how much likelier its result is if pieces are wrong at the
`expected` rate than if they were wrong at the null's rate. Pieces are drawn without
replacement, so the null's rate is that of the pieces not drawn yet, given what was found:
(wrong pieces the null still needs) / (pieces left). The product is a test supermartingale
under the null, so by Ville's inequality its reciprocal is a valid risk after any number of
rounds: an audit may look after each round and widen the sample (escalate) when the risk is
still above the limit. Checking every piece (a full count) ends with risk 0 or 1.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

_SLACK = 1e-9  # a sum of logs that equals the limit in exact arithmetic may miss it by rounding


class SamplingError(ValueError):
    """Parameters that cannot make an audit (the message says which and why)."""


@dataclass(frozen=True)
class RiskLimits:
    """What an audit must show, and what it expects to find."""

    risk_limit: float = 0.05   # the largest chance of passing a population as bad as the null
    tolerable: float = 0.01    # the claim: fewer than this share of pieces are wrong
    expected: float = 0.002    # the share of wrong pieces the sample size is planned for

    def __post_init__(self) -> None:
        if not 0 < self.risk_limit < 1:
            raise SamplingError(f"the risk limit is a share between 0 and 1 (e.g. 0.05), not "
                                f"{self.risk_limit}")
        if not 0 < self.tolerable < 1:
            raise SamplingError(f"the tolerable rate is a share between 0 and 1 (e.g. 0.01), not "
                                f"{self.tolerable}")
        if not 0 <= self.expected < self.tolerable:
            raise SamplingError(f"the expected rate ({self.expected}) must be at least 0 and below "
                                f"the tolerable rate ({self.tolerable}): an audit cannot show a "
                                "rate is below what it expects to find")

    def null_errors(self, population: int) -> int:
        """The fewest wrong pieces a population the audit must not pass holds: ceil(t x N)."""
        # Decimal: 0.01 x 300 is exactly 3, not 3.0000000000000004 (which would round up to 4).
        return math.ceil(Decimal(str(self.tolerable)) * population)


@dataclass(frozen=True)
class Measured:
    """The risk measured on the pieces checked so far."""

    risk: float        # 0..1: the chance a population as bad as the null gives this evidence
    draws: int         # pieces of the seeded order taken into account
    errors: int        # of them, wrong (misrouted, missing, or not checked yet)
    met: bool          # risk <= the risk limit
    proven_bad: bool   # so many wrong pieces that the null holds for certain: only a full
                       # count (or a correction) can end the audit


def _factor(wrong: bool, null_rate: float, expected: float) -> float:
    """The log of one piece's likelihood ratio, Bernoulli(expected) against Bernoulli(null)."""
    if null_rate <= expected:
        return 0.0  # no evidence either way: the null is already as low as expected
    if wrong:
        return math.log(expected / null_rate) if expected > 0 else -math.inf
    if null_rate >= 1:
        return math.inf  # the null needs every piece left wrong, and this one is right
    return math.log((1 - expected) / (1 - null_rate))


def log_evidence(outcomes: Iterable[bool], population: int, limits: RiskLimits) -> float:
    """The log of the evidence against the null after `outcomes` (True: a wrong piece), in the
    order drawn without replacement from `population` pieces. +inf: the null is impossible;
    -inf: it holds for certain, or an error was found where none was expected."""
    needed = limits.null_errors(population)
    total = 0.0
    for drawn, wrong in enumerate(outcomes):
        left = population - drawn
        if needed <= 0:
            return -math.inf  # the sample already holds as many wrong pieces as the null
        if left <= 0:
            raise SamplingError(f"more pieces drawn than the population of {population}")
        if needed > left:
            return math.inf  # not enough pieces left for the null to be true
        total += _factor(wrong, needed / left, limits.expected)
        if total in (math.inf, -math.inf):
            return total
        needed -= wrong
    return total if needed > 0 else -math.inf


def measure(outcomes: Sequence[bool], population: int, limits: RiskLimits,
            extra_errors: int = 0) -> Measured:
    """The risk after the pieces of `outcomes` (in the seeded order; True: wrong or not
    checked). `extra_errors`: wrong pieces found outside that order (pieces added so that every
    place is visited); they only ever lower the evidence."""
    log_t = log_evidence([*outcomes, *([True] * extra_errors)], population, limits)
    errors = sum(outcomes) + extra_errors
    risk = 0.0 if log_t == math.inf else 1.0 if log_t <= 0 else math.exp(-log_t)
    return Measured(risk, len(outcomes), errors, log_t >= -math.log(limits.risk_limit) - _SLACK,
                    errors >= limits.null_errors(population))


def _divergence(rate: float, limits: RiskLimits) -> float:
    """The expected gain of evidence per piece when pieces are wrong at `rate` (the
    Kullback–Leibler divergence of Bernoulli(rate) from Bernoulli(tolerable) through the
    planned bet): the with-replacement planning figure."""
    e, t = limits.expected, limits.tolerable
    right = (1 - rate) * math.log((1 - e) / (1 - t))
    wrong = rate * (math.log(e / t) if e > 0 else -math.inf) if rate > 0 else 0.0
    return right + wrong


def _smallest_draws(done: Sequence[bool], planned_errors: int, population: int,
                    limits: RiskLimits, guess: int) -> int:
    """The fewest draws n such that `done`, then `planned_errors` wrong pieces, then right ones
    up to n, meet the risk limit; the population when none does. `guess`: where to start."""
    target = -math.log(limits.risk_limit)
    head = [*done, *([True] * planned_errors)]
    if len(head) >= population or log_evidence(head, population, limits) == -math.inf:
        return population

    def meets(n: int) -> bool:
        return log_evidence([*head, *([False] * (n - len(head)))], population, limits) >= target - _SLACK

    # Right pieces only add evidence, so `meets` is monotone in n: double from the guess until
    # it meets the limit, then bisect.
    low, high = len(head), min(population, max(guess, len(head) + 1))
    while not meets(high):
        if high == population:
            return population
        low, high = high + 1, min(population, 2 * high)
    while low < high:
        middle = (low + high) // 2
        if meets(middle):
            high = middle
        else:
            low = middle + 1
    return low


def sample_size(population: int, limits: RiskLimits, done: Sequence[bool] = ()) -> int:
    """How many pieces of the seeded order (counting those in `done`, checked already) the
    audit needs to meet the risk limit if the rest are wrong at the planned rate — the
    expected rate, or the rate found so far when higher. `population` means a full count.

    As Arlo plans a comparison audit: a first figure from the expected gain of evidence per
    piece, the wrong pieces that figure implies rounded up, then the fewest draws that meet the
    limit with them.
    """
    if population <= 0:
        return 0
    target = -math.log(limits.risk_limit)
    current = log_evidence(done, population, limits)
    if current >= target - _SLACK:
        return len(done)
    found = sum(done)
    rate = max(limits.expected, found / len(done) if done else 0.0)
    gain = _divergence(rate, limits)
    if current == -math.inf or gain <= 0:
        return population
    first = len(done) + max(1, math.ceil((target - current) / gain))
    planned = max(0, math.ceil(rate * first) - found)
    return _smallest_draws(done, planned, population, limits, first)


def upper_rate(errors: int, checked: int, population: int, confidence: float = 0.95) -> float:
    """The exact one-sided upper bound of the share of wrong pieces in a population of
    `population`, from `errors` wrong in a simple random sample of `checked` (hypergeometric:
    the largest share whose chance of so few wrong pieces is at least 1 - confidence)."""
    if checked <= 0:
        return 1.0
    alpha = 1.0 - confidence
    # The chance of so few wrong pieces falls as the population holds more: bisect for the
    # largest count of wrong pieces it is still at least alpha for.
    low, high = errors, population - (checked - errors)
    while low < high:
        middle = (low + high + 1) // 2
        if _hypergeom_cdf(errors, population, middle, checked) >= alpha:
            low = middle
        else:
            high = middle - 1
    return low / population


def _hypergeom_cdf(k: int, population: int, bad: int, drawn: int) -> float:
    """P(X <= k), X the wrong pieces among `drawn` of `population` of which `bad` are wrong."""
    def log_choose(n: int, r: int) -> float:
        return math.lgamma(n + 1) - math.lgamma(r + 1) - math.lgamma(n - r + 1)

    whole = log_choose(population, drawn)
    total = 0.0
    for i in range(max(0, drawn - (population - bad)), min(k, bad, drawn) + 1):
        total += math.exp(log_choose(bad, i) + log_choose(population - bad, drawn - i) - whole)
    return min(1.0, total)
