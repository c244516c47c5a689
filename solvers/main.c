#define _POSIX_C_SOURCE 200809L
/* main.c - the cartsim command line.
 *
 *   cartsim run CONFIG.yaml [-o OUT.h5] [--set KEY=VALUE ...] [--force] [--quiet]
 *   cartsim check CONFIG.yaml [--set KEY=VALUE ...]   |   cartsim check --keys
 *   cartsim sweep SWEEP.yaml -o DIR [--ranks-per-run K] [--task ID --tasks N]
 *                 [--retry-failed] [--force] [--quiet] | cartsim sweep --plan SWEEP.yaml
 *   cartsim demo [-o DIR] [--force] [--config F] [--ranks N] [--mpirun L]   (postprocess/demo.py,
 *                with the recorded Python or CARTSIM_PYTHON)
 *   cartsim explore [-o DIR] [--force] [--quick] [--jobs N]   (postprocess/explorer.py)
 *   cartsim --help | --version
 *
 * Exit codes: 0 success, 2 usage, 3 config error, 4 I/O error, 5 solver
 * failure, 6 interrupted, 7 internal error (solvers/error.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buildinfo.h"
#include "config.h"
#include "error.h"
#include "heap.h"
#include "io/h5out.h"
#include "run.h"
#include "signals.h"
#include "singleton.h"
#include "sweep/sweep_run.h"

#define MAX_SETS 256

typedef struct {
  const char *command;
  const char *config;
  const char *output;
  const char *sets[MAX_SETS];
  int nsets;
  int force, quiet, restart;
  const char *from_state, *baseline;
  int ranks_per_run, task, ntasks, retry_failed, plan, keys;
  int n_save;
  double save_day[CS_MAX_SAVES];
  const char *save_path[CS_MAX_SAVES];
} cs_cli;

static int rank;

static void usage(FILE *f)
{
  fprintf(f,
          "usage: cartsim run CONFIG.yaml [-o OUT.h5] [--set KEY=VALUE ...] [--force] [--quiet]\n"
          "                   [--save-state DAY:FILE ...] [--from-state FILE] [--baseline FILE]\n"
          "                   [--restart]\n"
          "       cartsim check CONFIG.yaml [--set KEY=VALUE ...]   |   cartsim check --keys\n"
          "       cartsim sweep SWEEP.yaml -o DIR [--ranks-per-run K] [--task ID --tasks N]\n"
          "                     [--retry-failed] [--force] [--quiet]   |   cartsim sweep --plan SWEEP.yaml\n"
          "       cartsim demo [-o DIR] [--force] [--config UNTREATED.yaml] [--ranks N]\n"
          "                    [--mpirun LAUNCHER] [--cartsim PATH]\n"
          "       cartsim explore [-o DIR] [--force] [--quick] [--jobs N]\n"
          "       cartsim --help | --version\n"
          "\n"
          "  run     simulate one scenario and write an HDF5 file (default results/NAME.h5, NAME the\n"
          "          config's file name without a final .yaml/.yml); under `mpirun -n P` it uses P ranks\n"
          "  check   validate a config and print it fully resolved, every value with its unit;\n"
          "          --keys: every key's type, unit, default, range and help (Markdown tables)\n"
          "  sweep   run every row of a parameter sweep (docs/sweeps.md) under mpirun -n P; resumable;\n"
          "          DIR/summary.csv and DIR/summary.h5 hold one row per run\n"
          "  demo    the educators' early-versus-late demo: runs the branches and writes figures,\n"
          "          an animation and report.html to DIR (default results/demo)\n"
          "  explore the classroom explorer: ~900 runs (injection day x patient x treatment), then one\n"
          "          self-contained, offline index.html in DIR (default results/explorer)\n"
          "\n"
          "  -o, --output FILE   output file; an existing file is kept unless --force\n"
          "  --set KEY=VALUE     override a config value, e.g. --set model.k_a=0.2,\n"
          "                      --set treatments[0].day=180 (repeatable)\n"
          "  --force             overwrite an existing output file (sweep: delete the results of another\n"
          "                      sweep in DIR and start over; DIR holding other files is still refused)\n"
          "  --ranks-per-run K   sweep: ranks per run (groups of K; K divides the rank count)\n"
          "  --task ID --tasks N sweep: only the units u with u %% N == ID (Slurm job arrays); a unit is a\n"
          "                      row, or a whole Sobol sample, Morris trajectory or cohort patient\n"
          "  --retry-failed      sweep: rerun the rows recorded as failed\n"
          "  --plan              sweep: print the design (count and rows) and exit\n"
          "  --quiet             no progress report\n"
          "  --save-state DAY:FILE  save the full solver state at DAY (before that day's\n"
          "                      treatments) to FILE, to branch other runs from it (repeatable)\n"
          "  --from-state FILE   start from a saved state: same model, grid and initial values;\n"
          "                      outputs begin at its day; treatments on that day are applied first\n"
          "  --baseline FILE     an untreated run with the same horizon: adds the benefit against\n"
          "                      it to /outcomes\n"
          "  --restart           continue OUT.h5 from its newest checkpoint OUT.h5.ckpt.<n>.h5\n"
          "                      (output.checkpoint_every / checkpoint_minutes; SIGINT/SIGTERM write one)\n"
          "\n"
          "exit codes: 0 ok, 2 usage, 3 config error, 4 I/O error, 5 solver failure,\n"
          "            6 interrupted, 7 internal error\n"
          "docs: docs/config.md (keys), docs/output.md (HDF5 layout), docs/model.md (equations)\n");
}

static void print_version(void)
{
  char s[64], h[64], m[256];
  cs_sundials_version(s, sizeof s);
  cs_hdf5_version(h, sizeof h);
  cs_mpi_version(m, sizeof m);
  printf("cartsim %s (git %s)\nSUNDIALS %s, HDF5 %s, %s\nCPU clones: %s\n", cs_version(), cs_git_sha(), s, h, m,
         cs_cpu_clones());
}

/* An option of another command is refused rather than ignored: `cartsim
 * sweep ... --set run.t_end=10` used to run the full sweep unchanged. */
