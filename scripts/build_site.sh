#!/usr/bin/env bash
# Build the public site's assets (widget.js, widget.css, site.css) and the staff app's stylesheet
# (staff.css) into build/website/ with npm packages from the npm registry. Skipped when neither
# the sources, the lock file nor the theme changed since the last build. Needs Node.js 18+ and npm.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ASSETS="$ROOT/website/assets"
OUT="$ROOT/build/website"
say() { echo "[site] $*" >&2; }

if ! command -v npm >/dev/null 2>&1; then
  say "ERROR: npm not found; install Node.js 18+ (e.g. apt-get install nodejs npm) to build the widget"
  exit 1
fi
stamp="$( (cd "$ASSETS" && cat package.json package-lock.json build.mjs src/* \
           ${STEUNPUNT_THEME_CSS:+"$STEUNPUNT_THEME_CSS"}) | sha256sum | cut -c1-16)"
if [ "$(cat "$OUT/.built" 2>/dev/null)" = "$stamp" ] && [ -f "$OUT/widget.js" ] && [ -f "$OUT/staff.css" ]; then
  exit 0
fi
if [ "$(cat "$ASSETS/node_modules/.installed" 2>/dev/null)" != "$(sha256sum < "$ASSETS/package-lock.json")" ]; then
  say "installing npm packages (package-lock.json) ..."
  (cd "$ASSETS" && npm ci --no-audit --no-fund --loglevel=error >&2)
  sha256sum < "$ASSETS/package-lock.json" > "$ASSETS/node_modules/.installed"
fi
(cd "$ASSETS" && node build.mjs)
echo "$stamp" > "$OUT/.built"
