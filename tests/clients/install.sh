#!/usr/bin/env bash
# Installs what the cross-language client tests (tests/test_clients.py) need:
#   Ruby + its xmlrpc library, PHP CLI + its xmlrpc extension, the aXMLRPC Java library
#   (Debian packages), a JDK if there is no java, and the npm `xmlrpc` client
#   (into tests/clients/node_modules, from package-lock.json).
# Idempotent and quick when everything is there. Never fails the build: what cannot be
# installed is reported as a WARNING, and the tests then skip (or fail under CI=true).
set -u
cd "$(dirname "$0")"
. ../apt-install.sh

warn() { echo "install.sh: WARNING: $*" >&2; }
say() { echo "install.sh: $*"; }

have_ruby() { command -v ruby >/dev/null 2>&1 && ruby -e 'require "xmlrpc/client"' >/dev/null 2>&1; }
have_php() { command -v php >/dev/null 2>&1 && php -r 'exit(function_exists("xmlrpc_encode_request") ? 0 : 1);' >/dev/null 2>&1; }
have_axmlrpc() { [ -f /usr/share/java/axmlrpc.jar ]; }
have_jdk() { command -v java >/dev/null 2>&1 && command -v javac >/dev/null 2>&1; }
have_node_xmlrpc() { [ -f node_modules/xmlrpc/package.json ] && node -e 'require("./node_modules/xmlrpc")' >/dev/null 2>&1; }

# --- Debian packages -------------------------------------------------------------------
packages=()
have_ruby || packages+=(ruby ruby-xmlrpc)
have_php || packages+=(php-cli php-xmlrpc)
have_axmlrpc || packages+=(libaxmlrpc-java)
have_jdk || packages+=(openjdk-17-jdk-headless)
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)

if [ ${#packages[@]} -gt 0 ]; then
  apt_install install.sh /tmp/clients-apt.log "${packages[@]}"
fi

# --- npm ------------------------------------------------------------------------------
if ! have_node_xmlrpc; then
  if command -v npm >/dev/null 2>&1; then
    say "installing npm packages into $(pwd)/node_modules"
    npm ci --no-audit --no-fund --loglevel=error >/tmp/clients-npm.log 2>&1 \
      || npm install --no-audit --no-fund --loglevel=error >>/tmp/clients-npm.log 2>&1 \
      || warn "npm install failed (see /tmp/clients-npm.log)"
  else
    warn "npm not found: cannot install the npm xmlrpc client"
  fi
fi

# --- report ---------------------------------------------------------------------------
have_ruby && say "ruby: ok ($(ruby -e 'print RUBY_VERSION'))" || warn "ruby with xmlrpc: missing"
have_php && say "php: ok ($(php -r 'echo PHP_VERSION;'))" || warn "php with the xmlrpc extension: missing"
have_node_xmlrpc && say "node: ok ($(node --version), xmlrpc $(node -p 'require("./node_modules/xmlrpc/package.json").version'))" \
  || warn "node with the npm xmlrpc client: missing"
{ have_jdk && have_axmlrpc; } && say "java: ok ($(java -version 2>&1 | head -n1), aXMLRPC)" || warn "java (JDK) with aXMLRPC: missing"
exit 0
