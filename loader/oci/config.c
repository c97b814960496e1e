/* The runtime part of an image config (OCI image spec, "config"): what
 * `geode container` turns into the manifest. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "oci/oci.h"

/* A JSON array of strings (or null/absent) as a NULL-terminated vector. */
static char **strv(json_t *a, int *bad)
{
    size_t n = json_is_array(a) ? json_array_size(a) : 0, i;
    char **v = calloc(n + 1, sizeof(char *));
    json_t *s;
    if (a && !json_is_null(a) && !json_is_array(a))
        *bad = 1;
    json_array_foreach(a, i, s)
    {
        if (!json_is_string(s)) {
            *bad = 1;
            break;
        }
        v[i] = strdup(json_string_value(s));
    }
    return v;
}

static char *str(json_t *s)
{
    const char *v = json_string_value(s);
    return v && *v ? strdup(v) : NULL;
}

int oci_read_config(const char *path, struct oci_config *c, char *err, size_t n)
{
    json_error_t je;
    memset(c, 0, sizeof(*c));
    json_t *j = json_load_file(path, 0, &je);
    if (!j) {
        snprintf(err, n, "%s:%d: %s", path, je.line, je.text);
        return -1;
    }
    json_t *cfg = json_object_get(j, "config");
    int bad = 0;
    c->entrypoint = strv(json_object_get(cfg, "Entrypoint"), &bad);
    c->cmd = strv(json_object_get(cfg, "Cmd"), &bad);
    c->env = strv(json_object_get(cfg, "Env"), &bad);
    c->workdir = str(json_object_get(cfg, "WorkingDir"));
    c->user = str(json_object_get(cfg, "User"));
    json_t *ports = json_object_get(cfg, "ExposedPorts");
    c->ports = calloc(json_object_size(ports) + 1, sizeof(char *));
    const char *k;
    json_t *v;
    size_t i = 0;
    json_object_foreach(ports, k, v) c->ports[i++] = strdup(k);
    json_decref(j);
    if (bad) {
        snprintf(err, n, "%s: Entrypoint, Cmd and Env must be arrays of strings", path);
        oci_config_free(c);
        return -1;
    }
    return 0;
}

static void strv_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

void oci_config_free(struct oci_config *c)
{
    strv_free(c->entrypoint);
    strv_free(c->cmd);
    strv_free(c->env);
    strv_free(c->ports);
    free(c->workdir);
    free(c->user);
    memset(c, 0, sizeof(*c));
}
