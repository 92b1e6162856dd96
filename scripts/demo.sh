#!/usr/bin/env bash
# The README's first command (`npm run demo` runs it too): installs what it needs (Debian packages
# for libvirt/QEMU, npm packages), builds the demo guest from Debian packages (cached), then runs
# examples/demo.yaml on this machine with `kvt run`: the preset `small` is applied to the VM's
# instance, the phases are shown with timings, the guest's console prints its cloud-init output,
# and once it has, every guest is shut down gracefully (ACPI) and the command exits 0.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_node
npm_install
cd "$ROOT"
log "Building the demo guest image (cached)"
bash scripts/build-guest.sh
log "kvt run -f examples/demo.yaml"
exec node bin/kvt.js run -f examples/demo.yaml --console \
  --wait-for-console '^cloud-init says: hello from the demo VM' --timeout "${KVT_DEMO_TIMEOUT:-300}"
