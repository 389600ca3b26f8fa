#!/bin/sh
# Container entry point: build the boundary index if the volume is empty, render the configuration, then run
# supervisord in the foreground as PID 1's only child (docker stop -> SIGTERM -> every replica and nginx stop).
set -eu
cd /srv/sanctuary-map
[ -f geodata/manifest.json ] || .venv/bin/python -m sanctuary_map geodata build ${SANCTUARY_MAP_CENSUS_SOURCE:+--source "$SANCTUARY_MAP_CENSUS_SOURCE"}
runtime=/tmp/sanctuary-map-public-$PORT
.venv/bin/python deploy/render.py --port "$PORT" --replicas "$REPLICAS" --runtime "$runtime" \
  --basemap "${SANCTUARY_MAP_BASEMAP:-none}" --check ${RENDER_FLAGS:-} >/dev/null
exec .venv/bin/supervisord -n -c "$runtime/supervisord.conf"
