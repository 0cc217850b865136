/*
 * The PDQ index's probes in C, over the index's own typed arrays (no copy): probePart, the batch
 * walk of src/index/hamming-batch.ts, and probeOne, probeBase of src/index/hamming-probe.ts —
 * the same work, the same hits in the same order. They only read the index; the callers do the
 * rest (scans, answers, counters). Built by scripts/native.mjs into native/build/; without it the
 * JavaScript runs.
 *
 * Why C: at 1 M hashes a batch of 1,000 walks ~1.56 M (key, query) pairs over ~12 M bucket
 * entries. In JavaScript a pair costs ~29 ns, and the loop cannot prefetch: here the bucket of the
 * pair PREFETCH ahead is touched first, packed buckets are filtered 16 entries a step (AVX-512),
 * and the popcounts are single instructions.
 *
 * Every index the arrays are read at is checked against their lengths: a damaged index (a
 * corrupt snapshot, say) makes probePart and probeOne throw, never read outside an array.
 */
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* HAMMING_SCALAR: the loops machines without AVX-512 run (built beside the tuned one, for the tests). */
#if defined(__AVX512F__) && defined(__AVX512BW__) && !defined(HAMMING_SCALAR)
#include <immintrin.h>
#define WALK_AVX512 1
#endif

#define ALLOWED_BITS 3
#define ALLOWED_MASK 7u
#define CHUNK_BITS 5
#define CHUNK_MASK 31u
#define OFFSET_BLOCK_BITS 6
#define BLOCK_MASK 63u
#define WIDE 0x80000000u
#define LARGE_BUCKET 64
#define VERIFY_BLOCK 256
#define MAX_CHUNKS 32
/* How many pairs ahead the walk touches a bucket (measured at 1 M: 8 and 16 alike, ~20% off the walk). */
#define PREFETCH 16
#define BAD UINT32_MAX

typedef struct {
  uint32_t start, bits, suffix_bits, pack_shift, p, keys;
  int radius;
  const uint32_t *offsets, *block_base, *wide, *packed, *slots;
  const uint16_t *rel;
  const void *suffixes;
  size_t wide_len, entries_len;
  int suffix_bytes;
  const int32_t *masks;
  const uint8_t *weights;
  /* One bit a chunk value present (probe_one only); its masks then cover the whole chunk. */
  const uint32_t *present;
} chunk_t;


typedef struct {
  void *p;
  size_t cap;
} buf_t;

/* Scratch space, grown on demand, one set a thread (query threads each load the module). */
typedef struct {
  buf_t sorted, counts, key, suffix, entries, counted, cand_slot, cand_tag, hit;
  /* probe_one's: probe keys, suffixes, allowed bits, bucket ranges, candidates and their chunks */
  buf_t pkey, psuffix, pallowed, rbegin, rend, cand, cand_chunk;
} scratch_t;
/* Reached once a call (a thread-local variable of a loaded module costs a call at every use). */
static __thread scratch_t thread_scratch;

typedef struct {
  const uint32_t *h, *alive, *qs;
  size_t slot_count, alive_len;
  uint32_t n, threshold, low;
  double max_entries, max_candidates;
  uint8_t *scanned;
  chunk_t chunks[MAX_CHUNKS];
  uint32_t m;
  scratch_t *s;
} batch_t;

static int ensure(buf_t *b, size_t need, size_t elem) {
  if (need <= b->cap) return 1;
  size_t cap = b->cap ? b->cap : 1024;
  while (cap < need) cap *= 2;
  void *p = realloc(b->p, cap * elem);
  if (!p) return 0;
  b->p = p;
  b->cap = cap;
  return 1;
}

static inline int popcount(uint32_t x) { return __builtin_popcount(x); }

/* chunks.ts's chunkValue: the `bits`-wide chunk at bit `start` of the hash at w[0..7]. */
static inline uint32_t chunk_value(const uint32_t *w, uint32_t start, uint32_t bits) {
  uint32_t i = start >> 5, o = start & 31;
  uint32_t hi = (w[i] << o) >> (32 - bits);
  if (o + bits <= 32) return hi;
  return hi | (w[i + 1] >> (64 - o - bits));
}

