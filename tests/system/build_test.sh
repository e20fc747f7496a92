#!/usr/bin/env bash
# berth build: Containerfile steps as real containers (runc/crun) and overlay layers,
# podman's output shape, the layer cache, ignore files, multi-stage builds, and hostile
# contexts, archives and images.
source "$(dirname "$0")/lib.sh"
trap cleanup_test_dir EXIT
load_default_image

C="$TEST_DIR/ctx"
mkdir -p "$C/sub/deeper"
echo hello >"$C/f.txt"
echo nested >"$C/sub/deeper/n.txt"

# ---- one build: RUN, COPY, config instructions, podman's output --------------------------
cat >"$C/Containerfile" <<'EOF'
FROM busybox
ARG greeting=hi
LABEL l1=v1 "l 2"="v 2"
ENV E1=one E2="two words"
WORKDIR /work
RUN echo "$greeting from run" && echo made >made.txt
COPY f.txt sub /dst/
EXPOSE 8080/udp 80
VOLUME /data
USER 1:2
CMD ["cat", "/dst/f.txt"]
EOF
expect_rc 0 berth build -t bld1 "$C"
assert_contains "$OUT" "STEP 1/11: FROM busybox" "first step line"
assert_contains "$OUT" "STEP 7/11: COPY f.txt sub /dst/" "COPY step line"
assert_contains "$OUT" "hi from run" "RUN output shown"
assert_contains "$OUT" $'COMMIT bld1\n--> ' "COMMIT then the short ID"
assert_contains "$OUT" "Successfully tagged localhost/bld1:latest" "tag line"
id=$(tail -1 <<<"$OUT")
[[ "$id" =~ ^[0-9a-f]{64}$ ]] && pass || fail "last line is the image ID: $id"
assert_not_contains "$OUT" "Using cache" "first build uses no cache"
expect_rc 0 berth run --rm bld1
assert_eq "$OUT" "hello" "CMD of the built image"
expect_rc 0 berth run --rm bld1 sh -c 'pwd; cat made.txt; cat /dst/deeper/n.txt; echo "$E1|$E2|${greeting-unset}"; id -u; id -g'
assert_eq "$OUT" $'/work\nmade\nnested\none|two words|unset\n1\n2' "workdir, RUN file, COPY of a directory's contents, ENV, no ARG, USER"
expect_rc 0 berth image inspect --format '{{.Config.Labels.l1}}|{{index .Config.Labels "l 2"}}|{{json .Config.Volumes}}|{{.Config.User}}' bld1
assert_eq "$OUT" 'v1|v 2|{"/data":{}}|1:2' "labels, volumes, user in the config"
expect_rc 0 berth image inspect --format '{{json .Config.ExposedPorts}}' bld1
assert_contains "$OUT" '"80/tcp":{}' "EXPOSE 80"
assert_contains "$OUT" '"8080/udp":{}' "EXPOSE 8080/udp"
expect_rc 0 berth run --rm bld1 stat -c '%u:%g %a' /dst/f.txt /dst/deeper
assert_eq "$OUT" $'0:0 644\n0:0 755' "COPY writes root-owned files with their modes"
expect_rc 0 berth history --format '{{.CreatedBy}}' bld1
assert_contains "$OUT" "echo \"\$greeting from run\"" "history records the RUN"

# ---- the cache ------------------------------------------------------------------------
expect_rc 0 berth build -t bld1 "$C"
assert_contains "$OUT" "--> Using cache $id" "second build: the last step from the cache"
assert_eq "$(tail -1 <<<"$OUT")" "$id" "cached build gives the same image"
echo changed >"$C/f.txt"
expect_rc 0 berth build -t bld1 "$C"
assert_contains "$OUT" "Using cache" "steps before COPY from the cache"
assert_not_contains "$(sed -n '/STEP 7/,$p' <<<"$OUT")" "Using cache" "a changed source invalidates COPY and what follows"
expect_rc 0 berth run --rm bld1
assert_eq "$OUT" "changed" "rebuilt COPY has the new content"
expect_rc 0 berth build --layers=false -t bld1 "$C"
assert_not_contains "$OUT" "Using cache" "--layers=false uses no cache"
BUILDAH_LAYERS=false expect_rc 0 berth build -t bld1 "$C"
assert_not_contains "$OUT" "Using cache" "BUILDAH_LAYERS=false uses no cache"
expect_rc 0 berth build --build-arg greeting=bonjour -t bld2 "$C"
assert_contains "$OUT" "bonjour from run" "--build-arg reaches RUN and is not served from the cache"
expect_rc 0 berth build -q -t bld2 "$C"
assert_eq "$OUT" "$(berth image inspect --format '{{.Id}}' bld2)" "-q prints only the image ID"
expect_rc 0 berth build -q --iidfile "$TEST_DIR/iid" -t bld2 "$C"
assert_eq "$(cat "$TEST_DIR/iid")" "sha256:$OUT" "--iidfile"

