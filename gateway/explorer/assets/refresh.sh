#!/usr/bin/env bash
# Rebuilds the vendored explorer assets from the npm registry. The hub serves
# them from the binary: the explorer must work with no CDN and no internet.
# Provenance (sha256 of the npm tarballs used for the committed files):
#   graphiql-3.8.3.tgz   1cadb1c2ca0dc51ea71fb4bb2680e6185e83fe400c9a62ca5fb9dfb922472bbd
#   react-18.3.1.tgz     8d9bed01a672e7eaf387942d781ad47c6a43089a30a0306060f9fd5ac7870347
#   react-dom-18.3.1.tgz 031d4427a99f2f3f6cac18bbbf308594a67e4f47d10f4896fdec446505b040e0
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent graphiql@3.8.3 react@18.3.1 react-dom@18.3.1 >/dev/null
sha256sum ./*.tgz
for f in ./*.tgz; do d=${f%.tgz}; mkdir -p "$d"; tar xzf "$f" -C "$d"; done
gzip -9n -c graphiql-3.8.3/package/graphiql.min.js > "$here/graphiql.min.js.gz"
gzip -9n -c graphiql-3.8.3/package/graphiql.min.css > "$here/graphiql.min.css.gz"
gzip -9n -c react-18.3.1/package/umd/react.production.min.js > "$here/react.production.min.js.gz"
gzip -9n -c react-dom-18.3.1/package/umd/react-dom.production.min.js > "$here/react-dom.production.min.js.gz"
