/* The environment variables the launcher (launcher.c) reads, or sets for what it starts, for C.
 * src/native/platform.ts names the profile's for TypeScript; test/native/wire.test.ts proves the
 * two agree. Definitions only, no C library: sigshim.c, built without one, includes it too. */
#ifndef DAEMONTOOLS_LAUNCH_ENV_H
#define DAEMONTOOLS_LAUNCH_ENV_H

/* PROFILE_VAR=PROFILE_PORTABLE: a Linux build takes the branches a FreeBSD or macOS one takes. */
#define PROFILE_VAR "DAEMONTOOLS_PROFILE"
#define PROFILE_PORTABLE "portable"

/* To the signal shim (sigshim.c), beside the LD_PRELOAD that loads it: hold TERM and ALRM, and
 * the LD_PRELOAD the program had, kept under the prefixed name for the shim to put back. */
#define PRELOAD_VAR "LD_PRELOAD"
#define SHIM_HOLD_VAR "DAEMONTOOLS_HOLD_SIGNALS"
#define SHIM_SAVED_PREFIX "DAEMONTOOLS_"
#define SHIM_SAVED_PRELOAD_VAR SHIM_SAVED_PREFIX PRELOAD_VAR

#endif
