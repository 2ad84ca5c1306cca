#! /bin/sh
# Generates configure and the Makefile templates from a fresh clone.
set -e
cd "$(dirname "$0")"
mkdir -p build-aux
# automake's TAP driver runs the Check unit tests; it ships with automake.
cp -f "$(automake --print-libdir)/tap-driver.sh" build-aux/tap-driver.sh
autoreconf --install --force
