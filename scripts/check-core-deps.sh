#!/usr/bin/env bash
# The core must not depend on the renderer, the async runtime, the network, the history or the
# bus (ARCHITECTURE.md, "Dependency rules"). Fails naming the crate that got in.
set -euo pipefail
cd "$(dirname "$0")/.."
forbidden='^(bevy|bevy_[a-z_]+|tokio|reqwest|rusqlite|async-nats|axum|tokio-tungstenite|feed-rs|hyper|wgpu|winit) '
tree=$(cargo tree -p vigie-core --edges normal,build --prefix none --offline 2>/dev/null || cargo tree -p vigie-core --edges normal,build --prefix none)
found=$(printf '%s\n' "$tree" | grep -E "$forbidden" | sort -u || true)
if [ -n "$found" ]; then
    echo "vigie-core depends on crates it must not:" >&2
    printf '  %s\n' "$found" >&2
    exit 1
fi
echo "vigie-core: $(printf '%s\n' "$tree" | sort -u | wc -l) crates, none of bevy, tokio, reqwest, rusqlite, async-nats, axum, tokio-tungstenite, feed-rs"
