/*
 * pcsc-count.c: an LD_PRELOAD shim that counts the module's calls into
 * pcsc-lite that reach pcscd (one round trip each), and passes every call
 * on unchanged. The round-trip tests and benchmarks read the counts with
 * eimza_pcsc_calls().
 */
#include "config.h"

#include <dlfcn.h>
#include <stdatomic.h>
#include <string.h>

#include <PCSC/winscard.h>

unsigned long eimza_pcsc_calls(const char *name);

enum { ESTABLISH, RELEASE, CONNECT, RECONNECT, DISCONNECT, BEGIN, END, STATUS, STATUS_CHANGE,
       CONTROL, TRANSMIT, LIST, CANCEL, GET_ATTRIB, N_CALLS };
static const char *const names[N_CALLS] = {
	"SCardEstablishContext", "SCardReleaseContext", "SCardConnect", "SCardReconnect",
	"SCardDisconnect", "SCardBeginTransaction", "SCardEndTransaction", "SCardStatus",
	"SCardGetStatusChange", "SCardControl", "SCardTransmit", "SCardListReaders",
	"SCardCancel", "SCardGetAttrib"};
static atomic_ulong counts[N_CALLS];

/* Every call pcscd answered (name NULL), or those of one function. */
unsigned long eimza_pcsc_calls(const char *name)
{
	unsigned long n = 0;

	for (int i = 0; i < N_CALLS; i++)
		if (!name || strcmp(name, names[i]) == 0)
			n += atomic_load(&counts[i]);
	return n;
}

/* pcsc-lite itself. Not RTLD_NEXT: the module that calls it is loaded
 * with RTLD_LOCAL after this shim, and so is pcsc-lite with it. Opened
 * before main, so no thread races to open it. */
static void *lib;

__attribute__((constructor)) static void open_pcsclite(void)
{
	lib = dlopen("libpcsclite.so.1", RTLD_NOW | RTLD_LOCAL);
}

static void *real(int i)
{
	atomic_fetch_add(&counts[i], 1);
	return lib ? dlsym(lib, names[i]) : NULL;
}

#define PASS(i, type, ...) return ((type)real(i))(__VA_ARGS__)

LONG SCardEstablishContext(DWORD a, LPCVOID b, LPCVOID c, LPSCARDCONTEXT d)
{
	PASS(ESTABLISH, LONG(*)(DWORD, LPCVOID, LPCVOID, LPSCARDCONTEXT), a, b, c, d);
}

LONG SCardReleaseContext(SCARDCONTEXT a)
{
	PASS(RELEASE, LONG(*)(SCARDCONTEXT), a);
}

LONG SCardConnect(SCARDCONTEXT a, LPCSTR b, DWORD c, DWORD d, LPSCARDHANDLE e, LPDWORD f)
{
	PASS(CONNECT, LONG(*)(SCARDCONTEXT, LPCSTR, DWORD, DWORD, LPSCARDHANDLE, LPDWORD), a, b,
	     c, d, e, f);
}

LONG SCardReconnect(SCARDHANDLE a, DWORD b, DWORD c, DWORD d, LPDWORD e)
{
	PASS(RECONNECT, LONG(*)(SCARDHANDLE, DWORD, DWORD, DWORD, LPDWORD), a, b, c, d, e);
}

LONG SCardDisconnect(SCARDHANDLE a, DWORD b)
{
	PASS(DISCONNECT, LONG(*)(SCARDHANDLE, DWORD), a, b);
}

LONG SCardBeginTransaction(SCARDHANDLE a)
{
	PASS(BEGIN, LONG(*)(SCARDHANDLE), a);
}

LONG SCardEndTransaction(SCARDHANDLE a, DWORD b)
{
	PASS(END, LONG(*)(SCARDHANDLE, DWORD), a, b);
}

LONG SCardStatus(SCARDHANDLE a, LPSTR b, LPDWORD c, LPDWORD d, LPDWORD e, LPBYTE f, LPDWORD g)
{
	PASS(STATUS, LONG(*)(SCARDHANDLE, LPSTR, LPDWORD, LPDWORD, LPDWORD, LPBYTE, LPDWORD), a,
	     b, c, d, e, f, g);
}

LONG SCardGetStatusChange(SCARDCONTEXT a, DWORD b, SCARD_READERSTATE *c, DWORD d)
{
	PASS(STATUS_CHANGE, LONG(*)(SCARDCONTEXT, DWORD, SCARD_READERSTATE *, DWORD), a, b, c, d);
}

LONG SCardControl(SCARDHANDLE a, DWORD b, LPCVOID c, DWORD d, LPVOID e, DWORD f, LPDWORD g)
{
	PASS(CONTROL, LONG(*)(SCARDHANDLE, DWORD, LPCVOID, DWORD, LPVOID, DWORD, LPDWORD), a, b,
	     c, d, e, f, g);
}

LONG SCardTransmit(SCARDHANDLE a, const SCARD_IO_REQUEST *b, LPCBYTE c, DWORD d,
		   SCARD_IO_REQUEST *e, LPBYTE f, LPDWORD g)
{
	PASS(TRANSMIT,
	     LONG(*)(SCARDHANDLE, const SCARD_IO_REQUEST *, LPCBYTE, DWORD, SCARD_IO_REQUEST *,
		     LPBYTE, LPDWORD),
	     a, b, c, d, e, f, g);
}

LONG SCardListReaders(SCARDCONTEXT a, LPCSTR b, LPSTR c, LPDWORD d)
{
	PASS(LIST, LONG(*)(SCARDCONTEXT, LPCSTR, LPSTR, LPDWORD), a, b, c, d);
}

LONG SCardCancel(SCARDCONTEXT a)
{
	PASS(CANCEL, LONG(*)(SCARDCONTEXT), a);
}

LONG SCardGetAttrib(SCARDHANDLE a, DWORD b, LPBYTE c, LPDWORD d)
{
	PASS(GET_ATTRIB, LONG(*)(SCARDHANDLE, DWORD, LPBYTE, LPDWORD), a, b, c, d);
}
