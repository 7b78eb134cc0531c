#!/usr/bin/env bash
# The free Fandol fonts (FandolFang 仿宋, FandolHei 黑体, FandolKai 楷体, FandolSong-Bold 小标宋;
# GPL v3 with the font exception) from Debian's texlive-lang-chinese, without installing TeX:
# the .deb is downloaded with `apt-get download`, unpacked with `dpkg-deb -x` in a temporary
# folder, and only the four .otf files and the licence are kept. Skipped when they are present.
#   reports/rendering/fetch-fandol-fonts.sh [TARGET]   (default var/fonts/fandol)
set -euo pipefail
target=${1:-var/fonts/fandol}
files=(FandolFang-Regular.otf FandolHei-Regular.otf FandolKai-Regular.otf FandolSong-Bold.otf)
missing=0
for f in "${files[@]}"; do [ -s "$target/$f" ] || missing=1; done
if [ "$missing" = 0 ]; then exit 0; fi

echo "Fetching the Fandol fonts (Debian package texlive-lang-chinese, about 50 MB) into $target"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
download() { (cd "$work" && apt-get download -qq texlive-lang-chinese 2>/dev/null); }
if ! download; then
  # No package lists yet (a fresh machine): as root they can be fetched.
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && download
  else
    echo "apt-get download texlive-lang-chinese failed; run 'sudo apt-get update' first" >&2
    exit 1
  fi
fi
dpkg-deb -x "$work"/texlive-lang-chinese_*.deb "$work/x"
source_dir="$work/x/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol"
mkdir -p "$target"
for f in "${files[@]}"; do
  # -p keeps the package's timestamps, which key the reduced-font cache.
  cp -p "$source_dir/$f" "$target/$f.tmp" && mv "$target/$f.tmp" "$target/$f"
done
doc="$work/x/usr/share/doc/texlive-doc/fonts/fandol"
cp -p "$doc/README" "$target/README"
if [ -f "$doc/COPYING.gz" ]; then gzip -dc "$doc/COPYING.gz" > "$target/COPYING"; fi
echo "Fandol fonts ready: $(cd "$target" && ls "${files[@]}" | tr '\n' ' ')"
