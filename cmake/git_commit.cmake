# Writes OUTPUT from INPUT with GRAFT_GIT_COMMIT set to the checkout's short commit. Run at every
# build (script mode); configure_file rewrites OUTPUT only when the commit changed, so a new
# commit recompiles one small file instead of every target that used a compile definition.
execute_process(COMMAND git rev-parse --short HEAD WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE GRAFT_GIT_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT GRAFT_GIT_COMMIT)
  set(GRAFT_GIT_COMMIT unknown)
endif()
configure_file(${INPUT} ${OUTPUT} @ONLY)
