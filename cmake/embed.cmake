# Writes OUT, a C source that holds the bytes of IN as NAME[] (NUL-ended)
# and NAME_len, so that the program needs no installed data file.
# Usage: cmake -DIN=file -DOUT=file.c -DNAME=symbol -P embed.cmake
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" bytes "${hex}")
string(REPEAT "\\\\x.." 16 line)
string(REGEX REPLACE "(${line})"
	"\\1\"\n\t\"" bytes "${bytes}")
file(WRITE "${OUT}" "/* Generated from ${IN} by cmake/embed.cmake. */\n"
	"#include <stddef.h>\n\n"
	"extern const char ${NAME}[];\nextern const size_t ${NAME}_len;\n\n"
	"const char ${NAME}[] =\n\t\"${bytes}\";\n"
	"const size_t ${NAME}_len = ${len};\n")
