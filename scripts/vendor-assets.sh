#!/usr/bin/env sh
# Copy the front-end assets installed from the npm registry (package-lock.json) into app/static/vendor/.
set -eu
cd "$(dirname "$0")/.."
dest=app/static/vendor
rm -rf "$dest" && mkdir -p "$dest/swagger-ui"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/"
cp node_modules/@picocss/pico/css/pico.min.css "$dest/"
cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css "$dest/swagger-ui/"
echo "front-end assets copied into $dest"