expect_rc 0 berth build -q --label extra=yes -t bld2 "$C"
expect_rc 0 berth image inspect --format '{{.Config.Labels.extra}}|{{.Config.Labels.l1}}' bld2
assert_eq "$OUT" "yes|v1" "--label adds to the image's labels"
expect_rc 125 berth build --squash -t bld2 "$C"
assert_contains "$ERR" "--squash is not supported" "flags berth cannot honour are refused"

# ---- inputs: -f -, stdin Containerfile, relative -f, missing files --------------------
printf 'FROM busybox\nRUN echo from-stdin\n' >"$TEST_DIR/cf"
expect_rc 0 berth build -t bld3 -f - "$C" <"$TEST_DIR/cf"
assert_contains "$OUT" "from-stdin" "-f - reads the Containerfile from stdin"
expect_rc 0 berth build -t bld3 - <"$TEST_DIR/cf"
assert_contains "$OUT" "STEP 2/2: RUN echo from-stdin" "build - reads the Containerfile from stdin"
mkdir -p "$TEST_DIR/rel"
printf 'FROM busybox\nCOPY f.txt /\n' >"$TEST_DIR/rel/Other"
cp "$C/f.txt" "$TEST_DIR/rel/"
(cd "$TEST_DIR" && expect_rc 0 berth build -t bld3 -f rel/Other "$C")
(cd "$TEST_DIR" && expect_rc 0 berth build -t bld3 -f Other "$TEST_DIR/rel")
expect_rc 125 berth build -t bld3 -f nosuch "$C"
assert_contains "$ERR" "nosuch: no such file or directory" "missing -f file named"
mkdir -p "$TEST_DIR/empty"
expect_rc 125 berth build -t bld3 "$TEST_DIR/empty"
assert_contains "$ERR" "Dockerfile: no such file or directory" "no Containerfile in the context"
expect_rc 125 berth build --authfile "$TEST_DIR/bogus" -t bld3 - <<<"FROM scratch"
assert_contains "$ERR" "$TEST_DIR/bogus: no such file or directory" "bogus --authfile"

# ---- bad Containerfiles and failing steps ---------------------------------------------------
printf 'FROM busybox\nFRM x\n' >"$TEST_DIR/bad"
expect_rc 125 berth build -f "$TEST_DIR/bad" "$C"
assert_contains "$ERR" "unknown instruction: FRM" "unknown instruction named"
printf 'RUN true\n' >"$TEST_DIR/bad"
expect_rc 125 berth build -f "$TEST_DIR/bad" "$C"
assert_contains "$ERR" "FROM" "a Containerfile must start with FROM"
printf 'FROM busybox\nRUN exit 7\n' >"$TEST_DIR/bad"
expect_rc 7 berth build -f "$TEST_DIR/bad" "$C"
assert_contains "$ERR" 'building at STEP "RUN exit 7": while running runtime: exit status 7' "failed RUN named with its status"
printf 'FROM busybox\nCOPY nope /\n' >"$TEST_DIR/bad"
expect_rc 125 berth build -f "$TEST_DIR/bad" "$C"
assert_contains "$ERR" 'building at STEP "COPY nope /"' "missing COPY source named"
printf 'FROM busybox\nCOPY http://127.0.0.1/x /\n' >"$TEST_DIR/bad"
expect_rc 125 berth build -f "$TEST_DIR/bad" "$C"
assert_contains "$ERR" "source can't be a URL for COPY" "COPY of a URL refused"
printf 'FROM localhost/no-such-image:1\n' >"$TEST_DIR/bad"
expect_rc 125 berth build --pull-never -f "$TEST_DIR/bad" "$C"
assert_contains "$ERR" "creating build container: localhost/no-such-image:1: image not known" "--pull-never with a missing base"
expect_rc 0 berth ps -a --format '{{.ID}}'
assert_eq "$OUT" "" "failed builds leave no containers behind"

