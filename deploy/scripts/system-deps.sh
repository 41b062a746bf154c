#!/usr/bin/env bash
# What the test suite drives for real, each installed only when missing:
# - Debian's chromium (web pages), prometheus (promtool rule tests, a real server scraping the services),
#   poppler-utils and zbar-tools (the postal letters' PDF read back, its QR codes decoded), kcat (the
#   README's way to read the bus, tested on Apache Kafka);
# - PostgreSQL, a cluster on 127.0.0.1:5432 started and waited for (postgres.sh);
# - Apache Kafka's jars from Maven Central into the user's cache (kafka-jars.sh).
set -euo pipefail
here=$(dirname "$0")

debian_tools() {
  declare -A needs=([chromium]=chromium [chromedriver]=chromium-driver [prometheus]=prometheus [promtool]=prometheus
                    [pdftotext]=poppler-utils [pdftoppm]=poppler-utils [zbarimg]=zbar-tools [kcat]=kcat)
  local missing=() binary packages
  for binary in "${!needs[@]}"; do
    command -v "$binary" >/dev/null 2>&1 || missing+=("${needs[$binary]}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  packages=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: missing Debian packages: $packages(install them with apt-get; the tests needing them are skipped)" >&2
    return 0
  fi
  echo "system-deps: installing $packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $packages >/dev/null
  # Debian's prometheus package may start a server on :9090 as a service; the tests run their own.
  if command -v systemctl >/dev/null 2>&1; then systemctl stop prometheus >/dev/null 2>&1 || true; fi
  pkill -x prometheus >/dev/null 2>&1 || true
}

debian_tools
bash "$here/postgres.sh"
bash "$here/kafka-jars.sh"