static int option_allowed(const char *command, const char *a)
{
  static const char *const run_only[] = {"--set", "--save-state", "--from-state", "--baseline", "--restart"};
  static const char *const sweep_only[] = {"--ranks-per-run", "--task", "--tasks", "--retry-failed", "--plan"};
  static const char *const output_opts[] = {"-o", "--output", "--force"};
  const int sweep = !strcmp(command, "sweep"), check = !strcmp(command, "check");
  for (size_t k = 0; k < sizeof run_only / sizeof *run_only; ++k)
    if (sweep && (!strcmp(a, run_only[k]) || (!strncmp(a, "--set=", 6) && k == 0)))
      CS_FAIL(CS_ERR_USAGE, "%s is an option of cartsim run, not of sweep%s", k == 0 ? "--set" : a,
              k == 0 ? " (fixed values go in the sweep file's set: section)" : "");
  for (size_t k = 0; k < sizeof sweep_only / sizeof *sweep_only; ++k)
    if (!sweep && !strcmp(a, sweep_only[k])) CS_FAIL(CS_ERR_USAGE, "%s is an option of cartsim sweep, not of %s", a, command);
  if (check) {
    for (size_t k = 0; k < sizeof output_opts / sizeof *output_opts; ++k)
      if (!strcmp(a, output_opts[k])) CS_FAIL(CS_ERR_USAGE, "%s: cartsim check writes nothing", a);
    for (size_t k = 1; k < sizeof run_only / sizeof *run_only; ++k)
      if (!strcmp(a, run_only[k])) CS_FAIL(CS_ERR_USAGE, "%s is an option of cartsim run, not of check", a);
  } else if (!strcmp(a, "--keys")) {
    CS_FAIL(CS_ERR_USAGE, "--keys is an option of cartsim check, not of %s", command);
  }
  return CS_OK;
}