/* hamming-probe.ts's bucketOffset; BAD where a wide block points outside `wide`. */
static inline uint32_t bucket_start(const chunk_t *t, uint32_t key) {
  if (t->offsets) return t->offsets[key];
  uint32_t b = t->block_base[key >> OFFSET_BLOCK_BITS];
  if (b < WIDE) return b + t->rel[key];
  size_t at = (size_t)(b & ~WIDE) + (key & BLOCK_MASK);
  return at < t->wide_len ? t->wide[at] : BAD;
}

/* One chunk's (key, query) pairs, counting-sorted by key into s->sorted (hamming-batch.ts's sortPairs). */
static size_t sort_pairs(scratch_t *s, const chunk_t *t, uint32_t n, uint32_t low) {
  uint32_t p = t->p, keys = t->keys;
  uint32_t *counts = s->counts.p, *sorted = s->sorted.p, *key_of = s->key.p;
  memset(counts, 0, (keys + 1) * sizeof(uint32_t));
  for (uint32_t i = 0; i < n; i++) {
    uint32_t key = key_of[i];
    for (uint32_t j = 0; j < p; j++) counts[(key ^ (uint32_t)t->masks[j]) + 1]++;
  }
  for (uint32_t k = 0; k < keys; k++) counts[k + 1] += counts[k];
  for (uint32_t i = 0; i < n; i++) {
    uint32_t key = key_of[i], tag = i << ALLOWED_BITS;
    for (uint32_t j = 0; j < p; j++) {
      uint32_t probe = key ^ (uint32_t)t->masks[j];
      sorted[counts[probe]++] = (probe << low) | tag | (uint32_t)(t->radius - t->weights[j]);
    }
  }
  return (size_t)n * p;
}

#define FAILED ((size_t)-1)
#define DAMAGED ((size_t)-2)

/*
 * Appends to out (from nc) the slots of entries begin … end of chunk t whose suffix is within
 * `allowed` bits of `suffix`; returns the new count. Every entry is written and the count moves
 * only for those that pass: no branch an entry. out has room for end − begin + 16 more.
 */
static inline size_t filter_bucket(const chunk_t *t, const uint32_t *h, uint32_t begin, uint32_t end, uint32_t suffix, uint32_t allowed, uint32_t *out, size_t nc) {
  if (t->packed) {
    const uint32_t *packed = t->packed;
    uint32_t shift = t->pack_shift, pm = (1u << shift) - 1;
#ifdef WALK_AVX512
    /* 16 entries a step, the lanes past the bucket masked off (most buckets take one step: no loop
       exit to mispredict); the suffix's popcount (at most 8 bits) from a nibble table; the passing
       slots compressed in a register and stored whole. */
    const __m512i vsuffix = _mm512_set1_epi32((int)suffix), vpm = _mm512_set1_epi32((int)pm);
    const __m512i vallowed = _mm512_set1_epi32((int)allowed), nibble = _mm512_set1_epi32(0x0f);
    const __m512i pop4 = _mm512_broadcast_i32x4(_mm_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4));
    const __m128i vshift = _mm_cvtsi32_si128((int)shift);
    for (uint32_t e = begin; e < end; e += 16) {
      uint32_t left = end - e;
      __mmask16 lanes = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
      __m512i x = _mm512_maskz_loadu_epi32(lanes, packed + e);
      __m512i d = _mm512_and_si512(_mm512_xor_si512(x, vsuffix), vpm);
      __m512i bits = _mm512_add_epi32(_mm512_shuffle_epi8(pop4, _mm512_and_si512(d, nibble)), _mm512_shuffle_epi8(pop4, _mm512_srli_epi32(d, 4)));
      __mmask16 ok = _mm512_mask_cmple_epu32_mask(lanes, bits, vallowed);
      _mm512_storeu_si512(out + nc, _mm512_maskz_compress_epi32(ok, _mm512_srl_epi32(x, vshift)));
      nc += (uint32_t)popcount(ok);
    }
#else
    for (uint32_t e = begin; e < end; e++) {
      uint32_t x = packed[e];
      out[nc] = x >> shift;
      nc += (uint32_t)popcount((x ^ suffix) & pm) <= allowed;
    }
#endif
    return nc;
  }
  if (t->slots) {
    for (uint32_t e = begin; e < end; e++) {
      uint32_t x = t->suffix_bytes == 1 ? ((const uint8_t *)t->suffixes)[e] : ((const uint16_t *)t->suffixes)[e];
      out[nc] = t->slots[e];
      nc += (uint32_t)popcount(x ^ suffix) <= allowed;
    }
    return nc;
  }
  /* The chunk orders the base: its entries are the slots, their suffix read from the hash. */
  uint32_t sm = (1u << t->suffix_bits) - 1, w = t->start >> 5;
  if ((t->start & 31) + t->bits <= 32) {
    uint32_t word_shift = 32 - (t->start & 31) - t->bits;
    for (uint32_t e = begin; e < end; e++) {
      out[nc] = e;
      nc += (uint32_t)popcount(((h[((size_t)e << 3) + w] >> word_shift) & sm) ^ suffix) <= allowed;
    }
    return nc;
  }
  for (uint32_t e = begin; e < end; e++) {
    out[nc] = e;
    nc += (uint32_t)popcount((chunk_value(h + ((size_t)e << 3), t->start, t->bits) & sm) ^ suffix) <= allowed;
  }
  return nc;
}

