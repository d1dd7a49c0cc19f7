"""Shared pytest set-up for tests/ (registers the `browser` marker).

`make test` runs `pytest tests/ -m "not browser"` for the unit tests and the browser
test (tests/test_browser.py, which needs _build/html) separately, after `make book`.
"""


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "browser: needs the built book (_build/html) and chromium; run after `make book`",
    )
