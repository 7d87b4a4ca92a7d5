/* Unit tests of the state tables and streams (core/state.h) and of RAM write tracking. */
#include "core/state.h"
#include "core/memory.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;
#define CHECK(cond) do { if (!(cond)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

typedef struct inner { uint16_t a; bool b; uint64_t c; } inner;
static const state_field inner_fields[] = { STATE_FIELD(inner, a), STATE_FIELD(inner, b), STATE_FIELD(inner, c) };
static const state_desc inner_state = STATE_DESC(1, inner_fields);

typedef struct dev {
    uint8_t x;
    /* padding the tables must never save */
    uint32_t y[3];
    int z[2][2];
    inner in[2];
    uint64_t added;              /* version 2 */
    void *host;                  /* not state */
} dev;

static const state_field dev_fields[] = {
    STATE_FIELD(dev, x), STATE_ARRAY(dev, y), STATE_ARRAY2(dev, z),
    STATE_STRUCT_ARRAY(dev, in, inner_state), STATE_FIELD_V(dev, added, 2),
};
static const state_desc dev_v2 = STATE_DESC(2, dev_fields);
static const state_desc dev_v1 = { 1, dev_fields, sizeof(dev_fields) / sizeof(dev_fields[0]) };

static const state_field bad_fields[] = { STATE_FIELD(dev, host) };
static const state_desc bad_state = STATE_DESC(1, bad_fields);

