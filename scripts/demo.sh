#!/usr/bin/env bash
# Sets up what is missing and runs the wall on the built-in demo. Extra arguments go to vigie
# (for example --speed 10, --scenario quiet-day, --fullscreen).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup-debian.sh
cargo build --release
if [ -n "${DISPLAY:-}" ]; then
    exec target/release/vigie "$@"
fi
# No screen here (a server, a container): run the wall on a virtual one and save what it shows.
echo "demo: no DISPLAY, running on a virtual screen for 30 s and saving demo.png"
exec xvfb-run -a -s "-screen 0 1920x1080x24" target/release/vigie --exit-after 30 --snapshot demo.png "$@"
