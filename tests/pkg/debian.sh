#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The Debian packages (debian/), as a user gets them: built with
# dpkg-buildpackage from a clean export of the tree (git archive of HEAD
# plus uncommitted changes to tracked files: never the developer's build/),
# split one package per plugin; with only vista and vista-plugin-skb
# installed, vista lists just skb and text, traces a real iptables drop
# with the installed drops profile, and a missing plugin is named with its
# package. Root: it installs packages and makes network namespaces. What it
# installed is purged at exit, also on failure. Not part of make check
# (it installs packages system-wide); .ci/run runs it.
. "$(dirname "$0")/../e2e/lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "FAIL: $(basename "$0") needs root (dpkg, network namespaces, BPF)"
	exit 1
fi
PATH=$PATH:/usr/sbin:/sbin
for c in git dpkg-buildpackage dh apt-get ip iptables ping bpftool jq; do
	command -v $c >/dev/null ||
		{ echo "FAIL: $c missing (scripts/deps.sh installs it)"; exit 1; }
done
git -C "$SRCDIR" rev-parse --git-dir >/dev/null 2>&1 ||
	{ echo "FAIL: $SRCDIR is not a git checkout (the export uses git)"; exit 1; }

# One run at a time: a second one would purge the first one's packages.
exec 8>/tmp/vista-pkg.lock
flock -n 8 || { log "waiting for another $(basename "$0")"; flock 8; }

# Leave the machine as it was: ours is what apt installed, nothing else.
# dpkg --purge removes exactly the packages named (apt-get purge could
# take others along); it does not wait for the dpkg lock, so it retries.
INSTALLED=
purge() {
	local p here=''
	[ -n "$INSTALLED" ] || return 0
	for p in $INSTALLED; do
		case $(dpkg-query -W -f '${db:Status-Abbrev}' "$p" 2>/dev/null) in
		"" | un*) ;;
		*) here="$here $p" ;;
		esac
	done
	INSTALLED=
	[ -n "$here" ] || return 0
	log "purging$here"
	for _ in $(seq 1 60); do
		dpkg --purge $here >"$T/purge.log" 2>&1 && return 0
		grep -qi lock "$T/purge.log" || break
		sleep 5
	done
	cat "$T/purge.log"
	return 1
}
trap 'purge; cleanup' EXIT
trap 'exit 1' INT TERM

present=$(dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' 'vista*' \
	2>/dev/null | awk '$1 != "un" { print $2 }' | tr '\n' ' ')
if [ -n "$present" ]; then
	echo "FAIL: vista packages are on this machine already ($present):" \
		"remove them first, this test installs and purges its own"
	exit 1
fi

# ---- build ------------------------------------------------------------
start=$(date +%s)
VER=$(dpkg-parsechangelog -l "$SRCDIR/debian/changelog" -S Version)
ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)
LIBDIR=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/vista
SRC=$T/src/vista-$VER
mkdir -p "$T/src"
rev=$(git -C "$SRCDIR" stash create)
what=$(git -C "$SRCDIR" rev-parse --short HEAD)
[ -z "$rev" ] || what="$what with the uncommitted changes (stash $rev)"
log "exporting $what"
git -C "$SRCDIR" archive --prefix="vista-$VER/" "${rev:-HEAD}" |
	tar -x -C "$T/src" || { echo "FAIL: git archive"; exit 1; }
log "dpkg-buildpackage -b -us -uc in $SRC"
if ! (cd "$SRC" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
	dpkg-buildpackage -b -us -uc) >"$T/build.log" 2>&1; then
	tail -40 "$T/build.log"
	echo "FAIL: dpkg-buildpackage (log above)"
	exit 1
fi
pass "dpkg-buildpackage in $(($(date +%s) - start))s"

# ---- the split ----------------------------------------------------------
# One package per plugins/NAME and sinks/NAME (text is in vista), by the
# rule the core uses to name a missing plugin's package.
expect="vista vista-dev"
for d in "$SRC"/plugins/*/; do
	expect="$expect vista-plugin-$(basename "$d")"
done
for d in "$SRC"/sinks/*/; do
	[ "$(basename "$d")" = text ] ||
		expect="$expect vista-sink-$(basename "$d")"
