#!/usr/bin/env bash
# Debian packages the tests need: Chromium (end-to-end tests of the renderer), OpenSlide and libvips
# (pixel references and benchmark baselines, never runtime dependencies), Flask (OpenSlide's
# deep-zoom viewer in the viewer benchmark), Xvfb (headed runs), GNU time (the hostile corpus's peak
# memory, measured from outside the CLI), cjpeg/djpeg (the scaled JPEG decoder's reference), tifffile
# (OME-TIFF as Python writes and reads it), pydicom and GDCM (DICOM as they read it). Needs root.
set -euo pipefail
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then exec sudo "$0" "$@"; fi
packages=(chromium libopenjp2-7 python3-openslide python3-tifffile python3-pydicom libgdcm-tools libvips-tools libtiff-tools libjpeg-turbo-progs python3-flask xvfb time)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
