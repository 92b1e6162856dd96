#!/usr/bin/env bash
# A real Kubernetes control plane on this machine, for kubevirt-ts' cluster mode and its tests:
# etcd, kube-apiserver, kube-controller-manager and kube-scheduler, built from their Go modules
# (pinned below, cached by version) and run with a private PKI inside a network namespace of their
# own, so nothing listens on the host's network.
#
#   eval "$(bash scripts/cluster.sh up)"   # starts it (idempotent); prints the KUBECONFIG and PATH exports
#   bash scripts/cluster.sh status         # what runs
#   bash scripts/cluster.sh down           # stops everything it started and removes its state
#   bash scripts/cluster.sh build          # only builds (or finds cached) binaries; prints their folder
#   bash scripts/cluster.sh node-agent-args  # the arguments `kvt node-agent` needs for this cluster's node
#
# Layout: the namespace `kvt-cluster` holds etcd (127.0.0.1:2379 inside it), the API server
# (0.0.0.0:6443 inside it) and the controllers. The host reaches it over a veth pair
# (host 10.243.0.1 ↔ 10.243.0.2); pods reach it on the pod bridge's address 10.244.0.1 inside the
# namespace. Root is required (network namespaces).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

K8S_VERSION=v1.35.4
ETCD_VERSION=v3.6.8
CACHE="${KVT_CLUSTER_CACHE:-/var/cache/kvt/cluster}/k8s-${K8S_VERSION}-etcd-${ETCD_VERSION}"
BIN="$CACHE/bin"
STATE="${KVT_CLUSTER_DIR:-/var/lib/kvt/cluster}"
NETNS=kvt-cluster
HOST_IF=kvt-cl-h
NS_IF=kvt-cl-n
HOST_ADDR=10.243.0.1
API_ADDR=10.243.0.2
POD_BRIDGE=kvt-pods
POD_GATEWAY=10.244.0.1
POD_CIDR=10.244.0.0/24
SERVICE_CIDR=10.96.0.0/24
SERVICE_API_ADDR=10.96.0.1
API_PORT=6443
# The node `kvt node-agent` registers (its credentials: STATE/node.kubeconfig, user system:node:NODE).
NODE_NAME="${KVT_NODE_NAME:-kvt-node}"

in_ns() { ip netns exec "$NETNS" "$@"; }

# ---- binaries -----------------------------------------------------------------------------------

# Builds the binaries of the pinned versions once per machine (GOMODCACHE/GOCACHE are Go's own
# caches, so a rebuild after a cache wipe is quick); cluster/go.mod pins Kubernetes' staging
# modules to the release, cluster/etcd/go.mod the etcd server.
build() {
  local want=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd) missing=0
  for b in "${want[@]}"; do [ -x "$BIN/$b" ] || missing=1; done
  if [ "$missing" -eq 0 ]; then return 0; fi
  command -v go >/dev/null 2>&1 || { log "Go is needed to build the cluster's binaries (the polyglot machine has it)"; exit 2; }
  mkdir -p "$BIN"
  log "Building Kubernetes $K8S_VERSION and etcd $ETCD_VERSION from their Go modules into $BIN (first time only)"
  local start=$SECONDS
  (cd "$ROOT/cluster" && go build -trimpath -o "$BIN/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
  (cd "$ROOT/cluster/etcd" && go build -trimpath -o "$BIN/etcd" go.etcd.io/etcd/server/v3)
  log "Built in $((SECONDS - start)) s"
}

# ---- PKI ----------------------------------------------------------------------------------------

# cert NAME CN [O] [SANS]: a key and a certificate signed by the cluster CA (client and server use).
cert() {
  local name=$1 cn=$2 org=${3:-} sans=${4:-} ca=${5:-ca} subj="/CN=$2"
  [ -n "$org" ] && subj="/O=$org/CN=$cn"
  local ext="$STATE/pki/$name.ext"
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=serverAuth,clientAuth"
    [ -n "$sans" ] && echo "subjectAltName=$sans"
  } > "$ext"
  openssl req -new -newkey rsa:2048 -nodes -keyout "$STATE/pki/$name.key" -subj "$subj" -out "$STATE/pki/$name.csr" 2>/dev/null
  openssl x509 -req -in "$STATE/pki/$name.csr" -CA "$STATE/pki/$ca.crt" -CAkey "$STATE/pki/$ca.key" -CAcreateserial \
    -days 30 -sha256 -extfile "$ext" -out "$STATE/pki/$name.crt" 2>/dev/null
  rm -f "$STATE/pki/$name.csr" "$ext"
}

ca() {
  openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$STATE/pki/$1.key" -subj "/CN=$2" -days 30 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$STATE/pki/$1.crt" 2>/dev/null
}

kubeconfig() { # NAME CERT SERVER
  local name=$1 c=$2 server=$3
  cat > "$STATE/$name.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: kvt
  cluster:
    server: $server
    certificate-authority: $STATE/pki/ca.crt
users:
- name: $c
  user:
    client-certificate: $STATE/pki/$c.crt
    client-key: $STATE/pki/$c.key
contexts:
- name: kvt
  context: {cluster: kvt, user: $c}
current-context: kvt
EOF
  chmod 600 "$STATE/$name.kubeconfig"
}

