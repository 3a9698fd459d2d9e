#!/usr/bin/env bash
# Screenshot check of the email report in headless Chromium (Debian `chromium`), at phone and desktop width.
# usage: scripts/screenshot-report.sh [report.html]
#   without an argument: `npm run job -- report --preview` renders the last run of each job first (needs the DB).
# Prints the PNG paths. Not part of `npm test` (Chromium is heavy); run it by hand or in a docs check.
set -euo pipefail
cd "$(dirname "$0")/.."
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [[ $# -ge 1 ]]; then
  html=$(realpath "$1")
else
  npm run build --silent >/dev/null 2>&1 || true # tsc emits even when another file has type errors
  html=$(node dist/src/cli.js report --preview)
fi
[[ -f "$html" ]] || { echo "no such file: $html" >&2; exit 1; }
if grep -Eiq '<script|<img|<link|<iframe|\bsrc="|\bhref="https?:' "$html"; then
  echo "report HTML has scripts or external resources: $html" >&2
  exit 1
fi
for size in phone:390,4000 desktop:1024,1400; do
  name=${size%%:*}
  png="${html%.html}-${name}.png"
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --hide-scrollbars --screenshot="$png" --window-size="${size#*:}" "file://$html" >/dev/null 2>&1
  [[ -s "$png" ]] || { echo "no screenshot written: $png" >&2; exit 1; }
  echo "$png"
done
