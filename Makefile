# The README's two commands. Each works on a fresh Debian machine as root: it installs what is
# missing, configures, builds (with ccache when present), then runs.

PRESET ?= release
BUILD_DIR := Builds/$(PRESET)
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: run test build deps configure bench clean

run: build
	./$(BUILD_DIR)/imbolc demo -o demo.imbolc --size small
	./$(BUILD_DIR)/imbolc render demo.imbolc -o demo.wav
	@if [ -d /dev/snd ] && ls /dev/snd | grep -q '^pcm'; then \
		./$(BUILD_DIR)/imbolc play demo.imbolc; \
	else \
		echo "No sound card here: the demo is in demo.wav (imbolc play demo.imbolc plays it where there is one)."; \
	fi

test: deps configure
	cmake --build --preset $(PRESET) -j $(JOBS)
	ctest --preset $(PRESET) -j $(JOBS)

build: deps configure
	cmake --build --preset $(PRESET) --target imbolc -j $(JOBS)

bench: build
	./$(BUILD_DIR)/imbolc bench

deps:
	@bash .ci/install-deps.sh

configure:
	@test -f $(BUILD_DIR)/build.ninja || cmake --preset $(PRESET)

clean:
	rm -rf $(BUILD_DIR)
