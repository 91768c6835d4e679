# add_qopt_library(name ...): an MLIR library that is part of qopt's public
# CMake package (exported as QOpt::<name>). Dependencies on upstream MLIR go
# through mlir_target_link_libraries so they resolve to libMLIR.so.
set_property(GLOBAL PROPERTY QOPT_EXPORTED_LIBS "")

function(add_qopt_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS;QOPT_LIBS;MLIR_LIBS" ${ARGN})
  add_library(${name} SHARED ${ARG_SOURCES} ${ARG_UNPARSED_ARGUMENTS})
  set_target_properties(${name} PROPERTIES
    LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lib
    OUTPUT_NAME ${name})
  if(ARG_DEPENDS)
    add_dependencies(${name} ${ARG_DEPENDS})
  endif()
  target_include_directories(${name} PUBLIC
    $<BUILD_INTERFACE:${QOPT_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${QOPT_BINARY_DIR}/include>
    $<INSTALL_INTERFACE:include>)
  # Consumers include MLIR/LLVM headers through qopt's; the package is tied
  # to the MLIR it was built against anyway.
  target_include_directories(${name} SYSTEM PUBLIC
    ${MLIR_INCLUDE_DIRS} ${LLVM_INCLUDE_DIRS})
  if(ARG_QOPT_LIBS)
    target_link_libraries(${name} PUBLIC ${ARG_QOPT_LIBS})
  endif()
  target_link_libraries(${name} PUBLIC MLIR LLVM)
  install(TARGETS ${name} EXPORT QOptTargets
    LIBRARY DESTINATION lib
    ARCHIVE DESTINATION lib)
  set_property(GLOBAL APPEND PROPERTY QOPT_EXPORTED_LIBS ${name})
endfunction()

# add_qopt_doc(<generated .md> <target>): copies a TableGen-generated
# reference into build/docs as part of the default build.
function(add_qopt_doc markdown target)
  add_custom_target(${target}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${QOPT_BINARY_DIR}/docs
    COMMAND ${CMAKE_COMMAND} -E copy
            ${CMAKE_CURRENT_BINARY_DIR}/${markdown}
            ${QOPT_BINARY_DIR}/docs/${markdown}
    DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/${markdown})
  add_dependencies(qopt-doc ${target})
endfunction()
