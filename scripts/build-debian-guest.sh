#!/usr/bin/env bash
# Builds a Debian 12 cloud guest from Debian packages and imports it into the local image store as
# localhost/debian-guest:12 (see README "The guests"). Needs root (debootstrap chroots).
#
# The image is a directory:  boot/vmlinuz       the image's own Debian cloud kernel
#                            boot/initrd.img    its initramfs-tools initrd (finds root=LABEL=debian-root)
#                            disk/disk.qcow2    the ext4 root filesystem (label debian-root)
# so a VMI boots it with firmware.kernelBoot.container (kernelPath /boot/vmlinuz, initrdPath
# /boot/initrd.img, kernelArgs "console=ttyS0 root=LABEL=debian-root rw") and the same image as its
# first containerDisk. Inside: systemd, cloud-init (NoCloud and ConfigDrive), openssh-server,
# qemu-guest-agent, ifupdown + isc-dhcp-client (cloud-init renders DHCP on the first NIC into
# /etc/network/interfaces.d, as Debian 12's cloud images do), sudo; the default user is `debian`.
#
# Cached: <cache>/debs keeps the downloaded packages; <cache>/image-<key> is the built image, where
# the key is GUEST_VERSION and a hash of this script: bump GUEST_VERSION (or edit the script) and it
# is rebuilt. The mirror and any proxy are the ones apt uses on this machine (apt-get indextargets,
# apt-config), so debootstrap reaches Debian the same way.
# Environment: KVT_DEBIAN_GUEST_CACHE (default /var/cache/kvt/debian-guest),
#              KVT_DATA_DIR (default /var/lib/kvt as root, else ~/.local/share/kvt).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

GUEST_VERSION=1
SUITE=bookworm
REF=localhost/debian-guest:12
DISK_LABEL=debian-root
PACKAGES=(
  linux-image-cloud-amd64 initramfs-tools systemd systemd-sysv udev dbus
  cloud-init openssh-server qemu-guest-agent
  ifupdown isc-dhcp-client iproute2 netbase sudo
)

# The same default as launcher/runtime/data-dir.ts.
data_dir() {
  if [ -n "${KVT_DATA_DIR:-}" ]; then realpath -m "$KVT_DATA_DIR"
  elif [ "$(id -u)" -eq 0 ]; then echo /var/lib/kvt
  else echo "$HOME/.local/share/kvt"; fi
}

# The URI apt uses for "$1" (a suite such as bookworm or bookworm-security), from its own targets.
mirror_for() {
  apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Identifier: Packages' 2>/dev/null \
    | awk -v s="$1" '$2 == s { print $1; exit }'
}

# Exports apt's HTTP(S) proxy, when it has one, for debootstrap's own downloads.
export_apt_proxy() {
  local http https
  http="$(apt-config dump --format '%v' Acquire::http::Proxy 2>/dev/null || true)"
  https="$(apt-config dump --format '%v' Acquire::https::Proxy 2>/dev/null || true)"
  if [ -n "$http" ] && [ "$http" != DIRECT ]; then export http_proxy="$http"; fi
  if [ -n "$https" ] && [ "$https" != DIRECT ]; then export https_proxy="$https"; fi
}

MOUNTED=()
unmount_all() {
  local i
  for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do umount -l "${MOUNTED[$i]}" 2>/dev/null || true; done
  MOUNTED=()
}

chroot_mounts() { # $1: the tree
  mount -t proc proc "$1/proc" && MOUNTED+=("$1/proc")
  mount -t sysfs sysfs "$1/sys" && MOUNTED+=("$1/sys")
  mount --bind /dev "$1/dev" && MOUNTED+=("$1/dev")
  mount --bind /dev/pts "$1/dev/pts" && MOUNTED+=("$1/dev/pts")
}

in_root() { # $1: the tree, then the command (an argument array, no shell)
  local tree="$1"; shift
  chroot "$tree" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 \
    ${http_proxy:+http_proxy="$http_proxy"} ${https_proxy:+https_proxy="$https_proxy"} "$@"
}

configure_root() { # $1: the tree
  local r="$1"
  local main security updates
  main="$(mirror_for "$SUITE")"; security="$(mirror_for "$SUITE-security")"; updates="$(mirror_for "$SUITE-updates")"
  {
    echo "deb $main $SUITE main"
    [ -z "$updates" ] || echo "deb $updates $SUITE-updates main"
    [ -z "$security" ] || echo "deb $security $SUITE-security main"
  } > "$r/etc/apt/sources.list"
  printf 'APT::Install-Recommends "false";\nAcquire::Languages "none";\n' > "$r/etc/apt/apt.conf.d/90kvt"
  printf '#!/bin/sh\nexit 101\n' > "$r/usr/sbin/policy-rc.d" && chmod 0755 "$r/usr/sbin/policy-rc.d"
  echo debian > "$r/etc/hostname"
  printf 'LABEL=%s / ext4 defaults,errors=remount-ro 0 1\n' "$DISK_LABEL" > "$r/etc/fstab"
  mkdir -p "$r/etc/network"
  printf 'auto lo\niface lo inet loopback\n\nsource /etc/network/interfaces.d/*\n' > "$r/etc/network/interfaces"
  mkdir -p "$r/etc/cloud/cloud.cfg.d"
  # KubeVirt's two propagation methods; None keeps cloud-init from searching further when neither is there.
  printf 'datasource_list: [NoCloud, ConfigDrive, None]\n' > "$r/etc/cloud/cloud.cfg.d/90-kvt-datasources.cfg"
  # C.UTF-8 is built into glibc (en_US.UTF-8, cloud-init's default, is not generated here); the
  # host name resolves (sudo asks), as in Debian's own cloud images.
  printf 'locale: C.UTF-8\nmanage_etc_hosts: true\n' > "$r/etc/cloud/cloud.cfg.d/91-kvt-guest.cfg"
}

