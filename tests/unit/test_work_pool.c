/* test_work_pool.c — the search workers' pool: requests in order, and
 * fork-join inside a request (work_pool.h): a forked task is run by an
 * idle worker, before any queued request, or by the forking thread itself
 * when no worker took it; outside a pool, or in a pool of one, it is not
 * offered at all.
 */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "searchd/work_pool.h"

/* A flag another thread raises, waited for with a generous deadline (a
 * deadline passed fails the test instead of hanging it). */
typedef struct flag {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int up;
} flag;

static void flag_init(flag *f)
{
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    f->up = 0;
}

static void flag_raise(flag *f)
{
    pthread_mutex_lock(&f->mu);
    f->up = 1;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

static int flag_wait(flag *f)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 20;
    int rc = 0;
    pthread_mutex_lock(&f->mu);
    while (!f->up && rc == 0)
        rc = pthread_cond_timedwait(&f->cv, &f->mu, &until);
    int up = f->up;
    pthread_mutex_unlock(&f->mu);
    return up;
}

/* What ran, in which order, on which thread. */
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static char order[16];
static size_t norder;

static void note(char c)
{
    pthread_mutex_lock(&log_mu);
    if (norder + 1 < sizeof order)
        order[norder++] = c;
    order[norder] = '\0';
    pthread_mutex_unlock(&log_mu);
}

typedef struct task_arg {
    char name;
    pthread_t ran_on;
    flag started, done;
} task_arg;

static void task_fn(void *arg)
{
    task_arg *t = arg;
    t->ran_on = pthread_self();
    note(t->name);
    flag_raise(&t->started);
    flag_raise(&t->done);
}

/* A request that runs until its gate opens. */
typedef struct gated {
    flag entered, gate, done;
} gated;

static void gated_fn(void *arg)
{
    gated *g = arg;
    flag_raise(&g->entered);
    ck_assert(flag_wait(&g->gate));
    note('B');
    flag_raise(&g->done);
}

/* Keeps one worker of p busy until g's gate opens. */
static void occupy(work_pool *p, gated *g)
{
    flag_init(&g->entered);
    flag_init(&g->gate);
    flag_init(&g->done);
    ck_assert_int_eq(wp_submit(p, gated_fn, g), 0);
    ck_assert(flag_wait(&g->entered));
}

static void reset(void)
{
    norder = 0;
    order[0] = '\0';
}

START_TEST(outside_a_pool_the_join_runs_the_task)
{
    wp_stats before, after;
    wp_get_stats(&before);
    task_arg t = {.name = 'T'};
    flag_init(&t.started);
    flag_init(&t.done);
    wp_task task;
    wp_fork(&task, task_fn, &t);
    ck_assert_int_eq(t.started.up, 0); /* not before the join */
    ck_assert_int_eq(wp_join(&task), 0);
    ck_assert(pthread_equal(t.ran_on, pthread_self()));
    wp_get_stats(&after);
    ck_assert_uint_eq(after.offered, before.offered);
}
END_TEST

/* The job of the next tests: forks T, then does `then`, then joins. */
typedef struct forker {
    task_arg t;
    int join_rc;
    pthread_t self;
    void (*then)(struct forker *);
    gated *other;     /* the other worker's request */
    work_pool *pool;
    task_arg request; /* a request queued while T is offered */
    flag done;
} forker;

static void forker_fn(void *arg)
{
    forker *f = arg;
    f->self = pthread_self();
    wp_task task;
    wp_fork(&task, task_fn, &f->t);
    if (f->then)
        f->then(f);
    f->join_rc = wp_join(&task);
    flag_raise(&f->done);
}

static void forker_init(forker *f, work_pool *p, void (*then)(forker *))
{
    memset(f, 0, sizeof *f);
    f->t.name = 'T';
    f->request.name = 'R';
    flag_init(&f->t.started);
    flag_init(&f->t.done);
    flag_init(&f->request.started);
    flag_init(&f->request.done);
    flag_init(&f->done);
    f->pool = p;
    f->then = then;
}

static void wait_until_taken(forker *f) { ck_assert(flag_wait(&f->t.started)); }

START_TEST(an_idle_worker_takes_the_task)
{
    char err[256];
    work_pool *p = wp_start(2, err, sizeof err);
    ck_assert_ptr_nonnull(p);
    wp_stats before, after;
    wp_get_stats(&before);
    forker f;
    forker_init(&f, p, wait_until_taken);
    ck_assert_int_eq(wp_submit(p, forker_fn, &f), 0);
    ck_assert(flag_wait(&f.done));
    ck_assert_int_eq(f.join_rc, 1);
    ck_assert(!pthread_equal(f.t.ran_on, f.self));
    wp_get_stats(&after);
    ck_assert_uint_eq(after.offered - before.offered, 1);
    ck_assert_uint_eq(after.taken - before.taken, 1);
    wp_free(p);
}
END_TEST

