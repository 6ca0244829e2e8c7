"""The browser fixtures (a served linli and Debian's chromium) for the ledger's browser walk."""

from tests.browser.conftest import browser, served  # noqa: F401
