# The README's two commands. Each works on a fresh Debian machine as root: it installs what is
# missing, configures, builds (with ccache when present), then runs. make run opens the desktop app
# on the demo session where there is a display, and renders the demo to demo.wav where there is not.

PRESET ?= release
BUILD_DIR := Builds/$(PRESET)
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: run test build deps configure bench clean

run: build
	./$(BUILD_DIR)/imbolc demo -o demo.imbolc --size small
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		./$(BUILD_DIR)/Imbolc demo.imbolc; \
	else \
		echo "No display here (DISPLAY is not set), so the window cannot open: the demo is rendered to demo.wav instead."; \
		./$(BUILD_DIR)/imbolc render demo.imbolc -o demo.wav; \
		if [ -d /dev/snd ] && ls /dev/snd | grep -q '^pcm'; then ./$(BUILD_DIR)/imbolc play demo.imbolc; fi; \
	fi

test: deps configure
	cmake --build --preset $(PRESET) -j $(JOBS)
	ctest --preset $(PRESET) -j $(JOBS)

build: deps configure
	cmake --build --preset $(PRESET) --target imbolc Imbolc -j $(JOBS)

bench: build
	./$(BUILD_DIR)/imbolc bench

deps:
	@bash .ci/install-deps.sh

configure:
	@test -f $(BUILD_DIR)/build.ninja || cmake --preset $(PRESET)

clean:
	rm -rf $(BUILD_DIR)
