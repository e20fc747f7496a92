#!/usr/bin/env bash
# Hostile layer tarballs are refused with an error naming the entry, and write nothing outside the layer.
source "$(dirname "$0")/lib.sh"

mk() {  # mk NAME: builds $TEST_DIR/NAME.tar from python's tarfile with the given members
  python3 - "$TEST_DIR/$1.tar" "$1" <<'PY'
import io, sys, tarfile
out, kind = sys.argv[1], sys.argv[2]
t = tarfile.open(out, "w", format=tarfile.PAX_FORMAT)
def f(name, data=b"pwned\n"):
    i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
def sym(name, target):
    i = tarfile.TarInfo(name); i.type = tarfile.SYMTYPE; i.linkname = target; t.addfile(i)
def hard(name, target):
    i = tarfile.TarInfo(name); i.type = tarfile.LNKTYPE; i.linkname = target; t.addfile(i)
if kind == "dotdot":
    f("../../../../../../tmp/BERTH_ESCAPE_dotdot")
elif kind == "symlink_root":
    sym("evil", "/"); f("evil/tmp/BERTH_ESCAPE_symlink")
elif kind == "hardlink_shadow":
    hard("shadow", "/etc/shadow")
elif kind == "symlink_chain":
    sym("a", "b"); sym("b", "../../../../../.."); f("a/tmp/BERTH_ESCAPE_chain")
t.close()
PY
}
rm -f /tmp/BERTH_ESCAPE_*
for kind in dotdot symlink_root hardlink_shadow symlink_chain; do
  mk "$kind"
  expect_rc 125 berth import "$TEST_DIR/$kind.tar" "hostile:$kind"
  case $kind in
    dotdot) assert_contains "$ERR" "BERTH_ESCAPE_dotdot" "dotdot entry named" ;;
    symlink_root) assert_contains "$ERR" "evil/tmp/BERTH_ESCAPE_symlink" "symlink entry named" ;;
    hardlink_shadow) assert_contains "$ERR" "shadow" "hardlink entry named" ;;
    symlink_chain) assert_contains "$ERR" "a/tmp/BERTH_ESCAPE_chain" "chain entry named" ;;
  esac
  expect_rc 1 berth image exists "hostile:$kind"
done
ls /tmp/BERTH_ESCAPE_* >/dev/null 2>&1 && fail "a hostile entry escaped: $(ls /tmp/BERTH_ESCAPE_*)" || pass
# Nothing half-unpacked is left behind in the layer store.
left=$(find "$ROOT" -path '*/tmp-*' -maxdepth 2 2>/dev/null | wc -l)
assert_eq "$left" "0" "no partial layers left"
# Absolute member names land inside the layer, as tar does.
python3 - "$TEST_DIR/abs.tar" <<'PY'
import io, sys, tarfile
t = tarfile.open(sys.argv[1], "w")
i = tarfile.TarInfo("/etc/berth-abs"); i.size = 3; t.addfile(i, io.BytesIO(b"ok\n")); t.close()
PY
berth import "$TEST_DIR/abs.tar" abs:1 >/dev/null
found=$(find "$ROOT" -name berth-abs -path '*/etc/*' | wc -l)
assert_eq "$found" "1" "absolute name unpacked inside the layer"
[[ ! -e /etc/berth-abs ]] && pass || fail "absolute name escaped"
finish
