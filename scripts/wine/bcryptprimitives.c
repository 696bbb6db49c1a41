/*
 * A stand-in for Windows' bcryptprimitives.dll, for running the Windows
 * build of the tests under Wine only (scripts/windows-tests).
 *
 * Rust's standard library (since 1.78) and getrandom 0.3 draw random bytes
 * from ProcessPrng, which Windows 10 and later export from
 * bcryptprimitives.dll. Debian 12's Wine 8 has no such DLL, so a test
 * binary would not even load. This one exports ProcessPrng and answers it
 * with RtlGenRandom (advapi32's SystemFunction036), the generator Wine
 * does have. It is never shipped and never used on a real Windows.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
