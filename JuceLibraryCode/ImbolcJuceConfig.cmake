# Hand-owned JUCE glue: the one place for project-wide JUCE configuration (no Projucer output).
#
# imbolc_juce_config carries the JUCE compile definitions every target shares, so the app, the plugin,
# the command-line tool and the tests compile JUCE one way.

add_library(imbolc_juce_config INTERFACE)
target_compile_definitions(imbolc_juce_config INTERFACE
    JUCE_WEB_BROWSER=0
    JUCE_USE_CURL=0
    JUCE_DISPLAY_SPLASH_SCREEN=0
    JUCE_REPORT_APP_USAGE=0
    JUCE_STRICT_REFCOUNTEDPOINTER=1
    JUCE_MODAL_LOOPS_PERMITTED=0
    JUCE_SILENCE_XCODE_15_LINKER_WARNING=1
    # Hosting: VST3 and LV2 plugins load into chains. juce_audio_processors compiles the VST3 SDK and
    # lilv/serd/sord/sratom that the Debian package ships under format_types/ (no system copies needed).
    JUCE_PLUGINHOST_VST3=1
    JUCE_PLUGINHOST_LV2=1
    # Debian strips JUCE's bundled FLAC and Ogg Vorbis; juce_audio_formats uses the system libraries.
    JUCE_USE_FLAC=1
    JUCE_USE_OGGVORBIS=1
    JUCE_INCLUDE_FLAC_CODE=0
    JUCE_INCLUDE_OGGVORBIS_CODE=0
    # Audio devices: JACK besides ALSA, so a device with inputs runs where there is no sound card (CI,
    # servers: jackd -d dummy) and on JACK systems. JUCE loads libjack at run time (a machine without it
    # still runs, on ALSA); the headers come from libjack-jackd2-dev.
    JUCE_JACK=1)

# The system codec libraries that replace JUCE's stripped copies.
find_package(PkgConfig REQUIRED)
pkg_check_modules(IMBOLC_CODECS REQUIRED IMPORTED_TARGET flac vorbisenc vorbisfile vorbis ogg)
target_link_libraries(imbolc_juce_config INTERFACE PkgConfig::IMBOLC_CODECS)

# Likewise the bundled PNG and JPEG code: juce_graphics (pulled in by juce_audio_processors) links the
# system libpng and libjpeg.
pkg_check_modules(IMBOLC_IMAGE_CODECS REQUIRED IMPORTED_TARGET libpng libjpeg)
target_link_libraries(imbolc_juce_config INTERFACE PkgConfig::IMBOLC_IMAGE_CODECS)

# imbolc_link_modules(TARGET MODULE...): compiles the named modules, every module they depend on (JUCE's
# among them, through the dependencies: lines) and the shared JUCE configuration into TARGET, PRIVATE:
# JUCE's rule is that modules are compiled into each final target with that target's own definitions
# (a plugin's JucePlugin_* and no JUCE_STANDALONE_APPLICATION, an app's, the command-line tool's). A
# target that links only the modules it needs cannot use a module its dependencies: lines leave out.
function(imbolc_link_modules target)
    target_link_libraries(${target} PRIVATE ${ARGN} imbolc_juce_config juce::juce_recommended_config_flags)
    # Warnings on for our modules' code only: JUCE's own sources are not ours to fix.
    if(IMBOLC_MODULE_UNITS)
        set_source_files_properties(${IMBOLC_MODULE_UNITS} TARGET_DIRECTORY ${target} PROPERTIES COMPILE_OPTIONS "-Wall;-Wextra")
    endif()
endfunction()

# imbolc_add_module_library(NAME MODULE...): the modules compiled once into a static library that several
# test binaries of the same modules share (JUCE compiles slowly: one copy per set of modules, not per
# binary). It passes the module headers and definitions on, so its consumers compile as it did.
function(imbolc_add_module_library name)
    add_library(${name} STATIC)
    imbolc_link_modules(${name} ${ARGN})
    target_compile_definitions(${name} PRIVATE JUCE_STANDALONE_APPLICATION=1)
    target_link_libraries(${name} INTERFACE juce::juce_recommended_config_flags)
    target_include_directories(${name} INTERFACE $<TARGET_PROPERTY:${name},INCLUDE_DIRECTORIES>)
    target_compile_definitions(${name} INTERFACE $<TARGET_PROPERTY:${name},COMPILE_DEFINITIONS>)
endfunction()