done
expect=$(echo $expect | tr ' ' '\n' | sort | tr '\n' ' ')
built=$(cd "$T/src" && ls *_"${VER}_$ARCH".deb | sed 's/_.*//' |
	grep -v -- '-dbgsym$' | sort | tr '\n' ' ')
[ "$built" = "$expect" ] && pass "packages: $built" ||
	fail "packages built: $built; expected: $expect"

deb() { echo "$T/src/${1}_${VER}_$ARCH.deb"; }
# files PKG: the regular files of a package, without its docs.
files() {
	dpkg-deb -c "$(deb "$1")" | awk '$1 !~ /^d/ { print $6 }' |
		sed 's|^\./|/|' | grep -v "^/usr/share/doc/$1/" | sort
}
for p in $built; do
	case $p in
	vista-plugin-*) so=$LIBDIR/tracer_${p#vista-plugin-}.so ;;
	vista-sink-*) so=$LIBDIR/sink_${p#vista-sink-}.so ;;
	*) continue ;;
	esac
	[ "$(files "$p")" = "$so" ] && pass "$p: $so alone" ||
		fail "$p holds: $(files "$p" | tr '\n' ' ') (want $so)"
done
files vista >"$T/vista.files"
for f in /usr/bin/vista "$LIBDIR/sink_text.so" \
	/usr/share/vista/profiles/drops.ini /usr/share/man/man8/vista.8.gz \
	/usr/share/bash-completion/completions/vista; do
	grep -qx "$f" "$T/vista.files" && pass "vista: $f" ||
		fail "vista lacks $f"
done
grep -q "^$LIBDIR/tracer_" "$T/vista.files" &&
	fail "vista holds a tracer: $(grep "^$LIBDIR/tracer_" "$T/vista.files")"
dpkg-deb -c "$(deb vista)" >"$T/vista.contents"
grep -q "/usr/share/doc/vista/design.md" "$T/vista.contents" &&
	pass "vista: the docs" || fail "vista lacks doc/design.md"
files vista-dev >"$T/dev.files"
for f in /usr/include/vista/plugin.h /usr/include/vista/bpf/vista.bpf.h \
	/usr/include/vista/bpf/x86/vmlinux.h \
	"${LIBDIR%/vista}/pkgconfig/vista-plugin.pc" \
	/usr/share/man/man7/vista-plugin.7.gz; do
	grep -qx "$f" "$T/dev.files" && pass "vista-dev: $f" ||
		fail "vista-dev lacks $f"
done
for p in $built; do files "$p"; done | grep '\.la$' &&
	fail "libtool archives packaged"
dpkg-deb -f "$(deb vista)" Recommends | grep -qw vista-plugin-skb &&
	pass "vista recommends vista-plugin-skb" ||
	fail "vista does not recommend vista-plugin-skb"
dpkg-deb -f "$(deb vista-plugin-skb)" Depends |
	grep -qF "vista (= $VER)" && pass "vista-plugin-skb depends on vista (= $VER)" ||
	fail "vista-plugin-skb: Depends $(dpkg-deb -f "$(deb vista-plugin-skb)" Depends)"

# ---- install vista and vista-plugin-skb only ---------------------------
# apt installs the two files and any missing dependency (apt-get -f); what
# it would install is read first, so that exactly that is purged later,
# and nothing already here is upgraded.
apt-get install -s --no-install-recommends "$(deb vista)" \
	"$(deb vista-plugin-skb)" >"$T/sim" 2>&1 ||
	{ cat "$T/sim"; echo "FAIL: cannot install the packages"; exit 1; }
if grep -E '^(Remv [^ ]*|Inst [^ ]* \[)' "$T/sim"; then
	echo "FAIL: installing would remove or upgrade the packages above"
	exit 1
fi
INSTALLED=$(sed -n 's/^Inst \([^ ]*\) .*/\1/p' "$T/sim" | tr '\n' ' ')
log "installing: $INSTALLED"
apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 \
	"$(deb vista)" "$(deb vista-plugin-skb)" >"$T/install.log" 2>&1 ||
	{ cat "$T/install.log"; echo "FAIL: apt-get install"; exit 1; }