pki() {
  [ -f "$STATE/pki/ca.crt" ] && return 0
  mkdir -p "$STATE/pki" && chmod 700 "$STATE/pki"
  ca ca kvt-cluster-ca
  ca front-proxy-ca kvt-front-proxy-ca
  cert apiserver kube-apiserver "" "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,IP:127.0.0.1,IP:$API_ADDR,IP:$POD_GATEWAY,IP:$SERVICE_API_ADDR"
  cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
  cert admin kubernetes-admin system:masters
  cert controller-manager system:kube-controller-manager
  cert scheduler system:kube-scheduler
  cert front-proxy-client front-proxy-client "" "" front-proxy-ca
  cert node "system:node:$NODE_NAME" system:nodes
  openssl genrsa -out "$STATE/pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$STATE/pki/sa.key" -pubout -out "$STATE/pki/sa.pub" 2>/dev/null
  kubeconfig admin admin "https://$API_ADDR:$API_PORT"
  kubeconfig controller-manager controller-manager "https://127.0.0.1:$API_PORT"
  kubeconfig scheduler scheduler "https://127.0.0.1:$API_PORT"
  kubeconfig node node "https://$API_ADDR:$API_PORT"
}

# ---- network ------------------------------------------------------------------------------------

network() {
  ip netns list | grep -qw "$NETNS" || ip netns add "$NETNS"
  in_ns ip link set lo up
  if ! ip link show "$HOST_IF" >/dev/null 2>&1; then
    ip link add "$HOST_IF" type veth peer name "$NS_IF"
    ip link set "$NS_IF" netns "$NETNS"
    ip addr add "$HOST_ADDR/30" dev "$HOST_IF"
    ip link set "$HOST_IF" up
    in_ns ip addr add "$API_ADDR/30" dev "$NS_IF"
    in_ns ip link set "$NS_IF" up
  fi
  if ! in_ns ip link show "$POD_BRIDGE" >/dev/null 2>&1; then
    in_ns ip link add "$POD_BRIDGE" type bridge
    in_ns ip addr add "$POD_GATEWAY/24" dev "$POD_BRIDGE"
    in_ns ip link set "$POD_BRIDGE" up
  fi
  # The host reaches pods through the namespace (kubectl port-forward, tests); nothing leaves the machine.
  ip route replace "$POD_CIDR" via "$API_ADDR" dev "$HOST_IF"
  in_ns sysctl -qw net.ipv4.ip_forward=1
}

# ---- processes ----------------------------------------------------------------------------------

alive() { [ -f "$STATE/run/$1.pid" ] && kill -0 "$(cat "$STATE/run/$1.pid")" 2>/dev/null; }

start() { # NAME ARGS...: runs BIN/NAME in the namespace, detached, logging to STATE/logs/NAME.log
  local name=$1; shift
  alive "$name" && return 0
  mkdir -p "$STATE/run" "$STATE/logs"
  in_ns setsid "$BIN/$name" "$@" >"$STATE/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$STATE/run/$name.pid"
}

wait_api() {
  local end=$((SECONDS + ${KVT_CLUSTER_START_TIMEOUT:-180}))
  until "$BIN/kubectl" --kubeconfig "$STATE/admin.kubeconfig" get --raw /readyz >/dev/null 2>&1; do
    if [ $SECONDS -ge $end ] || ! alive kube-apiserver; then
      log "kube-apiserver did not become ready; the last lines of its log:"; tail -n 20 "$STATE/logs/kube-apiserver.log" >&2; exit 1
    fi
    sleep 0.5
  done
}

# The default ServiceAccount appears once the controller manager runs: pods can be created after it.
wait_controllers() {
  local end=$((SECONDS + ${KVT_CLUSTER_START_TIMEOUT:-180}))
  until "$BIN/kubectl" --kubeconfig "$STATE/admin.kubeconfig" -n default get serviceaccount default >/dev/null 2>&1; do
    if [ $SECONDS -ge $end ] || ! alive kube-controller-manager; then
      log "the controller manager did not create the default ServiceAccount; the last lines of its log:"
      tail -n 20 "$STATE/logs/kube-controller-manager.log" >&2; exit 1
    fi
    sleep 0.5
  done
}

