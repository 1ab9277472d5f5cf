# Embedding data files into the program, so that it needs no installed
# data file.
#
# embed_bytes(FILE BYTES LEN): BYTES gets FILE's bytes as C hex escapes,
# 16 to a line, for a string literal; LEN its size.
#
# Run as a script (cmake -DIN=file -DOUT=file.c -DNAME=symbol -P
# embed.cmake), writes OUT, a C source that holds IN as NAME[] (NUL-ended)
# and NAME_len.
function(embed_bytes file bytes_var len_var)
	file(READ "${file}" hex HEX)
	string(LENGTH "${hex}" n)
	math(EXPR len "${n} / 2")
	string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" bytes "${hex}")
	string(REPEAT "\\\\x.." 16 line)
	string(REGEX REPLACE "(${line})" "\\1\"\n\t\"" bytes "${bytes}")
	set(${bytes_var} "${bytes}" PARENT_SCOPE)
	set(${len_var} ${len} PARENT_SCOPE)
endfunction()

if(DEFINED IN AND DEFINED OUT AND DEFINED NAME)
	embed_bytes("${IN}" bytes len)
	file(WRITE "${OUT}" "/* Generated from ${IN} by cmake/embed.cmake. */\n"
		"#include <stddef.h>\n\n"
		"extern const char ${NAME}[];\n"
		"extern const size_t ${NAME}_len;\n\n"
		"const char ${NAME}[] =\n\t\"${bytes}\";\n"
		"const size_t ${NAME}_len = ${len};\n")
endif()
