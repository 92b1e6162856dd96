#!/usr/bin/env bash
# The README's first command: installs what it needs, then runs the main job. Until the local
# control plane lands (issue 7), the main job checks every example manifest against the API, then
# boots one of them for real: the demo guest (built from Debian packages) under a private libvirtd,
# with its serial console on this terminal, and stops it the way a node would (SIGTERM → ACPI).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_node
npm_install
cd "$ROOT"
log "Checking every example manifest"
node bin/kvt.js validate -R examples/
log "Building the demo guest image (cached)"
bash scripts/build-guest.sh
VMI=examples/vmi-kernel-boot.yaml
log "Booting $VMI (kvt virt-launcher --console)"
console="$(mktemp)"
trap 'rm -f "$console"' EXIT
node bin/kvt.js virt-launcher --console --log-level warn "$VMI" > >(tee "$console") &
pid=$!
for _ in $(seq 1 600); do
  grep -q '^kvt-guest: ready' "$console" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.2
done
if ! grep -q '^kvt-guest: ready' "$console"; then
  log "The guest did not become ready"; kill -TERM "$pid" 2>/dev/null; wait "$pid"; exit 1
fi
log "The guest is ready; stopping it (SIGTERM: ACPI shutdown within its grace period)"
kill -TERM "$pid"
wait "$pid"
log "Done: the guest printed its cloud-init user-data and shut down cleanly"
