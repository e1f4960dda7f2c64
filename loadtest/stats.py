"""What a load run counts and how it is reported (a table for people, JSON for machines).

A chat scenario counts messages sent, copies delivered to their recipients and losses; the HTTP
scenario (feed) counts requests, responses and errors, and is reported in those words. Either
way the report names the scenario, the URL, the server's version, the start time and each target
with its verdict; the JSON adds a time series (per second: sent, delivered, p50, p99) and the
errors counted by reason.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field

HTTP_SCENARIOS = frozenset({"feed"})


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass
class Second:
    """One second of the run (counted from its start)."""

    sent: int = 0
    delivered: int = 0
    latencies_ms: list[float] = field(default_factory=list)

    def to_json(self, second: int) -> dict:
        ordered = sorted(self.latencies_ms)
        return {
            "second": second,
            "sent": self.sent,
            "delivered": self.delivered,
            "p50_ms": _round(percentile(ordered, 0.50)),
            "p99_ms": _round(percentile(ordered, 0.99)),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@dataclass
class Stats:
    scenario: str
    users: int
    rate: float
    duration: float
    ramp_up: float = 0.0
    # The run's start, on the clock its events are stamped with (trio.current_time()).
    started: float = 0.0
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
    # Why things failed, counted: "connect: 401", "request: timeout", "chat.error: ..."
    errors: Counter = field(default_factory=Counter)
    series: dict[int, Second] = field(default_factory=dict, repr=False)

    @property
    def lost(self) -> int:
        return self.expected - self.delivered

    @property
    def is_http(self) -> bool:
        return self.scenario in HTTP_SCENARIOS

    def _second(self, now: float) -> Second:
        key = max(0, int(now - self.started))
        second = self.series.get(key)
        if second is None:
            second = self.series[key] = Second()
        return second

    def record_sent(self, now: float) -> None:
        self.sent += 1
        self._second(now).sent += 1

    def record_delivered(self, now: float, latency_ms: float) -> None:
        self.delivered += 1
        self.latencies_ms.append(latency_ms)
        second = self._second(now)
        second.delivered += 1
        second.latencies_ms.append(latency_ms)

    def record_error(self, reason: str) -> None:
        self.errors[reason] += 1

    def latency(self) -> dict:
        ordered = sorted(self.latencies_ms)
        return {
            "count": len(ordered),
            "p50": percentile(ordered, 0.50),
            "p95": percentile(ordered, 0.95),
            "p99": percentile(ordered, 0.99),
            "max": ordered[-1] if ordered else None,
        }

    def summary(self) -> dict:
        skip = {"latencies_ms", "series", "errors", "started"}
        result = {key: getattr(self, key) for key in self.__dataclass_fields__ if key not in skip}
        result.update(lost=self.lost, latency_ms=self.latency())
        return result


@dataclass(frozen=True)
class Verdict:
    name: str
    target: str
    measured: str
    held: bool

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "target": self.target,
            "measured": self.measured,
            "held": self.held,
        }


@dataclass(frozen=True)
class Targets:
    """What a run must hold for the exit code to say it passed."""

    p99_ms: float | None = None
    max_lost: int = 0
    max_dropped: int = 0
    max_refused: int = 0

    def verdicts(self, stats: Stats) -> list[Verdict]:
        http = stats.is_http
        p99 = stats.latency()["p99"]
        found = [
            Verdict("users connected", f"all {stats.users}", str(stats.connected),
                    stats.connect_failures == 0),
            Verdict("sockets dropped", f"<= {self.max_dropped}", str(stats.dropped),
                    stats.dropped <= self.max_dropped),
            Verdict("requests failed" if http else "deliveries lost", f"<= {self.max_lost}",
                    str(stats.lost), stats.lost <= self.max_lost),
            Verdict("error answers" if http else "sends refused", f"<= {self.max_refused}",
                    str(stats.refused), stats.refused <= self.max_refused),
        ]  # fmt: skip
        if self.p99_ms is not None:
            measured = "-" if p99 is None else f"{p99:.1f} ms"
            found.append(
                Verdict("p99 latency", f"<= {self.p99_ms:g} ms", measured,
                        p99 is None or p99 <= self.p99_ms)
            )  # fmt: skip
        return found

    def failures(self, stats: Stats) -> list[str]:
        """The targets that did not hold, in words."""
        words = {
            "users connected": lambda: f"{stats.connect_failures} users could not connect",
            "sockets dropped": lambda: f"{stats.dropped} sockets dropped",
            "deliveries lost": lambda: f"{stats.lost} deliveries lost",
            "requests failed": lambda: f"{stats.lost} requests failed",
            "sends refused": lambda: f"{stats.refused} sends refused",
            "error answers": lambda: f"{stats.refused} error answers",
            "p99 latency": lambda: (
                f"p99 {stats.latency()['p99']:.1f} ms over the {self.p99_ms:g} ms target"
            ),
        }
        return [words[v.name]() for v in self.verdicts(stats) if not v.held]


@dataclass(frozen=True)
class RunFacts:
    """What the report says about the run besides its counts."""

    url: str
    version: str | None
    started_at: str  # ISO 8601, UTC


def _kib(value: float) -> str:
    return f"{value / 1024:.1f} MiB" if value >= 1024 else f"{value:.0f} KiB"


def format_extra(extra: dict) -> list[tuple[str, str]]:
    """The server's memory and CPU, readably."""
    rows = []
    memory = extra.get("server_rss_kib")
    if memory:
        line = f"{_kib(memory['before'])} before, {_kib(memory['connected'])} connected"
        if "server_kib_per_socket" in extra:
            line += f" ({extra['server_kib_per_socket']} KiB per socket)"
        rows.append(("server memory", line))
    if "server_cpu_seconds" in extra:
        line = f"{extra['server_cpu_seconds']} s, {extra['server_cpu_ms_per_message']} ms per "
        line += "request" if extra.get("http") else "message"
        if "server_cpu_us_per_delivery" in extra:
            line += f", {extra['server_cpu_us_per_delivery']} µs per delivery"
        rows.append(("server CPU", line))
    return rows