/* An option that takes one value, given once: a second one was silently
 * taken instead of the first (-o a.h5 -o b.h5, two --from-state files). */
static int set_once(const char *opt, const char **slot, const char *value)
{
  if (*slot) CS_FAIL(CS_ERR_USAGE, "%s given twice (%s and %s): give it once", opt, *slot, value);
  *slot = value;
  return CS_OK;
}

static int parse_cli(int argc, char **argv, cs_cli *cli)
{
  memset(cli, 0, sizeof *cli);
  if (argc < 2) CS_FAIL(CS_ERR_USAGE, "no command given");
  cli->command = argv[1];
  if (!strcmp(cli->command, "--version") && argc > 2)
    CS_FAIL(CS_ERR_USAGE, "--version takes no arguments (got '%s')", argv[2]);
  if (!strcmp(cli->command, "--help") || !strcmp(cli->command, "-h") || !strcmp(cli->command, "--version"))
    return CS_OK;
  if (strcmp(cli->command, "run") && strcmp(cli->command, "check") && strcmp(cli->command, "sweep"))
    CS_FAIL(CS_ERR_USAGE, "unknown command '%s' (expected run, check, sweep, demo or explore)",
            cli->command);
  cli->ranks_per_run = 1;
  cli->ntasks = 1;
  int task_given = 0, tasks_given = 0;
  const char *number_text[3] = {NULL, NULL, NULL}; /* --ranks-per-run, --task, --tasks as given */
  for (int i = 2; i < argc; ++i) {
    const char *a = argv[i];
    CS_CHECK(option_allowed(cli->command, a));
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      cli->command = "--help";
      return CS_OK;
    }
    if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
      if (++i == argc || !argv[i][0]) CS_FAIL(CS_ERR_USAGE, "%s needs a file name", a);
      CS_CHECK(set_once(a, &cli->output, argv[i]));
    } else if (!strcmp(a, "--set")) {
      if (++i == argc) CS_FAIL(CS_ERR_USAGE, "--set needs KEY=VALUE");
      if (!strchr(argv[i], '=')) CS_FAIL(CS_ERR_USAGE, "--set %s: expected KEY=VALUE", argv[i]);
      if (cli->nsets == MAX_SETS) CS_FAIL(CS_ERR_USAGE, "too many --set options (at most %d)", MAX_SETS);
      cli->sets[cli->nsets++] = argv[i];
    } else if (!strncmp(a, "--set=", 6)) {
      if (cli->nsets == MAX_SETS) CS_FAIL(CS_ERR_USAGE, "too many --set options (at most %d)", MAX_SETS);
      cli->sets[cli->nsets++] = a + 6;
    } else if (!strcmp(a, "--save-state")) {
      if (++i == argc) CS_FAIL(CS_ERR_USAGE, "--save-state needs DAY:FILE");
      /* the day as the config reads numbers (no hex, inf or nan); its range is
       * checked against the run (run.c, check_request) */
      const char *colon = strchr(argv[i], ':');
      char text[64], why[200];
      double day = 0;
      if (!colon || colon == argv[i] || !colon[1])
        CS_FAIL(CS_ERR_USAGE, "--save-state %s: expected DAY:FILE, e.g. 180:state180.h5", argv[i]);
      if ((size_t)(colon - argv[i]) >= sizeof text)
        CS_FAIL(CS_ERR_USAGE, "--save-state %.40s...: the day is not a number", argv[i]);
      snprintf(text, sizeof text, "%.*s", (int)(colon - argv[i]), argv[i]);
      if (cs_config_parse_number(text, &day, why, sizeof why))
        CS_FAIL(CS_ERR_USAGE, "--save-state %s: the day %s: %s (expected DAY:FILE, e.g. 180:state180.h5)", argv[i],
                text, why);
      if (cli->n_save == CS_MAX_SAVES) CS_FAIL(CS_ERR_USAGE, "at most %d --save-state options", CS_MAX_SAVES);
      cli->save_day[cli->n_save] = day;
      cli->save_path[cli->n_save++] = colon + 1;
    } else if (!strcmp(a, "--from-state") || !strcmp(a, "--baseline")) {
      if (++i == argc || !argv[i][0]) CS_FAIL(CS_ERR_USAGE, "%s needs a file name", a);
      CS_CHECK(set_once(a, a[2] == 'f' ? &cli->from_state : &cli->baseline, argv[i]));
    } else if (!strcmp(a, "--ranks-per-run") || !strcmp(a, "--task") || !strcmp(a, "--tasks")) {
      if (++i == argc) CS_FAIL(CS_ERR_USAGE, "%s needs a number", a);
      char *end = NULL;
      long v = strtol(argv[i], &end, 10);
      if (end == argv[i] || *end || v < 0 || v > 1000000) CS_FAIL(CS_ERR_USAGE, "%s %s: expected a whole number", a, argv[i]);
      /* given twice is refused, as -o is: a batch script's second --task would pick another slice */
      const int which = !strcmp(a, "--ranks-per-run") ? 0 : !strcmp(a, "--task") ? 1 : 2;
      CS_CHECK(set_once(a, &number_text[which], argv[i]));
      if (which == 0) cli->ranks_per_run = (int)v;
      else if (which == 1) cli->task = (int)v, task_given = 1;
      else cli->ntasks = (int)v, tasks_given = 1;
    } else if (!strcmp(a, "--retry-failed")) {
      cli->retry_failed = 1;
    } else if (!strcmp(a, "--plan")) {
      cli->plan = 1;
    } else if (!strcmp(a, "--keys")) {
      cli->keys = 1;
    } else if (!strcmp(a, "--restart")) {
      cli->restart = 1;
    } else if (!strcmp(a, "--force")) {
      cli->force = 1;
    } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
      cli->quiet = 1;
    } else if (a[0] == '-') {
      CS_FAIL(CS_ERR_USAGE, "unknown option '%s'", a);
    } else if (!cli->config) {
      cli->config = a;
    } else {
      CS_FAIL(CS_ERR_USAGE, "unexpected argument '%s' (one config file per run)", a);
    }
  }
  if (cli->keys) {
    if (cli->config || cli->nsets) CS_FAIL(CS_ERR_USAGE, "check --keys takes no config and no --set (it lists the tables)");
    return CS_OK;
  }
  if (!cli->config) CS_FAIL(CS_ERR_USAGE, "%s needs a %s file", cli->command,
                             strcmp(cli->command, "sweep") ? "config" : "sweep");
  if (!strcmp(cli->command, "sweep")) {
    if (!cli->plan && !cli->output) CS_FAIL(CS_ERR_USAGE, "sweep needs -o DIR (the results directory)");
    if (task_given != tasks_given)
      CS_FAIL(CS_ERR_USAGE, "%s: --task ID and --tasks N go together (this task's units u, rows or whole "
              "samples/trajectories/patients, are those with u %% N == ID)",
              task_given ? "--task without --tasks" : "--tasks without --task");
    if (cli->ntasks < 1 || cli->task >= cli->ntasks)
      CS_FAIL(CS_ERR_USAGE, "--task %d --tasks %d: the task must be in [0, tasks)", cli->task, cli->ntasks);
    if (cli->ranks_per_run < 1) CS_FAIL(CS_ERR_USAGE, "--ranks-per-run must be at least 1");
  }
  return CS_OK;
}