int main(void)
{
    char err[160];
    /* types come from the C types; a pointer has none */
    CHECK(dev_fields[0].type == ST_U8 && dev_fields[1].type == ST_U32 && dev_fields[2].type == ST_U32);
    CHECK(dev_fields[2].count == 4 && dev_fields[3].type == ST_STRUCT && inner_fields[1].type == ST_BOOL);
    CHECK(state_check(&dev_v2, sizeof(dev), err, sizeof(err)));
    CHECK(!state_check(&bad_state, sizeof(dev), err, sizeof(err)) && strstr(err, "host"));

    /* no padding: 1 + 12 + 16 + 2 * (2 + 1 + 8) + 8 bytes */
    CHECK(state_size(&dev_v2, 2) == 1 + 12 + 16 + 22 + 8);
    CHECK(state_size(&dev_v2, 1) == 1 + 12 + 16 + 22);

    dev d;
    memset(&d, 0xaa, sizeof(d));          /* the padding holds junk */
    d.x = 7; d.y[0] = 1; d.y[1] = 2; d.y[2] = 0xdeadbeef;
    d.z[0][0] = -1; d.z[0][1] = 2; d.z[1][0] = 3; d.z[1][1] = 4;
    d.in[0] = (inner){ 0x1234, true, 0x1122334455667788ull };
    d.in[1] = (inner){ 5, false, 6 };
    d.added = 99;
    state_out o = { 0 };
    state_save(&dev_v2, &d, &o);
    CHECK(o.len == state_size(&dev_v2, 2));
    /* little-endian in the stream */
    CHECK(o.data[0] == 7 && o.data[1] == 1 && o.data[9] == 0xef && o.data[12] == 0xde);

    dev e;
    memset(&e, 0, sizeof(e));
    state_in in = { .data = o.data, .len = o.len };
    CHECK(state_load(&dev_v2, &e, &in, 2) && in.pos == in.len);
    CHECK(e.x == 7 && e.y[2] == 0xdeadbeef && e.z[0][0] == -1 && e.z[1][1] == 4);
    CHECK(e.in[0].a == 0x1234 && e.in[0].b && e.in[0].c == 0x1122334455667788ull && e.in[1].c == 6);
    CHECK(e.added == 99);

    /* an older stream leaves the newer field at its reset value */
    state_out o1 = { 0 };
    state_save(&dev_v1, &d, &o1);
    CHECK(o1.len == state_size(&dev_v2, 1));
    memset(&e, 0, sizeof(e));
    e.added = 5;
    state_in in1 = { .data = o1.data, .len = o1.len };
    CHECK(state_load(&dev_v2, &e, &in1, 1) && in1.pos == in1.len && e.added == 5 && e.x == 7);

    /* a short stream fails; a bool other than 0/1 is malformed */
    state_in shortin = { .data = o.data, .len = o.len - 1 };
    CHECK(!state_load(&dev_v2, &e, &shortin, 2));
    o.data[1 + 12 + 16 + 2] = 2;
    state_in badbool = { .data = o.data, .len = o.len };
    CHECK(!state_load(&dev_v2, &e, &badbool, 2));

    /* strings */
    state_out so = { 0 };
    state_put_str(&so, "hello");
    char buf[8], tiny[4];
    state_in si = { .data = so.data, .len = so.len };
    CHECK(state_get_str(&si, buf, sizeof(buf)) && !strcmp(buf, "hello"));
    state_in si2 = { .data = so.data, .len = so.len };
    CHECK(!state_get_str(&si2, tiny, sizeof(tiny)) && si2.bad);

    /* CRC-32C: the standard check value, and pieces chain */
    CHECK(crc32c(0, "123456789", 9) == 0xe3069283u);
    CHECK(crc32c(crc32c(0, "1234", 4), "56789", 5) == 0xe3069283u);
    static uint8_t big[100003];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 31 + 7);
    uint32_t whole = crc32c(0, big, sizeof(big)), parts = 0;
    for (size_t i = 0; i < sizeof(big); i += 1000)
        parts = crc32c(parts, big + i, sizeof(big) - i < 1000 ? sizeof(big) - i : 1000);
    CHECK(whole == parts);

    /* RAM write tracking: DMA and slow-path writes mark their pages; on clears */
    address_space as;
    as_init(&as);
    CHECK(as_add_ram(&as, "ram", 0x80000000, 1 << 20));
    uint8_t v = 1;
    as_ram_track(&as, true);
    CHECK(dma_write(&as, 0x80003010, &v, 1));
    CHECK(dma_write(&as, 0x80004ffc, "abcdefgh", 8));     /* across two pages */
    as_mark_ram(&as, 0x800ff000, 4096);
    uint64_t w0 = as.ram[0].dirty[0], w3 = as.ram[0].dirty[3];
    CHECK(w0 == ((1ull << 3) | (1ull << 4) | (1ull << 5)));
    CHECK(w3 == 1ull << 63);
    as_ram_track(&as, true);
    CHECK(as.ram[0].dirty[0] == 0 && as.ram[0].dirty[3] == 0);
    as_ram_track(&as, false);
    CHECK(dma_write(&as, 0x80003010, &v, 1) && as.ram[0].dirty[0] == 0);

    /* a snapshot's RAM mapped copy-on-write: reads the file, writes stay private, and a
     * machine reset gives zeroes, not the snapshot */
    char path[] = "/tmp/tern-test-state-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    static uint8_t page[4096];
    memset(page, 0x5a, sizeof(page));
    CHECK(pwrite(fd, page, sizeof(page), 4096 * 3) == (ssize_t)sizeof(page) && ftruncate(fd, 1 << 20) == 0);
    CHECK(as_map_ram_file(&as, &as.ram[0], fd, 0));
    uint8_t *h = as.ram[0].host;
    CHECK(h[4096 * 3] == 0x5a && h[0] == 0);
    h[4096 * 3] = 1;
    CHECK(pread(fd, page, 1, 4096 * 3) == 1 && page[0] == 0x5a);
    as_reset_ram(&as);
    CHECK(h[4096 * 3] == 0 && !as.ram[0].file_backed);
    close(fd);
    unlink(path);
    as_destroy(&as);

    state_out_free(&o);
    state_out_free(&o1);
    state_out_free(&so);
    if (failures)
        return 1;
    printf("test_state: all passed\n");
    return 0;
}
