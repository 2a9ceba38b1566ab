/*
 * p11-general.c: C_Initialize, C_Finalize, C_GetInfo, C_GetFunctionList
 * and the mutexes the application may hand us.
 */
#include "config.h"

#include "p11-internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ez_module ez_mod;
_Atomic int ez_waiters;
_Atomic bool ez_finalizing;

/* ---- mutexes: the application's or ours ---------------------------------- */

static CK_C_INITIALIZE_ARGS app_mutex; /* callbacks, when the application gave them */
static bool use_app_mutex;
static bool no_threads; /* CKF_LIBRARY_CANT_CREATE_OS_THREADS */

bool ez_threads_allowed(void)
{
	return !no_threads;
}

CK_RV ez_mutex_new(ez_mutex *m)
{
	pthread_mutex_t *pm;

	if (use_app_mutex)
		return app_mutex.CreateMutex(m);
	pm = malloc(sizeof(*pm));
	if (!pm)
		return CKR_HOST_MEMORY;
	pthread_mutex_init(pm, NULL);
	*m = pm;
	return CKR_OK;
}

void ez_mutex_free(ez_mutex m)
{
	if (!m)
		return;
	if (use_app_mutex) {
		app_mutex.DestroyMutex(m);
		return;
	}
	pthread_mutex_destroy(m);
	free(m);
}

void ez_mutex_lock(ez_mutex m)
{
	if (use_app_mutex)
		app_mutex.LockMutex(m);
	else
		pthread_mutex_lock(m);
}

void ez_mutex_unlock(ez_mutex m)
{
	if (use_app_mutex)
		app_mutex.UnlockMutex(m);
	else
		pthread_mutex_unlock(m);
}

/* ---- life ------------------------------------------------------------------ */

bool ez_ready(void)
{
	return ez_mod.initialized && ez_mod.pid == getpid();
}

static CK_RV initialize(CK_VOID_PTR init_args)
{
	CK_C_INITIALIZE_ARGS *a = init_args;
	CK_RV rv;

	if (ez_mod.initialized && ez_mod.pid != getpid()) {
		/* A forked child: the parent's PC/SC context and card handles are
		 * not ours to use or release. Forget them and start afresh. */
		if (ez_mod.pcsc)
			ez_pcsc_abandon(ez_mod.pcsc);
		if (ez_mod.wait_pcsc)
			ez_pcsc_abandon(ez_mod.wait_pcsc);
		memset(&ez_mod, 0, sizeof(ez_mod));
	}
	if (ez_mod.initialized)
		return CKR_CRYPTOKI_ALREADY_INITIALIZED;
	if (a) {
		int given = (a->CreateMutex != NULL) + (a->DestroyMutex != NULL) +
			    (a->LockMutex != NULL) + (a->UnlockMutex != NULL);
		if (a->pReserved)
			return CKR_ARGUMENTS_BAD;
		if (given != 0 && given != 4)
			return CKR_ARGUMENTS_BAD;
		/* Callbacks without CKF_OS_LOCKING_OK: use them. With the flag we
		 * may use either, and use the OS's. */
		use_app_mutex = given == 4 && !(a->flags & CKF_OS_LOCKING_OK);
		if (use_app_mutex)
			app_mutex = *a;
		no_threads = (a->flags & CKF_LIBRARY_CANT_CREATE_OS_THREADS) != 0;
	} else {
		use_app_mutex = false;
		no_threads = false;
	}
	ez_log_init();
	memset(&ez_mod, 0, sizeof(ez_mod));
	ez_finalizing = false;
	if ((rv = ez_mutex_new(&ez_mod.lock)) != CKR_OK)
		return rv == CKR_HOST_MEMORY ? rv : CKR_CANT_LOCK;
	ez_mod.pid = getpid();
	ez_mod.next_session = 1;
	/* No pcscd yet is not an error: slots appear when it comes. */
	if (ez_pcsc_open(&ez_mod.pcsc) != EZ_OK)
		ez_mod.pcsc = NULL;
	ez_mod.initialized = true;
	ez_mutex_lock(ez_mod.lock);
	ez_slots_rescan();
	ez_mutex_unlock(ez_mod.lock);
	/* What is in each reader now (pcscd's word, no APDU: cards are read
	 * when a call needs their token), as the baseline of slot events. */
	for (size_t i = 0; i < ez_slot_count(); i++) {
		struct ez_slot *s = &ez_mod.slots[i];
		ez_mutex_lock(s->lock);
		ez_slot_refresh(s);
		s->reported_present = s->card_present;
		s->reported_events = s->events;
		ez_mutex_unlock(s->lock);
	}
	ez_log("C_Initialize: %zu slot(s)%s%s", ez_slot_count(),
	       use_app_mutex ? ", application mutexes" : "", no_threads ? ", no threads" : "");
	return CKR_OK;
}

