# Debian 12 packages the launcher runtime needs (sourced by scripts/test.sh and the set-up scripts;
# install with: apt_install "${LAUNCHER_APT_PACKAGES[@]}" from scripts/lib.sh, before `npm ci`).
#   libvirt-daemon, libvirt-daemon-driver-qemu  the per-launcher libvirtd in session mode
#   libvirt-clients                             virsh: domain state reasons, which the binding lacks
#   qemu-system-x86, qemu-utils                 QEMU itself; qemu-img for overlays and empty disks
#   genisoimage                                 cloud-init, configMap, secret, serviceAccount and
#                                               downwardAPI ISO disks (its isoinfo reads them in tests)
#   ovmf                                        UEFI firmware for EFI and secure-boot VMIs
#   libxml2-utils                               xmllint, which virt-xml-validate runs on golden domain XML
#   libvirt-dev, pkg-config, g++, make, python3 `npm ci` compiles @unraid/libvirt (node-gyp)
#   passwd                                      useradd for the unprivileged kvt-qemu user (root runs)
#   iproute2, nftables                          pod network namespaces, bridges, taps; masquerade
#                                               (SNAT/DNAT) rules inside a pod's namespace
#   swtpm, swtpm-tools                          the emulated TPM (devices.tpm) libvirt starts per VM
# shellcheck disable=SC2034  # used by the scripts that source this file
LAUNCHER_APT_PACKAGES=(
  libvirt-daemon
  libvirt-daemon-driver-qemu
  libvirt-clients
  qemu-system-x86
  qemu-utils
  genisoimage
  libxml2-utils
  ovmf
  libvirt-dev
  pkg-config
  g++
  make
  python3
  passwd
  iproute2
  nftables
  swtpm
  swtpm-tools
)
# What only the tests need beside the runtime (installed by scripts/test.sh):
#   docker-registry                             a real OCI registry (distribution) on loopback
#   skopeo                                      builds and pushes the tests' images to it
#   openssh-client                              ssh, scp, ssh-keygen: kvt ssh/scp and the guests' SSH tests
#   apache2-utils                               htpasswd -B: the bcrypt users of the auth test's registry
#   syslinux, syslinux-common, mtools, dosfstools  a BIOS-bootable FAT containerDisk of the demo
#                                               guest (test/fixtures/registry.ts), as KubeVirt's examples boot
# shellcheck disable=SC2034
TEST_APT_PACKAGES=(
  openssh-client
  docker-registry
  skopeo
  apache2-utils
  syslinux
  syslinux-common
  mtools
  dosfstools
)