/* results/<config name>.h5, creating results/ if needed: the config's file
 * name without a final .yaml or .yml (only that: knee.v1.yaml and
 * knee.v2.yaml write knee.v1.h5 and knee.v2.h5, not both knee.h5). */
static int default_output(const char *config, char *buf, size_t n, int *created)
{
  const char *base = strrchr(config, '/');
  base = base ? base + 1 : config;
  size_t len = strlen(base);
  static const char *const ext[] = {".yaml", ".yml"};
  for (size_t e = 0; e < sizeof ext / sizeof *ext; ++e) {
    const size_t k = strlen(ext[e]);
    if (len > k && !strcasecmp(base + len - k, ext[e])) {
      len -= k;
      break;
    }
  }
  *created = mkdir("results", 0777) == 0;
  if (!*created && errno != EEXIST) CS_FAIL(CS_ERR_IO, "cannot create the directory results/: %s", strerror(errno));
  snprintf(buf, n, "results/%.*s.h5", (int)len, base);
  return CS_OK;
}

/* The command line as a shell reads it back: an argument with a character
 * outside [A-Za-z0-9_./=:,+@%-] (a blank, a quote, treatments[0]'s
 * brackets) in single quotes, a ' inside as '\''. /meta command_line and
 * the restart advice after a signal: pasted, it runs the same command. */
