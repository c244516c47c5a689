# Sets CARTSIM_PYTHON to an interpreter that imports h5py, numpy, matplotlib,
# PIL and yaml (postprocess/__init__.py's _REQUIRED; PIL was not probed). Debian's
# /usr/bin/python3 comes first: the python3 on PATH may be a separate
# interpreter that does not see Debian's python3-* packages.
if(NOT CARTSIM_PYTHON)
  set(_candidates /usr/bin/python3)
  find_program(_path_python3 NAMES python3)
  if(_path_python3)
    list(APPEND _candidates ${_path_python3})
  endif()
  foreach(_py IN LISTS _candidates)
    execute_process(COMMAND ${_py} -c "import h5py, numpy, matplotlib, PIL, yaml"
      RESULT_VARIABLE _rc OUTPUT_QUIET ERROR_QUIET)
    if(_rc EQUAL 0)
      set(CARTSIM_PYTHON ${_py} CACHE FILEPATH "Python interpreter with h5py, numpy, matplotlib, PIL, yaml")
      break()
    endif()
  endforeach()
endif()
if(NOT CARTSIM_PYTHON)
  message(WARNING "No Python interpreter with h5py, numpy, matplotlib, PIL and yaml was found: postprocessing "
    "and the Python-based tests need them. Install with: apt-get install python3-h5py python3-matplotlib "
    "python3-numpy python3-scipy python3-pil python3-yaml (or run scripts/install-deps.sh)")
  set(CARTSIM_PYTHON "")
endif()
message(STATUS "cartsim postprocess interpreter: ${CARTSIM_PYTHON}")
