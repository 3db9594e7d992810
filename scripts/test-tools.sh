#!/usr/bin/env bash
# What the test suite needs outside Python, installed when missing: the PostgreSQL server
# programs (the tests start a throwaway server of their own; nothing is started here), and
# LibreOffice Calc (the tests open kkod's CSV reports with it, as an officer would).
# As root on Debian/Ubuntu it installs them with apt-get; otherwise it says what to install.
set -euo pipefail

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 \
    || need+=(postgresql)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc)

((${#need[@]})) || exit 0

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
