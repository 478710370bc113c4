#!/usr/bin/env bash
# Installs what Vigie needs on Debian 12 (as root, or with sudo): the X11/udev/xkbcommon
# libraries Bevy builds against, Xvfb and Mesa's software Vulkan driver (for machines without a
# GPU, and for the tests), nats-server (JetStream, for a hub and its displays, and for the
# tests, which start their own on 127.0.0.1), Chromium and its WebDriver (the control page's
# browser tests), and a Rust toolchain when none is installed.
# Installs only what is missing, so running it again is quick.
set -euo pipefail

packages=(
    build-essential pkg-config
    libx11-dev libxcursor-dev libxrandr-dev libxi-dev libx11-xcb-dev libxkbcommon-dev
    libxkbcommon-x11-0 libudev-dev
    libvulkan1 mesa-vulkan-drivers
    xvfb xauth xdotool x11-xserver-utils
    curl ca-certificates
    nats-server
    chromium chromium-driver
)

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
    if [ -x "$HOME/.cargo/bin/cargo" ]; then
        export PATH="$HOME/.cargo/bin:$PATH"
    else
        echo "setup: installing the Rust toolchain with rustup"
        curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal \
            --component clippy,rustfmt
        export PATH="$HOME/.cargo/bin:$PATH"
    fi
fi
for component in clippy rustfmt; do
    if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1 && command -v rustup >/dev/null 2>&1; then
        rustup component add "$component"
    fi
done