up() {
  [ "$(id -u)" -eq 0 ] || { log "scripts/cluster.sh needs root (network namespaces)"; exit 2; }
  apt_install iproute2 openssl
  build
  mkdir -p "$STATE" && chmod 700 "$STATE"
  pki
  network
  start etcd --name kvt --data-dir "$STATE/etcd" --listen-client-urls http://127.0.0.1:2379 \
    --advertise-client-urls http://127.0.0.1:2379 --listen-peer-urls http://127.0.0.1:2380 \
    --initial-advertise-peer-urls http://127.0.0.1:2380 --initial-cluster kvt=http://127.0.0.1:2380 \
    --unsafe-no-fsync --log-level warn
  start kube-apiserver --etcd-servers http://127.0.0.1:2379 --bind-address 0.0.0.0 --secure-port "$API_PORT" \
    --advertise-address "$POD_GATEWAY" --service-cluster-ip-range "$SERVICE_CIDR" \
    --authorization-mode Node,RBAC --allow-privileged=true \
    --enable-admission-plugins NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultTolerationSeconds,NodeRestriction,PodSecurity,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ResourceQuota \
    --client-ca-file "$STATE/pki/ca.crt" --tls-cert-file "$STATE/pki/apiserver.crt" --tls-private-key-file "$STATE/pki/apiserver.key" \
    --kubelet-client-certificate "$STATE/pki/apiserver-kubelet-client.crt" --kubelet-client-key "$STATE/pki/apiserver-kubelet-client.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local --service-account-key-file "$STATE/pki/sa.pub" \
    --service-account-signing-key-file "$STATE/pki/sa.key" \
    --requestheader-client-ca-file "$STATE/pki/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- \
    --proxy-client-cert-file "$STATE/pki/front-proxy-client.crt" --proxy-client-key-file "$STATE/pki/front-proxy-client.key" \
    --enable-aggregator-routing=true
  # The controllers start once the API server serves its RBAC bootstrap policy (they read
  # kube-system's extension-apiserver-authentication at start and exit when they may not yet).
  wait_api
  start kube-controller-manager --kubeconfig "$STATE/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$STATE/controller-manager.kubeconfig" --authorization-kubeconfig "$STATE/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false --use-service-account-credentials=true \
    --root-ca-file "$STATE/pki/ca.crt" --service-account-private-key-file "$STATE/pki/sa.key" \
    --cluster-signing-cert-file "$STATE/pki/ca.crt" --cluster-signing-key-file "$STATE/pki/ca.key" \
    --cluster-cidr "$POD_CIDR" --service-cluster-ip-range "$SERVICE_CIDR"
  start kube-scheduler --kubeconfig "$STATE/scheduler.kubeconfig" --authentication-kubeconfig "$STATE/scheduler.kubeconfig" \
    --authorization-kubeconfig "$STATE/scheduler.kubeconfig" --bind-address 127.0.0.1 --leader-elect=false
  wait_controllers
  log "Kubernetes $K8S_VERSION is ready at https://$API_ADDR:$API_PORT (state in $STATE)"
  printf 'export KUBECONFIG=%q\nexport PATH=%q:"$PATH"\n' "$STATE/admin.kubeconfig" "$BIN"
}

status() {
  local any=0
  for p in etcd kube-apiserver kube-controller-manager kube-scheduler; do
    if alive "$p"; then echo "$p: running (pid $(cat "$STATE/run/$p.pid"))"; any=1; else echo "$p: stopped"; fi
  done
  ip netns list | grep -qw "$NETNS" && echo "network namespace $NETNS: present" || echo "network namespace $NETNS: absent"
  [ "$any" -eq 1 ] && echo "KUBECONFIG=$STATE/admin.kubeconfig"
  return 0
}

down() {
  for p in kube-scheduler kube-controller-manager kube-apiserver etcd; do
    if alive "$p"; then kill "$(cat "$STATE/run/$p.pid")" 2>/dev/null || true; fi
  done
  local end=$((SECONDS + 20))
  for p in kube-scheduler kube-controller-manager kube-apiserver etcd; do
    while alive "$p" && [ $SECONDS -lt $end ]; do sleep 0.2; done
    alive "$p" && kill -9 "$(cat "$STATE/run/$p.pid")" 2>/dev/null || true
  done
  # Anything else still in the namespace (a pod process of a test) goes with it.
  if ip netns list | grep -qw "$NETNS"; then
    for pid in $(ip netns pids "$NETNS" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$NETNS"
  fi
  # Pods a node agent left (each in its own kvtp-* namespace): their processes and namespaces go too.
  # The local mode's pod sandboxes (kvt daemon / kvt run) are kvtp-* too, their veth kvth<hash> on a
  # bridge of the host's namespace: those are not the cluster's and stay (the cluster's veths went
  # with $NETNS above).
  for ns in $(ip netns list | awk '{print $1}' | grep '^kvtp-' || true); do
    ip link show "kvth${ns#kvtp-}" >/dev/null 2>&1 && continue
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  ip link del "$HOST_IF" 2>/dev/null || true
  ip route del "$POD_CIDR" 2>/dev/null || true
  rm -rf "$STATE"
  log "Cluster stopped and its state removed"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  build) build; echo "$BIN" ;;
  node-agent-args) printf '%s\n' --kubeconfig "$STATE/node.kubeconfig" --node-name "$NODE_NAME" --node-ip "$HOST_ADDR" \
    --api-server "https://$POD_GATEWAY:$API_PORT" --pod-cidr "$POD_CIDR" --pod-bridge "$POD_BRIDGE" --pod-bridge-netns "$NETNS" ;;
  *) echo "usage: bash scripts/cluster.sh up|down|status|build|node-agent-args" >&2; exit 2 ;;
esac
