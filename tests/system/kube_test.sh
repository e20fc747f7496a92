#!/usr/bin/env bash
# Kubernetes YAML: kube generate of pods, containers and volumes (checked field by field with
# python3-yaml), the round trip generate -> pod rm -> kube play -> same env, mounts and port,
# kube down leaving nothing; Deployments, ConfigMaps, Secrets, PersistentVolumeClaims, init
# containers, stdin and URLs, --service-container; bad and hostile YAML refused with errors naming the field; and
# interchange with podman 4.3.1 (its YAML plays in berth, berth's plays in podman).
source "$(dirname "$0")/lib.sh"
load_default_image

y2j() { python3 -c 'import sys, yaml, json; json.dump(list(yaml.safe_load_all(sys.stdin)), sys.stdout, default=str)'; }

# ---- generate: a pod with two containers --------------------------------------------------
port=$((20000 + RANDOM % 10000))
mkdir -p "$TEST_DIR/data"
echo from-host >"$TEST_DIR/data/f"
expect_rc 0 berth pod create --name kp -p "$port:8080"
expect_rc 0 berth create --pod kp --name web -e GREETING=hello -v "$TEST_DIR/data:/data:ro" -v kvol:/vol \
  busybox sh -c 'echo -n "$GREETING " ; cat /data/f; echo served | nc -l -p 8080'
expect_rc 0 berth create --pod kp --name side -u 1000:1000 --cap-add NET_ADMIN busybox sleep 1000
expect_rc 0 berth kube generate kp
gen=$OUT
assert_contains "$gen" "# Save the output of this file and use kubectl create -f to import" "generate header"
j=$(y2j <<<"$gen")
assert_eq "$(jq -r '.[0] | .apiVersion, .kind, .metadata.name, .metadata.labels.app, .spec.hostname, .spec.restartPolicy' <<<"$j")" \
  "v1
Pod
kp
kp
kp
Never" "pod metadata and spec"
assert_eq "$(jq -r '.[0].metadata.annotations["io.podman.annotations.autoremove/web"], .[0].metadata.annotations["io.kubernetes.cri-o.TTY/side"], .[0].metadata.annotations["io.kubernetes.cri-o.ContainerType/web"]' <<<"$j")" \
  "FALSE
