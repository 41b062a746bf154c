#!/usr/bin/env bash
# PostgreSQL for the test suite: Debian's `postgresql` installed when missing, one cluster listening
# on 127.0.0.1:5432 with trust authentication (a local test server, never a production setting),
# started and waited for. A second run finds it answering and does nothing.
set -euo pipefail

host=127.0.0.1
port=5432

answering() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h "$host" -p "$port"; }

answering && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "postgres: nothing answers on $host:$port and this user cannot install Debian's postgresql;" \
       "the PostgreSQL tests are skipped (they fail under CI=true)" >&2
  exit 0
fi

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "postgres: installing Debian's postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h 2>/dev/null | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
  echo "postgres: creating cluster $version/main"
  pg_createcluster "$version" main --port "$port" >/dev/null
fi

conf=/etc/postgresql/$version/main
cat > "$conf/pg_hba.conf" <<EOF
# Written by deploy/scripts/postgres.sh: a local test server, trust on loopback only.
local   all   all                  trust
host    all   all   127.0.0.1/32   trust
host    all   all   ::1/128        trust
EOF
cat > "$conf/conf.d/relais-tests.conf" <<EOF
listen_addresses = '$host'
port = $port
EOF

echo "postgres: starting cluster $version/main on $host:$port"
if pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $4}' | grep -q online; then
  pg_ctlcluster --skip-systemctl-redirect "$version" main restart
else
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
fi

for _ in $(seq 1 60); do
  answering && { echo "postgres: answering on $host:$port"; exit 0; }
  sleep 0.5
done
echo "postgres: the cluster did not answer on $host:$port within 30 s; its log:" >&2
tail -n 30 "/var/log/postgresql/postgresql-$version-main.log" >&2 || true
exit 1