# ---- .dockerignore / .containerignore / --ignorefile -------------------------------------
I="$TEST_DIR/ign"
mkdir -p "$I/subdir1" "$I/subdir2"
for f in test1 test2 subdir1/sub1 subdir1/sub2 subdir1/sub3 subdir2/sub1 keep; do echo "$f" >"$I/$f"; done
printf '# comment\ntest*\n!test2*\nsubdir1\nsubdir2\n!*/sub1*\n!subdir1/sub3*\n' >"$I/.dockerignore"
printf 'FROM busybox\nCOPY ./ /in/\n' >"$I/Containerfile"
expect_rc 0 berth build -t bld4 "$I"
expect_rc 0 berth run --rm bld4 find /in -type f
got=$(sort <<<"$OUT" | tr '\n' ' ')
assert_eq "$got" "/in/.dockerignore /in/Containerfile /in/keep /in/subdir1/sub1 /in/subdir1/sub3 /in/test2 " "moby's ignore semantics"
printf 'keep\n' >"$I/.containerignore"
expect_rc 0 berth build -t bld4 "$I"
expect_rc 0 berth run --rm bld4 find /in -name keep
assert_eq "$OUT" "" ".containerignore wins over .dockerignore"
printf 'FROM busybox\nCOPY subdir2 /x/\n' >"$I/Containerfile"
rm "$I/.containerignore"
expect_rc 125 berth build -t bld4 "$I"
assert_contains "$ERR" 'building at STEP "COPY subdir2 /x/"' "an excluded source is not there"

# ---- scratch, multi-stage, --target, ADD archives, hard links ---------------------------
M="$TEST_DIR/ms"
mkdir -p "$M/t/d"
echo in-tar >"$M/t/d/a"
tar -C "$M/t" -cJf "$M/a.tar.xz" d
ln "$M/t/d/a" "$M/t/d/link"
cat >"$M/Containerfile" <<'EOF'
ARG BASE=busybox
FROM $BASE AS first
RUN echo stage-one >/one
FROM scratch AS second
COPY --from=first /one /copied
COPY t /t
FROM busybox
COPY --from=second / /from-second/
ADD a.tar.xz /unpacked/
EOF
expect_rc 0 berth build -t bld5 "$M"
assert_contains "$OUT" "[1/3] STEP 1/2: FROM busybox AS first" "stage prefix, FROM expanded"
assert_contains "$OUT" "[3/3] COMMIT bld5" "final stage COMMIT"
expect_rc 0 berth run --rm bld5 sh -c 'cat /from-second/copied /unpacked/d/a; stat -c %i /from-second/t/d/a /from-second/t/d/link | uniq | wc -l'
assert_eq "$OUT" $'stage-one\nin-tar\n1' "COPY --from a stage, ADD unpacks, hard links stay linked"
expect_rc 0 berth build --target second -t bld6 "$M"
expect_rc 0 berth image inspect --format '{{len .RootFS.Layers}}' bld6
assert_eq "$OUT" "2" "--target stops at a scratch stage with two COPY layers"
printf 'FROM scratch\n' >"$TEST_DIR/scratch"
expect_rc 0 berth build -t bld7 -f "$TEST_DIR/scratch" "$C"
expect_rc 0 berth image inspect --format '{{len .RootFS.Layers}}' bld7
assert_eq "$OUT" "0" "FROM scratch alone makes an empty image"

