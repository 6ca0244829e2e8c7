#!/usr/bin/env bash
# Copy the front-end files that `npm install` fetched into the app's static/vendor (served by linli,
# never from a CDN). Run from anywhere after `npm install` at the repository root.
#   htmx     htmx.org/dist/htmx.min.js      the pages' partial updates
#   echarts  echarts/dist/echarts.min.js    the dashboard's charts (Apache ECharts)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
vendor="$root/src/linli/web/static/vendor"
mkdir -p "$vendor"
copy() {  # package, file inside the package, name under static/vendor
    local source="$root/node_modules/$1/$2"
    if [ ! -f "$source" ]; then
        echo "vendor.sh: $source is missing; run \`npm install\` at $root first" >&2
        exit 1
    fi
    cp "$source" "$vendor/$3"
    echo "vendor.sh: copied $1 $(node -p "require('$root/node_modules/$1/package.json').version" 2>/dev/null || echo '?') to $vendor/$3"
}
copy htmx.org dist/htmx.min.js htmx.min.js
copy echarts dist/echarts.min.js echarts.min.js
