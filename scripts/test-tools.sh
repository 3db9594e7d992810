#!/usr/bin/env bash
# What the test suite needs outside Python, installed when missing: the PostgreSQL server
# programs (the tests start a throwaway server of their own; nothing is started here), swaks
# (a mail client no one here wrote), LibreOffice Calc (the tests open kkod's CSV reports with
# it, as an officer would) and Node with npm, which bring the second mail parser (npm's
# mailparser, installed into .venv/node) the mail tests check kkod's messages with, and
# Debian's Chromium, which Playwright drives in the browser tests (never a downloaded browser).
# As root on Debian/Ubuntu it installs them with apt-get; otherwise it says what to install.
set -euo pipefail

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 \
    || need+=(postgresql)
command -v swaks >/dev/null 2>&1 || need+=(swaks)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc)
[[ -x /usr/bin/chromium ]] || need+=(chromium)

MAILPARSER_VERSION=3.14.5
node_folder="$(dirname "$0")/../.venv/node"
mailparser() {
    # npm's mailparser, pinned, outside the repository (no lock file with a registry address).
    [[ -f $node_folder/node_modules/mailparser/package.json ]] \
        && grep -q "\"version\": \"$MAILPARSER_VERSION\"" "$node_folder/node_modules/mailparser/package.json" \
        && return 0
    echo "Installing npm's mailparser $MAILPARSER_VERSION into .venv/node"
    mkdir -p "$node_folder"
    npm install --silent --no-audit --no-fund --no-save --no-package-lock \
        --prefix "$node_folder" "mailparser@$MAILPARSER_VERSION" >/dev/null
}

if ! ((${#need[@]})); then
    mailparser
    exit 0
fi

if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "The tests need these packages, which are missing: ${need[*]}." >&2
    echo "Install them (Debian/Ubuntu: sudo apt-get install ${need[*]}) and run 'make test' again." >&2
    exit 1
fi

if [[ " ${need[*]} " == *" postgresql "* && ! -e /etc/postgresql-common/createcluster.conf ]]; then
    # Only the programs: no cluster is created or started by the package.
    mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.conf
fi
echo "Installing what the tests need: ${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
mailparser
