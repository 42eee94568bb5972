#!/usr/bin/env bash
# Install Debian's Chromium and ChromeDriver for the real-browser test, when missing and we may install.
set -uo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then exit 0; fi
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo -n"
if command -v apt-get >/dev/null; then
  echo "[setup] installing chromium and chromium-driver (browser test)" >&2
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null \
    || echo "[setup] could not install chromium; the browser test will be skipped" >&2
fi
exit 0
