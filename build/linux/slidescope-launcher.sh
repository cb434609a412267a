#!/bin/sh
# `slidescope` on PATH (the deb links /usr/bin/slidescope here): the viewer, or, given a command, the
# command line. That needs no display: Chromium is told so before it starts (it looks for one before
# the app's code runs), so batches run on cluster nodes without X or Wayland. The commands are
# electron/cli/command-names.ts's.
app="$(dirname "$(readlink -f "$0")")/../slidescope"
case "$1" in
  info | region | thumbnail | compare | annotations | report | help | --help | -h)
    exec "$app" --ozone-platform=headless --disable-gpu "$@" ;;
esac
exec "$app" "$@"