/* Appends chunk c's candidates from `nc` (hamming-batch.ts's walkPacked / walkSlots); the new count, FAILED or DAMAGED. */
static size_t walk(batch_t *b, const chunk_t *t, uint32_t c, size_t pairs, size_t nc) {
  scratch_t *s = b->s;
  const uint32_t *ps = s->sorted.p, *suffix_of = s->suffix.p, *h = b->h;
  double *entries_of = s->entries.p, *counted = s->counted.p;
  uint8_t *skip = b->scanned;
  uint32_t low = b->low, query_mask = (1u << (low - ALLOWED_BITS)) - 1;
  uint32_t w = t->start >> 5;
  uint32_t *out = s->cand_slot.p, *tags = s->cand_tag.p;
  size_t room = s->cand_slot.cap < s->cand_tag.cap ? s->cand_slot.cap : s->cand_tag.cap;
  for (size_t j = 0; j < pairs; j++) {
    if (j + PREFETCH < pairs) {
      uint32_t ahead = bucket_start(t, ps[j + PREFETCH] >> low);
      if (ahead < t->entries_len) {
        if (t->packed) __builtin_prefetch(t->packed + ahead);
        else if (!t->slots) __builtin_prefetch(h + ((size_t)ahead << 3) + w);
      }
    }
    uint32_t pair = ps[j], key = pair >> low;
    uint32_t begin = bucket_start(t, key), end = bucket_start(t, key + 1);
    if (end < begin || end > t->entries_len) return DAMAGED;
    uint32_t qi = (pair >> ALLOWED_BITS) & query_mask;
    if (end == begin || skip[qi]) continue;
    uint32_t size = end - begin;
    if (size > LARGE_BUCKET && (entries_of[qi] += size) > b->max_entries) {
      skip[qi] = 1;
      continue;
    }
    if (nc + size + 16 > room) {
      if (!ensure(&s->cand_slot, nc + size + 16, sizeof(uint32_t)) || !ensure(&s->cand_tag, nc + size + 16, sizeof(uint32_t))) return FAILED;
      out = s->cand_slot.p;
      tags = s->cand_tag.p;
      room = s->cand_slot.cap < s->cand_tag.cap ? s->cand_slot.cap : s->cand_tag.cap;
    }
    uint32_t allowed = pair & ALLOWED_MASK, suffix = suffix_of[qi], tag = (qi << CHUNK_BITS) | c;
    size_t nc0 = nc;
    nc = filter_bucket(t, h, begin, end, suffix, allowed, out, nc);
    for (size_t i = nc0; i < nc; i++) tags[i] = tag;
    if (nc != nc0 && (counted[qi] += (double)(nc - nc0)) > b->max_candidates) skip[qi] = 1;
  }
  return nc;
}

