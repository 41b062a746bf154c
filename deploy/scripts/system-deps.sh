#!/usr/bin/env bash
# Debian packages the test suite drives for real: headless Chromium (web pages) and Prometheus
# (promtool rule tests, a real server scraping the services). Installed only when missing.
set -euo pipefail

declare -A needs=([chromium]=chromium [chromedriver]=chromium-driver [prometheus]=prometheus [promtool]=prometheus)
missing=()
for binary in "${!needs[@]}"; do
  command -v "$binary" >/dev/null 2>&1 || missing+=("${needs[$binary]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
packages=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: missing Debian packages: $packages(install them with apt-get; the tests needing them are skipped)" >&2
  exit 0
fi
echo "system-deps: installing $packages"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $packages >/dev/null
# Debian's prometheus package may start a server on :9090 as a service; the tests run their own.
if command -v systemctl >/dev/null 2>&1; then systemctl stop prometheus >/dev/null 2>&1 || true; fi
pkill -x prometheus >/dev/null 2>&1 || true
