"""axe-core over every page and state the browser suite visits, at both sizes.

Every browser context of `new_page` carries axe-core (the npm package's axe.min.js, from the
client's node_modules) and a small runner, both added with `context.add_init_script`. Playwright
evaluates an init script through the DevTools protocol at the start of every document, as it
does `page.evaluate`: not as a `<script>` element, so the pages' Content-Security-Policy
(script-src 'self' and hashes) neither blocks it nor has to be bypassed. The CSP stays in force
for everything else (the suite still fails on any violation it reports); `add_script_tag` would
insert an inline script the CSP refuses, and `bypass_csp=True` would switch off the very policy
the suite checks, on the pages it checks.

The runner runs axe whenever the page has been quiet for a moment after a change of its DOM
(a navigation, a panel opening, a live update), so each state a test passes through is checked
at the size the test uses; it reports what it finds to Python through an exposed binding. When
a test ends, each page still open is checked once more at its size and then at the other one
(1280 x 800 and 390 x 844). Serious and critical violations fail the test; the others are
listed at the end of the run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from playwright.sync_api import BrowserContext, Page

from server.config import REPO_ROOT

AXE_PATH = REPO_ROOT / "client" / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
FAILING = ("serious", "critical")

# Runs in the page (top frame only, and only on the product's own origin: the sign-in page of
# the suite's OpenID provider is not ours to check). `settle()` resolves once no run is pending
# or running and every report has reached Python; `check()` runs now, whatever the DOM did.
RUNNER = r"""
((origin) => {
  if (window.top !== window || window.__a11y || location.origin !== origin) return;
  const QUIET_MS = 250;
  let timer = null;
  let running = null;
  let again = false;

  // One run at a time: asked for during a run, it runs once more right after.
  // Before the app has started the document is an empty shell (app.html and Kit's boot
  // script), not a state of it.
  const started = () =>
    [...(document.body?.firstElementChild?.children ?? [])].some((el) => el.tagName !== 'SCRIPT');

  async function run() {
    timer = null;
    if (!started()) return;
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        const results = await axe.run(document, { resultTypes: ['violations'] });
        const violations = results.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
          summary: v.nodes[0]?.failureSummary ?? ''
        }));
        await window.__a11yReport({
          path: location.pathname + location.search,
          width: window.innerWidth,
          violations
        });
      } while (again);
    })().finally(() => (running = null));
    return running;
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(run, QUIET_MS);
  }

  window.__a11y = {
    check: () => {
      clearTimeout(timer);
      return run();
    },
    settle: async () => {
      while (timer !== null || running) {
        if (timer !== null) {
          clearTimeout(timer);
          await run();
        } else {
          await running;
        }
      }
    }
  };

  const start = () => {
    new MutationObserver(schedule).observe(document.documentElement, {
      subtree: true,
      childList: true,
      attributes: true,
      characterData: true
    });
    schedule();
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})
"""


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    help: str
    path: str
    width: int
    targets: tuple[str, ...]
    summary: str

    def describe(self) -> str:
        where = "; ".join(self.targets)
        return (
            f"{self.impact} {self.rule} at {self.path} ({self.width} px): {self.help}\n"
            f"    {where}\n    {self.summary.replace(chr(10), chr(10) + '    ')}"
        )


@dataclass
class Audit:
    """What axe found in one test's browser contexts."""

    found: dict[tuple, Violation] = field(default_factory=dict)
    runs: int = 0

    def attach(self, context: BrowserContext, origin: str) -> None:
        """Check the pages of `origin` (scheme, host and port) in every page of `context`."""
        context.expose_binding("__a11yReport", self._report)
        runner = f"{RUNNER}({json.dumps(origin.rstrip('/'))});"
        context.add_init_script(script=AXE_PATH.read_text() + runner)

    def _report(self, _source, payload: dict) -> None:
        self.runs += 1
        for v in payload["violations"]:
            violation = Violation(
                rule=v["id"],
                impact=v["impact"] or "minor",
                help=v["help"],
                path=payload["path"],
                width=payload["width"],
                targets=tuple(v["targets"]),
                summary=v["summary"],
            )
            self.found.setdefault((violation.rule, violation.path, violation.width), violation)

    def check(self, page: Page) -> None:
        """Check `page` now, at its size (a state no DOM change marks, such as a new size)."""
        page.evaluate("window.__a11y?.check()")

    def finish(self, page: Page) -> None:
        """The last look at a page still open: at its size, then at the other one."""
        if page.is_closed() or not page.evaluate("Boolean(window.__a11y)"):
            return
        page.evaluate("window.__a11y.settle()")
        size = page.viewport_size or DESKTOP
        page.set_viewport_size(PHONE if size["width"] > PHONE["width"] else DESKTOP)
        page.evaluate("window.__a11y.check()")
        page.evaluate("window.__a11y.settle()")

    def failures(self) -> list[Violation]:
        return [v for v in self.found.values() if v.impact in FAILING]

    def others(self) -> list[Violation]:
        return [v for v in self.found.values() if v.impact not in FAILING]


def summary_lines(violations: list[Violation]) -> list[str]:
    """The moderate and minor findings of a run, one line per rule and page."""
    return [
        f"{v.impact} {v.rule} at {v.path} ({v.width} px): {v.help} [{json.dumps(v.targets[0])}]"
        for v in sorted(violations, key=lambda v: (v.rule, v.path, v.width))
    ]