static char *join_args(int argc, char **argv)
{
  size_t len = 1;
  for (int i = 0; i < argc; ++i) len += 4 * strlen(argv[i]) + 3;
  char *s = calloc(len, 1), *p = s;
  if (!s) return NULL;
  for (int i = 0; i < argc; ++i) {
    const char *a = argv[i];
    const int plain = *a && strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./=:,+@%-") ==
                                strlen(a);
    if (i) *p++ = ' ';
    if (plain) {
      p += sprintf(p, "%s", a);
      continue;
    }
    *p++ = '\'';
    for (; *a; ++a) {
      if (*a == '\'') p += sprintf(p, "'\\''");
      else *p++ = *a;
    }
    *p++ = '\'';
  }
  *p = '\0';
  return s;
}

/* Rank 0 reads the config (and its base: chain) and sends the resolved
 * struct, plain data, to the other ranks: ranks that read the files
 * themselves could see different ones (a file edited while the job starts,
 * a relative path under another working directory or node's file system)
 * and integrate different models in one run without a word. As the sweep
 * reads its sweep file. */
static int load_config(const cs_cli *cli, cs_config *cfg)
{
  int rc = CS_OK;
  if (rank == 0) {
    cs_config_errors errs = {0};
    rc = cs_config_load(cli->config, cli->sets, cli->nsets, cfg, &errs);
    if (rc) cs_config_errors_raise(rc, &errs, cli->config, 1);
    cs_config_errors_free(&errs);
  }
  CS_CHECK_MPI(MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD));
  if (rc) return rank == 0 ? rc : cs_error_set(rc, "rank 0 could not read the config");
  CS_CHECK_MPI(MPI_Bcast(cfg, (int)sizeof *cfg, MPI_BYTE, 0, MPI_COMM_WORLD));
  return CS_OK;
}

static int sweep_command(const cs_cli *cli)
{
  cs_sweep_request req = {cli->config, cli->output, cli->ranks_per_run, cli->task, cli->ntasks, cli->retry_failed,
                          cli->plan, cli->quiet, cli->force};
  return cs_sweep(&req, MPI_COMM_WORLD);
}

static int run_command(const cs_cli *cli, int argc, char **argv, double wall0)
{
  if (!strcmp(cli->command, "sweep")) return sweep_command(cli);
  if (cli->keys) {
    if (rank == 0) cs_config_keys_markdown(stdout);
    return CS_OK;
  }
  cs_config *cfg = calloc(1, sizeof *cfg);
  CS_CHECK_ALLOC(cfg);
  int rc = load_config(cli, cfg);
  if (rc == CS_OK && !strcmp(cli->command, "check")) {
    if (rank == 0) {
      char *yaml = cs_config_to_yaml(cfg);
      if (yaml) fputs(yaml, stdout);
      free(yaml);
    }
  } else if (rc == CS_OK) {
    char out[4096];
    int created = 0; /* results/ made for this run: removed again if the run leaves nothing in it */
    if (cli->output) snprintf(out, sizeof out, "%s", cli->output);
    else rc = default_output(cli->config, out, sizeof out, &created);
    char *cmd = join_args(argc, argv);
    cs_run_request req = {out, cli->force, cli->quiet, cmd, wall0, cli->from_state, cli->n_save, {0}, {0},
                          cli->baseline, cli->restart, NULL, NULL};
    for (int q = 0; q < cli->n_save; ++q) {
      req.save_day[q] = cli->save_day[q];
      req.save_path[q] = cli->save_path[q];
    }
    if (rc == CS_OK && cli->restart && !cli->output)
      rc = cs_error_set(CS_ERR_USAGE, "--restart needs -o OUT.h5 (the output of the interrupted run)");
    if (rc == CS_OK) rc = cs_run(cfg, &req, MPI_COMM_WORLD);
    if (rc == CS_OK && rank == 0 && !cli->quiet) fprintf(stderr, "cartsim: wrote %s\n", out);
    if (rc != CS_OK && created) rmdir("results"); /* only if empty */
    free(cmd);
  }
  free(cfg);
  return rc;
}