/* hamming-probe.ts's foundEarlier: whether an earlier chunk's probe finds this slot too. */
static int found_earlier(const batch_t *b, const uint32_t *hp, const uint32_t *q, uint32_t c) {
  for (uint32_t e = 0; e < c; e++) {
    const chunk_t *t = &b->chunks[e];
    if (t->radius < 0) continue;
    if (popcount(chunk_value(hp, t->start, t->bits) ^ chunk_value(q, t->start, t->bits)) <= t->radius) return 1;
  }
  return 0;
}

/* Full distances of the candidates (hamming-batch.ts's verify): the hits as triples in the scratch's hit buffer; how many, or -1 / -2. */
static long verify(const batch_t *b, size_t nc) {
  scratch_t *s = b->s;
  const uint32_t *h = b->h, *alive = b->alive, *slots = s->cand_slot.p, *tags = s->cand_tag.p;
  long hits = 0;
  for (size_t i = 0; i < nc; i++)
    if (slots[i] >= b->slot_count || (slots[i] >> 5) >= b->alive_len) return -2;
  for (size_t block = 0; block < nc; block += VERIFY_BLOCK) {
    size_t end = block + VERIFY_BLOCK < nc ? block + VERIFY_BLOCK : nc;
    for (size_t i = block; i < end; i++) __builtin_prefetch(h + ((size_t)slots[i] << 3));
    for (size_t i = block; i < end; i++) {
      uint32_t tag = tags[i], qi = tag >> CHUNK_BITS;
      if (b->scanned[qi]) continue;
      uint32_t slot = slots[i];
      const uint32_t *p = h + ((size_t)slot << 3), *q = b->qs + ((size_t)qi << 3);
      uint32_t d = popcount(p[0] ^ q[0]) + popcount(p[1] ^ q[1]) + popcount(p[2] ^ q[2]) + popcount(p[3] ^ q[3]);
      if (d > b->threshold) continue;
      d += popcount(p[4] ^ q[4]) + popcount(p[5] ^ q[5]) + popcount(p[6] ^ q[6]) + popcount(p[7] ^ q[7]);
      if (d > b->threshold || ((alive[slot >> 5] >> (slot & 31)) & 1) == 0) continue;
      if (found_earlier(b, p, q, tag & CHUNK_MASK)) continue;
      if (!ensure(&s->hit, (size_t)(hits + 1) * 3, sizeof(uint32_t))) return -1;
      uint32_t *out = s->hit.p;
      out[hits * 3] = qi;
      out[hits * 3 + 1] = slot;
      out[hits * 3 + 2] = d;
      hits++;
    }
  }
  return hits;
}

/* The elements of a typed array of type `want` (any of Uint8/Uint16 when want is -1: *elem tells which), or NULL. */
static const void *typed(napi_env env, napi_value v, int want, size_t *length, size_t *elem) {
  napi_valuetype vt;
  if (napi_typeof(env, v, &vt) != napi_ok || vt != napi_object) return NULL;
  napi_typedarray_type type;
  size_t len, off;
  void *data;
  napi_value ab;
  if (napi_get_typedarray_info(env, v, &type, &len, &data, &ab, &off) != napi_ok) return NULL;
  if (want >= 0 && type != (napi_typedarray_type)want) return NULL;
  if (want < 0 && type != napi_uint8_array && type != napi_uint16_array) return NULL;
  if (elem) *elem = type == napi_uint8_array ? 1 : 2;
  *length = len;
  return len ? data : NULL;
}

