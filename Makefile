# viz-engine: `make demo` and `make test` set up everything they need on a fresh Debian machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := chromium ffmpeg

.PHONY: help setup system venv node assets build demo test unit e2e serve bench bench-long clean

help:
	@echo "make demo   set up, then render 10 s of the demo track (720p30 MP4) to out/demo.mp4"
	@echo "make test   set up, then run unit tests (tests/) and browser tests (e2e/)"
	@echo "make serve  set up, then serve the site on http://127.0.0.1:4173/"
	@echo "make bench  set up, then print export timings and ratios to native ffmpeg (PARTS=exports,memory,responsive,eta)"
	@echo "make bench-long  set up, then export 5 min of 1080p30 and print its time and peak memory (~1 h; ENCODER=auto|webcodecs|ffmpeg)"

setup: system venv node assets build

# Debian's Chromium (the browser every test and the CLI drive) and ffmpeg (ffprobe checks outputs).
system:
	@if ! command -v chromium >/dev/null || ! command -v ffprobe >/dev/null; then \
	  echo "installing $(APT_PACKAGES) with apt"; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $(APT_PACKAGES); \
	fi

venv: $(VENV)/.installed
$(VENV)/.installed: requirements-dev.txt pyproject.toml
	@[ -x $(PY) ] || python3 -m venv $(VENV)
	$(PY) -m pip install -q -r requirements-dev.txt
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	@touch $@

node: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# Pyodide + verified wheels + ffmpeg core, the demo track and the vizengine wheel (+ py/wheel.json), into build/public.
assets: venv node
	$(PY) scripts/fetch_pyodide_assets.py
	$(PY) scripts/make_demo_track.py
	$(PY) scripts/build_wheel.py

build: assets
	npx vite build --logLevel warn

demo: setup
	$(PY) -m vizengine render --demo --out out/demo.mp4 --resolution 720p --fps 30 --format mp4 --duration 10
	@ffprobe -v error -of compact=p=0 \
	  -show_entries stream=codec_type,codec_name,profile,width,height,pix_fmt,avg_frame_rate,nb_frames,sample_rate,channels,duration \
	  -show_entries format=format_name,duration,size out/demo.mp4

unit: venv
	$(PY) -m pytest tests -q

e2e: setup
	$(PY) -m pytest e2e -q

test: setup
	$(PY) -m pytest tests -q
	$(PY) -m pytest e2e -q

serve: setup
	npx vite preview --port 4173 --strictPort

bench: setup
	$(PY) -m vizengine.cli.bench $(if $(PARTS),--parts $(PARTS))

bench-long: setup
	$(PY) -m vizengine.cli.bench_long $(if $(ENCODER),--encoder $(ENCODER))

clean:
	rm -rf dist build out node_modules/.installed $(VENV)/.installed
