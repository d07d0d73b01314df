"""Queues: Erlang C (:func:`erlang_c`) and the fewest agents that meet a service level
(:func:`agents_needed`), for the phones and the check-in desk.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pracops.errors import ParameterError

__all__ = [
    "ErlangC",
    "erlang_c",
    "agents_needed",
]

@dataclass(frozen=True)
class ErlangC:
    """How a queue with ``agents`` servers performs (see the module docstring's formulas).

    Attributes
    ----------
    agents
        Servers ``N``.
    traffic_erlangs
        Offered traffic ``A = λ·h``.
    p_wait
        Probability that a caller waits at all (Erlang C).
    service_level
        Fraction answered within the target time.
    asa_seconds
        Average speed of answer over all callers; ``inf`` when the queue is unstable.
    occupancy
        Fraction of agent time busy, ``A / N`` (1 when unstable).
    """

    agents: int
    traffic_erlangs: float
    p_wait: float
    service_level: float
    asa_seconds: float
    occupancy: float


def _check_queue_inputs(arrivals_per_hour: float, handle_minutes: float,
                        answer_within_seconds: float) -> None:
    if not (math.isfinite(arrivals_per_hour) and arrivals_per_hour >= 0):
        raise ParameterError(f"arrivals_per_hour must be 0 or more, got {arrivals_per_hour!r}")
    if not (math.isfinite(handle_minutes) and handle_minutes > 0):
        raise ParameterError(f"handle_minutes must be more than 0, got {handle_minutes!r}")
    if not (math.isfinite(answer_within_seconds) and answer_within_seconds >= 0):
        raise ParameterError("answer_within_seconds must be 0 or more, "
                             f"got {answer_within_seconds!r}")


def erlang_c(arrivals_per_hour: float, handle_minutes: float, agents: int,
             answer_within_seconds: float) -> ErlangC:
    """Waiting probability, service level, speed of answer and occupancy of an M/M/N queue.

    With traffic ``A = λ·h`` Erlangs (``λ`` = ``arrivals_per_hour``, ``h`` = ``handle_minutes``
    / 60), Erlang B is computed by the stable recursion ``B(0) = 1``,
    ``B(k) = A·B(k−1) / (k + A·B(k−1))`` (no factorials, so hundreds of agents stay finite),
    then

    .. math::

        C = \\frac{N B(N)}{N - A (1 - B(N))}, \\quad
        SL(t) = 1 - C e^{-(N - A) t / h}, \\quad
        ASA = \\frac{C h}{N - A}, \\quad \\text{occupancy} = A / N.

    Parameters
    ----------
    arrivals_per_hour
        Calls (or patients) arriving per hour, ``λ ≥ 0``.
    handle_minutes
        Average handling time per arrival, minutes (> 0).
    agents
        Servers ``N`` (a whole number ≥ 0).
    answer_within_seconds
        Target answer time ``t`` for the service level.

    Returns
    -------
    ErlangC
        With ``N ≤ A`` the queue is unstable (it grows without end): ``p_wait = 1``,
        ``service_level = 0``, ``asa_seconds = inf``, ``occupancy = 1``. With no arrivals
        nobody waits: ``p_wait = 0``, ``service_level = 1``, ``asa_seconds = 0``.

    Examples
    --------
    56 calls an hour of 4 minutes each (``A = 3.733``) on 6 agents: ``P(wait) ≈ 0.2239``,
    80/30 service level ``≈ 0.8314``, ``ASA ≈ 23.7 s``.

    >>> r = erlang_c(56, 4, 6, 30)
    >>> round(r.p_wait, 4), round(r.service_level, 4), round(r.asa_seconds, 1)
    (0.2239, 0.8314, 23.7)
    """
    _check_queue_inputs(arrivals_per_hour, handle_minutes, answer_within_seconds)
    if (isinstance(agents, bool) or not isinstance(agents, int | float | np.integer)
            or not float(agents).is_integer() or agents < 0):
        raise ParameterError(f"agents must be a whole number 0 or more, got {agents!r}")
    n = int(agents)
    traffic = arrivals_per_hour * handle_minutes / 60.0
    if traffic == 0:
        return ErlangC(n, 0.0, 0.0, 1.0, 0.0, 0.0)
    if n <= traffic:
        return ErlangC(n, traffic, 1.0, 0.0, math.inf, 1.0)
    b = 1.0
    for k in range(1, n + 1):
        b = traffic * b / (k + traffic * b)
    c = n * b / (n - traffic * (1.0 - b))
    handle_seconds = handle_minutes * 60.0
    service_level = 1.0 - c * math.exp(-(n - traffic) * answer_within_seconds / handle_seconds)
    asa = c * handle_seconds / (n - traffic)
    return ErlangC(n, traffic, c, service_level, asa, traffic / n)


def agents_needed(arrivals_per_hour: float, handle_minutes: float, service_level_target: float,
                  answer_within_seconds: float, max_occupancy: float) -> int:
    """The fewest agents that answer ``service_level_target`` within the target time.

    The smallest ``N`` with ``SL(N) ≥ target`` (see :func:`erlang_c`) and ``A / N ≤
    max_occupancy``; 0 when nothing arrives.

    Parameters
    ----------
    arrivals_per_hour, handle_minutes, answer_within_seconds
        As for :func:`erlang_c`.
    service_level_target
        Fraction to answer within ``answer_within_seconds`` (``0 ≤ target < 1``; 0.8 for the
        call-centre convention "80 % within 30 seconds").
    max_occupancy
        Cap on ``A / N`` (``0 < cap ≤ 1``), so agents keep time between arrivals; 1 for no cap
        (the report's ``max_occupancy`` is 0.85).
    """
    _check_queue_inputs(arrivals_per_hour, handle_minutes, answer_within_seconds)
    if not 0 <= service_level_target < 1:
        raise ParameterError("service_level_target must be at least 0 and below 1, "
                             f"got {service_level_target!r}")
    if not 0 < max_occupancy <= 1:
        raise ParameterError(f"max_occupancy must be above 0 and at most 1, got {max_occupancy!r}")
    traffic = arrivals_per_hour * handle_minutes / 60.0
    if traffic == 0:
        return 0
    n = max(math.floor(traffic) + 1, math.ceil(traffic / max_occupancy - 1e-12))
    while erlang_c(arrivals_per_hour, handle_minutes, n,
                   answer_within_seconds).service_level < service_level_target:
        n += 1
    return n
