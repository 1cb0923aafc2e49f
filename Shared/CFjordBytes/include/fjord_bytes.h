// Byte-level helpers Swift cannot reach through Glibc (memmem/memrchr need _GNU_SOURCE) and a CRC32C.
#ifndef FJORD_BYTES_H
#define FJORD_BYTES_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/// First occurrence of needle in haystack, or NULL (glibc memmem; an empty needle matches at haystack).
const void *fjord_memmem(const void *haystack, size_t hlen, const void *needle, size_t nlen);
/// Last occurrence of byte c in s[0..<n], or NULL.
const void *fjord_memrchr(const void *s, int c, size_t n);
/// CRC-32C (Castagnoli), continuing from `crc` (start with 0). Uses SSE4.2 when the CPU has it.
uint32_t fjord_crc32c(uint32_t crc, const void *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif
