/* The logger stub's wire formats, in one place for C (src/lib/loghost/protocol.ts is the
 * TypeScript side, test/native/wire.test.ts proves the two agree): the socket it finds its host
 * at, the bytes the two exchange, the variable a logger handing itself back sets, and the ledger
 * the host keeps in the stub's memory file (written by src/lib/multilog/ledger.ts; the stub only
 * keeps it: whoever reads its input next settles it, src/lib/multilog/settle-input.ts). */
#ifndef DAEMONTOOLS_STUB_PROTOCOL_H
#define DAEMONTOOLS_STUB_PROTOCOL_H

#include <stdlib.h>
#include <string.h>

/* The host's abstract socket, after its leading NUL: printf format, the host's pid. */
#define STUB_HOST_SOCKET "daemontools-host/%ld"
/* The name of the ledger's memfd. */
#define STUB_LEDGER_NAME "daemontools-ledger"
/* Ends the record, the stub's first message. */
#define STUB_RECORD_END '\n'

/* Stub to host, one byte each, after the record. */
#define STUB_ALARM 'A'     /* SIGALRM came: rotate */
#define STUB_TERM 'T'      /* SIGTERM came: finish the line in hand, then exit */
#define STUB_CONTINUED 'C' /* SIGCONT came: look again whether the stub is stopped */

/* Host to stub, two bytes each: the letter and its argument. */
#define HOST_MESSAGE_LEN 2
#define HOST_EXIT 'X'   /* exit with the code that follows */
#define HOST_REFUSE 'F' /* not hosted (0 follows): run as an ordinary multilog */
#define HOST_MOVE 'M'   /* go to another host: the count of digits follows, then its pid's digits */
#define HOST_MOVE_DIGITS 20

/* DAEMONTOOLS_REHOST=HOST:LETTERS, set only by our own Node multilog execing the launcher to
 * become a stub of HOST; LETTERS are the signals it held blocked for the hand-over only. */
#define REHOST_VAR "DAEMONTOOLS_REHOST"
#define REHOST_SEP ':'
#define REHOST_TERM 'T'
#define REHOST_ALRM 'A'

/* The ledger: "N K H0 H1\n", K lines "SIZE PATH\n", then H0 and H1 raw bytes. N > 0: a chunk of
 * N bytes of stdin was taken in; it was written if every listed `current` grew past SIZE. The held
 * bytes (a line's head read but not written) are H0 before the chunk, H1 after it. */
struct ledger {
  unsigned long long taken, files, h0, h1;
  char *held0, *held1;
};

/* Parses the ledger in text[0..len) (text[len] must be writable: each PATH is NUL-terminated in
 * place) and calls file(SIZE, PATH, ctx) for each listed `current`. Returns 0, or -1 when it is
 * not a ledger. No program of ours reads the ledger in C any more: this is the format's C reading,
 * which test/fixtures/wire.c proves agrees with TypeScript's. */
static inline int ledger_parse(char *text, size_t len, struct ledger *out,
                               void (*file)(unsigned long long size, const char *path, void *ctx), void *ctx) {
  text[len] = 0;
  char *p = text;
  char *end;
  unsigned long long v[4];
  for (int i = 0; i < 4; i++) {
    if (*p < '0' || *p > '9') return -1;
    v[i] = strtoull(p, &end, 10);
    if (*end != (i == 3 ? '\n' : ' ')) return -1;
    p = end + 1;
  }
  out->taken = v[0], out->files = v[1], out->h0 = v[2], out->h1 = v[3];
  for (unsigned long long i = 0; i < out->files; i++) {
    if (*p < '0' || *p > '9') return -1;
    unsigned long long size = strtoull(p, &end, 10);
    if (*end != ' ') return -1;
    char *path = end + 1;
    char *nl = memchr(path, '\n', (size_t)(text + len - path));
    if (!nl) return -1;
    *nl = 0;
    file(size, path, ctx);
    p = nl + 1;
  }
  if ((size_t)(p - text) + out->h0 + out->h1 > len) return -1;
  out->held0 = p;
  out->held1 = p + out->h0;
  return 0;
}

#endif
