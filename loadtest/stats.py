"""What a load run counts and how it is reported (a table for people, JSON for machines)."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass
class Stats:
    scenario: str
    users: int
    rate: float
    duration: float
    connected: int = 0
    connect_failures: int = 0
    dropped: int = 0  # sockets the server closed while the run expected them open
    sent: int = 0
    acked: int = 0
    refused: int = 0  # chat.error or HTTP error answers
    expected: int = 0  # deliveries owed: one per intended recipient of each message
    delivered: int = 0
    late_ticks: int = 0  # sends that left later than the schedule said (the tool fell behind)
    latencies_ms: list[float] = field(default_factory=list, repr=False)

    @property
    def lost(self) -> int:
        return self.expected - self.delivered

    def summary(self) -> dict:
        ordered = sorted(self.latencies_ms)
        result = {key: value for key, value in asdict(self).items() if key != "latencies_ms"}
        result.update(
            lost=self.lost,
            latency_ms={
                "count": len(ordered),
                "p50": percentile(ordered, 0.50),
                "p95": percentile(ordered, 0.95),
                "p99": percentile(ordered, 0.99),
                "max": ordered[-1] if ordered else None,
            },
        )
        return result


@dataclass(frozen=True)
class Targets:
    """What a run must hold for the exit code to say it passed."""

    p99_ms: float | None = None
    max_lost: int = 0
    max_dropped: int = 0
    max_refused: int = 0

    def failures(self, stats: Stats) -> list[str]:
        found = []
        summary = stats.summary()
        if stats.connect_failures:
            found.append(f"{stats.connect_failures} users could not connect")
        if stats.dropped > self.max_dropped:
            found.append(f"{stats.dropped} sockets dropped")
        if stats.lost > self.max_lost:
            found.append(f"{stats.lost} deliveries lost")
        if stats.refused > self.max_refused:
            found.append(f"{stats.refused} requests refused")
        p99 = summary["latency_ms"]["p99"]
        if self.p99_ms is not None and p99 is not None and p99 > self.p99_ms:
            found.append(f"p99 {p99:.1f} ms over the {self.p99_ms:g} ms target")
        return found


def format_table(stats: Stats, failures: list[str]) -> str:
    summary = stats.summary()
    latency = summary["latency_ms"]

    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f} ms"

    rows = [
        ("scenario", stats.scenario),
        ("users", stats.users),
        ("rate", f"{stats.rate:g}/s"),
        ("duration", f"{stats.duration:g} s"),
        ("connected", f"{stats.connected} ({stats.connect_failures} failed)"),
        ("dropped", stats.dropped),
        ("sent", stats.sent),
        ("acked", stats.acked),
        ("refused", stats.refused),
        ("expected", stats.expected),
        ("delivered", stats.delivered),
        ("lost", stats.lost),
        ("late sends", stats.late_ticks),
        ("latency p50", ms(latency["p50"])),
        ("latency p95", ms(latency["p95"])),
        ("latency p99", ms(latency["p99"])),
        ("latency max", ms(latency["max"])),
        ("result", "PASS" if not failures else "FAIL: " + "; ".join(failures)),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def to_json(stats: Stats, failures: list[str], extra: dict | None = None) -> str:
    return json.dumps(
        {**stats.summary(), "passed": not failures, "failures": failures, **(extra or {})},
        indent=2,
    )