CK_RV C_Initialize(CK_VOID_PTR init_args)
{
	struct ez_call c;
	CK_RV rv;

	/* The log opens inside: this call's arguments are not in it. */
	ez_call(&c, __func__, "%s", "");
	rv = initialize(init_args);
	return ez_leave(&c, rv);
}

static void finalize(void)
{
	size_t i;
	int spins;
	/* Wake threads blocked in C_WaitForSlotEvent first, and wait (bounded)
	 * until they have left: they answer CKR_CRYPTOKI_NOT_INITIALIZED. */
	ez_finalizing = true;
	for (spins = 0; ez_waiters > 0 && spins < 400; spins++) {
		if (ez_mod.wait_pcsc)
			ez_pcsc_cancel(ez_mod.wait_pcsc);
		usleep(5000);
	}
	ez_mutex_lock(ez_mod.lock);
	ez_mod.initialized = false;
	for (i = 0; i < ez_mod.nsessions; i++) {
		ez_session_reset_op(ez_mod.sessions[i]);
		free(ez_mod.sessions[i]);
	}
	free(ez_mod.sessions);
	for (i = 0; i < ez_mod.nslots; i++) {
		ez_token_free(ez_mod.slots[i].token);
		ez_mutex_free(ez_mod.slots[i].lock);
	}
	if (ez_mod.pcsc)
		ez_pcsc_close(ez_mod.pcsc);
	if (ez_mod.wait_pcsc && ez_waiters == 0)
		ez_pcsc_close(ez_mod.wait_pcsc);
	ez_mutex_unlock(ez_mod.lock);
	ez_mutex_free(ez_mod.lock);
	memset(&ez_mod, 0, sizeof(ez_mod));
}

CK_RV C_Finalize(CK_VOID_PTR reserved)
{
	struct ez_call c;
	CK_RV rv = ez_enter(ez_call(&c, __func__, "reserved=%s", reserved ? "(given)" : "NULL"));

	if (rv == CKR_OK && reserved)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		finalize();
	return ez_leave(&c, rv);
}

static void pad(CK_UTF8CHAR *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	memset(dst, ' ', cap);
	memcpy(dst, src, n < cap ? n : cap);
}

static void library_info(CK_INFO_PTR info)
{
	memset(info, 0, sizeof(*info));
	info->cryptokiVersion.major = 2;
	info->cryptokiVersion.minor = 40;
	pad(info->manufacturerID, sizeof(info->manufacturerID), "eimza project");
	pad(info->libraryDescription, sizeof(info->libraryDescription),
	    "eimza PKCS#11 for AKIS cards");
	info->libraryVersion.major = (CK_BYTE)strtoul(PACKAGE_VERSION, NULL, 10);
	{
		const char *dot = strchr(PACKAGE_VERSION, '.');
		info->libraryVersion.minor = dot ? (CK_BYTE)strtoul(dot + 1, NULL, 10) : 0;
	}
}

CK_RV C_GetInfo(CK_INFO_PTR info)
{
	struct ez_call c;
	CK_RV rv = ez_enter(ez_call(&c, __func__, "%s", ""));

	if (rv == CKR_OK && !info)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		library_info(info);
	return ez_leave(&c, rv);
}

extern CK_FUNCTION_LIST ez_function_list; /* p11-v3.c, with the 3.0 list */

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
	if (!list)
		return CKR_ARGUMENTS_BAD;
	*list = &ez_function_list;
	return CKR_OK;
}

