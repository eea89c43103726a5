#!/usr/bin/env bash
# Installs what the real-VS-Code tests need, using only Debian apt and the npm registry:
# system packages (Chromium, ripgrep, kerberos headers, fonts) and code-server (VS Code 1.100.3)
# into .vscode-test/code-server, outside the project's dependency tree.
# Idempotent: when everything is already in place it returns in well under a second.
# See /work/shared/REAL-VSCODE.md for why each step exists.
set -euo pipefail

CODE_SERVER_VERSION="4.100.3"
# code-server 4.100.3 bundles @vscode/ripgrep 1.15.11, whose postinstall downloads rg from GitHub
# unless this exact archive is already in its cache directory.
RIPGREP_PKG_VERSION="1.15.11"
RIPGREP_ASSET="ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
APT_PACKAGES=(libkrb5-dev ripgrep chromium fonts-dejavu-core)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="$ROOT/.vscode-test/code-server"
CODE_SERVER_BIN="$PREFIX/node_modules/.bin/code-server"
READY_MARKER="$PREFIX/.initlens-ready-$CODE_SERVER_VERSION"
LOG_DIR="$ROOT/.vscode-test/logs"

step="starting"
fail() {
  echo "setupVscodeTest: FAILED while $step${1:+: $1}" >&2
  exit 1
}
trap 'fail "command \`$BASH_COMMAND\` exited with $? (line $LINENO)"' ERR

missingAptPackages() {
  local p
  for p in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      printf '%s ' "$p"
    fi
  done
}

# Quick path: nothing to do.
missing="$(missingAptPackages)"
if [[ -z "$missing" && -f "$READY_MARKER" && -x "$CODE_SERVER_BIN" ]]; then
  echo "setupVscodeTest: code-server $CODE_SERVER_VERSION and system packages already installed"
  exit 0
fi

started=$SECONDS
mkdir -p "$LOG_DIR"

if [[ -n "$missing" ]]; then
  step="installing Debian packages ($missing)"
  [[ $EUID -eq 0 ]] || fail "needs root for apt-get (or install them yourself: apt-get install $missing)"
  echo "setupVscodeTest: apt-get install $missing"
  # Another apt run may hold the dpkg lock; wait for it instead of failing.
  apt-get -o DPkg::Lock::Timeout=900 update -qq >"$LOG_DIR/apt.log" 2>&1 ||
    fail "apt-get update failed, see $LOG_DIR/apt.log"
  # shellcheck disable=SC2086 # word splitting of the package list is intended
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq \
    --no-install-recommends $missing >>"$LOG_DIR/apt.log" 2>&1 ||
    fail "apt-get install failed, see $LOG_DIR/apt.log"
fi

if [[ ! -f "$READY_MARKER" || ! -x "$CODE_SERVER_BIN" ]]; then
  step="preparing the ripgrep cache"
  # A private TMPDIR for the install: the ripgrep cache lives there and nothing stale in /tmp
  # interferes.
  INSTALL_TMP="$ROOT/.vscode-test/tmp"
  RG_CACHE="$INSTALL_TMP/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION"
  mkdir -p "$RG_CACHE"
  if [[ ! -s "$RG_CACHE/$RIPGREP_ASSET" ]]; then
    staging="$(mktemp -d)"
    cp "$(command -v rg)" "$staging/rg"
    tar -czf "$RG_CACHE/$RIPGREP_ASSET" -C "$staging" rg
    rm -rf "$staging"
  fi

  step="installing code-server@$CODE_SERVER_VERSION into $PREFIX (about 2-3 minutes)"
  echo "setupVscodeTest: $step"
  rm -f "$READY_MARKER"
  mkdir -p "$PREFIX"
  # Its own package.json keeps npm from walking up into the project's.
  # allowScripts names the two top-level packages whose install scripts must run (npm 11's
  # policy; today unlisted scripts still run with a notice, listed ones stay allowed should that
  # default change). The native modules under lib/vscode are installed by code-server's own
  # postinstall (a nested npm install); the check after the install catches any that did not build.
  cat >"$PREFIX/package.json" <<'JSON'
{
  "name": "initlens-code-server",
  "private": true,
  "allowScripts": { "code-server": true, "argon2": true }
}
JSON
  # unsafe_perm: code-server's postinstall refuses to run as root without it.
  # yes: node-pty's postinstall runs `npx node-gyp`, which would otherwise prompt.
  # foreground_scripts: postinstall output goes to the log, so a failure is explainable.
  # Install scripts must run (they build the native modules); npm 11.19 runs scripts no policy
  # mentions, with an "install-scripts not yet covered by allowScripts" notice only. Verified
  # below regardless.
  if ! TMPDIR="$INSTALL_TMP" \
    npm_config_unsafe_perm=true npm_config_yes=true npm_config_foreground_scripts=true \
    npm_config_ignore_scripts=false npm_config_fund=false npm_config_audit=false \
    npm_config_update_notifier=false \
    npm install --prefix "$PREFIX" --no-save "code-server@$CODE_SERVER_VERSION" \
    >"$LOG_DIR/code-server-install.log" 2>&1; then
    fail "npm install failed, last lines of $LOG_DIR/code-server-install.log:
$(tail -n 15 "$LOG_DIR/code-server-install.log")"
  fi

  step="checking that code-server's native modules were built"
  VSCODE_DIR="$PREFIX/node_modules/code-server/lib/vscode"
  [[ -d "$VSCODE_DIR/node_modules" ]] ||
    fail "$VSCODE_DIR/node_modules is missing: code-server's postinstall did not run"
  for native in node-pty/build/Release/pty.node kerberos/build/Release/kerberos.node \
    @vscode/spdlog/build/Release/spdlog.node native-watchdog/build/Release/watchdog.node; do
    [[ -f "$VSCODE_DIR/node_modules/$native" ]] || fail "$native was not built"
  done
  [[ -x "$VSCODE_DIR/node_modules/@vscode/ripgrep/bin/rg" ]] || fail "@vscode/ripgrep has no bin/rg"

  step="starting code-server once"
  # code-server writes a default config and logs under XDG dirs: keep them out of $HOME.
  scratch="$(mktemp -d)"
  version="$(XDG_CONFIG_HOME="$scratch" XDG_DATA_HOME="$scratch" "$CODE_SERVER_BIN" --version 2>&1 |
    grep -E "^$CODE_SERVER_VERSION " || true)"
  rm -rf "$scratch"
  [[ -n "$version" ]] || fail "code-server --version did not report $CODE_SERVER_VERSION"
  rm -rf "$INSTALL_TMP"
  touch "$READY_MARKER"
fi

echo "setupVscodeTest: ready (code-server $CODE_SERVER_VERSION, $(chromium --version 2>/dev/null | head -n 1)) in $((SECONDS - started))s"