for p in vista vista-plugin-skb; do
	[ "$(dpkg-query -W -f '${db:Status-Abbrev}' $p)" = "ii " ] ||
		fail "$p is not installed"
done
dpkg-query -W -f '${db:Status-Abbrev}' vista-plugin-tcp 2>/dev/null |
	grep -q '^i' && fail "vista-plugin-tcp got installed"

VISTA=/usr/bin/vista
cd "$T" || exit 1
v=$("$VISTA" --version | awk '{ print $2 }')
[ "$v" = "$VER" ] && pass "vista --version: $v" ||
	fail "vista --version says $v, the package is $VER"

# --list-plugins: exactly skb and text, from the package's directory.
"$VISTA" --list-plugins >"$T/list" 2>"$T/list.err" ||
	fail "--list-plugins exit $?: $(cat "$T/list.err")"
got=$(awk 'NR > 1 { print $1, $2, $4 }' "$T/list" | sort | tr '\n' ';')
want="sink text $LIBDIR/sink_text.so;tracer skb $LIBDIR/tracer_skb.so;"
[ "$got" = "$want" ] && pass "--list-plugins: skb and text only" ||
	fail "--list-plugins: $(cat "$T/list")"
grep -Eq '^tracer +tcp ' "$T/list" && fail "--list-plugins shows tcp"

# ---- a real drop, traced with the installed profile --------------------
# Not while another end-to-end test runs (each counts vista's programs).
t=$(date +%s)
e2e_lock
[ "$(date +%s)" = "$t" ] || log "waited $(($(date +%s) - t))s for the e2e lock"
setup_pair
# By name: the installed /usr/share/vista/profiles/drops.ini.
[ -f /usr/share/vista/profiles/drops.ini ] ||
	fail "/usr/share/vista/profiles/drops.ini is not installed"
ping_drop "$T/drops.txt" --profile drops || exit 1

# ---- missing plugins name their package ---------------------------------
# missing CODE LINE ARGS...: exit CODE, stdout empty, stderr exactly LINE.
missing() {
	local code=$1 line=$2 rc
	shift 2
	"$VISTA" "$@" >"$T/m.out" 2>"$T/m.err"
	rc=$?
	if [ "$rc" = "$code" ] && [ ! -s "$T/m.out" ] &&
		[ "$(cat "$T/m.err")" = "$line" ]; then
		pass "vista $* -> $rc: $line"
	else
		fail "vista $*: exit $rc (want $code), stderr: $(cat "$T/m.err")" \
			"(want: $line), stdout: $(head -c 200 "$T/m.out")"
	fi
}
missing 1 "vista: no plugin for [tracer.tcp] (tracer_tcp.so in $LIBDIR): install vista-plugin-tcp" \
	--filter-trace-tcp
missing 1 "vista: no plugin for [sink.pcapng] (sink_pcapng.so in $LIBDIR): install vista-sink-pcapng" \
	--profile drops --pcap-file "$T/x.pcapng"
missing 1 "vista: no plugin for [sink.json] (sink_json.so in $LIBDIR): install vista-sink-json" \
	--filter-skb-drop-stack --output-json
# A profile's section: at its line.
printf '[tracer.skb]\n\n[sink.json]\nfile = -\n' >"$T/json.ini"
missing 1 "$T/json.ini:3: no plugin for [sink.json] (sink_json.so in $LIBDIR): install vista-sink-json" \
	--profile "$T/json.ini"

# ---- purge: nothing of vista is left ------------------------------------
purge || fail "apt-get purge"
present=$(dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' 'vista*' \
	2>/dev/null | awk '$1 != "un" { print $2 }' | tr '\n' ' ')
[ -z "$present" ] && [ ! -e /usr/bin/vista ] && [ ! -e "$LIBDIR" ] &&
	[ ! -e /usr/share/vista ] && pass "purged: nothing of vista is left" ||
	fail "after the purge: packages '$present', $(ls -d /usr/bin/vista \
		"$LIBDIR" /usr/share/vista 2>/dev/null | tr '\n' ' ')"
log "$(basename "$0") took $(($(date +%s) - start))s"
finish