def format_table(
    stats: Stats, targets: Targets, facts: RunFacts | None = None, extra: dict | None = None
) -> str:
    latency = stats.latency()
    verdicts = targets.verdicts(stats)

    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f} ms"

    rows: list[tuple[str, object]] = [("scenario", stats.scenario)]
    if facts is not None:
        rows += [
            ("url", facts.url),
            ("server version", facts.version or "unknown"),
            ("started", facts.started_at),
        ]
    rows += [
        ("users", stats.users),
        ("rate", f"{stats.rate:g}/s"),
        ("duration", f"{stats.duration:g} s" + (f" after {stats.ramp_up:g} s of ramp-up"
                                                  if stats.ramp_up else "")),
        ("connected", f"{stats.connected} ({stats.connect_failures} failed)"),
        ("dropped", stats.dropped),
    ]  # fmt: skip
    if stats.is_http:
        rows += [
            ("requests", stats.sent),
            ("responses", f"{stats.delivered} ok, {stats.refused} errors"),
            ("failed", f"{stats.lost} (errors and timeouts)"),
        ]
    else:
        rows += [
            ("sent", stats.sent),
            ("acked", stats.acked),
            ("refused", stats.refused),
            ("delivered", f"{stats.delivered} of {stats.expected} owed"),
            ("lost", stats.lost),
        ]
    rows += [
        ("late sends", stats.late_ticks),
        ("latency p50", ms(latency["p50"])),
        ("latency p95", ms(latency["p95"])),
        ("latency p99", ms(latency["p99"])),
        ("latency max", ms(latency["max"])),
    ]
    rows += format_extra(extra or {})
    for reason, count in sorted(stats.errors.items(), key=lambda item: -item[1]):
        rows.append(("error", f"{count} x {reason}"))
    for verdict in verdicts:
        held = "PASS" if verdict.held else "FAIL"
        rows.append(("target", f"{held}  {verdict.name} {verdict.target}: {verdict.measured}"))
    failures = targets.failures(stats)
    rows.append(("result", "PASS" if not failures else "FAIL: " + "; ".join(failures)))
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def to_json(
    stats: Stats, targets: Targets, facts: RunFacts | None = None, extra: dict | None = None
) -> str:
    failures = targets.failures(stats)
    report = {**stats.summary(), "passed": not failures, "failures": failures}
    if facts is not None:
        report.update(url=facts.url, version=facts.version, started_at=facts.started_at)
    report["targets"] = [verdict.to_json() for verdict in targets.verdicts(stats)]
    report["errors"] = dict(stats.errors.most_common())
    report["series"] = [stats.series[key].to_json(key) for key in sorted(stats.series)]
    report.update(extra or {})
    return json.dumps(report, indent=2)