/* `cartsim demo|explore ...`: hand over to the Python orchestrator
 * postprocess.<module> (no MPI here: it starts cartsim runs itself).
 * Returns only on failure. */
extern char **environ;

/* A command name without a '/' (CARTSIM_PYTHON=python3) as the shell finds
 * it: the first executable of that name on PATH, into out; else name as it
 * is (access() and execv() do not search PATH). */
static const char *on_path(const char *name, char *out, size_t n)
{
  const char *path = getenv("PATH");
  if (!*name || strchr(name, '/') || !path) return name;
  for (const char *p = path; *p;) {
    const size_t len = strcspn(p, ":");
    snprintf(out, n, "%.*s/%s", (int)(len ? len : 1), len ? p : ".", name);
    struct stat st; /* an executable file, as the shell takes: not a directory of that name */
    if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0) return out;
    p += len + (p[len] == ':');
  }
  return name;
}

static int exec_python(const char *module, int argc, char **argv)
{
  const char *py = getenv("CARTSIM_PYTHON");
  const int from_env = py && *py;
  if (!from_env) py = CARTSIM_PYTHON;
  char found[4200];
  py = on_path(py, found, sizeof found);
  if (!*py) {
    fprintf(stderr, "cartsim: error: no Python interpreter with h5py, numpy, matplotlib and yaml was found when "
                    "cartsim was configured; install them (apt-get install python3-h5py python3-matplotlib "
                    "python3-numpy python3-scipy python3-pil python3-yaml), then re-run cmake, or set "
                    "CARTSIM_PYTHON to such an interpreter\n");
    return CS_ERR_IO;
  }
  if (access(py, X_OK) != 0) {
    fprintf(stderr, "cartsim: error: the Python interpreter %s (%s) cannot be run: %s; set CARTSIM_PYTHON to "
                    "one with h5py, numpy, matplotlib and yaml (Debian's /usr/bin/python3)%s\n", py,
            from_env ? "from CARTSIM_PYTHON" : "recorded when cartsim was configured", strerror(errno),
            from_env ? "" : ", or re-run cmake");
    return CS_ERR_IO;
  }
  /* an executable that is not a Python 3 (CARTSIM_PYTHON=/bin/false, a python2) would otherwise take
   * the demo's place and exit with its own status, saying nothing; a Python 3 answers 42, which
   * /bin/true (exit 0 whatever it is asked) does not */
  const char *probe[] = {py, "-c", "import sys; sys.exit(42 if sys.version_info[0] == 3 else 9)", NULL};
  posix_spawn_file_actions_t quiet;
  posix_spawn_file_actions_init(&quiet);
  posix_spawn_file_actions_addopen(&quiet, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&quiet, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  int status = 0, spawned = posix_spawn(&pid, py, &quiet, NULL, (char *const *)probe, environ);
  posix_spawn_file_actions_destroy(&quiet);
  if (spawned != 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 42) {
    fprintf(stderr, "cartsim: error: %s (%s) is not a Python 3 interpreter (`%s -c 'import sys'` %s); set "
                    "CARTSIM_PYTHON to one with h5py, numpy, matplotlib and yaml (Debian's /usr/bin/python3)%s\n",
            py, from_env ? "from CARTSIM_PYTHON" : "recorded when cartsim was configured", py,
            spawned != 0            ? strerror(spawned)
            : !WIFEXITED(status)    ? "was killed by a signal"
            : WEXITSTATUS(status) == 9 ? "runs a Python 2"
                                    : "failed",
            from_env ? "" : ", or re-run cmake");
    return CS_ERR_IO;
  }
  char self[4096];
  ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  if (len <= 0) snprintf(self, sizeof self, "%s", argv[0]);
  else self[len] = '\0';
  const char *old = getenv("PYTHONPATH");
  char path[8192];
  snprintf(path, sizeof path, "%s%s%s", CARTSIM_SOURCE_DIR, old && *old ? ":" : "", old && *old ? old : "");
  setenv("PYTHONPATH", path, 1);
  char **args = calloc((size_t)argc + 6, sizeof *args);
  if (!args) return CS_ERR_INTERNAL;
  int n = 0;
  args[n++] = (char *)py;
  args[n++] = "-m";
  args[n++] = (char *)module;
  args[n++] = "--cartsim";
  args[n++] = self;
  for (int i = 2; i < argc; ++i) args[n++] = argv[i];
  args[n] = NULL;
  execv(py, args);
  fprintf(stderr, "cartsim: error: cannot start %s: %s\n", py, strerror(errno));
  free(args);
  return CS_ERR_IO;
}

int main(int argc, char **argv)
{
  if (argc >= 2 && !strcmp(argv[1], "demo")) return exec_python("postprocess.demo", argc, argv);
  if (argc >= 2 && !strcmp(argv[1], "explore")) return exec_python("postprocess.explorer", argc, argv);
  /* before MPI, HDF5 and the rest allocate; before MPI_Init: there is no rank yet */
  if (cs_heap_prepare() != CS_OK || cs_singleton_prepare() != CS_OK) {
    fprintf(stderr, "cartsim: error: %s\n", cs_error_message());
    return CS_ERR_IO;
  }
  MPI_Init(&argc, &argv);
  /* cartsim reports HDF5 failures itself, in one line; CARTSIM_TRACE shows HDF5's stacks */
  if (!getenv("CARTSIM_TRACE")) H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  double wall0 = MPI_Wtime();
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  cs_signals_install();
  cs_cli cli;
  int rc = parse_cli(argc, argv, &cli);
  if (rc == CS_OK) {
    if (!strcmp(cli.command, "--help") || !strcmp(cli.command, "-h")) {
      if (rank == 0) usage(stdout);
    } else if (!strcmp(cli.command, "--version")) {
      if (rank == 0) print_version();
    } else {
      rc = run_command(&cli, argc, argv, wall0);
    }
  }
  /* what went to stdout (check's resolved config, --keys, --plan, --version)
   * must be all there: a full disk or /dev/full cut it short silently */
  if (rc == CS_OK && rank == 0) {
    if (fflush(stdout) != 0)
      rc = cs_error_set(CS_ERR_IO, "cannot write the standard output: %s", strerror(errno));
    else if (ferror(stdout)) /* an earlier write failed; its errno is gone */
      rc = cs_error_set(CS_ERR_IO, "cannot write the standard output: a write to it failed (a full disk?), so what "
                        "it holds is cut short");
  }
  if (rc != CS_OK && rank == 0) {
    /* one line (docs/exit-codes.md); a usage error points to the usage on it */
    fprintf(stderr, "cartsim: error: %s%s\n", cs_error_message(), rc == CS_ERR_USAGE ? " (cartsim --help shows the usage)" : "");
    if (getenv("CARTSIM_TRACE")) fputs(cs_error_backtrace(), stderr);
  }
  if (rc == CS_ERR_IO && cs_h5out_open_ids() > 0) {
    /* a write failed (disk full) and HDF5 could not close the file: it would
     * crash closing it again inside MPI_Finalize, so end here with the
     * documented code instead */
    fflush(stdout);
    fflush(stderr);
    cs_singleton_cleanup();
    _exit(rc);
  }
  MPI_Finalize();
  cs_singleton_cleanup();
  return rc;
}
