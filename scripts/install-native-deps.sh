#!/usr/bin/env bash
# Installs the runtime C libraries that the examples load through koffi:
#
#   libpng 1.6        examples/png.ts           Debian/Ubuntu package libpng16-16   (libpng16-16t64 on
#                                               Debian 13 / Ubuntu 24.04)
#   libswresample     examples/planar-audio.ts  Debian/Ubuntu package libswresample4 (FFmpeg 5.x/6.x;
#                                               libswresample5 is FFmpeg 7, libswresample3 FFmpeg 4.x on Ubuntu 22.04)
#   TurboJPEG         examples/yuv-planes.ts    Debian package libturbojpeg0 (libturbojpeg on Ubuntu)
#   GLib 2            examples/strings.ts       Debian/Ubuntu package libglib2.0-0 (libglib2.0-0t64 on
#                                               Debian 13 / Ubuntu 24.04)
#   valgrind          scripts/valgrind.sh       the memcheck step of the test command
#
# Runtime libraries only: no -dev package, no compiler. Debian and Ubuntu only (apt), as root or through a
# password-less `sudo` (GitHub's runners); anywhere else it prints what to install and exits 0.
# `apt-get update` runs only when a package is not known to apt yet.
set -euo pipefail

# For each library, the package names to try, preferred first (the t64 renames of the 64-bit time_t
# transition, and the neighbouring FFmpeg majors whose libswresample has the same ABI the example uses).
png_candidates=(libpng16-16 libpng16-16t64)
swr_candidates=(libswresample4 libswresample5 libswresample3)
tj_candidates=(libturbojpeg0 libturbojpeg)
glib_candidates=(libglib2.0-0 libglib2.0-0t64)
valgrind_candidates=(valgrind)

skip() {
  echo "install-native-deps: $*" >&2
  echo "install-native-deps: skipped; install the runtime libraries of libpng 1.6, libswresample (FFmpeg), TurboJPEG and GLib 2 yourself" >&2
  exit 0
}

[ "$(uname -s)" = Linux ] || skip "not Linux ($(uname -s))"
[ -r /etc/os-release ] || skip "no /etc/os-release"
# shellcheck disable=SC1091
os_id=$(. /etc/os-release && echo "${ID:-} ${ID_LIKE:-}")
case " $os_id " in
  *" debian "* | *" ubuntu "*) ;;
  *) skip "not Debian or Ubuntu (${os_id% })" ;;
esac
if ! command -v apt-get > /dev/null || ! command -v dpkg-query > /dev/null; then skip "apt-get or dpkg-query not found"; fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo > /dev/null && sudo -n true 2> /dev/null; then
  as_root=(sudo -n)
else
  skip "not root, and no password-less sudo"
fi

installed() { dpkg-query -W -f='${Status}' "$1" 2> /dev/null | grep -q '^install ok installed$'; }
# A package apt can install: it has a candidate version.
available() {
  local c
  c=$(apt-cache policy "$1" 2> /dev/null | sed -n 's/^ *Candidate: *//p')
  [ -n "$c" ] && [ "$c" != "(none)" ]
}

# The first candidate that is installed, else the first apt can install; empty if none.
pick() {
  local p
  for p in "$@"; do installed "$p" && { echo "$p"; return; }; done
  for p in "$@"; do available "$p" && { echo "$p"; return; }; done
  return 0
}

resolve() {
  png=$(pick "${png_candidates[@]}")
  swr=$(pick "${swr_candidates[@]}")
  tj=$(pick "${tj_candidates[@]}")
  glib=$(pick "${glib_candidates[@]}")
  vg=$(pick "${valgrind_candidates[@]}")
}

resolve
if [ -z "$png" ] || [ -z "$swr" ] || [ -z "$tj" ] || [ -z "$glib" ] || [ -z "$vg" ]; then
  echo "install-native-deps: apt knows no candidate yet: apt-get update" >&2
  "${as_root[@]}" apt-get update
  resolve
fi
[ -n "$png" ] || { echo "install-native-deps: none of ${png_candidates[*]} is available from apt" >&2; exit 1; }
[ -n "$swr" ] || { echo "install-native-deps: none of ${swr_candidates[*]} is available from apt" >&2; exit 1; }
[ -n "$tj" ] || { echo "install-native-deps: none of ${tj_candidates[*]} is available from apt" >&2; exit 1; }
[ -n "$glib" ] || { echo "install-native-deps: none of ${glib_candidates[*]} is available from apt" >&2; exit 1; }
[ -n "$vg" ] || { echo "install-native-deps: valgrind is not available from apt" >&2; exit 1; }

missing=()
for p in "$png" "$swr" "$tj" "$glib" "$vg"; do installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-native-deps: already installed: $png $swr $tj $glib $vg"
  exit 0
fi
echo "install-native-deps: installing ${missing[*]}"
install() { "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; }
if ! install; then
  # Stale package lists (a version apt knows was superseded on the mirror): refresh once and retry.
  echo "install-native-deps: apt-get install failed: apt-get update and retry" >&2
  "${as_root[@]}" apt-get update
  install
fi
