// A small C interface to RE2 (C++), so Swift can use RE2 without C++ interop.
// RE2 is LogQL's regex dialect and matches in linear time on untrusted input.
#ifndef FJORD_RE2_H
#define FJORD_RE2_H
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef struct fjord_re2 fjord_re2;

enum {
    FJORD_RE2_CASE_INSENSITIVE = 1, // like (?i)
    FJORD_RE2_DOT_NL = 2,           // like (?s)
    FJORD_RE2_LITERAL = 4,          // pattern is a literal string
    FJORD_RE2_LONGEST_MATCH = 8,    // POSIX leftmost-longest instead of leftmost-first
};

/// Compiles `pattern` (UTF-8, `len` bytes). Returns NULL on error and writes a NUL-terminated message to `err`.
fjord_re2 *fjord_re2_new(const char *pattern, size_t len, int flags, char *err, size_t err_cap);
void fjord_re2_free(fjord_re2 *re);
/// Number of capturing groups (not counting the whole match).
int fjord_re2_num_groups(const fjord_re2 *re);
/// Name of capturing group `group` (1-based), or NULL if unnamed.
const char *fjord_re2_group_name(const fjord_re2 *re, int group);
/// 1 if the regex matches anywhere in text.
int fjord_re2_partial_match(const fjord_re2 *re, const char *text, size_t len);
/// 1 if the regex matches the whole text.
int fjord_re2_full_match(const fjord_re2 *re, const char *text, size_t len);
/// Searches text[startpos...]. anchor: 0 unanchored, 1 anchored at startpos, 2 anchored at both ends.
/// On a match returns 1 and writes `nsub` (start, end) byte offset pairs into `offsets` (2*nsub values);
/// group 0 is the whole match; a group that did not participate gets (-1, -1).
int fjord_re2_match(const fjord_re2 *re, const char *text, size_t len, size_t startpos, int anchor,
                    long *offsets, int nsub);

#ifdef __cplusplus
}
#endif
#endif
