#!/usr/bin/env bash
# Apache Kafka's broker without Docker: the runtime classpath of deploy/kafka/pom.xml copied from Maven
# Central into ~/.cache/relais/kafka-<version>/libs (RELAIS_KAFKA_CACHE overrides the folder above
# kafka-<version>). The tests and `relais kafka` start kafka.Kafka from there with Java 17.
# A second run finds the jars and does nothing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pom="$here/../kafka/pom.xml"
version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom")
libs="${RELAIS_KAFKA_CACHE:-$HOME/.cache/relais}/kafka-$version/libs"

[ -f "$libs/.complete" ] && exit 0
for tool in java mvn; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "kafka-jars: $tool is not installed: Apache Kafka $version cannot be assembled" \
         "(the tests use the embedded Tansu broker instead; under CI=true they fail)" >&2
    exit 0
  fi
done
echo "kafka-jars: copying Apache Kafka $version and its dependencies from Maven Central into $libs"
rm -rf "$libs"
mkdir -p "$libs"
mvn -q -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$libs"
touch "$libs/.complete"
