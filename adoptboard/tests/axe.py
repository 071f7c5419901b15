"""One axe check for every browser test: serious and critical WCAG 2.1 AA violations."""

from axe_playwright_python.sync_playwright import Axe

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def violations(page, context=None) -> list:
    # A click that navigates returns once the navigation starts: axe run before the stylesheet
    # applies reads white-on-white text (seen on a fresh CI machine), so wait for the page to load.
    page.wait_for_load_state("load")
    results = Axe().run(page, context=context, options=WCAG)
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def assert_accessible(page, context=None):
    assert violations(page, context) == [], page.url
