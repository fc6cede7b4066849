# Embeds each module's SQL migrations into the binary (see src/infra/db/migrator.hpp).
#
#   fff_add_migrations(<target> MODULE <module> DIR <dir>)
#
# Compiles the migration files in <dir> (NNNN_name.sql for both dialects, or NNNN_name.sqlite.sql
# plus NNNN_name.postgres.sql) into <target> as
#     std::vector<fff::db::Migration> fff::db::<module>_migrations();
# declared in the generated header "migrations/<module>.hpp", which is on <target>'s PUBLIC
# include path. <target> must link fff_db (or fff_flags) so the header finds infra/db/migrator.hpp.
# Editing a file regenerates at build time; adding or removing one re-runs CMake through the
# CONFIGURE_DEPENDS glob.
set(FFF_EMBED_MIGRATIONS_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_migrations.cmake)

function(fff_add_migrations target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "MODULE;DIR" "")
  if(ARG_UNPARSED_ARGUMENTS OR NOT ARG_MODULE OR NOT ARG_DIR)
    message(FATAL_ERROR "usage: fff_add_migrations(<target> MODULE <module> DIR <dir>)")
  endif()
  if(NOT ARG_MODULE MATCHES "^[a-z][a-z0-9_]*$")
    message(FATAL_ERROR "fff_add_migrations: MODULE '${ARG_MODULE}' must be snake_case: it names "
                        "the C++ function ${ARG_MODULE}_migrations()")
  endif()
  get_filename_component(dir "${ARG_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT IS_DIRECTORY "${dir}")
    message(FATAL_ERROR "fff_add_migrations: ${dir} is not a directory")
  endif()

  file(GLOB sql_files CONFIGURE_DEPENDS "${dir}/*.sql")
  list(SORT sql_files)
  set(out_root "${CMAKE_CURRENT_BINARY_DIR}/fff_migrations/${ARG_MODULE}")
  set(header "${out_root}/migrations/${ARG_MODULE}.hpp")
  set(source "${out_root}/${ARG_MODULE}_migrations.cpp")
  # The file list is a dependency of its own: removing a migration changes no remaining file's
  # time stamp, but it does change this list (file(CONFIGURE) rewrites it only when it differs).
  set(list_file "${out_root}/files.txt")
  string(REPLACE ";" "\n" listing "${sql_files}")
  file(CONFIGURE OUTPUT "${list_file}" CONTENT "${listing}\n" @ONLY)

  add_custom_command(
    OUTPUT "${header}" "${source}"
    COMMAND "${CMAKE_COMMAND}" "-DMODULE=${ARG_MODULE}" "-DSQL_DIR=${dir}"
            "-DLIST_FILE=${list_file}" "-DHEADER=${header}" "-DSOURCE=${source}"
            -P "${FFF_EMBED_MIGRATIONS_SCRIPT}"
    DEPENDS ${sql_files} "${list_file}" "${FFF_EMBED_MIGRATIONS_SCRIPT}"
    COMMENT "Embedding ${ARG_MODULE} migrations"
    VERBATIM)
  target_sources(${target} PRIVATE "${source}" "${header}")
  target_include_directories(${target} PUBLIC "${out_root}")
endfunction()
