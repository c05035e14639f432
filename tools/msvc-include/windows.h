/* Stand-in for the Windows SDK's <windows.h>; see README. It declares the
 * threads, slim reader/writer locks, condition variables and handles of
 * the Win32 API (kernel32, Windows Vista and later), with the SDK's types:
 * DWORD and LONG are 32 bits, as long is on Windows. */
#ifndef OM_STUB_WINDOWS_H
#define OM_STUB_WINDOWS_H
#include <stddef.h>

#define WINAPI __stdcall
#define INFINITE 0xFFFFFFFF
#define WAIT_OBJECT_0 0x00000000L
#define WAIT_FAILED 0xFFFFFFFF
#define TRUE 1
#define FALSE 0

typedef int BOOL;
typedef unsigned char BYTE;
typedef unsigned short WORD;
typedef unsigned long DWORD, *LPDWORD;
typedef long LONG;
typedef unsigned long ULONG;
typedef void *PVOID, *LPVOID, *HANDLE;
typedef unsigned __int64 SIZE_T, ULONG_PTR, DWORD_PTR;

typedef struct _SECURITY_ATTRIBUTES {
    DWORD nLength;
    LPVOID lpSecurityDescriptor;
    BOOL bInheritHandle;
} SECURITY_ATTRIBUTES, *LPSECURITY_ATTRIBUTES;

typedef struct _RTL_SRWLOCK { PVOID Ptr; } SRWLOCK, *PSRWLOCK;
typedef struct _RTL_CONDITION_VARIABLE {
    PVOID Ptr;
} CONDITION_VARIABLE, *PCONDITION_VARIABLE;
#define SRWLOCK_INIT {0}
#define CONDITION_VARIABLE_INIT {0}

typedef DWORD(WINAPI *LPTHREAD_START_ROUTINE)(LPVOID parameter);

HANDLE WINAPI CreateThread(LPSECURITY_ATTRIBUTES attributes, SIZE_T stack_size,
                           LPTHREAD_START_ROUTINE start, LPVOID parameter,
                           DWORD flags, LPDWORD thread_id);
DWORD WINAPI WaitForSingleObject(HANDLE handle, DWORD milliseconds);
BOOL WINAPI CloseHandle(HANDLE handle);
DWORD WINAPI GetLastError(void);
void WINAPI Sleep(DWORD milliseconds);
DWORD WINAPI GetCurrentThreadId(void);
DWORD WINAPI GetActiveProcessorCount(WORD group);
#define ALL_PROCESSOR_GROUPS 0xffff

void WINAPI InitializeSRWLock(PSRWLOCK lock);
void WINAPI AcquireSRWLockExclusive(PSRWLOCK lock);
void WINAPI ReleaseSRWLockExclusive(PSRWLOCK lock);
void WINAPI AcquireSRWLockShared(PSRWLOCK lock);
void WINAPI ReleaseSRWLockShared(PSRWLOCK lock);

void WINAPI InitializeConditionVariable(PCONDITION_VARIABLE condition);
BOOL WINAPI SleepConditionVariableSRW(PCONDITION_VARIABLE condition,
                                      PSRWLOCK lock, DWORD milliseconds,
                                      ULONG flags);
void WINAPI WakeConditionVariable(PCONDITION_VARIABLE condition);
void WINAPI WakeAllConditionVariable(PCONDITION_VARIABLE condition);
#endif