static napi_value fail(napi_env env, const char *msg) {
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static int read_chunk(napi_env env, napi_value tv, chunk_t *t, size_t slot_count) {
  napi_value f[11];
  for (uint32_t k = 0; k < 11; k++)
    if (napi_get_element(env, tv, k, &f[k]) != napi_ok) return 0;
  size_t len = 0, p = 0, wl = 0, elem = 0, offsets_len = 0, base_len = 0, rel_len = 0;
  const int32_t *params = typed(env, f[0], napi_int32_array, &len, NULL);
  if (!params || len < 5) return 0;
  t->start = (uint32_t)params[0];
  t->bits = (uint32_t)params[1];
  t->suffix_bits = (uint32_t)params[2];
  t->radius = params[3];
  t->pack_shift = (uint32_t)params[4];
  if (t->radius < 0) return 1;
  if (t->bits == 0 || t->bits > 32 || t->start + t->bits > 256 || t->suffix_bits > 16 || t->bits - t->suffix_bits > 24 || t->pack_shift > 31) return 0;
  t->keys = 1u << (t->bits - t->suffix_bits);
  t->offsets = typed(env, f[1], napi_uint32_array, &offsets_len, NULL);
  t->block_base = typed(env, f[2], napi_uint32_array, &base_len, NULL);
  t->rel = typed(env, f[3], napi_uint16_array, &rel_len, NULL);
  t->wide = typed(env, f[4], napi_uint32_array, &wl, NULL);
  t->wide_len = wl;
  size_t packed_len = 0, slots_len = 0, suffixes_len = 0;
  t->packed = typed(env, f[5], napi_uint32_array, &packed_len, NULL);
  t->slots = typed(env, f[6], napi_uint32_array, &slots_len, NULL);
  t->suffixes = typed(env, f[7], -1, &suffixes_len, &elem);
  t->suffix_bytes = (int)elem;
  t->masks = typed(env, f[8], napi_int32_array, &p, NULL);
  t->weights = typed(env, f[9], napi_uint8_array, &len, NULL);
  if (!t->masks || !t->weights || len != p) return 0;
  size_t present_len = 0;
  t->present = typed(env, f[10], napi_uint32_array, &present_len, NULL);
  if (t->present && present_len < (((size_t)1 << t->bits) + 31) / 32) return 0;
  uint64_t mask_limit = t->present ? (uint64_t)1 << t->bits : t->keys;
  for (size_t j = 0; j < p; j++)
    if ((uint32_t)t->masks[j] >= mask_limit || t->weights[j] > t->radius) return 0;
  t->p = (uint32_t)p;
  if (t->offsets ? offsets_len < (size_t)t->keys + 1 : (!t->block_base || !t->rel || rel_len < (size_t)t->keys + 1 || base_len < (t->keys >> OFFSET_BLOCK_BITS) + 1)) return 0;
  if (t->packed) t->entries_len = packed_len;
  else if (t->slots) {
    if (!t->suffixes || suffixes_len < slots_len) return 0;
    t->entries_len = slots_len;
  } else t->entries_len = slot_count;
  return 1;
}

static uint32_t u32(napi_env env, napi_value v) {
  uint32_t x = 0;
  napi_get_value_uint32(env, v, &x);
  return x;
}

static double f64(napi_env env, napi_value v) {
  double x = 0;
  napi_get_value_double(env, v, &x);
  return x;
}

/*
 * What both probes take: the base's hashes and liveness, the threshold, the limits past which the
 * base is scanned instead, and the chunk tables (probePart's never have bitmaps). NULL, or what is wrong.
 */
static const char *read_base(napi_env env, napi_value hashes, napi_value alive, napi_value threshold, napi_value max_entries, napi_value max_candidates, napi_value chunks, batch_t *b, int batch) {
  memset(b, 0, sizeof *b);
  size_t hashes_len = 0;
  b->h = typed(env, hashes, napi_uint32_array, &hashes_len, NULL);
  b->alive = typed(env, alive, napi_uint32_array, &b->alive_len, NULL);
  b->slot_count = hashes_len / 8;
  b->threshold = u32(env, threshold);
  b->max_entries = f64(env, max_entries);
  b->max_candidates = f64(env, max_candidates);
  if (!b->h || !b->alive) return "bad arrays";
  if (napi_get_array_length(env, chunks, &b->m) != napi_ok || b->m > MAX_CHUNKS) return "bad chunks";
  for (uint32_t c = 0; c < b->m; c++) {
    napi_value tv;
    if (napi_get_element(env, chunks, c, &tv) != napi_ok || !read_chunk(env, tv, &b->chunks[c], b->slot_count) || (batch && b->chunks[c].present)) return "bad chunk tables";
  }
  b->s = &thread_scratch;
  return NULL;
}

static napi_value failed(napi_env env, const char *fn, const char *why) {
  char msg[96];
  snprintf(msg, sizeof msg, "%s: %s", fn, why);
  return fail(env, msg);
}

/*
 * probePart(hashes, alive, qs, n, threshold, low, maxEntries, maxCandidates, scanned, chunks):
 * chunks holds for each chunk [Int32Array(start, bits, suffixBits, radius, packShift), offsets,
 * blockBase, rel, wide, packed, slots, suffixes, masks (Int32Array), weights (Uint8Array)];
 * scanned (a Uint8Array of n) is set for the queries to be scanned instead. Returns the hits as a
 * Uint32Array of (query, slot, distance) triples.
 */
static napi_value probe_part(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 10) return fail(env, "probePart: 10 arguments");
  batch_t b;
  const char *why = read_base(env, argv[0], argv[1], argv[4], argv[6], argv[7], argv[9], &b, 1);
  if (why) return failed(env, "probePart", why);
  size_t qs_len = 0, scanned_len = 0;
  b.qs = typed(env, argv[2], napi_uint32_array, &qs_len, NULL);
  b.n = u32(env, argv[3]);
  b.low = u32(env, argv[5]);
  b.scanned = (uint8_t *)typed(env, argv[8], napi_uint8_array, &scanned_len, NULL);
  if (!b.qs || !b.scanned || qs_len < (size_t)b.n * 8 || scanned_len < b.n) return fail(env, "probePart: bad arrays");
  if (b.low <= ALLOWED_BITS || b.low > 32 || (b.low < 32 && (uint64_t)b.n > (1ull << (b.low - ALLOWED_BITS)))) return fail(env, "probePart: bad part");
  for (uint32_t c = 0; c < b.m; c++)
    if (b.chunks[c].radius >= 0 && b.chunks[c].bits - b.chunks[c].suffix_bits > 32 - b.low) return fail(env, "probePart: bad part");
  uint32_t n = b.n;
  scratch_t *s = b.s;
  if (!ensure(&s->key, n, 4) || !ensure(&s->suffix, n, 4) || !ensure(&s->entries, n, 8) || !ensure(&s->counted, n, 8)) return fail(env, "probePart: out of memory");
  memset(s->entries.p, 0, n * sizeof(double));
  memset(s->counted.p, 0, n * sizeof(double));
  memset(b.scanned, 0, n);
  size_t nc = 0;
  for (uint32_t c = 0; c < b.m; c++) {
    const chunk_t *t = &b.chunks[c];
    if (t->radius < 0) continue;
    uint32_t sm = (1u << t->suffix_bits) - 1, *key_of = s->key.p, *suffix_of = s->suffix.p;
    for (uint32_t i = 0; i < n; i++) {
      uint32_t value = chunk_value(b.qs + (size_t)i * 8, t->start, t->bits);
      key_of[i] = value >> t->suffix_bits;
      suffix_of[i] = value & sm;
    }
    if (!ensure(&s->counts, (size_t)t->keys + 1, 4) || !ensure(&s->sorted, (size_t)n * t->p, 4)) return fail(env, "probePart: out of memory");
    nc = walk(&b, t, c, sort_pairs(s, t, n, b.low), nc);
    if (nc == FAILED) return fail(env, "probePart: out of memory");
    if (nc == DAMAGED) return fail(env, "probePart: damaged chunk table");
  }
  long hits = verify(&b, nc);
  if (hits == -1) return fail(env, "probePart: out of memory");
  if (hits == -2) return fail(env, "probePart: damaged chunk table");
  napi_value ab, result;
  void *data;
  if (napi_create_arraybuffer(env, (size_t)hits * 12, &data, &ab) != napi_ok) return NULL;
  if (hits) memcpy(data, s->hit.p, (size_t)hits * 12);
  if (napi_create_typedarray(env, napi_uint32_array, (size_t)hits * 3, ab, 0, &result) != napi_ok) return NULL;
  return result;
}


