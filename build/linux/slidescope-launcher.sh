#!/bin/sh
# `slidescope` on PATH (the deb links /usr/bin/slidescope here): the viewer, or, given a command, the
# command line. That needs no display: Chromium is told so before it starts (it looks for one before
# the app's code runs), so batches run on cluster nodes without X or Wayland. As root (a container's
# default user) Chromium refuses to start sandboxed; a command shows no web content, so it runs
# without the sandbox there. The commands are electron/cli/command-names.ts's.
app="$(dirname "$(readlink -f "$0")")/../slidescope"
case "$1" in
  info | region | thumbnail | compare | annotations | report | help | --help | -h | version | --version)
    if [ "$(id -u)" = 0 ]; then exec "$app" --ozone-platform=headless --disable-gpu --no-sandbox "$@"; fi
    exec "$app" --ozone-platform=headless --disable-gpu "$@" ;;
esac
exec "$app" "$@"
