#!/usr/bin/env bash
# container runlabel: --display with NAME/IMAGE/$OPTn/ARG substitution, a label run through
# berth itself (/proc/self/exe), podman's exit status handling (any failure of the command is
# 125 with its status in the error), --replace, --quiet, and labels that do not parse.
source "$(dirname "$0")/lib.sh"
load_default_image

# The nested berth gets this test's root through $OPT1/$OPT2 (podman passes none of its own
# global flags to the label's command).
C="$TEST_DIR/ctx"
mkdir -p "$C"
cat >"$C/Containerfile" <<'EOF'
FROM busybox
LABEL INSTALL="podman --root \$OPT1 --runroot \${OPT2} run --rm --name NAME IMAGE echo hi from NAME \$OPT3"
LABEL three="podman --root \$OPT1 --runroot \$OPT2 run --rm IMAGE sh -c \"'echo out; echo err >&2; exit 3'\""
LABEL web="podman --root \$OPT1 --runroot \$OPT2 run --name NAME IMAGE echo replaced"
LABEL show="/bin/echo -e NAME=NAME IMAGE=IMAGE \${NAME} \$NAME.x \$OPT1 x\${OPT2}y \$OPT3 \$PWD \$HOME"
LABEL env="printenv OPT1 OPT3 PODMAN_RUNLABEL_NESTED"
LABEL bad="echo 'unterminated"
LABEL nothere="no-such-program-rl a b"
LABEL blank="   "
EOF
expect_rc 0 berth build -q -t localhost/rl/labelled:v1 "$C"
expect_rc 0 berth image inspect --format '{{index .Labels "three"}}' rl/labelled:v1
assert_eq "$OUT" "podman --root \$OPT1 --runroot \$OPT2 run --rm IMAGE sh -c \"'echo out; echo err >&2; exit 3'\"" \
  "the label as built"
img=localhost/rl/labelled:v1

# --display: the program shown as this process was invoked, the rest substituted.
expect_rc 0 berth container runlabel --display --opt1=o1 --opt2 o2 show rl/labelled:v1 extra NAME '$OPT3'
assert_eq "$OUT" "command: $BERTH -e NAME=labelled IMAGE=$img labelled labelled.x o1 xo2y $PWD extra labelled" \
  "display: default name, image name, options, args"
expect_rc 0 berth container runlabel --display -n custom --opt3 o3 SHOW rl/labelled:v1
assert_eq "$OUT" "command: $BERTH -e NAME=custom IMAGE=$img custom custom.x xy o3 $PWD" \
  "display: --name, case-insensitive label, unset options vanish"
expect_rc 0 berth container runlabel --display install "$img"
assert_eq "$OUT" "command: $BERTH --root --runroot run --rm --name labelled $img echo hi from labelled" \
  "display: podman's own label"
cd "$TEST_DIR"
OPT1=fromenv expect_rc 0 berth container runlabel --display show "$img"
cd - >/dev/null
assert_contains "$OUT" " fromenv xy $TEST_DIR" "display: \$OPT1 from the environment, \$PWD"

# Errors: a label missing or empty, a bad label, a program that is not there, remote mode.
expect_rc 125 berth container runlabel --display run rl/labelled:v1
assert_eq "$ERR" "Error: cannot find the value of label: run in image: rl/labelled:v1" "missing label"
expect_rc 125 berth container runlabel blank rl/labelled:v1
assert_eq "$ERR" "Error: label \"blank\" of image rl/labelled:v1: the label names no command" "blank label"
expect_rc 125 berth container runlabel bad rl/labelled:v1
assert_eq "$ERR" "Error: label \"bad\" of image rl/labelled:v1: EOF found when expecting closing quote" \
  "unterminated quote"
expect_rc 125 berth container runlabel nothere rl/labelled:v1
assert_eq "$ERR" "Error: \`no-such-program-rl a b\` failed: exec: \"no-such-program-rl\": executable file not found in \$PATH" \
  "program not found"
expect_rc 125 berth container runlabel --pull=false show localhost/rl/absent
assert_eq "$ERR" "Flag --pull has been deprecated, berth will pull if not found in local storage
Error: localhost/rl/absent: image not known" "--pull=false and no image"
expect_rc 125 berth container runlabel show rl/labelled:v1 --authfile "$TEST_DIR/no-auth.json"
assert_eq "$ERR" "Error: stat $TEST_DIR/no-auth.json: no such file or directory" "missing --authfile"
expect_rc 125 "$BERTH" --remote --url "unix://$TEST_DIR/none.sock" container runlabel show rl/labelled:v1
assert_eq "$ERR" "Error: cannot use command \"berth container runlabel\" with the remote berth client" "remote mode"
expect_rc 125 berth runlabel show rl/labelled:v1
assert_contains "$ERR" "unrecognized command" "runlabel exists only under container"

# A real run: the label's "podman" is this berth, in this test's root.
expect_rc 0 berth container runlabel --opt1 "$ROOT" --opt2 "$RUNROOT" --opt3 o3 install "$img"
assert_eq "$OUT" "hi from labelled o3" "the label ran a container"
expect_rc 0 berth ps -aq
assert_eq "$OUT" "" "its --rm container is gone"
expect_rc 0 berth container runlabel -q --opt1 "$ROOT" --opt2 "$RUNROOT" install "$img"
assert_eq "$OUT" "" "--quiet: no output from the command"
OPT1=env1 expect_rc 0 berth container runlabel --opt3 three3 env "$img"
assert_eq "$OUT" "env1
three3
1" "the command's environment: OPT1 (environment), OPT3 (flag), PODMAN_RUNLABEL_NESTED"
OPT1=env1 OPT3=env3 expect_rc 0 berth container runlabel --opt1 flag1 env "$img"
assert_eq "$OUT" "flag1
env3
1" "--opt1 overrides OPT1 of the environment"

# A failing command: podman reports it as its own error (exit 125) with the exit status.
expect_rc 125 berth container runlabel --opt1 "$ROOT" --opt2 "$RUNROOT" three "$img"
assert_eq "$OUT" "out" "the command's stdout passes through"
assert_eq "$ERR" "err
Error: \`/proc/self/exe --root $ROOT --runroot $RUNROOT run --rm $img sh -c echo out; echo err >&2; exit 3\` failed: exit status 3" \
  "exit status 3 of the command"

# --replace: the container named by the command's --name goes first.
expect_rc 0 berth create --name labelled "$img" true
old=$OUT
expect_rc 125 berth container runlabel --opt1 "$ROOT" --opt2 "$RUNROOT" web "$img"
assert_contains "$ERR" "failed: exit status 125" "without --replace the name is taken"
assert_contains "$ERR" "already in use" "the nested berth says why"
expect_rc 0 berth container runlabel --replace --opt1 "$ROOT" --opt2 "$RUNROOT" web "$img"
assert_eq "$OUT" "replaced" "--replace ran the new container"
expect_rc 0 berth ps -a --no-trunc --format '{{.ID}} {{.Names}}'
new_id=${OUT%% *}
assert_eq "${OUT#* }" "labelled" "one container of that name"
[[ -n "$new_id" && "$new_id" != "$old" ]] && pass || fail "--replace: the old container $old is still there ($OUT)"
expect_rc 0 berth container runlabel --replace --display --opt1 "$ROOT" --opt2 "$RUNROOT" web "$img"
expect_rc 0 berth container exists labelled  # --display removes nothing

finish