/* Appends to the candidates the entries of buckets [from, to) of chunk t that pass (probeBase's phase 3). */
static size_t filter_one(scratch_t *s, const batch_t *b, const chunk_t *t, uint32_t from, uint32_t to, size_t nc) {
  const uint32_t *rb = s->rbegin.p, *re = s->rend.p, *sufs = s->psuffix.p;
  const uint8_t *allow = s->pallowed.p;
  for (uint32_t i = from; i < to; i++) {
    if (!ensure(&s->cand, nc + (re[i] - rb[i]) + 16, 4)) return FAILED;
    nc = filter_bucket(t, b->h, rb[i], re[i], sufs[i], allow[i], s->cand.p, nc);
  }
  return nc;
}

/* probeBase for one query: the hits' count (written to out as (slot, distance) while they fit), SCAN_INSTEAD, or a failure. */
#define SCAN_INSTEAD (-1)
#define ONE_FAILED (-2)
#define ONE_DAMAGED (-3)
static long probe_one_run(batch_t *b, const uint32_t *q, uint32_t *out, size_t out_len, double *stats) {
  scratch_t *s = b->s;
  uint32_t chunk_from[MAX_CHUNKS + 1];
  size_t probes = 0;
  uint32_t nb = 0;
  /* Phase 1: the buckets to read, with the suffix each must match and within how many bits. */
  for (uint32_t c = 0; c < b->m; c++) {
    chunk_from[c] = nb;
    const chunk_t *t = &b->chunks[c];
    if (t->radius < 0) continue;
    probes += t->p;
    if (!ensure(&s->pkey, (size_t)nb + t->p, 4) || !ensure(&s->psuffix, (size_t)nb + t->p, 4) || !ensure(&s->pallowed, (size_t)nb + t->p, 1)) return ONE_FAILED;
    uint32_t *keys = s->pkey.p, *sufs = s->psuffix.p;
    uint8_t *allow = s->pallowed.p;
    uint32_t value = chunk_value(q, t->start, t->bits), sb = t->suffix_bits, sm = (1u << sb) - 1;
    if (t->present) {
      for (uint32_t k = 0; k < t->p; k++) {
        uint32_t val = value ^ (uint32_t)t->masks[k];
        keys[nb] = val >> sb;
        sufs[nb] = val & sm;
        allow[nb] = 0;
        nb += (t->present[val >> 5] >> (val & 31)) & 1;
      }
    } else {
      uint32_t key = value >> sb, suffix = value & sm;
      for (uint32_t k = 0; k < t->p; k++) {
        keys[nb] = key ^ (uint32_t)t->masks[k];
        sufs[nb] = suffix;
        allow[nb++] = (uint8_t)(t->radius - t->weights[k]);
      }
    }
  }
  chunk_from[b->m] = nb;
  /* Phase 2: their ranges, then a touch of each one's first entry (the misses overlap). */
  if (!ensure(&s->rbegin, nb, 4) || !ensure(&s->rend, nb, 4)) return ONE_FAILED;
  uint32_t *rb = s->rbegin.p, *re = s->rend.p;
  const uint32_t *keys = s->pkey.p;
  double entries = 0;
  for (uint32_t c = 0; c < b->m; c++) {
    const chunk_t *t = &b->chunks[c];
    for (uint32_t i = chunk_from[c]; i < chunk_from[c + 1]; i++) {
      uint32_t begin = bucket_start(t, keys[i]), end = bucket_start(t, keys[i] + 1);
      if (end < begin || end > t->entries_len) return ONE_DAMAGED;
      rb[i] = begin;
      re[i] = end;
      entries += end - begin;
    }
  }
  stats[0] = (double)probes;
  stats[1] = nb;
  stats[2] = entries;
  stats[3] = 0;
  if (entries > b->max_entries) return SCAN_INSTEAD;
  for (uint32_t c = 0; c < b->m; c++) {
    const chunk_t *t = &b->chunks[c];
    for (uint32_t i = chunk_from[c]; i < chunk_from[c + 1]; i++) {
      if (rb[i] == re[i]) continue;
      if (t->packed) __builtin_prefetch(t->packed + rb[i]);
      else if (t->slots) __builtin_prefetch(t->slots + rb[i]);
      else __builtin_prefetch(b->h + ((size_t)rb[i] << 3) + (t->start >> 5));
    }
  }
  /* Phase 3: the entries whose suffix is close enough, chunk by chunk. */
  size_t nc = 0;
  for (uint32_t c = 0; c < b->m; c++) {
    size_t from = nc;
    nc = filter_one(s, b, &b->chunks[c], chunk_from[c], chunk_from[c + 1], nc);
    if (nc == FAILED) return ONE_FAILED;
    if (!ensure(&s->cand_chunk, nc, 1)) return ONE_FAILED;
    memset((uint8_t *)s->cand_chunk.p + from, (int)c, nc - from);
  }
  stats[3] = (double)nc;
  if ((double)nc > b->max_candidates) return SCAN_INSTEAD;
  /* Phase 4: full distances (the candidates' lines touched first); liveness and duplicates for the close ones. */
  const uint32_t *cand = s->cand.p, *h = b->h;
  const uint8_t *cc = s->cand_chunk.p;
  for (size_t i = 0; i < nc; i++) {
    if (cand[i] >= b->slot_count || (cand[i] >> 5) >= b->alive_len) return ONE_DAMAGED;
    __builtin_prefetch(h + ((size_t)cand[i] << 3));
  }
  long hits = 0;
  for (size_t i = 0; i < nc; i++) {
    uint32_t slot = cand[i];
    const uint32_t *p = h + ((size_t)slot << 3);
    uint32_t d = popcount(p[0] ^ q[0]) + popcount(p[1] ^ q[1]) + popcount(p[2] ^ q[2]) + popcount(p[3] ^ q[3]);
    if (d > b->threshold) continue;
    d += popcount(p[4] ^ q[4]) + popcount(p[5] ^ q[5]) + popcount(p[6] ^ q[6]) + popcount(p[7] ^ q[7]);
    if (d > b->threshold || ((b->alive[slot >> 5] >> (slot & 31)) & 1) == 0) continue;
    if (found_earlier(b, p, q, cc[i])) continue;
    if ((size_t)hits * 2 + 2 <= out_len) {
      out[hits * 2] = slot;
      out[hits * 2 + 1] = d;
    }
    hits++;
  }
  return hits;
}

