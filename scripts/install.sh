#!/usr/bin/env bash
# Install the kiosk on Debian 12 / Raspberry Pi OS: system packages, a `kiosk` system user,
# directories, a virtualenv in /opt/kiosk/venv, and the systemd units. Then provision:
#   sudo /opt/kiosk/venv/bin/kiosk provision --kiosk-id lobby-1 --practice ... --broker mqtts://...
#   sudo systemctl start kiosk
#
# Options (for packaging and tests): --root DIR (stage into DIR, no users, no systemctl),
# --no-apt, --pip-args "ARGS" (extra arguments for pip install), --hub (also enable the hub).
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
root="" apt=1 pip_args="" hub=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --root) root="$2"; shift 2 ;;
    --no-apt) apt=0; shift ;;
    --pip-args) pip_args="$2"; shift 2 ;;
    --hub) hub=1; shift ;;
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
staged=0; [[ -n "$root" ]] && staged=1
if [[ $staged -eq 0 && $(id -u) -ne 0 ]]; then echo "install.sh: run as root (sudo)" >&2; exit 1; fi

[[ $apt -eq 1 ]] && "$src/scripts/install-system-deps"

if [[ $staged -eq 0 ]] && ! id kiosk >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/kiosk --shell /usr/sbin/nologin --user-group kiosk
fi
if [[ $staged -eq 0 ]]; then
  for group in dialout video audio render input; do
    getent group "$group" >/dev/null && usermod -a -G "$group" kiosk
  done
fi

install -d -m 0750 "$root/etc/kiosk" "$root/var/lib/kiosk"
install -d -m 0755 "$root/opt/kiosk" "$root/etc/systemd/system"
if [[ $staged -eq 0 ]]; then
  chown root:kiosk "$root/etc/kiosk"
  chown kiosk:kiosk "$root/var/lib/kiosk"
fi

python3 -m venv "$root/opt/kiosk/venv"
# Build from a clean copy: pip builds in the source tree, and a checkout has a venv in it.
copy="$(mktemp -d)"
trap 'rm -rf "$copy"' EXIT
tar -C "$src" --exclude=./.venv --exclude=./build --exclude=./.git -cf - . | tar -C "$copy" -xf -
# shellcheck disable=SC2086
"$root/opt/kiosk/venv/bin/pip" install -q $pip_args "$copy[kiosk]"

for unit in kiosk.service kiosk-hub.service kiosk-hub@.service kiosk-phone.service kiosk-purge.service kiosk-purge.timer kiosk-broker-probe@.service; do
  install -m 0644 "$src/systemd/$unit" "$root/etc/systemd/system/$unit"
done

# The technician's "Restart kiosk service" button: user kiosk may restart kiosk.service only.
install -d -m 0755 "$root/etc/polkit-1/rules.d"
cat > "$root/etc/polkit-1/rules.d/50-kiosk.rules" <<'RULES'
polkit.addRule(function(action, subject) {
  if (action.id == "org.freedesktop.systemd1.manage-units" &&
      action.lookup("unit") == "kiosk.service" && subject.user == "kiosk") {
    return polkit.Result.YES;
  }
});
RULES

if [[ $staged -eq 0 ]] && command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
  systemctl daemon-reload
  systemctl enable kiosk-purge.timer kiosk.service
  [[ $hub -eq 1 ]] && systemctl enable kiosk-hub.service
fi
echo "installed into ${root:-/}opt/kiosk; next: kiosk provision, then systemctl start kiosk"
