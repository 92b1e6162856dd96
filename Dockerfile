# The one kubevirt-ts component image: `kvt` (virt-api, virt-controller, virt-handler and the
# launcher) with libvirt and QEMU for the launcher pods. Written and reviewed, not built in CI.
#   docker build -t ghcr.io/kubevirt-ts/kvt:0.1.0 .
# The install (synth/install) runs every container as `kvt <component> …`.

# ---- build: npm dependencies, including the @unraid/libvirt N-API binding compiled from source
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential python3 pkg-config libvirt-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/kvt
COPY package.json package-lock.json ./
# Every dependency for the build (TypeScript); dev dependencies are pruned after it. Optional
# dependencies stay in: omitting them also drops native binaries other packages need
# (shared/design/STACK.md).
RUN npm ci --ignore-scripts && npm rebuild @unraid/libvirt
COPY bin ./bin
COPY cli ./cli
COPY core ./core
COPY crd-gen ./crd-gen
COPY launcher ./launcher
COPY local ./local
COPY reconcilers ./reconcilers
COPY store ./store
COPY webhooks ./webhooks
COPY synth ./synth
COPY tsconfig.json tsconfig.build.json ./
# kvt runs as JavaScript from dist/ (npm run build); the TypeScript sources stay for reference.
RUN npm run build && npm prune --omit=dev

# ---- runtime: Node, libvirt's QEMU driver, QEMU, and the tools the launcher runs
FROM node:20-bookworm-slim
# libvirt-daemon-driver-qemu + qemu-system-x86: the launcher's private libvirtd and its QEMUs.
# libvirt-clients: virsh (events, attach-device, stats the binding lacks). qemu-utils: qemu-img
# for container-disk overlays. genisoimage: cloud-init NoCloud/ConfigDrive ISOs. libvirt0: the
# library the binding links against. tini: PID 1 that reaps the daemon's children.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libvirt0 libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients \
      qemu-system-x86 qemu-utils genisoimage ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
# The unprivileged user of virt-api and virt-controller (securityContext runAsUser 10001).
# virt-handler and launchers run as root by their pod specs.
RUN groupadd --system --gid 10001 kvt \
 && useradd --system --uid 10001 --gid kvt --home-dir /nonexistent --shell /usr/sbin/nologin kvt
WORKDIR /opt/kvt
COPY --from=build /opt/kvt ./
RUN ln -s /opt/kvt/bin/kvt.js /usr/local/bin/kvt && chmod 0755 /opt/kvt/bin/kvt.js
# The pods mount an emptyDir at /tmp so the root file system can stay read-only.
ENV NODE_ENV=production TMPDIR=/tmp
USER 10001:10001
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["kvt", "--help"]
