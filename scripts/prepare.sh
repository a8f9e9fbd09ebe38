#!/usr/bin/env bash
# Installs the system packages the panel and its tests need, if missing. Idempotent and quick
# when everything is there. As root on Debian it installs them; elsewhere it says what to install.
set -euo pipefail

need=()
command -v dockerd >/dev/null 2>&1 || docker info >/dev/null 2>&1 || need+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
command -v chromium >/dev/null 2>&1 || [ -n "${CHROMIUM_PATH:-}" ] || need+=(chromium)
pkg-config --exists libsecret-1 2>/dev/null || need+=(libsecret-1-dev pkg-config)
command -v gnome-keyring-daemon >/dev/null 2>&1 || need+=(gnome-keyring)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v dbus-run-session >/dev/null 2>&1 || need+=(dbus dbus-x11)

if [ ${#need[@]} -eq 0 ]; then exit 0; fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing system packages: ${need[*]}" >&2
  echo "Install them with your package manager (on Debian/Ubuntu: sudo apt-get install -y ${need[*]})." >&2
  exit 1
fi

echo "Installing ${need[*]}…" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${need[@]}" >/dev/null
