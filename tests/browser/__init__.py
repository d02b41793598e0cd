"""Browser tests: a real headless Chromium (Debian's) drives the running app."""
