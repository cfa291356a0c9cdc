# Sourced by bin/demo, bin/test and bin/screenshots: a virtual environment in .venv with the project
# installed. Re-installs only when pyproject.toml changes, so the second run starts at once.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"

# install_system_package "DEBIAN_NAMES" [HOMEBREW_NAME]: apt-get (root or sudo) or brew.
install_system_package() {
  echo "Installing system package ${1} ..."
  if command -v apt-get >/dev/null 2>&1; then
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    # shellcheck disable=SC2086 # $1 may name several packages
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $1 >/dev/null
  elif command -v brew >/dev/null 2>&1; then
    brew install "${2:-$1}"
  else
    echo "Please install $1 with your system's package manager." >&2
    return 1
  fi
}

find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
  echo "Python 3.11 or newer is required." >&2
  return 1
}

# ensure_venv EXTRA: create .venv and install the project with the given extra ("" for none).
# bin/demo and bin/test share the environment: .venv/.installed records the project's checksum and
# every extra installed so far, and a run installs only when the checksum changed or its extra is
# missing, then with the union of the extras (asking for none never removes another's).
ensure_venv() {
  local extra="$1" python stamp checksum recorded extras
  if [ ! -x "$VENV/bin/python" ]; then
    python="$(find_python)"
    if ! "$python" -m venv "$VENV" 2>/dev/null; then
      rm -rf "$VENV"
      install_system_package python3-venv
      "$python" -m venv "$VENV"
    fi
  fi
  stamp="$VENV/.installed"
  # The editable install maps the packages that existed when it ran: a new one means reinstall.
  checksum="$({ cat pyproject.toml; ls -d */__init__.py; } | cksum | cut -d' ' -f1)"
  # The stamp's first line is the checksum, the next ones the extras installed with it.
  recorded=""
  if [ "$(head -n 1 "$stamp" 2>/dev/null)" = "$checksum" ]; then
    recorded="$(tail -n +2 "$stamp")"
  fi
  if [ -z "$recorded" ] || { [ -n "$extra" ] && ! grep -qxF "$extra" <<<"$recorded"; }; then
    # Keep the extras installed under an older checksum too: the other script still wants them.
    extras="$({ tail -n +2 "$stamp" 2>/dev/null; echo "$extra"; } | { grep -v '^-\?$' || true; } |
              sort -u | paste -sd, -)"
    echo "Installing Python packages into .venv${extras:+ (extras: $extras)} ..."
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e ".${extras:+[$extras]}"
    { echo "$checksum"; echo "-"; tr , '\n' <<<"$extras"; } | grep -v '^$' > "$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
}

# busy_ports "NAME:VARIABLE:HOST:PORT"...: a line for each address a server could not listen on,
# or that two servers were given, naming the VARIABLE that moves it, if any (python: after
# ensure_venv). Bound as the servers bind (SO_REUSEADDR), so a closing server's TIME_WAIT
# connections do not count; anything listening does.
busy_ports() {
  python - "$@" <<'PY'
import socket, sys
given = {}
for spec in sys.argv[1:]:
    name, variable, address = spec.split(":", 2)
    host, _, port = address.rpartition(":")
    move = f"; set {variable} to move it" if variable else ""
    if port in given:
        print(f"  {address} ({name}) is the port of the {given[port]} too{move}")
        continue
    given[port] = name
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host.strip("[]") or "0.0.0.0", int(port)))
        except (OSError, ValueError) as error:
            print(f"  {address} ({name}) is busy: {error.strerror or error}{move}")
PY
}
