#!/usr/bin/env bash
# The README's first command: installs what it needs, then runs the main job. Until the local
# control plane lands, the main job checks every example manifest against the API.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_node
npm_install
cd "$ROOT"
node bin/kvt.js validate -R examples/
