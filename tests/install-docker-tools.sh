#!/usr/bin/env bash
# Installs what tests/test_docker.py needs beyond Python: Debian's docker-compose (validates
# docker-compose.yml; no Docker engine needed) and nginx (checks and runs deploy/nginx.conf).
# Quick when both are there. Never fails the build: what cannot be installed is reported as a
# WARNING, and those tests then skip (or fail under CI=true).
set -u
warn() { echo "install-docker-tools.sh: WARNING: $*" >&2; }

packages=()
command -v docker-compose >/dev/null 2>&1 || packages+=(docker-compose)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || packages+=(nginx)
[ ${#packages[@]} -eq 0 ] && exit 0

apt_get=()
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt_get=(apt-get)
  elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    apt_get=(sudo -n apt-get)
  fi
fi
if [ ${#apt_get[@]} -eq 0 ]; then
  warn "apt-get is not usable here (not found, or not root): cannot install ${packages[*]}"
  exit 0
fi
echo "install-docker-tools.sh: installing Debian packages: ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
log=/tmp/docker-tools-apt.log
if ! "${apt_get[@]}" install -y --no-install-recommends "${packages[@]}" >"$log" 2>&1; then
  "${apt_get[@]}" update >>"$log" 2>&1 || true  # a fresh machine may have no package lists yet
  "${apt_get[@]}" install -y --no-install-recommends "${packages[@]}" >>"$log" 2>&1 \
    || warn "apt-get install ${packages[*]} failed (see $log)"
fi
exit 0
