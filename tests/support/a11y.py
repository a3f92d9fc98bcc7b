"""Accessibility checks with axe-core (WCAG 2.1 A and AA rules).

axe-core comes from npm (package.json at the repository root; ``npm ci``).
The pages send a strict Content-Security-Policy (script-src 'self'), which
blocks inline scripts, so axe is not pasted into the page: the browser asks
for it at a same-origin address that Playwright answers from
node_modules. The page's CSP stays in force for everything else.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_URL_PATH = "/__tests__/axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_source_missing() -> str | None:
    if AXE_PATH.exists():
        return None
    return f"{AXE_PATH} is missing: run `npm ci` at the repository root (or `make test`, which does)."


def serve_axe(context) -> None:
    """Let every page of ``context`` load axe from its own origin (allowed by script-src 'self')."""
    body = AXE_PATH.read_bytes()
    context.route(f"**{AXE_URL_PATH}", lambda route: route.fulfill(
        status=200, body=body, headers={"Content-Type": "application/javascript; charset=utf-8"}))


def run_axe(page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        origin = page.evaluate("() => location.origin")
        page.add_script_tag(url=origin + AXE_URL_PATH)
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))
            }));
        }""",
        WCAG_TAGS,
    )


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:10]:
            target = " ".join(" > ".join(t) if isinstance(t, list) else str(t) for t in node["target"])
            lines.append(f"    at {target}")
            if node.get("summary"):
                lines.extend("       " + line for line in node["summary"].splitlines())
        if len(v["nodes"]) > 10:
            lines.append(f"    ... and {len(v['nodes']) - 10} more")
    return "\n".join(lines)


def assert_accessible(page, where: str = "") -> None:
    """Fail with the list of WCAG 2.1 AA violations that axe-core finds on the page as it is now."""
    violations = run_axe(page)
    if violations:
        label = where or page.url
        raise AssertionError(f"axe-core found {len(violations)} accessibility violation(s) on {label} "
                             f"({page.viewport_size['width']}px wide):\n{format_violations(violations)}")
