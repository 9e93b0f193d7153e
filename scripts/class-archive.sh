#!/usr/bin/env bash
# The class-data-sharing archive of a node jar (io.minidynamo.ClassArchive): the classes a node
# loads at start, prepared once, so that a node starts in about half the time. `mvn package`
# writes target/mini-dynamo.jsa beside target/mini-dynamo.jar; the JVM only accepts an archive at
# the path of the jar it was made from, so a copied jar needs its own.
#
#   scripts/class-archive.sh JAR      # writes JAR's archive beside it (JAR's name, .jsa)
#   JAVA=/path/to/java ...            # the JVM that will run the nodes (default: java)
#
# Sourced by the launch scripts for add_class_archive_opt ARRAY JAR: appends to the array named
# ARRAY the JVM option that starts a node from JAR with its archive; nothing when there is none,
# it is older than JAR, or CLASS_ARCHIVE=off (to measure a start without it).

add_class_archive_opt() {
  local -n into=$1
  local jar=$2 jsa="${2%.jar}.jsa"
  if [[ "${CLASS_ARCHIVE:-on}" != off && -f "$jsa" && ! "$jar" -nt "$jsa" ]]; then
    into+=("-XX:SharedArchiveFile=$jsa")
  fi
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  if [[ $# -ne 1 || ! -f "$1" || "$1" != *.jar ]]; then
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
  fi
  jar="$(cd "$(dirname "$1")" && pwd -P)/$(basename "$1")"
  work="$(mktemp -d /tmp/mini-dynamo-class-archive.XXXXXX)"
  trap 'rm -rf "$work"' EXIT
  "${JAVA:-java}" "-XX:ArchiveClassesAtExit=${jar%.jar}.jsa" -Xlog:cds=error,cds+dynamic=error -XX:+UseSerialGC \
    -DLOG_LEVEL=ERROR -cp "$jar" io.minidynamo.ClassArchive "$work/nodes"
  echo "wrote ${jar%.jar}.jsa"
fi
