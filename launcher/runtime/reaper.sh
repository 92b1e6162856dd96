#!/usr/bin/env bash
# The launcher's dead-man switch. The launcher starts it (detached, in its own session) with stdin
# a pipe it holds open, and writes "done" once it has cleaned up by itself. If the pipe closes
# without that line, the launcher died (even SIGKILL): then this ends every process whose
# environment points into MARKER_DIR (the private libvirtd and the QEMUs it daemonized) and removes
# the PATHs the launcher created.
# Usage: reaper.sh MARKER_DIR [PATH...]
set -u
marker="$1"
shift

if IFS= read -r line && [ "$line" = done ]; then exit 0; fi

# PIDs (not this shell) with an environment entry whose value is MARKER_DIR or lies inside it.
session_pids() {
  local environ pid
  for environ in /proc/[0-9]*/environ; do
    pid="${environ#/proc/}"
    pid="${pid%/environ}"
    [ "$pid" = "$$" ] && continue
    tr '\0' '\n' < "$environ" 2>/dev/null | awk -v m="$marker" '
      { v = substr($0, index($0, "=") + 1); if (v == m || index(v, m "/") == 1) { found = 1; exit } }
      END { exit !found }' && echo "$pid"
  done
}

pids="$(session_pids)"
if [ -n "$pids" ]; then
  # shellcheck disable=SC2086  # one PID per word
  kill -TERM $pids 2>/dev/null
  for _ in $(seq 1 50); do
    pids="$(session_pids)"
    [ -z "$pids" ] && break
    sleep 0.1
  done
  # shellcheck disable=SC2086
  [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
fi
for path in "$@"; do rm -rf -- "$path"; done
exit 0
