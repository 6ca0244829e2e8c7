#!/usr/bin/env bash
# Copy the front-end files that `npm install` fetched into the app's static/vendor (served by linli,
# never from a CDN). Run from anywhere after `npm install` at the repository root.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
vendor="$root/src/linli/web/static/vendor"
source="$root/node_modules/htmx.org/dist/htmx.min.js"
if [ ! -f "$source" ]; then
    echo "vendor.sh: $source is missing; run \`npm install\` at $root first" >&2
    exit 1
fi
mkdir -p "$vendor"
cp "$source" "$vendor/htmx.min.js"
echo "vendor.sh: copied htmx $(node -p "require('$root/node_modules/htmx.org/package.json').version" 2>/dev/null || echo '?') to $vendor"
