#!/usr/bin/env sh
# Copy the front-end assets installed from the npm registry (package-lock.json) into app/static/vendor/.
set -eu
cd "$(dirname "$0")/.."
dest=app/static/vendor
rm -rf "$dest" && mkdir -p "$dest/swagger-ui" "$dest/uswds/css" "$dest/uswds/js"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/"
# The U.S. Web Design System: its CSS finds the fonts and icons at ../fonts and ../img.
uswds=node_modules/@uswds/uswds/dist
cp "$uswds/css/uswds.min.css" "$dest/uswds/css/"
cp "$uswds/js/uswds.min.js" "$dest/uswds/js/"
cp -R "$uswds/fonts" "$uswds/img" "$dest/uswds/"
cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css "$dest/swagger-ui/"
echo "front-end assets copied into $dest"
