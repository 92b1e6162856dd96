#!/usr/bin/env bash
# The README's test command: installs what the tests need, then checks generated code, lint, types
# and runs every test. The last line printed is `N passed, N failed[, N skipped]`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_node
npm_install
cd "$ROOT"
log "Checking generated files against the schemas"
npm run --silent gen:check
log "Lint"
npm run --silent lint
log "Type check"
npm run --silent typecheck
log "Tests"
npx vitest run
