# Shared by the set-up scripts: idempotent installs on Debian 12 (run as root, or with sudo).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { printf '==> %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the Debian packages named that are not installed yet; runs apt-get update only then.
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -eq 0 ]; then return 0; fi
  log "Installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Node.js 20.19+ is required (client-node 1.4 and ESLint 10 need it); Debian 12's own nodejs is 18.
require_node() {
  if ! command -v node >/dev/null 2>&1; then
    log "Node.js 20.19 or newer is required: install it (e.g. from nodesource or nvm) and run again"; exit 2
  fi
  local v; v="$(node -p 'process.versions.node')"
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
    || { log "Node.js $v is too old: 20.19 or newer is required"; exit 2; }
}

# npm ci when node_modules was not installed from this package-lock.json (a stamp of its hash,
# written after a successful `npm ci`, says it was). The Debian packages `npm ci` compiles against
# (the libvirt binding) are installed first.
npm_install() {
  # shellcheck source=scripts/launcher-deps.sh
  source "$ROOT/scripts/launcher-deps.sh"
  apt_install "${LAUNCHER_APT_PACKAGES[@]}"
  cd "$ROOT"
  local stamp=node_modules/.kvt-installed-from want
  want="$(sha256sum package-lock.json | cut -d' ' -f1) node $(node -p process.versions.modules)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "Installing npm packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
    printf '%s\n' "$want" > "$stamp"
  fi
  # kvt runs from dist/: build it (incremental, seconds when nothing changed).
  log "Building kvt (npm run build)"
  npm run --silent build
}
