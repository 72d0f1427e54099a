# The dashboard (web/src, TypeScript) built by Vite into the build tree and compiled into the binary, so
# that `crsguard serve` needs no file at run time. Rebuilt whenever a source of it changes.
find_program(CRSGUARD_NPM npm REQUIRED)
set(crsguard_web_dir "${PROJECT_SOURCE_DIR}/web")
set(crsguard_web_dist "${CMAKE_CURRENT_BINARY_DIR}/web-dist")
set(crsguard_web_output "${CMAKE_CURRENT_BINARY_DIR}/web_assets_built.cpp")
file(GLOB crsguard_web_sources CONFIGURE_DEPENDS "${crsguard_web_dir}/src/*")
if(NOT EXISTS "${crsguard_web_dir}/node_modules/vite/package.json")
  message(FATAL_ERROR "The dashboard is built with Vite, which is missing from web/node_modules.\n"
                      "Run `cd web && npm ci` (or scripts/setup.sh), then configure again.")
endif()
add_custom_command(
  OUTPUT "${crsguard_web_output}"
  COMMAND "${CRSGUARD_NPM}" --prefix "${crsguard_web_dir}" run --silent build -- --logLevel warn --outDir "${crsguard_web_dist}" --emptyOutDir
  COMMAND "${CMAKE_COMMAND}" -DDIST=${crsguard_web_dist} -DOUTPUT=${crsguard_web_output} -P "${PROJECT_SOURCE_DIR}/cmake/EmbedWebAssets.cmake"
  DEPENDS ${crsguard_web_sources} "${crsguard_web_dir}/index.html" "${crsguard_web_dir}/vite.config.ts"
          "${crsguard_web_dir}/package-lock.json" "${PROJECT_SOURCE_DIR}/cmake/EmbedWebAssets.cmake"
  WORKING_DIRECTORY "${crsguard_web_dir}"
  COMMENT "Building the dashboard (web/) with Vite"
  VERBATIM)
target_sources(crsguard_server PRIVATE "${crsguard_web_output}")
