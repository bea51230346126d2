/* A stand-in for bcryptprimitives.dll, which Wine 8 lacks (Windows 10 and later have it):
   Rust's standard library takes its random numbers from its ProcessPrng. Built by
   .ci/windows into the test's own Wine prefix only; sobes.exe does not ship it. */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