false
container" "podman's per-container annotations"
assert_eq "$(jq -c '.[0].spec.containers[0] | [.name, .command, .env, .ports, .volumeMounts, .resources]' <<<"$j")" \
  "[\"web\",[\"sh\",\"-c\",\"echo -n \\\"\$GREETING \\\" ; cat /data/f; echo served | nc -l -p 8080\"],[{\"name\":\"GREETING\",\"value\":\"hello\"}],[{\"containerPort\":8080,\"hostPort\":$port}],[{\"mountPath\":\"/data\",\"name\":\"$(tr / - <<<"${TEST_DIR#/}")-data-host-0\",\"readOnly\":true},{\"mountPath\":\"/vol\",\"name\":\"kvol-pvc\"}],{}]" \
  "first container: command, env, ports of the pod, mounts"
assert_eq "$(jq -c '.[0].spec.containers[1] | [.name, .ports, .securityContext]' <<<"$j")" \
  '["side",null,{"capabilities":{"add":["CAP_NET_ADMIN"],"drop":["CAP_MKNOD","CAP_NET_RAW","CAP_AUDIT_WRITE"]},"runAsGroup":1000,"runAsUser":1000}]' \
  "second container: no ports, caps against runtime-tools' set, user"
assert_eq "$(jq -c '[.[0].spec.volumes[] | (.hostPath.type // .persistentVolumeClaim.claimName)] | sort' <<<"$j")" \
  '["Directory","kvol"]' "pod volumes: hostPath and persistentVolumeClaim"
assert_eq "$(jq -c '.[0].status' <<<"$j")" '{}' "a pod's status is {}"
expect_rc 0 berth kube generate -s kp
j=$(y2j <<<"$OUT")
assert_eq "$(jq -r '.[0].kind, .[0].spec.type, .[0].spec.ports[0].port, (.[0].spec.ports[0].nodePort >= 30000 and .[0].spec.ports[0].nodePort <= 32767), .[1].kind' <<<"$j")" \
  "Service
NodePort
8080
true
Pod" "--service adds a NodePort Service before the Pod"
expect_rc 0 berth kube generate kvol
j=$(y2j <<<"$OUT")
assert_eq "$(jq -r '.[0] | .kind, .metadata.name, .metadata.annotations["volume.podman.io/driver"], .spec.resources.requests.storage' <<<"$j")" \
  "PersistentVolumeClaim
kvol
local
1Gi" "a volume as a PersistentVolumeClaim"
expect_rc 0 berth generate kube --type deployment kp
j=$(y2j <<<"$OUT")
assert_eq "$(jq -r '.[0] | .apiVersion, .kind, .metadata.name, .spec.replicas, .spec.template.spec.containers[0].name' <<<"$j")" \
  "apps/v1
Deployment
kp-deployment
1
web" "--type deployment"
expect_rc 125 berth kube generate web
assert_contains "$ERR" "is associated with pod" "a pod member is generated through its pod"
expect_rc 125 berth kube generate nosuchthing
assert_contains "$ERR" 'name or ID "nosuchthing" not found' "unknown names"
expect_rc 0 berth pod create --name lonely
expect_rc 125 berth kube generate lonely
assert_contains "$ERR" "only has an infra container" "a pod without containers"
expect_rc 0 berth pod rm lonely

# A single container: a Pod named NAME-pod, without status or empty resources.
expect_rc 0 berth create --name solo busybox top
expect_rc 0 berth kube generate solo
j=$(y2j <<<"$OUT")
assert_eq "$(jq -c '.[0] | [.metadata.name, .spec.containers[0].command, .status, .spec.containers[0].resources, .spec.containers[0].securityContext.capabilities]' <<<"$j")" \
  '["solo-pod",["top"],null,null,{"drop":["CAP_MKNOD","CAP_NET_RAW","CAP_AUDIT_WRITE"]}]' "a container's Pod"
expect_rc 0 berth kube generate -f "$TEST_DIR/solo.yaml" solo
expect_rc 125 berth kube generate -f "$TEST_DIR/solo.yaml" solo
assert_contains "$ERR" "file exists" "-f does not overwrite"
expect_rc 0 berth rm solo

# ---- round trip: generate -> rm -> play -> the same containers ----------------------------
echo "$gen" >"$TEST_DIR/kp.yaml"
expect_rc 0 berth pod rm -f kp
expect_rc 1 berth pod exists kp
expect_rc 0 berth kube play "$TEST_DIR/kp.yaml"
assert_contains "$OUT" "Pod:" "play prints the pod"
assert_contains "$OUT" "Containers:" "play prints the containers"
expect_rc 0 berth pod exists kp
expect_rc 0 berth inspect kp-web --format '{{.State.Running}} {{.HostConfig.RestartPolicy.Name}}'
assert_eq "$OUT" "true no" "kp-web runs, restart policy Never = no"
expect_rc 0 berth pod inspect kp
assert_eq "$(jq -r '.ExitPolicy + " " + .InfraConfig.PortBindings["8080/tcp"][0].HostPort' <<<"$OUT")" "stop $port" \
  "played pod: exit policy stop, the port on the infra container"
got=
for ((i = 0; i < 50; i++)); do
  got=$(nc -w 2 127.0.0.1 "$port" </dev/null 2>/dev/null) && [[ -n "$got" ]] && break
  sleep 0.2
done
assert_eq "$got" "served" "the published port reaches the played container"
expect_rc 0 berth logs kp-web
assert_eq "$OUT" "hello from-host" "env and the read-only bind come back"
expect_rc 0 berth inspect kp-web --format '{{range .Mounts}}{{.Destination}}={{.Source}},{{end}}'
assert_contains "$OUT" "/vol=$TEST_DIR" "the named volume comes back"
assert_contains "$OUT" "/kvol/_data," "the named volume comes back"
expect_rc 0 berth inspect kp-side --format '{{.Config.User}}'
assert_eq "$OUT" "1000:1000" "runAsUser/runAsGroup"
expect_rc 125 berth kube play "$TEST_DIR/kp.yaml"
assert_contains "$ERR" "kp" "playing a pod twice: its name is taken"
expect_rc 0 berth kube play --replace "$TEST_DIR/kp.yaml"
expect_rc 0 berth kube down "$TEST_DIR/kp.yaml"
assert_contains "$OUT" "Pods stopped:" "down output"
assert_contains "$OUT" "Pods removed:" "down output"
expect_rc 1 berth pod exists kp
expect_rc 1 berth container exists kp-web
expect_rc 0 berth volume exists kvol
assert_eq "$OUT" "" "kube down keeps volumes without --force"

# ---- Deployments, ConfigMaps, Secrets, PVCs, init containers, stdin -----------------------
cat >"$TEST_DIR/app.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: appcfg
data:
  MODE: fast
  app.conf: |
    line one
---
apiVersion: v1
kind: Secret
metadata:
  name: appsecret
data:
  password: c2VjcmV0LXZhbHVl
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: appdata
spec:
  accessModes: [ReadWriteOnce]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  replicas: 2
  template:
    metadata:
      labels:
        app: app
    spec:
      restartPolicy: OnFailure
      initContainers:
      - name: prep
        image: busybox
        command: [sh, -c, "sleep 1; echo prepared > /data/init"]  # slow: main must wait for it
        volumeMounts:
        - {name: data, mountPath: /data}
      containers:
      - name: main
        image: busybox
        command: [sh, -c]
        args: ["echo $MODE $PASS; cat /cfg/app.conf; cat /data/init; sleep 1000"]
        env:
        - name: MODE
          valueFrom:
            configMapKeyRef: {name: appcfg, key: MODE}
        - name: PASS
          valueFrom:
            secretKeyRef: {name: appsecret, key: password}
        volumeMounts:
        - {name: cfg, mountPath: /cfg}
        - {name: data, mountPath: /data}
      volumes:
      - name: cfg
        configMap: {name: appcfg}
      - name: data
        persistentVolumeClaim: {claimName: appdata}
EOF
expect_rc 0 berth kube play - <"$TEST_DIR/app.yaml"
assert_contains "$OUT" "Volumes:
appdata" "a PVC becomes a volume"
expect_rc 0 berth pod ps --format '{{.Name}}'
assert_eq "$(grep app-pod <<<"$OUT" | sort | tr '\n' ' ')" "app-pod-0 app-pod-1 " "replicas: 2 makes two pods"
for ((i = 0; i < 50; i++)); do
  out=$(berth logs app-pod-0-main 2>/dev/null)
  [[ "$out" == *prepared* ]] && break
  sleep 0.2
done
assert_eq "$out" "fast secret-value
line one
prepared" "configMap env, secret env, configMap volume, the init container ran first"
expect_rc 0 berth inspect app-pod-0-main --format '{{.HostConfig.RestartPolicy.Name}}'
assert_eq "$OUT" "on-failure" "restartPolicy OnFailure"
expect_rc 0 berth kube down --force - <"$TEST_DIR/app.yaml"
expect_rc 1 berth pod exists app-pod-0
expect_rc 1 berth volume exists appdata
expect_rc 1 berth secret exists appsecret

# --start=false, --annotation, hostPort from containerPort.
cat >"$TEST_DIR/s.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: sp
spec:
  containers:
  - name: c
    image: busybox
    command: [sleep, "100"]
    ports:
    - containerPort: $port
EOF
expect_rc 0 berth kube play --start=false --annotation team=blue "$TEST_DIR/s.yaml"
expect_rc 0 berth inspect sp-c --format '{{.State.Status}} {{index .Config.Annotations "team"}}'
assert_eq "$OUT" "created blue" "--start=false and --annotation"
expect_rc 0 berth pod inspect sp
assert_eq "$(jq -r ".InfraConfig.PortBindings[\"$port/tcp\"][0].HostPort" <<<"$OUT")" "$port" "a containerPort alone is published on the same host port"
expect_rc 0 berth kube down "$TEST_DIR/s.yaml"
expect_rc 125 berth kube play --annotation "x=$(printf 'a%.0s' {1..64})" "$TEST_DIR/s.yaml"
assert_contains "$ERR" "annotation exceeds maximum size, 63" "--annotation longer than 63"

# ---- bad and hostile YAML ---------------------------------------------------------------
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: bad\n' >"$TEST_DIR/bad1.yaml"
expect_rc 125 berth kube play "$TEST_DIR/bad1.yaml"
assert_contains "$ERR" "bad1.yaml: line" "a syntax error names the file and line"
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec:\n  containers:\n  - name: c\n    image: busybox\n    ports: {a: 1}\n' >"$TEST_DIR/bad2.yaml"
expect_rc 125 berth kube play "$TEST_DIR/bad2.yaml"
assert_contains "$ERR" "spec.containers[0].ports" "a wrong type names the field"
assert_contains "$ERR" 'Pod "bad"' "and the document"
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec:\n  containers:\n  - {name: c, image: busybox}\n  - {name: c, image: busybox}\n' >"$TEST_DIR/bad3.yaml"
expect_rc 125 berth kube play "$TEST_DIR/bad3.yaml"
assert_contains "$ERR" 'duplicate container name "c"' "duplicate container names"
expect_rc 1 berth pod exists bad
printf 'kind: Service\nmetadata: {name: x}\n' >"$TEST_DIR/bad4.yaml"
expect_rc 125 berth kube play "$TEST_DIR/bad4.yaml"
assert_contains "$ERR" "YAML document does not contain any supported kube kind" "no supported kind"
printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\n  annotations: {k: %s}\nspec:\n  containers: [{name: c, image: busybox}]\n' \
  "$(printf 'b%.0s' {1..70})" >"$TEST_DIR/bad5.yaml"
expect_rc 125 berth kube play "$TEST_DIR/bad5.yaml"
assert_contains "$ERR" 'invalid annotation "k"=' "an annotation over 63 characters in the YAML"
lol='a: &a [x,x,x,x,x,x,x,x,x,x]'
for c in b c d e f g h i j; do
  p=$(printf "\\$(printf '%03o' $(($(printf '%d' "'$c") - 1)))")
  lol+=$'\n'"$c: &$c [*$p,*$p,*$p,*$p,*$p,*$p,*$p,*$p,*$p,*$p]"
done
expect_rc 125 berth kube play - <<<"$lol"
assert_contains "$ERR" "aliases expanded" "a billion laughs is refused, not expanded"
cat >"$TEST_DIR/bad6.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata: {name: evil}
data: {x: owned}
---
apiVersion: v1
kind: Pod
metadata: {name: evilpod}
spec:
  containers:
  - name: c
    image: busybox
    volumeMounts: [{name: v, mountPath: /v}]
  volumes:
  - name: v
    configMap:
      name: evil
      items: [{key: x, path: ../../../../etc/berth-kube-owned}]
EOF
expect_rc 125 berth kube play "$TEST_DIR/bad6.yaml"
assert_contains "$ERR" "not a plain file name" "a config map item cannot climb out of its volume"
[[ ! -e /etc/berth-kube-owned ]] && pass || fail "a hostile item path wrote outside the volume"
expect_rc 1 berth pod exists evilpod
expect_rc 125 berth kube play "$TEST_DIR/nonexistent.yaml"

# ---- --service-container: tied to the pod's life -----------------------------------------
cat >"$TEST_DIR/svc.yaml" <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  name: svcpod
spec:
  containers:
  - name: main
    image: localhost/busybox:latest
    command: ["sleep", "1000"]
EOF
svc="$(sha256sum "$TEST_DIR/svc.yaml" | cut -c1-12)-service"
# wait_running CTR WANT: polls (5 s) until CTR's State.Running is WANT; leaves it in $OUT.
wait_running() {
  for ((i = 0; i < 50; i++)); do
    OUT=$(berth inspect "$1" --format '{{.State.Running}}' 2>/dev/null) || true
    [[ $OUT == "$2" ]] && return 0
    sleep 0.1
  done
}
expect_rc 0 berth kube play --service-container=true --network none "$TEST_DIR/svc.yaml"
expect_rc 0 berth inspect "$svc" --format '{{.State.Running}} {{.IsService}} {{.IsInfra}} {{.Pod}}'
assert_eq "$OUT" "true true false " "the service container runs, outside the pod"
expect_rc 0 berth pod inspect svcpod --format '{{.InfraContainerID}}'
expect_rc 0 berth inspect "$OUT" --format '{{.IsInfra}} {{.IsService}}'
assert_eq "$OUT" "true false" "the pod's infra container is IsInfra"
expect_rc 0 berth stop -t 0 svcpod-main
wait_running "$svc" false
assert_eq "$OUT" "false" "the last member's exit stops the infra and then the service container"
expect_rc 0 berth pod inspect svcpod --format '{{.State}}'
assert_eq "$OUT" "Exited" "the pod exited"
expect_rc 0 berth pod restart svcpod
expect_rc 0 berth inspect "$svc" --format '{{.State.Running}}'
assert_eq "$OUT" "true" "the pod's start starts the service container"
expect_rc 125 berth rm -f "$svc"
assert_contains "$ERR" "is the service container of pod(s)" "the service container cannot be removed before its pod"
expect_rc 0 berth pod kill svcpod
wait_running "$svc" false
assert_eq "$OUT" "false" "pod kill stops the service container"
expect_rc 0 berth pod rm svcpod
expect_rc 1 berth container exists "$svc"
# Again, removed by kube down; and a failed play leaves no service container behind.
expect_rc 0 berth kube play --service-container --network none "$TEST_DIR/svc.yaml"
expect_rc 0 berth kube down "$TEST_DIR/svc.yaml"
expect_rc 1 berth container exists "$svc"
sed 's|localhost/busybox:latest|localhost/no-such-image:1|' "$TEST_DIR/svc.yaml" >"$TEST_DIR/svc-bad.yaml"
bad_svc="$(sha256sum "$TEST_DIR/svc-bad.yaml" | cut -c1-12)-service"
expect_rc 125 berth kube play --service-container --network none "$TEST_DIR/svc-bad.yaml"
expect_rc 1 berth container exists "$bad_svc"

# ---- URL ---------------------------------------------------------------------------------
hport=$((20000 + RANDOM % 10000))
mkdir -p "$TEST_DIR/www"
cp "$TEST_DIR/s.yaml" "$TEST_DIR/www/pod.yaml"
python3 -m http.server --bind 127.0.0.1 --directory "$TEST_DIR/www" "$hport" >/dev/null 2>&1 &
HTTP_PID=$!
for ((i = 0; i < 50; i++)); do nc -z 127.0.0.1 "$hport" 2>/dev/null && break; sleep 0.1; done
expect_rc 0 berth kube play "http://127.0.0.1:$hport/pod.yaml"
expect_rc 0 berth inspect sp-c --format '{{.State.Running}}'
assert_eq "$OUT" "true" "kube play of a URL"
expect_rc 0 berth kube down "http://127.0.0.1:$hport/pod.yaml"
expect_rc 1 berth pod exists sp
kill "$HTTP_PID" 2>/dev/null || true

# ---- interchange with podman 4.3.1 -------------------------------------------------------
if command -v podman >/dev/null; then
  PM=(podman --root "$TEST_DIR/pm/root" --runroot "$TEST_DIR/pm/run" --cgroup-manager cgroupfs --runtime runc
    --events-backend none)
  berth save -o "$TEST_DIR/bb.tar" busybox >/dev/null
  expect_rc 0 "${PM[@]}" load -i "$TEST_DIR/bb.tar"
  img=$("${PM[@]}" images --format '{{.Repository}}:{{.Tag}}' | head -1)
  # podman's YAML plays in berth.
  expect_rc 0 "${PM[@]}" pod create --name xp
  expect_rc 0 "${PM[@]}" create --pod xp --name xc -e FROM=podman "$img" sh -c 'echo "$FROM"; sleep 1000'
  expect_rc 0 "${PM[@]}" kube generate xp
  echo "$OUT" >"$TEST_DIR/from-podman.yaml"
  expect_rc 0 berth kube play "$TEST_DIR/from-podman.yaml"
  for ((i = 0; i < 50; i++)); do out=$(berth logs xp-xc 2>/dev/null); [[ -n "$out" ]] && break; sleep 0.2; done
  assert_eq "$out" "podman" "podman's kube generate plays in berth"
  expect_rc 0 berth kube down "$TEST_DIR/from-podman.yaml"
  # berth's YAML plays in podman (created only: the peer's network is not needed for this).
  expect_rc 0 berth pod create --name bp
  expect_rc 0 berth create --pod bp --name bc -e FROM=berth -w /tmp busybox sh -c 'echo "$FROM"'
  expect_rc 0 berth kube generate bp
  sed "s|image: .*busybox.*|image: $img|" <<<"$OUT" >"$TEST_DIR/from-berth.yaml"
  expect_rc 0 "${PM[@]}" kube play --start=false --network none "$TEST_DIR/from-berth.yaml"
  expect_rc 0 "${PM[@]}" inspect bp-bc --format '{{.Config.WorkingDir}} {{range .Config.Env}}{{.}} {{end}}'
  assert_contains "$OUT" "/tmp " "berth's YAML in podman: working dir"
  assert_contains "$OUT" "FROM=berth" "berth's YAML in podman: env"
  "${PM[@]}" pod rm -af -t 0 >/dev/null 2>&1 || true
  "${PM[@]}" rm -af -t 0 >/dev/null 2>&1 || true
  expect_rc 0 berth pod rm -f bp
fi

berth pod rm -af -t 0 >/dev/null 2>&1 || true
berth rm -af -t 0 >/dev/null 2>&1 || true
berth volume rm -af >/dev/null 2>&1 || true
finish