# ---- here-documents, SHELL, ENTRYPOINT, HEALTHCHECK, ONBUILD ---------------------------------
O="$TEST_DIR/other"
mkdir -p "$O"
cat >"$O/Containerfile" <<'EOF'
FROM busybox
ENV E=e-value
RUN <<EOT
echo line1 >/h
echo "line2 $E" >>/h
EOT
SHELL ["/bin/sh", "-ec"]
RUN cat /h
CMD ["from-image"]
ENTRYPOINT ["echo", "ep"]
HEALTHCHECK --interval=5s --retries=2 CMD ["true"]
ONBUILD RUN echo triggered >/onbuild
EOF
expect_rc 0 berth build -t bldo "$O"
assert_contains "$OUT" $'line1\nline2 e-value' "RUN <<EOT runs the here-document with the shell"
expect_rc 0 berth image inspect --format '{{json .Config}}' bldo
assert_contains "$OUT" '"Cmd":["from-image"],' "CMD kept by a later ENTRYPOINT of the same stage"
assert_contains "$OUT" '"Entrypoint":["echo","ep"]' "ENTRYPOINT"
assert_contains "$OUT" '"Shell":["/bin/sh","-ec"]' "SHELL"
assert_contains "$OUT" '"Healthcheck":{"Test":["CMD","true"],"Interval":5000000000,"Retries":2}' "HEALTHCHECK"
assert_contains "$OUT" '"OnBuild":["RUN echo triggered >/onbuild"]' "ONBUILD" "CMD kept by a later ENTRYPOINT of the same stage, SHELL, HEALTHCHECK, ONBUILD"
printf 'FROM bldo\nENTRYPOINT ["cat"]\n' >"$O/Containerfile"
expect_rc 0 berth build -t bldp "$O"
expect_rc 0 berth run --rm bldp /onbuild
assert_eq "$OUT" "triggered" "ONBUILD triggers run in the child build; an inherited CMD goes with a new ENTRYPOINT"
expect_rc 0 berth image inspect --format '{{json .Config}}' bldp
assert_not_contains "$OUT" '"Cmd"' "no inherited CMD"
assert_not_contains "$OUT" '"OnBuild"' "no inherited triggers"
printf 'FROM busybox\nCOPY <<EOT /x\nhi\nEOT\n' >"$O/Containerfile"
expect_rc 125 berth build -t bldq "$O"
assert_contains "$ERR" "here-documents is not supported" "COPY here-documents refused clearly"
expect_rc 0 berth rmi bldp bldo

# ---- ADD of a URL: a local HTTP server on 127.0.0.1 ----------------------------------------
W="$TEST_DIR/www"
mkdir -p "$W"
echo served-content >"$W/file.txt"
WPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$W" && exec python3 -m http.server "$WPORT" --bind 127.0.0.1 >/dev/null 2>&1) &
WPID=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$WPORT/" && break; sleep 0.1; done
printf 'FROM busybox\nADD http://127.0.0.1:%s/file.txt /got/\nADD http://127.0.0.1:%s/file.txt /named\n' "$WPORT" "$WPORT" >"$TEST_DIR/urlcf"
expect_rc 0 berth build -t bldu - <"$TEST_DIR/urlcf"
expect_rc 0 berth run --rm bldu sh -c 'cat /got/file.txt /named; stat -c %a /named'
assert_eq "$OUT" $'served-content\nserved-content\n600' "ADD of a URL into a directory and to a file name, mode 0600"
echo changed-content >"$W/file.txt"
expect_rc 0 berth build -t bldu - <"$TEST_DIR/urlcf"
assert_not_contains "$OUT" "Using cache" "a changed download is not served from the cache"
expect_rc 125 berth build -t bldu - < <(printf 'FROM busybox\nADD http://127.0.0.1:%s/nope.txt /x\n' "$WPORT")
assert_contains "$ERR" "HTTP status 404" "a failed download is named"
kill "$WPID" 2>/dev/null || true
expect_rc 0 berth rmi bldu

# ---- kill -9 of a build: the next build removes the dead build's step container ------------
printf 'FROM busybox\nRUN sleep 60\n' >"$TEST_DIR/slowcf"
"${B[@]}" build -t bldk -f "$TEST_DIR/slowcf" "$C" >/dev/null 2>&1 &
KPID=$!
# A step's container is external, as buildah's working containers are for podman.
for _ in $(seq 100); do [[ -n "$(berth ps --external -q)" ]] && break; sleep 0.1; done
kill -9 "$KPID"
wait "$KPID" 2>/dev/null || true
assert_eq "$(berth ps --external -q | wc -l)" "1" "the killed build's RUN container is still there"
assert_eq "$(berth ps -a -q | wc -l)" "0" "ps -a leaves it out"
expect_rc 0 berth build -q -t bldk2 - <<<"FROM busybox"
assert_eq "$(berth ps --external -q | wc -l)" "0" "the next build removed it"
expect_rc 0 berth rmi bldk2

