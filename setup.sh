#!/usr/bin/env bash
# Installs what scanpipe needs on a Debian/Ubuntu machine, then a virtual environment.
# Called by `make demo`, `make test` and `make bench`; safe to run again (it skips what is there).
set -euo pipefail
cd "$(dirname "$0")"
VENV=${VENV:-.venv}
EXTRAS=${EXTRAS:-dev}

say() { printf 'setup: %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

missing=()
command -v tesseract >/dev/null 2>&1 || missing+=(tesseract-ocr)
for lang in fra eng nld; do
  if ! tesseract --list-langs 2>/dev/null | grep -qx "$lang"; then missing+=("tesseract-ocr-$lang"); fi
done
ldconfig -p 2>/dev/null | grep -q 'libzbar\.so\.0' || missing+=(libzbar0)
# zbarimg: the command-line reader the QR-path benchmark compares itself with.
command -v zbarimg >/dev/null 2>&1 || missing+=(zbar-tools)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
# Kits print names and texts in every script: Arabic, Hebrew, Devanagari… (Noto), and Chinese,
# Japanese, Korean (Noto CJK).
[ -f /usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf ] || missing+=(fonts-noto-core)
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing+=(fonts-noto-cjk)
# Handwriting fonts make the simulated scans look handwritten (samples and benchmarks).
[ -f /usr/share/fonts/truetype/fifthhorseman/dkg.ttf ] || missing+=(fonts-dkg-handwriting)
[ -f /usr/share/fonts/truetype/femkeklaver/femkeklaver.ttf ] || missing+=(fonts-femkeklaver)
[ -f /usr/share/fonts/truetype/breip/Breip.ttf ] || missing+=(fonts-breip)
[ -f /usr/share/fonts/opentype/dancingscript/DancingScript-Regular.otf ] || missing+=(fonts-dancingscript)
# Typed fonts for the typed letters of the recognition benchmark and tests.
[ -f /usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf ] || missing+=(fonts-liberation)
[ -f /usr/share/fonts/truetype/freefont/FreeSerif.ttf ] || missing+=(fonts-freefont-ttf)
# Other fonts for the unseen corpus of the recognition benchmark (bench/unseen/): pages must
# not be set in the fonts the samples and the first corpus use.
[ -f /usr/share/fonts/opentype/urw-base35/NimbusRoman-Regular.otf ] || missing+=(fonts-urw-base35)
[ -f /usr/share/texmf/fonts/opentype/public/tex-gyre/texgyretermes-regular.otf ] || missing+=(fonts-texgyre)
[ -f /usr/share/fonts/truetype/crosextra/Carlito-Regular.ttf ] || missing+=(fonts-crosextra-carlito)
[ -f /usr/share/fonts/truetype/crosextra/Caladea-Regular.ttf ] || missing+=(fonts-crosextra-caladea)
[ -f /usr/share/fonts/opentype/linux-libertine/LinLibertine_R.otf ] || missing+=(fonts-linuxlibertine)
[ -f /usr/share/fonts/opentype/ebgaramond/EBGaramond12-Regular.otf ] || missing+=(fonts-ebgaramond)
[ -f /usr/share/fonts/truetype/open-sans/OpenSans-Regular.ttf ] || missing+=(fonts-open-sans)
[ -f /usr/share/fonts/truetype/lato/Lato-Regular.ttf ] || missing+=(fonts-lato)
# ... and neat hands for its handwritten pages.
[ -f /usr/share/fonts/opentype/comic-neue/ComicNeue-Regular.otf ] || missing+=(fonts-comic-neue)
[ -f /usr/share/fonts/truetype/humor-sans/Humor-Sans.ttf ] || missing+=(fonts-humor-sans)
# The browser tests drive Debian's Chromium (Playwright never downloads a browser here).
case ",$EXTRAS," in *,dev,*) command -v chromium >/dev/null 2>&1 || missing+=(chromium) ;; esac
# The tests open an audit sample in LibreOffice Calc and save it as a French spreadsheet would
# (headless), and back up and restore a PostgreSQL ledger with pg_dump and pg_restore.
case ",$EXTRAS," in *,dev,*) command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui) ;; esac
case ",$EXTRAS," in *,dev,*) command -v pg_dump >/dev/null 2>&1 || missing+=(postgresql-client) ;; esac
PYTHON=$(find_python || true)
if [ -z "$PYTHON" ]; then
  if command -v python3 >/dev/null 2>&1 && python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    missing+=(python3-venv)   # python3 is recent enough but lacks venv/ensurepip (Debian splits it)
  else
    missing+=(python3.11 python3.11-venv)
  fi
fi

if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    say "missing system packages: ${missing[*]} — install them with your package manager"; exit 1
  fi
  say "installing system packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  ldconfig 2>/dev/null || true
  PYTHON=$(find_python) || { say "no Python 3.11 or newer with venv found; install python3.11-venv"; exit 1; }
fi

stamp="$VENV/.installed-$EXTRAS"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  say "creating the virtual environment $VENV with $PYTHON"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e ".[$EXTRAS]"
  touch "$stamp"
fi
