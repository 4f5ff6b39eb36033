#!/usr/bin/env bash
# Installs what the end-to-end tests (test/e2e/, `npm run test:e2e`) need beyond `npm ci`:
#
#   - Debian packages: neovim (the Neovim suite), chromium and fonts-liberation (code-server's UI, driven through
#     playwright-core; the fonts are only a recommendation of chromium's, and without them screenshots show boxes),
#     ripgrep (code-server's search binary), libkrb5-dev, python3, make and g++ (to build its native modules);
#   - code-server (VS Code in a browser), version from test/e2e/versions.json, in a cache directory outside the
#     repository: ${LOCKSTEP_E2E_CACHE:-~/.cache/lockstep-e2e}/code-server-<version>. It is reused between runs
#     and rebuilt only when missing, half-installed, or built for another node ABI.
#
# Idempotent and non-interactive; CI runs it before `npm run test:e2e` (.ci/run). docs/e2e.md explains why each
# step is done by hand: only the npm registry and Debian's archive are reachable, so no install step may download
# a prebuilt binary (code-server's own postinstall, @vscode/ripgrep's and prebuild-install all try to).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache_root="${LOCKSTEP_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lockstep-e2e}"
code_server_version="$(node -p 'require(process.argv[1]).codeServer' "$repo_root/test/e2e/versions.json")"
install_dir="$cache_root/code-server-$code_server_version"
marker="$install_dir/.lockstep-e2e-ready"

say() { echo "install-e2e: $*"; }
fail() {
  echo "install-e2e: $*" >&2
  exit 1
}

# ---- Debian packages ----------------------------------------------------------------------------------------
apt_packages=(neovim chromium fonts-liberation ripgrep libkrb5-dev python3 make g++)
missing=()
for package in "${apt_packages[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)"
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
if (( ${#missing[@]} > 0 )); then
  if (( EUID != 0 )); then
    fail "missing Debian packages: ${missing[*]}. Install them as root: apt-get update && apt-get install -y ${missing[*]}"
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  say "Debian packages present: ${apt_packages[*]}"
fi

# ---- code-server --------------------------------------------------------------------------------------------
node_major="$(node -p 'process.versions.node.split(".")[0]')"
node_abi="$(node -p 'process.versions.modules')"
# Each code-server release pins one node major (engines.node); 4.100.x wants 20. Its native modules are built
# against the running node, so a different major would fail at load time, not here.
if [[ "$node_major" != "20" ]]; then
  fail "code-server $code_server_version needs node 20, this is node $(node --version). Use node 20 or change test/e2e/versions.json to a release for this node."
fi
ready_stamp="code-server $code_server_version node-abi $node_abi"

if [[ -f "$marker" && "$(cat "$marker")" == "$ready_stamp" ]]; then
  say "code-server $code_server_version already installed in $install_dir"
  exit 0
fi

say "installing code-server $code_server_version into $install_dir"
rm -rf "$install_dir"
mkdir -p "$install_dir"
cd "$install_dir"
echo '{ "private": true, "description": "code-server for Lockstep end-to-end tests (scripts/install-e2e.sh)" }' >package.json

# --ignore-scripts: code-server's postinstall runs `npm install` in lib/vscode, whose dependencies' own install
# scripts download prebuilt binaries (ripgrep, prebuild-install). We do its steps below, without downloads.
npm install --ignore-scripts --no-audit --no-fund --loglevel=error "code-server@$code_server_version"
package_dir="$install_dir/node_modules/code-server"
vscode_dir="$package_dir/lib/vscode"
(cd "$vscode_dir" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)

# node-gyp as npm ships it; node headers from the node installation when they match the running node (Debian's
# nodejs and the official tarballs both have them), since node-gyp would otherwise download them.
node_gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
[[ -f "$node_gyp" ]] || fail "node-gyp not found at $node_gyp (it ships with npm); cannot build code-server's native modules"
node_prefix="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
gyp_args=(rebuild --jobs="$(nproc)")
if [[ -f "$node_prefix/include/node/node_version.h" ]]; then
  gyp_args+=("--nodedir=$node_prefix")
else
  fail "node headers not found under $node_prefix/include/node; node-gyp would have to download them, which is not possible here"
fi

# The native modules the server side of code-server loads (checked by starting it and reading its logs):
#   @vscode/spdlog   the log files of every server process        native-watchdog  the extension host's watchdog
#   node-pty         the terminal (pty host)                        kerberos         proxy authentication (@vscode/proxy-agent)
# Not built: @vscode/deviceid (telemetry id, optional), @vscode/windows-* (Windows only), @parcel/watcher (its
# npm package ships the prebuilt linux-x64 binary as an optional dependency).
native_modules=(@vscode/spdlog native-watchdog node-pty kerberos)
for module in "${native_modules[@]}"; do
  say "building $module"
  (cd "$vscode_dir/node_modules/$module" && node "$node_gyp" "${gyp_args[@]}" >"$install_dir/build-${module//\//_}.log" 2>&1) ||
    fail "building $module failed; see $install_dir/build-${module//\//_}.log"
done
# argon2 (code-server's password hashing, loaded at start even with --auth none) builds through node-pre-gyp,
# which looks for the binary where its package.json says; --build-from-source skips its download attempt.
say "building argon2"
(cd "$install_dir" && npm rebuild --build-from-source --loglevel=error argon2 >"$install_dir/build-argon2.log" 2>&1) ||
  fail "building argon2 failed; see $install_dir/build-argon2.log"

# @vscode/ripgrep's postinstall downloads rg; Debian's is the same tool.
mkdir -p "$vscode_dir/node_modules/@vscode/ripgrep/bin"
ln -sf "$(command -v rg)" "$vscode_dir/node_modules/@vscode/ripgrep/bin/rg"
# From code-server's postinstall.sh: extensions look for bundled modules under node_modules.asar.
ln -sfn node_modules "$vscode_dir/node_modules.asar"

# Prove each native module loads before calling the installation ready.
(cd "$vscode_dir" && node -e '
  for (const name of process.argv.slice(1)) {
    try { require(name); } catch (error) { console.error(`install-e2e: ${name} does not load: ${error.message}`); process.exit(1); }
  }' "${native_modules[@]}")
(cd "$install_dir" && node -e 'require("argon2")') || fail "argon2 does not load after building it"
"$vscode_dir/node_modules/@vscode/ripgrep/bin/rg" --version >/dev/null || fail "ripgrep does not run from $vscode_dir/node_modules/@vscode/ripgrep/bin/rg"

echo "$ready_stamp" >"$marker"
say "code-server $code_server_version ready in $install_dir ($(du -sh "$install_dir" | cut -f1))"
