# Sanctuary Map: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
VENV ?= $(ROOT)/.venv
PY := $(VENV)/bin/python
# Census files: the development mirror beside the checkout when present, else the Census website.
CENSUS_SOURCE ?= $(if $(wildcard $(ROOT)/../shared/census/*.zip),$(ROOT)/../shared/census,)
PORT ?= 8501

.PHONY: run test lint install assets translations geodata browser-deps benchmark clean

run: install assets geodata  ## install everything, build data if missing, start the app
	cd $(ROOT) && $(VENV)/bin/streamlit run app.py --server.port $(PORT)

test: install assets browser-deps lint  ## install everything, lint, validate the shipped tables, run all tests on fixtures
	cd $(ROOT) && $(PY) -m sanctuary_map validate
	cd $(ROOT) && node --test tests/js/
	cd $(ROOT) && $(PY) -m pytest -q

lint: install assets  ## ruff on the code, mypy on the package, ESLint on the browser scripts
	cd $(ROOT) && $(VENV)/bin/ruff check sanctuary_map tests app.py pages benchmarks && $(VENV)/bin/mypy sanctuary_map
	cd $(ROOT) && node_modules/.bin/eslint static/js tests/js

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	$(VENV)/bin/pip install -q --no-deps -e $(ROOT)
	touch $@

install: $(VENV)/.installed

# Front-end assets from the npm registry (never committed): Leaflet is served by the app itself.
$(ROOT)/static/vendor/leaflet/leaflet.js: package.json package-lock.json
	cd $(ROOT) && npm ci --no-audit --no-fund
	rm -rf $(ROOT)/static/vendor && mkdir -p $(ROOT)/static/vendor/pmtiles $(ROOT)/static/vendor/protomaps-leaflet
	cp -r $(ROOT)/node_modules/leaflet/dist $(ROOT)/static/vendor/leaflet
	cp $(ROOT)/node_modules/pmtiles/dist/pmtiles.js $(ROOT)/static/vendor/pmtiles/
	cp $(ROOT)/node_modules/protomaps-leaflet/dist/protomaps-leaflet.js $(ROOT)/static/vendor/protomaps-leaflet/
	touch $@

# Translations (Babel): `make translations` re-extracts every marked message (babel.cfg) into messages.pot and merges
# it into each language's .po, which translators edit; the compiled .mo files are build products, made by `assets`.
LOCALE := $(ROOT)/sanctuary_map/locale
MO := $(patsubst %.po,%.mo,$(wildcard $(LOCALE)/*/LC_MESSAGES/messages.po))
assets: $(ROOT)/static/vendor/leaflet/leaflet.js $(MO)

$(LOCALE)/%/LC_MESSAGES/messages.mo: $(LOCALE)/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(VENV)/bin/pybabel -q compile -D messages -d $(LOCALE) -l $*

translations: install
	cd $(ROOT) && $(VENV)/bin/pybabel -q extract -F babel.cfg -k N_ --no-location --sort-output --project "Sanctuary Map" \
	  --copyright-holder "Sanctuary Map contributors" -c "Translators:" -o $(LOCALE)/messages.pot .
	$(VENV)/bin/pybabel -q update -D messages -i $(LOCALE)/messages.pot -d $(LOCALE) --no-fuzzy-matching --ignore-obsolete
	$(MAKE) assets

# The boundary index does not depend on any table; it is rebuilt when the build code changes.
$(ROOT)/geodata/current/manifest.json: sanctuary_map/boundaries.py sanctuary_map/census.py sanctuary_map/tiles.py sanctuary_map/distances.py
	cd $(ROOT) && $(PY) -m sanctuary_map geodata build $(if $(CENSUS_SOURCE),--source $(CENSUS_SOURCE),)

geodata: install assets $(ROOT)/geodata/current/manifest.json

# Debian's Chromium for the browser tests and PNG snapshots (Playwright cannot download browsers here).
browser-deps:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null)

benchmark: install assets geodata browser-deps
	cd $(ROOT) && $(PY) benchmarks/bench_map.py

