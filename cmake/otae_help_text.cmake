# cmake -DOTAE=path/to/otae -DOUT=file -P otae_help_text.cmake: writes the help of `otae` and of
# every command and subcommand (what `otae … --help` prints) into one text file, the installed
# manual (share/doc/otae/otae-help.txt).
function(help_of words result)
  execute_process(COMMAND ${OTAE} ${words} --help OUTPUT_VARIABLE text RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "otae ${words} --help failed (${status})")
  endif()
  set(${result} "${text}" PARENT_SCOPE)
endfunction()

# The names listed under "Subcommands:" in a help text.
function(subcommands_of text result)
  string(REGEX REPLACE ".*\nSubcommands:\n" "" listed "${text}")
  string(REGEX REPLACE "\n\n.*" "" listed "${listed}")
  string(REGEX MATCHALL "(^|\n)  [a-z0-9-]+" names "${listed}")
  list(TRANSFORM names REPLACE "^\n?  " "")
  set(${result} ${names} PARENT_SCOPE)
endfunction()

function(append_help words)
  help_of("${words}" text)
  string(REPLACE ";" " " title "otae ${words}")
  string(REGEX REPLACE " +" " " title "${title}")
  string(STRIP "${title}" title)
  string(REGEX REPLACE "." "=" rule "${title}")
  file(APPEND ${OUT} "${title}\n${rule}\n\n${text}\n")
  subcommands_of("${text}" names)
  foreach(name IN LISTS names)
    append_help("${words};${name}")
  endforeach()
endfunction()

file(WRITE ${OUT} "")
append_help("")
