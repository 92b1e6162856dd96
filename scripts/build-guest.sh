#!/usr/bin/env bash
# `npm run guest`: builds the demo guest from Debian packages alone and imports it into the local
# image store as localhost/demo-guest:latest (see shared/design/TEST-GUEST.md).
#
# The image is a directory:  boot/vmlinuz      the Debian cloud kernel
#                            boot/initrd.img   busybox + virtio modules + test/guest/init (newc, gzip)
#                                              + dropbear (dropbear-bin) and sftp-server (openssh-sftp-server),
#                                                with the libraries ldd names
#                                              + udhcpc's event script and the cloud-config readers
#                            disk/disk.img     an ext4 root disk holding the same userspace
# so it works as firmware.kernelBoot.container (kernelPath /boot/vmlinuz, initrdPath
# /boot/initrd.img) and as a containerDisk.
#
# Idempotent and cached: the kernel package and the built image live in <dataDir>/cache/guest/; the
# image is rebuilt only when a stamp of its inputs (kernel package version, busybox, the init script,
# this script, GUEST_VERSION) changes, and imported only when the store does not hold the same
# content already.
# Environment: KVT_DATA_DIR (default /var/lib/kvt as root, else ~/.local/share/kvt).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REF=localhost/demo-guest:latest
# Bump to rebuild the image everywhere (CI too) when something outside the stamped inputs changes.
GUEST_VERSION=2
# The SSH server and its key generator (Debian's dropbear-bin) and the SFTP server scp and sftp
# use (openssh-sftp-server; dropbear runs it as /usr/lib/sftp-server), copied with their libraries.
SSH_BINARIES=(/usr/sbin/dropbear /usr/bin/dropbearkey /usr/lib/openssh/sftp-server)
META_PACKAGE=linux-image-cloud-amd64
DISK_SIZE_MIB=64
DISK_LABEL=demo-guest-root
# Loaded by the guest's init in dependency order (resolved below with modinfo); ext4 is built in.
MODULES=(
  virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
  virtio_blk virtio_scsi virtio_net virtio_console virtio_rng virtio_balloon
  sd_mod sr_mod cdrom isofs ata_piix
  evdev button
)

# The same default as launcher/runtime/data-dir.ts.
data_dir() {
  if [ -n "${KVT_DATA_DIR:-}" ]; then realpath -m "$KVT_DATA_DIR"
  elif [ "$(id -u)" -eq 0 ]; then echo /var/lib/kvt
  else echo "$HOME/.local/share/kvt"; fi
}

# Prints the versioned kernel package that the cloud meta-package depends on (never a glob).
kernel_package() {
  apt-cache depends "$META_PACKAGE" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ <>]*\)$/\1/p' | head -n 1
}

package_version() {
  apt-cache show --no-all-versions "$1" 2>/dev/null | sed -n 's/^Version: //p' | head -n 1
}

# Sets KPKG and KVERSION; refreshes the package lists once when they do not know the kernel.
resolve_kernel() {
  KPKG="$(kernel_package)"
  if [ -z "$KPKG" ]; then
    log "Refreshing the package lists to find $META_PACKAGE"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    KPKG="$(kernel_package)"
  fi
  KVERSION=""
  [ -n "$KPKG" ] && KVERSION="$(package_version "$KPKG")"
  [ -n "$KVERSION" ]
}