/*
 * probeOne(hashes, alive, q, threshold, maxEntries, maxCandidates, chunks, out, stats):
 * hamming-probe.ts's probeBase for one query. chunks as probePart's, each with an 11th element: the
 * bitmap of values present (its masks then span the whole chunk). Writes the hits to out
 * (Uint32Array, (slot, distance) pairs) while they fit and returns how many there are, or -1 when
 * the base is to be scanned instead; stats (Float64Array of 4): probes, buckets, entries,
 * candidates.
 */
static napi_value probe_one(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 9) return fail(env, "probeOne: 9 arguments");
  batch_t b;
  const char *why = read_base(env, argv[0], argv[1], argv[3], argv[4], argv[5], argv[6], &b, 0);
  if (why) return failed(env, "probeOne", why);
  size_t q_len = 0, out_len = 0, stats_len = 0;
  const uint32_t *q = typed(env, argv[2], napi_uint32_array, &q_len, NULL);
  uint32_t *out = (uint32_t *)typed(env, argv[7], napi_uint32_array, &out_len, NULL);
  double *stats = (double *)typed(env, argv[8], napi_float64_array, &stats_len, NULL);
  if (!q || q_len < 8 || !out || !stats || stats_len < 4) return fail(env, "probeOne: bad arrays");
  long r = probe_one_run(&b, q, out, out_len, stats);
  if (r == ONE_FAILED) return fail(env, "probeOne: out of memory");
  if (r == ONE_DAMAGED) return fail(env, "probeOne: damaged chunk table");
  napi_value result;
  napi_create_int64(env, r, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "probePart", NAPI_AUTO_LENGTH, probe_part, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "probePart", fn) != napi_ok) return NULL;
  if (napi_create_function(env, "probeOne", NAPI_AUTO_LENGTH, probe_one, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "probeOne", fn) != napi_ok) return NULL;
  return exports;
}
