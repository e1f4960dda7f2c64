"""Print the reports of docs/benchmarks.sh as one Markdown table: each scenario's product and
baseline side by side, with the server's CPU per message and the product/baseline ratio."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def row(name: str, target: str, report: dict) -> list[str]:
    latency = report["latency_ms"]

    def ms(value) -> str:
        return "-" if value is None else f"{value:.1f}"

    return [
        name,
        target,
        str(report["sent"]),
        f"{report['delivered']}/{report['expected']}",
        str(report["lost"]),
        ms(latency["p50"]),
        ms(latency["p99"]),
        str(report.get("server_cpu_ms_per_message", "-")),
        str(report.get("server_cpu_us_per_delivery", "-")),
        "PASS" if report["passed"] else "FAIL",
    ]


def main(folder: Path) -> None:
    header = [
        "run", "target", "sent", "delivered", "lost", "p50 ms", "p99 ms",
        "CPU ms/message", "CPU µs/delivery", "targets",
    ]  # fmt: skip
    print("| " + " | ".join(header) + " | ratio CPU/message |")
    print("|" + "---|" * (len(header) + 1))
    names = sorted({path.stem.rsplit("-", 1)[0] for path in folder.glob("*-product.json")})
    for name in names:
        reports = {}
        for target in ("product", "baseline"):
            path = folder / f"{name}-{target}.json"
            if path.exists():
                reports[target] = json.loads(path.read_text())
        product = reports.get("product", {}).get("server_cpu_ms_per_message")
        bare = reports.get("baseline", {}).get("server_cpu_ms_per_message")
        ratio = f"{product / bare:.2f}×" if product and bare else "-"
        for target, report in reports.items():
            cells = row(name, target, report)
            print("| " + " | ".join(cells) + f" | {ratio if target == 'product' else ''} |")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/results"))