# ---- hostile inputs ---------------------------------------------------------------------
H="$TEST_DIR/hostile"
mkdir -p "$H"
ln -s /etc/hostname "$H/outlink"
printf 'FROM busybox\nCOPY outlink /got\n' >"$H/Containerfile"
expect_rc 125 berth build -t bld8 "$H"
assert_contains "$ERR" "no such file or directory" "a context symlink resolves inside the context"
# An image whose /tmp/evil points at the host's /: COPY follows it inside the rootfs only.
marker="berth-build-$RANDOM"
echo "$marker" >"$H/payload"
printf 'FROM busybox\nRUN ln -s / /tmp/evil\nCOPY payload /tmp/evil/%s\n' "$marker" >"$H/Containerfile"
expect_rc 0 berth build -t bld8 "$H"
[[ -e "/$marker" ]] && fail "COPY through an image symlink wrote the host's /$marker" || pass
expect_rc 0 berth run --rm bld8 cat "/$marker"
assert_eq "$OUT" "$marker" "the file landed in the image's root"
# A tar with ../ members and absolute links: ADD keeps it inside the rootfs.
python3 - "$H/evil.tar" "$marker" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    data = sys.argv[2].encode()
    for name in ("../../../../escaped-" + sys.argv[2], "/abs-" + sys.argv[2]):
        i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
PY
printf 'FROM busybox\nADD evil.tar /x/\n' >"$H/Containerfile"
expect_rc 0 berth build -t bld9 "$H"
[[ -e "/escaped-$marker" || -e "$TEST_DIR/escaped-$marker" ]] && fail "ADD wrote outside the rootfs" || pass
expect_rc 0 berth run --rm bld9 sh -c "cat /x/escaped-$marker; echo; cat /x/abs-$marker"
assert_eq "$OUT" $"$marker"$'\n'"$marker" "hostile tar members land under the destination"

# ---- intermediate images: hidden by images, removed with the image, VOLUME + --volumes-from
expect_rc 0 berth images -q --no-trunc
assert_not_contains "$OUT" "$(berth images -a -q --no-trunc --filter dangling=true | head -1)x" "images runs"
n_all=$(berth images -a -q | wc -l)
n_shown=$(berth images -q | wc -l)
(( n_all > n_shown )) && pass || fail "images hides the build's intermediate images ($n_shown of $n_all shown)"
V="$TEST_DIR/vol"
mkdir -p "$V"
printf 'FROM busybox\nRUN mkdir /vol && echo seeded >/vol/s\nVOLUME /vol\n' >"$V/Containerfile"
expect_rc 0 berth build -t bldv "$V"
expect_rc 0 berth run -d --name vsrc bldv sh -c 'echo from-src >>/vol/s; sleep 100'
expect_rc 0 berth run --rm --volumes-from vsrc busybox cat /vol/s
assert_eq "$OUT" $'seeded\nfrom-src' "--volumes-from shares the image VOLUME's anonymous volume"
expect_rc 1 berth run --rm --volumes-from vsrc:ro busybox sh -c 'echo x >>/vol/s'
assert_contains "$ERR" "Read-only" "--volumes-from CTR:ro mounts read-only"
expect_rc 125 berth run --rm --volumes-from vsrc:bogus busybox true
assert_contains "$ERR" "invalid option" "a bad --volumes-from option is refused"
expect_rc 125 berth run --rm --volumes-from nosuchctr busybox true
assert_contains "$ERR" "nosuchctr" "a missing --volumes-from container is named"
expect_rc 0 berth rm -f -t 0 vsrc
before=$(berth images -a -q | wc -l)
expect_rc 0 berth rmi bldv
assert_contains "$OUT" "Untagged: localhost/bldv:latest" "rmi untags"
after=$(berth images -a -q | wc -l)
(( before - after == 2 )) && pass || fail "rmi removes the image and its unused intermediate parent, not the base ($before -> $after)"
expect_rc 0 berth image exists busybox

# rmi of a mounted image detaches its mount (its layers are about to go).
expect_rc 0 berth image mount bld7
mnt=$OUT
expect_rc 0 berth rmi -f bld7
grep -q " $mnt " /proc/self/mountinfo && fail "the removed image stays mounted at $mnt" || pass

expect_rc 0 berth rmi -f bld1 bld2 bld3 bld4 bld5 bld6 bld8 bld9
finish
