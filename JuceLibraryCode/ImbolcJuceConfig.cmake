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
    JUCE_INCLUDE_OGGVORBIS_CODE=0)

# The system codec libraries that replace JUCE's stripped copies.
find_package(PkgConfig REQUIRED)
pkg_check_modules(IMBOLC_CODECS REQUIRED IMPORTED_TARGET flac vorbisenc vorbisfile vorbis ogg)
target_link_libraries(imbolc_juce_config INTERFACE PkgConfig::IMBOLC_CODECS)

# Likewise the bundled PNG and JPEG code: juce_graphics (pulled in by juce_audio_processors) links the
# system libpng and libjpeg.
pkg_check_modules(IMBOLC_IMAGE_CODECS REQUIRED IMPORTED_TARGET libpng libjpeg)
target_link_libraries(imbolc_juce_config INTERFACE PkgConfig::IMBOLC_IMAGE_CODECS)
