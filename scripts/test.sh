#!/usr/bin/env bash
# Sets up what is missing and runs every check CI runs: format, lints, and the whole test suite
# (unit tests, analysis on the scripted demo, ECS tests, and the real binary under Xvfb with the
# software Vulkan driver).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup-debian.sh
cargo fmt --check
bash scripts/check-core-deps.sh
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace --all-targets
