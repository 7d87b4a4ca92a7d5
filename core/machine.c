/* The machine registry. */
#include "core/machine.h"
#include <stdio.h>
#include <string.h>

#define MAX_MACHINES 8
static const machine_class *classes[MAX_MACHINES];
static int nclasses;

void machine_class_register(const machine_class *mc)
{
    if (nclasses < MAX_MACHINES)
        classes[nclasses++] = mc;
}

const machine_class *machine_class_find(const char *name)
{
    for (int i = 0; i < nclasses; i++)
        if (!strcmp(classes[i]->name, name))
            return classes[i];
    return NULL;
}

void machine_class_list(void)
{
    printf("Supported machines are:\n");
    for (int i = 0; i < nclasses; i++)
        printf("%-10s %s\n", classes[i]->name, classes[i]->desc);
}

const char *machine_global(machine_opts *o, const char *driver, const char *prop)
{
    const char *v = NULL;
    for (int i = 0; i < o->nglobals; i++) {
        if (!strcmp(o->globals[i].driver, driver) && !strcmp(o->globals[i].prop, prop)) {
            o->globals[i].used = true;
            v = o->globals[i].value;
        }
    }
    return v;
}
