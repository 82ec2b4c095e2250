# Per-target compiler settings, so that nothing leaks into targets we do not own.

function(cadenza_configure_target target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                         -Wno-sign-conversion)
  if(CADENZA_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  cadenza_apply_sanitizers(${target})
endfunction()

function(cadenza_apply_sanitizers target)
  if(CADENZA_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=all
                           -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# cadenza_add_library(NAME module SOURCES ... PUBLIC_DEPS ... PRIVATE_DEPS ...)
# Defines cadenza_<module> with the ALIAS cadenza::<module>, includes rooted at the repository.
function(cadenza_add_library)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(cadenza_${ARG_NAME} STATIC ${ARG_SOURCES})
  add_library(cadenza::${ARG_NAME} ALIAS cadenza_${ARG_NAME})
  target_include_directories(cadenza_${ARG_NAME} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(cadenza_${ARG_NAME} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  cadenza_configure_target(cadenza_${ARG_NAME})
endfunction()
