# Warnings, sanitizers and fuzzing flags shared by every crsguard target.
add_library(crsguard_options INTERFACE)
target_compile_options(crsguard_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough)
# GCC 12 reports -Warray-bounds false positives inside libstdc++'s red-black tree when
# nlohmann::json objects are inlined (GCC bugs 105329, 105651); the check stays on for clang.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(crsguard_options INTERFACE -Wno-array-bounds)
endif()
target_include_directories(crsguard_options INTERFACE ${PROJECT_SOURCE_DIR}/src)
# Every JSON exception carries the JSON pointer of the value that caused it. Set for every target alike:
# nlohmann::json's layout depends on it, so two settings in one program would link and read garbage.
target_compile_definitions(crsguard_options INTERFACE JSON_DIAGNOSTICS=1)
if(CRSGUARD_WERROR)
  target_compile_options(crsguard_options INTERFACE -Werror)
endif()

if(CRSGUARD_SANITIZE)
  set(_crsguard_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_compile_options(crsguard_options INTERFACE ${_crsguard_san})
  target_link_options(crsguard_options INTERFACE ${_crsguard_san})
endif()

if(CRSGUARD_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "CRSGUARD_FUZZ needs clang: configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  set(_crsguard_fuzz -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  target_compile_options(crsguard_options INTERFACE ${_crsguard_fuzz})
  target_link_options(crsguard_options INTERFACE -fsanitize=address,undefined)
endif()

# One library per layer (../shared/DESIGN.md); each links only to the layers below it.
function(crsguard_layer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_link_libraries(${name} PUBLIC crsguard_options ${ARG_DEPENDS})
endfunction()
