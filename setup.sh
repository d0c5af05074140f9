#!/usr/bin/env bash
# One-step, idempotent set-up of robotest on a fresh Debian machine (Python 3.11, root).
#   ./setup.sh          install the system packages and robotest
#   ./setup.sh --dev    the same plus the test and lint tools
set -euo pipefail
cd "$(dirname "$0")"

APT_PACKAGES=(tesseract-ocr tesseract-ocr-eng fonts-dejavu-core fonts-liberation libusb-1.0-0
              tigervnc-standalone-server tigervnc-tools xterm chromium chromium-driver)
# the test suite also runs the script server on a real PostgreSQL server and the fleet on
# a real Redis broker; the real-screens OCR benchmark shows real X bitmap fonts
# (xfonts-base) in xterm, finds its window with xwininfo (x11-utils) and draws the Linux
# console's PSF fonts (console-setup-linux); the end-to-end tests on real targets run a
# dialog menu (dialog) and real firmware (SeaBIOS) in a QEMU virtual machine
# (qemu-system-x86), which the real-programs OCR benchmark shows too, with whiptail
# menus (whiptail); the real-surfaces inspection benchmark cuts GIMP's photographed
# patterns (gimp-data); the VNC tests change the Xvnc desktop's size mid-run (xrandr, in
# x11-xserver-utils)
[ "${1:-}" = "--dev" ] && APT_PACKAGES+=(postgresql redis-server xfonts-base x11-utils
                                         console-setup-linux dialog whiptail gimp-data
                                         x11-xserver-utils qemu-system-x86)
# the real-icons benchmark (benchmarks/real_icons): icon themes, SVG renderer, wallpapers
[ "${1:-}" = "--dev" ] && APT_PACKAGES+=(adwaita-icon-theme papirus-icon-theme tango-icon-theme
                                         breeze-icon-theme librsvg2-bin desktop-base)

missing=()
for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing system packages: ${missing[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

extras=""
[ "${1:-}" = "--dev" ] && extras="[dev]"
# torch is pinned: its CPU wheel is on these machines; any other version pulls CUDA packages.
log=$(mktemp)
if ! PIP_ROOT_USER_ACTION=ignore python3 -m pip install -q --disable-pip-version-check -e ".${extras}" >"$log" 2>&1; then
    cat "$log" >&2; echo "setup: pip install failed (log above)" >&2; exit 1
fi
rm -f "$log"
command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
echo "setup: ready ($(python3 --version))"
