# Installed layout and Debian packages (docs/packages.md). One package per component:
#   dli-agent                 /usr/bin/dli-agent, the null runner (no framework: every host can self-test) and
#                             dli-gemm-peak (the host's GEMM peak), both under /usr/lib/dli/runners
#   dli-integrator            /usr/bin/dli-integrator, example configs and systemd units under /usr/share/doc
#   dli-runner-<framework>    one runner under /usr/lib/dli/runners, depending on its framework's Debian package
# The agent looks for runners in <its folder>/../lib/dli/runners (src/agent/runner_registry.cpp), so /usr/bin and
# /usr/lib/dli/runners find each other without configuration, and so does any other prefix.
# Build them: scripts/package.sh (cpack -G DEB in the build folder), into build/packages/.

include(GNUInstallDirs)

set(DLI_RUNNER_INSTALL_DIR lib/dli/runners)  # not CMAKE_INSTALL_LIBDIR: Debian's multiarch lib/x86_64-linux-gnu
                                             # would break the agent's ../lib/dli/runners rule
set(DLI_PACKAGING_DIR ${PROJECT_SOURCE_DIR}/scripts/packaging)
set(DLI_PACKAGE_RELEASE 1)
set(DLI_PACKAGE_MAINTAINER "dli maintainers <dli-maintainers@example.org>" CACHE STRING
    "Maintainer field of the Debian packages")

# Permissions are spelled out: a checkout made under a restrictive umask would otherwise leak 0700 folders or
# 0600 files into the packages.
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
    WORLD_READ WORLD_EXECUTE)
