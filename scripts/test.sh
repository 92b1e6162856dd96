#!/usr/bin/env bash
# The README's test command: installs what the tests need, then checks generated code, lint, types
# and runs every test. The last line printed is `N passed, N failed[, N skipped]`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_node
npm_install
apt_install "${TEST_APT_PACKAGES[@]}"
cd "$ROOT"
log "Checking generated files against the schemas"
npm run --silent gen:check
log "Lint"
npm run --silent lint
log "Type check"
npm run --silent typecheck
# The cluster-mode suites run against a real Kubernetes (scripts/cluster.sh: built once per machine
# from Go modules, then cached); it needs root for its network namespaces, as the guests need KVM or
# QEMU. Without root the suites skip (in CI they fail: CI runs as root).
if [ "$(id -u)" -eq 0 ]; then
  log "Starting the test cluster (scripts/cluster.sh)"
  # Only the cluster suites get its kubeconfig (KUBECONFIG itself stays unset for every other test).
  KVT_TEST_KUBECONFIG="$(eval "$(bash scripts/cluster.sh up)" && echo "$KUBECONFIG")"
  export KVT_TEST_KUBECONFIG
  trap 'bash "$ROOT/scripts/cluster.sh" down >/dev/null 2>&1 || true' EXIT
fi
log "Tests"
npx vitest run
