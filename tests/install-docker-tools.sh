#!/usr/bin/env bash
# Installs what tests/test_docker.py needs beyond Python: Debian's docker-compose (validates
# docker-compose.yml; no Docker engine needed) and nginx (checks and runs deploy/nginx.conf).
# Quick when both are there. Never fails the build: what cannot be installed is reported as a
# WARNING, and those tests then skip (or fail under CI=true).
set -u
. "$(dirname "$0")/apt-install.sh"

packages=()
command -v docker-compose >/dev/null 2>&1 || packages+=(docker-compose)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || packages+=(nginx)
[ ${#packages[@]} -eq 0 ] && exit 0
apt_install install-docker-tools.sh /tmp/docker-tools-apt.log "${packages[@]}"
exit 0
