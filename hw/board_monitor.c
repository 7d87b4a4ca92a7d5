/* The boards' monitor commands (see board_monitor.h). */
#include "hw/board_monitor.h"
#include "core/chardev.h"
#include "core/clock.h"
#include <stdlib.h>
#include <string.h>

void board_monitor_cmd(void *opaque, const char *line, void (*out)(const char *text))
{
    const board_monitor *mb = opaque;
    if (!strcmp(line, "quit") || !strcmp(line, "q")) {
        main_loop_request_exit(0);
    } else if (!strcmp(line, "info registers")) {
        for (unsigned i = 0; i < mb->ncpus; i++)
            mb->accel->pause(mb->vcpus[i]);
        for (unsigned i = 0; i < mb->ncpus; i++) {
            char *buf = NULL;
            size_t len = 0;
            FILE *f = open_memstream(&buf, &len);
            if (!f)
                continue;
            fprintf(f, "%s %u\n", mb->cpu_word, i);
            mb->dump_cpu(mb->opaque, i, f);
            fclose(f);
            monitor_out_text(out, buf);
            free(buf);
        }
        for (unsigned i = 0; i < mb->ncpus; i++)
            mb->accel->resume(mb->vcpus[i]);
    } else if (!strcmp(line, "info devices")) {
        big_lock();
        device_list_print(mb->m->devices, out);
        big_unlock();
    } else if (!strcmp(line, "help")) {
        char text[256];
        snprintf(text, sizeof(text),
                 "info registers   show each %s's registers\r\n"
                 "info devices     show each device's state\r\n"
                 "quit             exit tern\r\n", mb->cpu_word);
        out(text);
    } else {
        out("unknown command (try 'help')\r\n");
    }
}
