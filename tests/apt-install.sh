# Sourced by the test installers (tests/clients/install.sh, tests/install-docker-tools.sh):
#   apt_install NAME LOG PACKAGE...
# installs Debian packages with apt-get (as root, or through passwordless sudo), refreshing the
# package lists once if the first try fails (a fresh machine may have none). Never fails: what
# cannot be installed is reported as a WARNING from NAME, and the tests needing it then skip
# (or fail under CI=true).
apt_install() {
  local name=$1 log=$2
  shift 2
  local apt_get=()
  if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
      apt_get=(apt-get)
    elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
      apt_get=(sudo -n apt-get)
    fi
  fi
  if [ ${#apt_get[@]} -eq 0 ]; then
    echo "$name: WARNING: apt-get is not usable here (not found, or not root): cannot install $*" >&2
    return 0
  fi
  echo "$name: installing Debian packages: $*"
  export DEBIAN_FRONTEND=noninteractive
  if ! "${apt_get[@]}" install -y --no-install-recommends "$@" >"$log" 2>&1; then
    "${apt_get[@]}" update >>"$log" 2>&1 || true
    "${apt_get[@]}" install -y --no-install-recommends "$@" >>"$log" 2>&1 \
      || echo "$name: WARNING: apt-get install $* failed (see $log)" >&2
  fi
  return 0
}
