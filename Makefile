# Sanctuary Map: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
VENV ?= $(ROOT)/.venv
PY := $(VENV)/bin/python
# Census files: the development mirror beside the checkout when present, else the Census website.
CENSUS_SOURCE ?= $(if $(wildcard $(ROOT)/../shared/census/*.zip),$(ROOT)/../shared/census,)
PORT ?= 8501

.PHONY: run test lint install assets geodata browser-deps benchmark clean

run: install assets geodata  ## install everything, build data if missing, start the app
	cd $(ROOT) && $(VENV)/bin/streamlit run app.py --server.port $(PORT)

test: install assets browser-deps lint  ## install everything, lint, and run all tests (unit, AppTest, browser) on fixtures
	cd $(ROOT) && $(PY) -m pytest -q

lint: install  ## ruff on the code, mypy on the package
	cd $(ROOT) && $(VENV)/bin/ruff check sanctuary_map tests app.py pages benchmarks && $(VENV)/bin/mypy sanctuary_map

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

assets: $(ROOT)/static/vendor/leaflet/leaflet.js

# The boundary index does not depend on any table; it is rebuilt when the build code changes.
$(ROOT)/geodata/manifest.json: sanctuary_map/boundaries.py sanctuary_map/census.py sanctuary_map/tiles.py sanctuary_map/distances.py
	cd $(ROOT) && $(PY) -m sanctuary_map geodata build $(if $(CENSUS_SOURCE),--source $(CENSUS_SOURCE),)

geodata: install assets $(ROOT)/geodata/manifest.json

# Debian's Chromium for the browser tests and PNG snapshots (Playwright cannot download browsers here).
browser-deps:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null)

benchmark: install assets geodata browser-deps
	cd $(ROOT) && $(PY) benchmarks/bench_map.py

clean:
	rm -rf $(ROOT)/geodata/*.parquet $(ROOT)/geodata/*.geojson $(ROOT)/geodata/manifest.json $(ROOT)/geodata/cache \
	  $(ROOT)/geodata/full $(ROOT)/geodata/tiles $(ROOT)/static/generated
