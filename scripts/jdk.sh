# Sourced by ./vitals, ./run-tests, .ci/run and the benchmarks: sets VITALS_JAVA to a JDK 25 (or
# newer) java, or explains in one line how to get one. Looks at JAVA_HOME first, then /usr/lib/jvm,
# then PATH. Also the filter ./vitals puts on the JVM's start-up stderr.

vitals_java_major() {
  # prints the feature version of the java binary $1 (e.g. 25), or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

vitals_find_jdk() {
  local candidates=() c major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for c in /usr/lib/jvm/*25* /usr/lib/jvm/*; do [ -d "$c" ] && candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    if [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ]; then
      major=$(vitals_java_major "$c/bin/java")
      if [ -n "$major" ] && [ "$major" -ge 25 ]; then
        VITALS_JAVA_HOME="$c"
        VITALS_JAVA="$c/bin/java"
        return 0
      fi
    fi
  done
  if command -v javac >/dev/null 2>&1; then
    c=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    major=$(vitals_java_major "$c/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      VITALS_JAVA_HOME="$c"
      VITALS_JAVA="$c/bin/java"
      return 0
    fi
  fi
  echo "error: Vitals needs a JDK 25 and found none (looked at JAVA_HOME, /usr/lib/jvm and PATH); install one, e.g. Temurin 25 from https://adoptium.net or 'apt-get install temurin-25-jdk', then set JAVA_HOME to it" >&2
  return 1
}

vitals_drop_incubator_warning() {
  # Copies stdin to stdout, except a first line that is the JVM's start-up warning about the Vector
  # API's incubator module. Ignores Ctrl-C, so that whatever the JVM still writes gets through.
  trap '' INT TERM
  local first
  if IFS= read -r first; then
    [ "$first" = "WARNING: Using incubator modules: jdk.incubator.vector" ] || printf '%s\n' "$first"
  else
    printf '%s' "$first"
    return 0
  fi
  exec cat
}

vitals_gc_opts() {
  # Prints the JVM options for the collector. G1 grows the heap when collections take more than
  # 1/(1 + GCTimeRatio) of the time (12 by default: 7.7%); the Vector API warm-up's burst of garbage
  # in a CNN run's first seconds (vectors are objects until the JIT compiles the loops) pushed it over
  # that now and then, and the CNN's peak RSS went from about 640 MB to 740-960 MB in a fifth of the
  # runs. With 4 (20%) it mostly stays put: 605-617 MB in 19 of 20 runs, 702 in one; epochs unchanged
  # within the VM's noise (docs/PERFORMANCE.md, "Peak memory"). VITALS_JAVA_OPTS=-XX:GCTimeRatio=12
  # restores the default.
  echo "-XX:GCTimeRatio=4"
}

vitals_huge_pages_opt() {
  # Prints the JVM option that puts the Java heap on transparent huge pages where the kernel hands
  # them out on request (THP mode "madvise", as on Debian): 2 MB pages instead of 4 KB, so the
  # passes over large arrays (a batch's activations, the training set's rows) miss the TLB far less
  # (inside a VM a miss walks the guest's page table and the host's). Measured: docs/PERFORMANCE.md,
  # "Huge pages". In mode "always" the heap gets them anyway, and in "never" the JVM would print a
  # warning for the option, so then nothing. VITALS_JAVA_OPTS=-XX:-UseTransparentHugePages turns it off.
  if grep -q '\[madvise\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null; then
    echo "-XX:+UseTransparentHugePages"
  fi
}