clean:
	rm -rf $(ROOT)/geodata/*.parquet $(ROOT)/geodata/*.geojson $(ROOT)/geodata/manifest.json $(ROOT)/geodata/versions $(ROOT)/geodata/current $(ROOT)/geodata/cache \
	  $(ROOT)/geodata/full $(ROOT)/geodata/tiles $(ROOT)/static/generated

# ---- the public deployment (README "Running it in public"): REPLICAS Streamlit processes on loopback ports
# PORT+1.., nginx on PORT in front (sticky sessions, static files from disk, headers, limits), all under supervisord.
# Foreground (Ctrl-C stops everything); DETACH=1 starts it in the background and returns once healthy;
# `make stop-public PORT=P` stops it.  Configuration is rendered from deploy/ into RUNTIME (never into the repo).
.PHONY: serve-public stop-public deploy-deps nginx-deps
REPLICAS ?= 3
RUNTIME ?= /tmp/sanctuary-map-public-$(PORT)
# The public default basemap is the offline states base; a provider by xyzservices name, e.g. BASEMAP=CartoDB.Positron
# with SANCTUARY_MAP_BASEMAP_KEY=... (OpenStreetMap's own tile servers are refused: their policy forbids heavy use).
BASEMAP ?= $(or $(SANCTUARY_MAP_BASEMAP),none)
RENDER_FLAGS ?=
DETACH ?=
# nginx's listen address: every address by default (a public server); LISTEN=127.0.0.1 for loopback only.
LISTEN ?=

# Debian's nginx, installed the way browser-deps installs Chromium.
nginx-deps:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null)

$(VENV)/.deploy-installed: $(VENV)/.installed requirements-deploy.txt
	$(VENV)/bin/pip install -q -r requirements-deploy.txt
	touch $@

deploy-deps: install nginx-deps $(VENV)/.deploy-installed

serve-public: deploy-deps assets geodata  ## REPLICAS=N PORT=P [DETACH=1]: N replicas behind nginx on PORT
	cd $(ROOT) && PATH="$$PATH:/usr/sbin" $(PY) deploy/render.py --port $(PORT) --replicas $(REPLICAS) --runtime $(RUNTIME) \
	  --basemap '$(BASEMAP)' $(if $(LISTEN),--listen $(LISTEN):$(PORT),) --check $(RENDER_FLAGS) >/dev/null
	@if [ -n "$(DETACH)" ]; then \
	  $(VENV)/bin/supervisord -c $(RUNTIME)/supervisord.conf && \
	  $(PY) $(ROOT)/deploy/healthcheck.py wait --runtime $(RUNTIME) --port $(PORT); \
	else \
	  ( $(PY) $(ROOT)/deploy/healthcheck.py wait --runtime $(RUNTIME) --port $(PORT) & ); \
	  echo "starting $(REPLICAS) replicas behind nginx on port $(PORT) (logs: $(RUNTIME)/logs; Ctrl-C stops)"; \
	  exec $(VENV)/bin/supervisord -n -c $(RUNTIME)/supervisord.conf; \
	fi

stop-public:  ## PORT=P: stop a serve-public started with DETACH=1
	@if [ -S $(RUNTIME)/supervisor.sock ] && [ -f $(RUNTIME)/supervisord.pid ]; then \
	  pid=$$(cat $(RUNTIME)/supervisord.pid); $(VENV)/bin/supervisorctl -c $(RUNTIME)/supervisord.conf shutdown >/dev/null; \
	  for i in $$(seq 60); do kill -0 $$pid 2>/dev/null || break; sleep 0.5; done; echo "stopped $(RUNTIME)"; \
	else echo "nothing running from $(RUNTIME)"; fi

# ---- 287(g) kept fresh (README "Keeping 287(g) fresh"): fetch ICE's current list and fold it into data/287g_*.csv.
# ICE_287G_URL is ICE's 287(g) page (its link to participatingAgencies<MMDDYYYY><am|pm>.xlsx is followed) or the
# spreadsheet itself.  Nothing is written unless the download is ICE's list and every table is written; the same file
# again is a no-op.  Run daily by deploy/sanctuary-map-287g.timer (systemd) or the line in deploy/crontab.
# INGEST_FLAGS: e.g. --archive /var/lib/sanctuary-map/287g to keep each file, --directory FBI.csv, --timeout 120.
.PHONY: ingest-287g release
ICE_287G_URL ?= https://www.ice.gov/identify-and-arrest/287g
INGEST_FLAGS ?=
ingest-287g: install geodata  ## [ICE_287G_URL=...] fetch ICE's current 287(g) list and add it to the history
	cd $(ROOT) && $(PY) -m sanctuary_map ingest-287g --url '$(ICE_287G_URL)' $(INGEST_FLAGS)

# A versioned data bundle (GeoPackage, CSV, Parquet, datapackage.json, SHA256SUMS) in RELEASE_DIR (git-ignored build/).
RELEASE_DIR ?= $(ROOT)/build/release
release: install geodata  ## [RELEASE_DIR=...] write the data release
	cd $(ROOT) && $(PY) -m sanctuary_map release --out $(RELEASE_DIR)