build_rootfs() { # $1: the tree to fill
  local r="$1" main
  main="$(mirror_for "$SUITE")"
  [ -n "$main" ] || { log "apt knows no mirror for $SUITE (apt-get indextargets)"; exit 1; }
  log "debootstrap $SUITE from $main${http_proxy:+ through $http_proxy}"
  debootstrap --variant=minbase --cache-dir="$CACHE/debs" "$SUITE" "$r" "$main" >&2
  configure_root "$r"
  trap unmount_all EXIT
  chroot_mounts "$r"
  in_root "$r" apt-get update -qq
  log "Installing ${PACKAGES[*]}"
  # The downloaded packages are kept in the cache between builds.
  mkdir -p "$CACHE/debs/partial"
  mount --bind "$CACHE/debs" "$r/var/cache/apt/archives" && MOUNTED+=("$r/var/cache/apt/archives")
  in_root "$r" apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >&2
  # Nothing of the build machine stays: host keys and machine-id are made on the guest's first boot.
  in_root "$r" systemctl disable apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer 2>/dev/null || true
  unmount_all
  trap - EXIT
  rm -f "$r/usr/sbin/policy-rc.d" "$r"/etc/ssh/ssh_host_*
  : > "$r/etc/machine-id"
  rm -f "$r/var/lib/dbus/machine-id"
  rm -rf "$r/var/lib/apt/lists/"* "$r/var/cache/apt/"*.bin "$r/tmp/"* "$r/var/log/"*.log
  # sshd regenerates missing host keys only through cloud-init; be safe without it too.
  mkdir -p "$r/etc/systemd/system/ssh.service.d"
  printf '[Service]\nExecStartPre=/usr/bin/ssh-keygen -A\n' > "$r/etc/systemd/system/ssh.service.d/kvt-host-keys.conf"
}

build_image() { # $1: the image directory to create
  local out="$1" tree="$1.rootfs" kver size_mib
  rm -rf "$out" "$tree"
  mkdir -p "$out/boot" "$out/disk" "$tree"
  build_rootfs "$tree"
  kver="$(ls "$tree/lib/modules" | sort -V | tail -n 1)"
  install -m 0644 "$tree/boot/vmlinuz-$kver" "$out/boot/vmlinuz"
  install -m 0644 "$tree/boot/initrd.img-$kver" "$out/boot/initrd.img"
  size_mib=$(( $(du -sm "$tree" | cut -f1) * 3 / 2 + 512 ))
  truncate -s "${size_mib}M" "$out/disk.raw"
  mke2fs -q -F -t ext4 -L "$DISK_LABEL" -d "$tree" "$out/disk.raw"
  qemu-img convert -q -f raw -O qcow2 "$out/disk.raw" "$out/disk/disk.qcow2"
  rm -f "$out/disk.raw"
  rm -rf "$tree"
  log "Kernel $kver, root disk ${size_mib} MiB (qcow2 $(du -sm "$out/disk/disk.qcow2" | cut -f1) MiB)"
}

main() {
  local started=$SECONDS
  [ "$(id -u)" -eq 0 ] || { log "build-debian-guest.sh needs root (debootstrap chroots)"; exit 2; }
  require_node
  apt_install debootstrap e2fsprogs qemu-utils
  [ -x "$ROOT/node_modules/.bin/tsx" ] || npm_install
  export_apt_proxy
  local base="${KVT_DEBIAN_GUEST_CACHE:-/var/cache/kvt/debian-guest}" key
  key="v$GUEST_VERSION-$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-12)"
  CACHE="$base"
  mkdir -p -m 0750 "$CACHE/debs"
  exec 9> "$CACHE/.lock"
  flock 9
  if [ -d "$CACHE/image-$key" ]; then
    log "Debian guest image $key is cached"
  else
    log "Building the Debian guest image $key"
    build_image "$CACHE/image-$key.new"
    find "$CACHE" -maxdepth 1 -name 'image-*' ! -name "image-$key.new" -exec rm -rf {} +
    mv "$CACHE/image-$key.new" "$CACHE/image-$key"
  fi
  "$ROOT/node_modules/.bin/tsx" "$ROOT/launcher/runtime/import-image-main.ts" --data-dir "$(data_dir)" "$REF" "$CACHE/image-$key"
  log "Debian guest $REF ready in $((SECONDS - started)) s"
}

main "$@"