/* With the other worker busy, a request is queued while T is offered;
 * then the other worker is freed: it must take T before the request. */
static void queue_then_free_the_other(forker *f)
{
    ck_assert_int_eq(wp_submit(f->pool, task_fn, &f->request), 0);
    flag_raise(&f->other->gate);
    ck_assert(flag_wait(&f->t.done));
}

START_TEST(a_forked_task_runs_before_queued_requests)
{
    char err[256];
    work_pool *p = wp_start(2, err, sizeof err);
    ck_assert_ptr_nonnull(p);
    reset();
    gated g;
    occupy(p, &g);
    forker f;
    forker_init(&f, p, queue_then_free_the_other);
    f.other = &g;
    ck_assert_int_eq(wp_submit(p, forker_fn, &f), 0);
    ck_assert(flag_wait(&f.done));
    ck_assert(flag_wait(&f.request.done));
    ck_assert_str_eq(order, "BTR");
    ck_assert_int_eq(f.join_rc, 1);
    wp_free(p);
}
END_TEST

/* With the other worker busy throughout, the join takes the task back. */
START_TEST(a_task_nobody_took_runs_on_the_forking_thread)
{
    char err[256];
    work_pool *p = wp_start(2, err, sizeof err);
    ck_assert_ptr_nonnull(p);
    reset();
    gated g;
    occupy(p, &g);
    forker f;
    forker_init(&f, p, NULL);
    ck_assert_int_eq(wp_submit(p, forker_fn, &f), 0);
    ck_assert(flag_wait(&f.done));
    ck_assert_int_eq(f.join_rc, 0);
    ck_assert(pthread_equal(f.t.ran_on, f.self));
    flag_raise(&g.gate);
    ck_assert(flag_wait(&g.done));
    ck_assert_str_eq(order, "TB");
    wp_free(p); /* nothing left queued: the taken-back task is gone from the list */
}
END_TEST

START_TEST(a_pool_of_one_offers_nothing)
{
    char err[256];
    work_pool *p = wp_start(1, err, sizeof err);
    ck_assert_ptr_nonnull(p);
    wp_stats before, after;
    wp_get_stats(&before);
    forker f;
    forker_init(&f, p, NULL);
    ck_assert_int_eq(wp_submit(p, forker_fn, &f), 0);
    ck_assert(flag_wait(&f.done));
    ck_assert_int_eq(f.join_rc, 0);
    ck_assert(pthread_equal(f.t.ran_on, f.self));
    wp_get_stats(&after);
    ck_assert_uint_eq(after.offered, before.offered);
    wp_free(p);
}
END_TEST

/* Many jobs forking at once on every worker: each task runs exactly once. */
static atomic_int runs;
static void count_fn(void *arg)
{
    (void)arg;
    runs++;
}

typedef struct many {
    flag done;
} many;

static void many_fn(void *arg)
{
    many *m = arg;
    wp_task t[3];
    for (int i = 0; i < 3; i++)
        wp_fork(&t[i], count_fn, NULL);
    for (int i = 2; i >= 0; i--)
        wp_join(&t[i]);
    flag_raise(&m->done);
}

START_TEST(every_task_runs_once_under_contention)
{
    char err[256];
    work_pool *p = wp_start(4, err, sizeof err);
    ck_assert_ptr_nonnull(p);
    runs = 0;
    enum { JOBS = 2000 };
    static many m[JOBS];
    for (int i = 0; i < JOBS; i++) {
        flag_init(&m[i].done);
        ck_assert_int_eq(wp_submit(p, many_fn, &m[i]), 0);
    }
    for (int i = 0; i < JOBS; i++)
        ck_assert(flag_wait(&m[i].done));
    ck_assert_int_eq(runs, 3 * JOBS);
    wp_free(p);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("work_pool");
    TCase *tc = tcase_create("fork_join");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, outside_a_pool_the_join_runs_the_task);
    tcase_add_test(tc, an_idle_worker_takes_the_task);
    tcase_add_test(tc, a_forked_task_runs_before_queued_requests);
    tcase_add_test(tc, a_task_nobody_took_runs_on_the_forking_thread);
    tcase_add_test(tc, a_pool_of_one_offers_nothing);
    tcase_add_test(tc, every_task_runs_once_under_contention);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