# Downloads (once) and unpacks (once) the kernel package; sets KDIR (the unpacked tree) and KVER.
fetch_kernel() {
  local deb="$CACHE/debs/${KPKG}_${KVERSION//:/%3a}_amd64.deb"
  if [ ! -f "$deb" ]; then
    log "Downloading $KPKG=$KVERSION"
    local tmp; tmp="$(mktemp -d "$CACHE/debs/download.XXXXXX")"
    local sandbox=(); [ "$(id -u)" -eq 0 ] && sandbox=(-o APT::Sandbox::User=root)
    (cd "$tmp" && apt-get download -qq "${sandbox[@]}" "$KPKG=$KVERSION")
    mv "$tmp"/*.deb "$deb"
    rm -rf "$tmp"
  fi
  KDIR="$CACHE/kernel/${KPKG}_${KVERSION//:/%3a}"
  if [ ! -d "$KDIR" ]; then
    log "Unpacking $(basename "$deb")"
    rm -rf "$KDIR.tmp" && dpkg -x "$deb" "$KDIR.tmp" && mv "$KDIR.tmp" "$KDIR"
  fi
  KVER="$(ls "$KDIR/lib/modules")"
  [ -f "$KDIR/boot/vmlinuz-$KVER" ] || { log "No kernel in $deb"; exit 1; }
}

# Everything the image is made of; a change in any of these rebuilds it.
inputs_stamp() {
  {
    echo "kernel $KPKG $KVERSION"
    echo "version $GUEST_VERSION"
    echo "busybox $(dpkg-query -W -f='${Version}' busybox-static)"
    echo "dropbear $(dpkg-query -W -f='${Version}' dropbear-bin openssh-sftp-server)"
    sha256sum /bin/busybox "${SSH_BINARIES[@]}" "$ROOT"/test/guest/* "$ROOT/scripts/build-guest.sh" | cut -d' ' -f1
  } | sha256sum | cut -d' ' -f1
}

# Appends the module (by name) and its dependencies, dependencies first, to MODULE_ORDER.
declare -A MODULE_PATH=() MODULE_SEEN=()
MODULE_ORDER=()
add_module() {
  local name="${1//-/_}" rel dep
  [ -z "${MODULE_SEEN[$name]:-}" ] || return 0
  MODULE_SEEN[$name]=1
  rel="${MODULE_PATH[$name]:-}"
  if [ -z "$rel" ]; then
    tr - _ < "$KDIR/lib/modules/$KVER/modules.builtin" | grep -q "/$name.ko$" && return 0
    log "Kernel $KVER has no module $name"; exit 1
  fi
  for dep in $(modinfo -F depends "$KDIR/lib/modules/$KVER/$rel" | tr ',' ' '); do add_module "$dep"; done
  MODULE_ORDER+=("$rel")
}

install_modules() { # $1: the root filesystem tree
  local mods="$KDIR/lib/modules/$KVER" rel name
  while IFS= read -r rel; do
    name="$(basename "$rel" .ko)"; MODULE_PATH[${name//-/_}]="$rel"
  done < <(cd "$mods" && find kernel -name '*.ko')
  for name in "${MODULES[@]}"; do add_module "$name"; done
  for rel in "${MODULE_ORDER[@]}"; do install -D -m 0644 "$mods/$rel" "$1/lib/modules/$KVER/$rel"; done
  cp "$mods/modules.builtin" "$mods/modules.builtin.modinfo" "$mods/modules.order" "$1/lib/modules/$KVER/"
  printf '%s\n' "${MODULE_ORDER[@]}" > "$1/lib/modules/kvt-modules.order"
  depmod -b "$1" "$KVER"
}

# Copies each binary and every shared library ldd resolves for it (the loader too) to the same
# paths under the tree, following symlinks (Debian's /lib is /usr/lib: the files land where ldd
# names them, which is where the loader looks).
install_with_libraries() { # $1: the tree, then the binaries
  local r="$1" bin lib; shift
  for bin in "$@"; do
    install -D -m 0755 "$bin" "$r$bin"
    while IFS= read -r lib; do
      [ -e "$r$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$r$lib"
    done < <(ldd "$bin" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p')
  done
}

build_rootfs() { # $1: the tree to fill
  local r="$1" applet up
  mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,run,tmp,mnt,root,newroot,lib/modules}
  install -m 0755 /bin/busybox "$r/bin/busybox"
  while IFS= read -r applet; do
    up="$(dirname "$applet" | sed 's|[^/][^/]*|..|g')"
    [ -e "$r/$applet" ] || ln -s "$up/bin/busybox" "$r/$applet"
  done < <(/bin/busybox --list-full)
  rm -f "$r/sbin/init" "$r/linuxrc"
  install -m 0755 "$ROOT/test/guest/init" "$r/init"
  install -m 0755 "$ROOT/test/guest/init" "$r/sbin/init"
  echo demo-guest > "$r/etc/hostname"
  printf 'root:x:0:0:root:/root:/bin/sh\n' > "$r/etc/passwd"
  printf 'root:x:0:\n' > "$r/etc/group"
  # No password at all: dropbear takes public keys only (-s).
  printf 'root:*:1:0:99999:7:::\n' > "$r/etc/shadow" && chmod 0600 "$r/etc/shadow"
  printf '/bin/sh\n/bin/ash\n' > "$r/etc/shells"
  ln -s /run/kvt/resolv.conf "$r/etc/resolv.conf"
  install -D -m 0755 "$ROOT/test/guest/udhcpc.script" "$r/usr/share/udhcpc/default.script"
  install -D -m 0644 "$ROOT/test/guest/cloud-config.awk" "$r/usr/share/kvt/cloud-config.awk"
  install -D -m 0644 "$ROOT/test/guest/meta-keys.awk" "$r/usr/share/kvt/meta-keys.awk"
  install_with_libraries "$r" "${SSH_BINARIES[@]}"
  ln -s openssh/sftp-server "$r/usr/lib/sftp-server"
  install_modules "$r"
}

build_image() { # $1: the image directory to create
  local out="$1" tree="$1.rootfs"
  rm -rf "$out" "$tree"
  mkdir -p "$out/boot" "$out/disk" "$tree"
  build_rootfs "$tree"
  install -m 0644 "$KDIR/boot/vmlinuz-$KVER" "$out/boot/vmlinuz"
  (cd "$tree" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | gzip -9n > "$out/boot/initrd.img"
  truncate -s "${DISK_SIZE_MIB}M" "$out/disk/disk.img"
  mke2fs -q -F -t ext4 -L "$DISK_LABEL" -d "$tree" -E root_owner=0:0 "$out/disk/disk.img"
  rm -rf "$tree"
}

main() {
  local started=$SECONDS
  require_node
  # qemu-system-x86 and genisoimage are for booting it (launcher/runtime/guest.integration.test.ts).
  apt_install busybox-static dropbear-bin openssh-sftp-server cpio gzip e2fsprogs qemu-utils kmod qemu-system-x86 genisoimage
  [ -x "$ROOT/node_modules/.bin/tsx" ] || npm_install
  DATA_DIR="$(data_dir)"
  CACHE="$DATA_DIR/cache/guest"
  mkdir -p -m 0750 "$CACHE/debs" "$CACHE/kernel"
  exec 9> "$CACHE/.lock"
  flock 9
  if resolve_kernel; then
    fetch_kernel
    local stamp; stamp="$(inputs_stamp)"
    if [ -d "$CACHE/image" ] && [ "$(cat "$CACHE/image.stamp" 2>/dev/null)" = "$stamp" ]; then
      log "Demo guest image is up to date ($KPKG $KVERSION)"
    else
      log "Building the demo guest image (kernel $KVER)"
      build_image "$CACHE/image.new"
      rm -rf "$CACHE/image" && mv "$CACHE/image.new" "$CACHE/image"
      echo "$stamp" > "$CACHE/image.stamp"
    fi
  elif [ -d "$CACHE/image" ]; then
    log "Cannot resolve $META_PACKAGE (offline?); using the cached demo guest image"
  else
    log "Cannot resolve $META_PACKAGE: is Debian's package index reachable?"; exit 1
  fi
  "$ROOT/node_modules/.bin/tsx" "$ROOT/launcher/runtime/import-image-main.ts" --data-dir "$DATA_DIR" "$REF" "$CACHE/image"
  log "Demo guest $REF ready in $((SECONDS - started)) s (data dir $DATA_DIR)"
}

main "$@"