set(dli_exec_perms OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(dli_file_perms OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# Debian policy 12.5/12.7: each package has its copyright file and a gzipped changelog in /usr/share/doc/<package>
# (gzip -n: no name or time stamp inside, so the same sources give the same package).
find_program(DLI_GZIP gzip REQUIRED)
set(dli_changelog_gz ${PROJECT_BINARY_DIR}/packaging/changelog.Debian.gz)
add_custom_command(OUTPUT ${dli_changelog_gz}
                   COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/packaging
                   COMMAND ${DLI_GZIP} -9nc ${DLI_PACKAGING_DIR}/changelog > ${dli_changelog_gz}
                   DEPENDS ${DLI_PACKAGING_DIR}/changelog VERBATIM)
add_custom_target(dli_package_docs ALL DEPENDS ${dli_changelog_gz})

# dli_package_component(<component> [COPYRIGHT file]): the docs every package carries.
function(dli_package_docs component)
  cmake_parse_arguments(ARG "" "COPYRIGHT" "" ${ARGN})
  if(NOT ARG_COPYRIGHT)
    set(ARG_COPYRIGHT ${DLI_PACKAGING_DIR}/copyright)
  endif()
  install(FILES ${ARG_COPYRIGHT} DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${component} RENAME copyright
          PERMISSIONS ${dli_file_perms} COMPONENT ${component})
  install(FILES ${dli_changelog_gz} DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${component}
          PERMISSIONS ${dli_file_perms} COMPONENT ${component})
endfunction()

# --- What each package installs -----------------------------------------------------------------------------------
install(TARGETS dli-agent RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT dli-agent)
install(TARGETS dli-run-null RUNTIME DESTINATION ${DLI_RUNNER_INSTALL_DIR} COMPONENT dli-agent)
install(TARGETS dli-gemm-peak RUNTIME DESTINATION ${DLI_RUNNER_INSTALL_DIR} COMPONENT dli-agent)
dli_package_docs(dli-agent)

install(TARGETS dli-integrator RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT dli-integrator)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/configs DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/dli-integrator/examples
        COMPONENT dli-integrator FILE_PERMISSIONS ${dli_file_perms})
dli_package_docs(dli-integrator)

set(DLI_PACKAGED_RUNNERS)
foreach(runner opencv torch command)
  if(TARGET dli-run-${runner})
    install(TARGETS dli-run-${runner} RUNTIME DESTINATION ${DLI_RUNNER_INSTALL_DIR} COMPONENT dli-runner-${runner})
    dli_package_docs(dli-runner-${runner})
    list(APPEND DLI_PACKAGED_RUNNERS ${runner})
  endif()
endforeach()

install(PROGRAMS ${PROJECT_SOURCE_DIR}/src/runners/pytorch/dli-run-pytorch DESTINATION ${DLI_RUNNER_INSTALL_DIR}
        COMPONENT dli-runner-pytorch)
dli_package_docs(dli-runner-pytorch)
list(APPEND DLI_PACKAGED_RUNNERS pytorch)

# The Node runner lives in its own folder with the node_modules `npm ci --ignore-scripts` made (Node resolves
# require() from the script's real folder), and a link in the runners folder makes the agent find it. Only the
# Linux x86-64 build of onnxruntime-node's native part is shipped: the others are ~220 MB of no use on amd64.
set(dli_ort_source ${PROJECT_SOURCE_DIR}/src/runners/onnxruntime)
set(dli_ort_dir lib/dli/onnxruntime)
if(EXISTS ${dli_ort_source}/node_modules/onnxruntime-node/package.json)
  install(PROGRAMS ${dli_ort_source}/dli-run-onnxruntime DESTINATION ${dli_ort_dir} COMPONENT dli-runner-onnxruntime)
  install(FILES ${dli_ort_source}/package.json ${dli_ort_source}/package-lock.json DESTINATION ${dli_ort_dir}
          PERMISSIONS ${dli_file_perms} COMPONENT dli-runner-onnxruntime)
  # A worktree may link node_modules to another checkout's: install(DIRECTORY) would copy the link, so the real
  # folder is named.
  file(REAL_PATH ${dli_ort_source}/node_modules dli_ort_modules)
  install(DIRECTORY ${dli_ort_modules}/ DESTINATION ${dli_ort_dir}/node_modules
          COMPONENT dli-runner-onnxruntime USE_SOURCE_PERMISSIONS
          REGEX "/bin/napi-v[0-9]+/(darwin|win32)$" EXCLUDE
          REGEX "/bin/napi-v[0-9]+/linux/arm64$" EXCLUDE
          REGEX "/\\.[^/]*$" EXCLUDE)  # npm's .bin links and lock copy, linter and CI settings: not run
  install(CODE "set(runners \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${DLI_RUNNER_INSTALL_DIR}\")
                file(MAKE_DIRECTORY \"\${runners}\")
                file(CREATE_LINK ../onnxruntime/dli-run-onnxruntime \"\${runners}/dli-run-onnxruntime\" SYMBOLIC)"
          COMPONENT dli-runner-onnxruntime)
  install(FILES ${DLI_PACKAGING_DIR}/lintian/dli-runner-onnxruntime
          DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/lintian/overrides PERMISSIONS ${dli_file_perms}
          COMPONENT dli-runner-onnxruntime)
  dli_package_docs(dli-runner-onnxruntime COPYRIGHT ${DLI_PACKAGING_DIR}/copyright-onnxruntime)
  list(APPEND DLI_PACKAGED_RUNNERS onnxruntime)
else()
  message(STATUS "src/runners/onnxruntime/node_modules missing (npm ci --ignore-scripts there): "
                 "no dli-runner-onnxruntime package")
endif()

# --- CPack: one .deb per component ---------------------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME dli)
set(CPACK_PACKAGE_VENDOR dli)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${DLI_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/packages)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # <package>_<version>-<release>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_RELEASE ${DLI_PACKAGE_RELEASE})
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${DLI_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.org/dli")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Runners follow the agent's runner protocol: a runner of another version is refused, so they come as one version.
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)

set(CPACK_COMPONENTS_ALL dli-agent dli-integrator)
foreach(runner IN LISTS DLI_PACKAGED_RUNNERS)
  list(APPEND CPACK_COMPONENTS_ALL dli-runner-${runner})
endforeach()

# Summary line, then the long description: CPack indents each line for the control file; lintian wants them under
# 80 columns.
set(dli_about "dli measures deep-learning inference speed (latency, throughput, accuracy)\non a fleet of hosts.")
set(CPACK_COMPONENT_DLI-AGENT_DESCRIPTION "dli host agent: runs inference tests on this host
${dli_about}
The agent runs the tests a sweep assigns to this host, each in its
framework's runner, and describes the host (dli-agent describe).
Install a dli-runner-* package per framework.")
set(CPACK_COMPONENT_DLI-INTEGRATOR_DESCRIPTION "dli integrator: plans inference sweeps and drives the fleet
${dli_about}
The integrator plans sweeps, starts them on hosts over SSH, collects the
results and publishes CSV files, pages and history.
Example configurations are in /usr/share/doc/dli-integrator/examples.")
set(dli_runner_about "\n${dli_about}\nThis runner is started by dli-agent, one process per test.")
set(CPACK_COMPONENT_DLI-RUNNER-OPENCV_DESCRIPTION "dli runner for OpenCV DNN${dli_runner_about}")
set(CPACK_COMPONENT_DLI-RUNNER-TORCH_DESCRIPTION "dli runner for libtorch (TorchScript)${dli_runner_about}")
set(CPACK_COMPONENT_DLI-RUNNER-COMMAND_DESCRIPTION
    "dli runner for a benchmark tool's command line${dli_runner_about}")
set(CPACK_COMPONENT_DLI-RUNNER-PYTORCH_DESCRIPTION "dli runner for PyTorch (TorchScript)${dli_runner_about}")
set(CPACK_COMPONENT_DLI-RUNNER-ONNXRUNTIME_DESCRIPTION
    "dli runner for ONNX Runtime (Node.js)${dli_runner_about}
It carries onnxruntime-node 1.30 from npm (its Linux x86-64 build).")

foreach(component IN LISTS CPACK_COMPONENTS_ALL)
  string(TOUPPER ${component} upper)
  set(CPACK_DEBIAN_${upper}_PACKAGE_NAME ${component})
  if(component MATCHES "^dli-runner-")
    set(CPACK_COMPONENT_${upper}_DEPENDS dli-agent)
  endif()
endforeach()
# Explicit needs where dpkg-shlibdeps cannot see them (scripts), or where it would look at a foreign binary.
set(CPACK_DEBIAN_DLI-RUNNER-PYTORCH_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_DLI-RUNNER-PYTORCH_PACKAGE_SHLIBDEPS OFF)
set(CPACK_DEBIAN_DLI-RUNNER-PYTORCH_PACKAGE_DEPENDS "python3, python3-torch")
set(CPACK_DEBIAN_DLI-RUNNER-ONNXRUNTIME_PACKAGE_SHLIBDEPS OFF)  # npm's prebuilt library is not from Debian
set(CPACK_DEBIAN_DLI-RUNNER-ONNXRUNTIME_PACKAGE_DEPENDS "nodejs (>= 18), libc6 (>= 2.28), libgcc-s1, libstdc++6")
# Debian links libtorch to the reference BLAS; OpenBLAS makes it several times faster (docs/runners.md).
set(CPACK_DEBIAN_DLI-RUNNER-TORCH_PACKAGE_RECOMMENDS "libopenblas0-pthread")
set(CPACK_DEBIAN_DLI-AGENT_PACKAGE_SUGGESTS
    "dli-runner-opencv, dli-runner-torch, dli-runner-onnxruntime, dli-runner-pytorch, dli-runner-command")
set(CPACK_DEBIAN_DLI-INTEGRATOR_PACKAGE_RECOMMENDS "dli-agent")

include(CPack)
