/* vCPU thread controls (see vcpu_ctl.h). */
#include "accel/vcpu_ctl.h"
#include "core/log.h"
#include <unistd.h>

void vcpu_ctl_init(vcpu_ctl *c)
{
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->cond, NULL);
    pthread_cond_init(&c->paused_cond, NULL);
}

void vcpu_ctl_start(vcpu_ctl *c, void *(*fn)(void *), void *arg)
{
    if (pthread_create(&c->thread, NULL, fn, arg) != 0)
        fatal("cannot create vCPU thread");
    c->running = true;
}

bool vcpu_ctl_runnable(vcpu_ctl *c)
{
    if (!c->tid)
        c->tid = (int)gettid();
    while (!c->quit) {
        if (c->pause_req || c->stopped) {
            c->paused = true;
            pthread_cond_broadcast(&c->paused_cond);
            pthread_cond_wait(&c->cond, &c->lock);
            continue;
        }
        c->paused = false;
        return true;
    }
    return false;
}

void vcpu_ctl_exit(vcpu_ctl *c)
{
    c->paused = true;
    pthread_cond_broadcast(&c->paused_cond);
    pthread_mutex_unlock(&c->lock);
}

void vcpu_ctl_request_pause(vcpu_ctl *c, vcpu_kick_fn *kick, void *opaque)
{
    pthread_mutex_lock(&c->lock);
    c->pause_req = true;
    pthread_mutex_unlock(&c->lock);
    if (c->running)
        kick(opaque);
}

void vcpu_ctl_wait_paused(vcpu_ctl *c)
{
    pthread_mutex_lock(&c->lock);
    while (c->running && !c->paused)
        pthread_cond_wait(&c->paused_cond, &c->lock);
    pthread_mutex_unlock(&c->lock);
}

void vcpu_ctl_pause(vcpu_ctl *c, vcpu_kick_fn *kick, void *opaque)
{
    vcpu_ctl_request_pause(c, kick, opaque);
    vcpu_ctl_wait_paused(c);
}

void vcpu_ctl_resume(vcpu_ctl *c)
{
    pthread_mutex_lock(&c->lock);
    c->pause_req = false;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

void vcpu_ctl_destroy(vcpu_ctl *c, vcpu_kick_fn *kick, void *opaque)
{
    if (c->running) {
        pthread_mutex_lock(&c->lock);
        c->quit = true;
        pthread_mutex_unlock(&c->lock);
        kick(opaque);
        pthread_join(c->thread, NULL);
        c->running = false;
    }
    pthread_cond_destroy(&c->cond);
    pthread_cond_destroy(&c->paused_cond);
    pthread_mutex_destroy(&c->lock);
}
