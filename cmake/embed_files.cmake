# Embeds a folder of text files into the binary, so `fff` stays one self-contained file (the mail
# templates under web/templates/email, like the migrations of cmake/migrations.cmake).
#
#   fff_embed_files(<target> NAME <name> DIR <dir> GLOB <pattern>)
#
# Compiles every file of <dir> matching <pattern> into <target> as
#     const std::vector<fff::EmbeddedFile>& fff::embedded_<name>();
# (file name relative to <dir>, and its text), declared in the generated header
# "embedded/<name>.hpp" on <target>'s PUBLIC include path. Editing a file regenerates at build
# time; adding or removing one re-runs CMake through the CONFIGURE_DEPENDS glob.
set(FFF_EMBED_FILES_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_files_script.cmake)

function(fff_embed_files target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "NAME;DIR;GLOB" "")
  if(ARG_UNPARSED_ARGUMENTS OR NOT ARG_NAME OR NOT ARG_DIR OR NOT ARG_GLOB)
    message(FATAL_ERROR "usage: fff_embed_files(<target> NAME <name> DIR <dir> GLOB <pattern>)")
  endif()
  if(NOT ARG_NAME MATCHES "^[a-z][a-z0-9_]*$")
    message(FATAL_ERROR "fff_embed_files: NAME '${ARG_NAME}' must be snake_case")
  endif()
  get_filename_component(dir "${ARG_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT IS_DIRECTORY "${dir}")
    message(FATAL_ERROR "fff_embed_files: ${dir} is not a directory")
  endif()
  file(GLOB files CONFIGURE_DEPENDS "${dir}/${ARG_GLOB}")
  list(SORT files)
  set(out_root "${CMAKE_CURRENT_BINARY_DIR}/fff_embedded/${ARG_NAME}")
  set(header "${out_root}/embedded/${ARG_NAME}.hpp")
  set(source "${out_root}/${ARG_NAME}_embedded.cpp")
  set(list_file "${out_root}/files.txt")
  string(REPLACE ";" "\n" listing "${files}")
  file(CONFIGURE OUTPUT "${list_file}" CONTENT "${listing}\n" @ONLY)
  add_custom_command(
    OUTPUT "${header}" "${source}"
    COMMAND "${CMAKE_COMMAND}" "-DNAME=${ARG_NAME}" "-DDIR=${dir}" "-DLIST_FILE=${list_file}"
            "-DHEADER=${header}" "-DSOURCE=${source}" -P "${FFF_EMBED_FILES_SCRIPT}"
    DEPENDS ${files} "${list_file}" "${FFF_EMBED_FILES_SCRIPT}"
    COMMENT "Embedding ${ARG_NAME} files"
    VERBATIM)
  target_sources(${target} PRIVATE "${source}" "${header}")
  target_include_directories(${target} PUBLIC "${out_root}")
endfunction()
