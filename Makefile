# The two commands: `make run` (serve the demo shop) and `make test` (everything the tests need).
# Both install their Debian packages first (scripts/deps.sh is idempotent and fast when done).

JOBS ?= $(shell nproc)
RELEASE_DIR := build/release
DEBUG_DIR := build/debug
GENERATOR := $(shell command -v ninja >/dev/null 2>&1 && echo Ninja || echo "Unix Makefiles")

.PHONY: run test build build-debug bench scan deps format format-check clean e2e lighthouse

deps:
	@bash scripts/deps.sh all

$(RELEASE_DIR)/build.ninja $(RELEASE_DIR)/Makefile:
	@bash scripts/deps.sh build
	cmake -S . -B $(RELEASE_DIR) -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=Release -DFFF_TESTS=OFF

build: $(if $(filter Ninja,$(GENERATOR)),$(RELEASE_DIR)/build.ninja,$(RELEASE_DIR)/Makefile)
	cmake --build $(RELEASE_DIR) -j $(JOBS) --target fff

run: build
	$(RELEASE_DIR)/fff serve

build-debug:
	@bash scripts/deps.sh test
	cmake -S . -B $(DEBUG_DIR) -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=Debug -DFFF_SANITIZE=ON -DFFF_WERROR=ON
	cmake --build $(DEBUG_DIR) -j $(JOBS)

test:
	@bash scripts/deps.sh test
	bash scripts/test.sh

# The browser tests (tests/e2e) against the debug build `make test` uses (sanitizers on), on a
# fresh demo shop; screenshots and axe results in build/debug/e2e-artifacts. `make test` runs them too.
e2e:
	@bash scripts/deps.sh test
	cmake -S . -B $(DEBUG_DIR) -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=Debug -DFFF_SANITIZE=ON -DFFF_WERROR=ON
	cmake --build $(DEBUG_DIR) -j $(JOBS) --target fff
	bash scripts/e2e.sh $(DEBUG_DIR)/fff

# Lighthouse 12 (mobile, default throttling) on home, a category, a product and the cart of the
# release build's demo shop: the four scores per page, reports in build/release/lighthouse.
lighthouse: build
	@bash scripts/deps.sh test
	bash scripts/lighthouse.sh $(RELEASE_DIR)/fff

bench:
	@bash scripts/deps.sh bench
	bash bench/run.sh

# sqlmap and wapiti against a fresh shop on loopback; fails on any finding (not part of `make test`).
scan:
	@bash scripts/deps.sh scan
	bash scripts/scan.sh

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

format-check:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run -Werror

clean:
	rm -rf build
