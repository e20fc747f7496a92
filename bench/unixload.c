// unixload: a small HTTP/1.1 keep-alive load client for a unix socket (wrk speaks only
// tcp). CONNS threads, each with one connection, send GET PATH and read the whole answer
// (Content-Length or chunked), for SECONDS. Prints "requests/s p50_ms p99_ms".
//   unixload SOCKET PATH CONNS SECONDS
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char* sock_path;
static char request[4096];
static size_t request_len;
static double end_at;

struct worker {
  pthread_t t;
  long count;
  long cap;
  double* lat;  // milliseconds
  int failed;
};

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

// Reads one response; returns 0 when whole, -1 on error. `buf` keeps bytes past it.
static int read_response(int fd, char* buf, size_t cap, size_t* have) {
  for (;;) {
    char* end = memmem(buf, *have, "\r\n\r\n", 4);
    if (end) {
      size_t head = (size_t)(end - buf) + 4;
      long len = -1;
      int chunked = 0;
      for (char* l = buf; l < end; l = strstr(l, "\r\n") + 2) {
        if (strncasecmp(l, "Content-Length:", 15) == 0) len = strtol(l + 15, NULL, 10);
        if (strncasecmp(l, "Transfer-Encoding: chunked", 26) == 0) chunked = 1;
      }
      if (chunked) {  // wait for the terminating chunk
        while (!memmem(buf + head, *have - head, "\r\n0\r\n\r\n", 7) &&
               !(*have - head >= 5 && memcmp(buf + head, "0\r\n\r\n", 5) == 0)) {
          ssize_t n = read(fd, buf + *have, cap - *have);
          if (n <= 0) return -1;
          *have += (size_t)n;
        }
        char* z = memmem(buf + head, *have - head, "0\r\n\r\n", 5);
        size_t used = (size_t)(z - buf) + 5;
        memmove(buf, buf + used, *have - used);
        *have -= used;
        return 0;
      }
      if (len < 0) len = 0;
      if ((size_t)len + head > cap) return -1;
      while (*have < head + (size_t)len) {
        ssize_t n = read(fd, buf + *have, cap - *have);
        if (n <= 0) return -1;
        *have += (size_t)n;
      }
      size_t used = head + (size_t)len;
      memmove(buf, buf + used, *have - used);
      *have -= used;
      return 0;
    }
    if (*have == cap) return -1;
    ssize_t n = read(fd, buf + *have, cap - *have);
    if (n <= 0) return -1;
    *have += (size_t)n;
  }
}

static void* run(void* arg) {
  struct worker* w = arg;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  strncpy(a.sun_path, sock_path, sizeof a.sun_path - 1);
  if (connect(fd, (struct sockaddr*)&a, sizeof a) != 0) {
    w->failed = 1;
    return NULL;
  }
  size_t cap = 8 << 20, have = 0;
  char* buf = malloc(cap);
  while (now() < end_at) {
    double t0 = now();
    if (write(fd, request, request_len) != (ssize_t)request_len || read_response(fd, buf, cap, &have) != 0) {
      w->failed = 1;
      break;
    }
    if (w->count == w->cap) {
      w->cap = w->cap ? w->cap * 2 : 65536;
      w->lat = realloc(w->lat, (size_t)w->cap * sizeof(double));
    }
    w->lat[w->count++] = (now() - t0) * 1000;
  }
  free(buf);
  close(fd);
  return NULL;
}

static int cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: unixload SOCKET PATH CONNS SECONDS\n");
    return 2;
  }
  sock_path = argv[1];
  int conns = atoi(argv[3]);
  double secs = atof(argv[4]);
  request_len = (size_t)snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: d\r\n\r\n", argv[2]);
  struct worker* ws = calloc((size_t)conns, sizeof *ws);
  double start = now();
  end_at = start + secs;
  for (int i = 0; i < conns; i++) pthread_create(&ws[i].t, NULL, run, &ws[i]);
  long total = 0;
  int failed = 0;
  for (int i = 0; i < conns; i++) {
    pthread_join(ws[i].t, NULL);
    total += ws[i].count;
    failed |= ws[i].failed;
  }
  double elapsed = now() - start;
  double* all = malloc((size_t)(total ? total : 1) * sizeof(double));
  long k = 0;
  for (int i = 0; i < conns; i++)
    for (long j = 0; j < ws[i].count; j++) all[k++] = ws[i].lat[j];
  qsort(all, (size_t)total, sizeof(double), cmp);
  if (failed) fprintf(stderr, "unixload: a connection failed\n");
  printf("%.1f %.2f %.2f\n", total / elapsed, total ? all[total / 2] : 0, total ? all[(long)(total * 0.99)] : 0);
  return failed && total == 0;
}
