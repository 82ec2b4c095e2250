# Per-target compiler settings, so that nothing leaks into targets we do not own.

include(GNUInstallDirs)

function(cadenza_configure_target target)
  target_compile_features(${target} PRIVATE cxx_std_20)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                         -Wno-sign-conversion)
  if(CADENZA_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  cadenza_apply_sanitizers(${target})
endfunction()

# ASan + UBSan for CADENZA_SANITIZE; for CADENZA_FUZZ (a build of its own, scripts/fuzz-smoke.sh)
# the same plus libFuzzer's coverage instrumentation, so that the fuzzers of tests/fuzz see the
# branches of the project's code. Decided here, per target, from the build's options: tests/fuzz
# only adds its fuzzer programs and changes no other target.
function(cadenza_apply_sanitizers target)
  if(CADENZA_SANITIZE OR CADENZA_FUZZ)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=all
                           -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
  if(CADENZA_FUZZ)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
  endif()
endfunction()

# cadenza_add_library(NAME module SOURCES ... PUBLIC_DEPS ... PRIVATE_DEPS ...
#                     [INTERNAL_HEADERS ...] [NO_INSTALL])
# Defines the static library cadenza_<module> with the ALIASes cadenza::<module> and
# Cadenza::<module> (the name it is exported under). Its public headers are the module
# directory's *.h but INTERNAL_HEADERS; they are included from the repository root
# ("analyzer/dims.h") in the build tree and from include/cadenza/ in an install tree.
# Position-independent, so that the ONNX module (importer/) can link the libraries into a
# shared object; -fno-semantic-interposition keeps calls within the library as direct (and
# inlinable) as in a non-PIC build.
# Unless NO_INSTALL, the library and its public headers are installed and exported
# (CadenzaTargets, cmake/CadenzaConfig.cmake.in).
function(cadenza_add_library)
  cmake_parse_arguments(ARG "NO_INSTALL" "NAME"
                        "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS;INTERNAL_HEADERS" ${ARGN})
  set(target cadenza_${ARG_NAME})
  add_library(${target} STATIC ${ARG_SOURCES})
  add_library(cadenza::${ARG_NAME} ALIAS ${target})
  add_library(Cadenza::${ARG_NAME} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${ARG_NAME}
                        POSITION_INDEPENDENT_CODE ON)
  target_compile_options(${target} PRIVATE -fno-semantic-interposition)
  # Consumers compile the headers as C++20 too.
  target_compile_features(${target} PUBLIC cxx_std_20)

  file(GLOB headers CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.h)
  foreach(internal IN LISTS ARG_INTERNAL_HEADERS)
    list(REMOVE_ITEM headers ${CMAKE_CURRENT_SOURCE_DIR}/${internal})
  endforeach()
  # BASE_DIRS is the build tree's include directory (the repository root, where the internal
  # headers are found too); install(FILE_SET) below gives the install tree's, include/cadenza.
  target_sources(${target} PUBLIC FILE_SET HEADERS BASE_DIRS ${PROJECT_SOURCE_DIR}
                 FILES ${headers})
  target_link_libraries(${target} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  cadenza_configure_target(${target})

  if(NOT ARG_NO_INSTALL)
    install(TARGETS ${target} EXPORT CadenzaTargets
            ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
            FILE_SET HEADERS DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/cadenza)
  endif()
endfunction()
