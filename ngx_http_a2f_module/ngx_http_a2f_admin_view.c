
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * ngx_http_a2f_admin_view.c: the admin pages' HTML: the user list (with
 * search), one user's page, and the audit trail.  Everything that comes
 * from the database is HTML-escaped (a user name may be "<script>"),
 * and names in links are %-encoded.
 */


#include "ngx_http_a2f_module.h"
#include "a2f_text.h"


#define NGX_HTTP_A2F_LIST_MAX    500    /* users on one page           */
#define NGX_HTTP_A2F_ROW_MAX     1536   /* bytes of one row, at most   */
#define NGX_HTTP_A2F_AUDIT_PAGE  50     /* events on one page          */


typedef struct {
    ngx_str_t                  q;
    ngx_str_t                  portal;
    int64_t                    now;
    ngx_uint_t                 pass;        /* 0: count, 1: write        */
    ngx_uint_t                 matches;
    ngx_uint_t                 total;
    ngx_uint_t                 written;
    u_char                    *p;
    u_char                    *end;
} ngx_http_a2f_list_t;


typedef struct {
    ngx_pool_t                *pool;
    ngx_uint_t                 n;
    int64_t                    usec[NGX_HTTP_A2F_AUDIT_PAGE];
    ngx_str_t                  text[NGX_HTTP_A2F_AUDIT_PAGE];
    ngx_uint_t                 failed;
} ngx_http_a2f_audit_t;


static int ngx_http_a2f_list_row(const a2f_user_t *u, void *arg);
static int ngx_http_a2f_audit_row(int64_t usec, const char *text, size_t len,
    void *arg);
static u_char *ngx_http_a2f_esc(u_char *p, u_char *end, const char *s,
    size_t len);
static u_char *ngx_http_a2f_hidden(u_char *p, u_char *end,
    ngx_str_t *portal, ngx_str_t *csrf, ngx_str_t *user);
static ngx_int_t ngx_http_a2f_admin_send(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_str_t *tpl, ngx_uint_t status,
    ngx_http_a2f_var_t *vars, ngx_uint_t n);
static ngx_int_t ngx_http_a2f_admin_csrf(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_str_t *csrf);


/* The user list; query NULL or empty: every user. */

ngx_int_t
ngx_http_a2f_admin_list_page(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_uint_t status, ngx_str_t *query)
{
    int                        rc;
    ngx_str_t                  rows, count;
    ngx_http_a2f_var_t         vars[3];
    ngx_http_a2f_list_t        l;
    ngx_http_a2f_srv_conf_t   *ascf;
    ngx_http_a2f_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_a2f_module);
    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);

    ngx_memzero(&l, sizeof(ngx_http_a2f_list_t));

    if (query) {
        l.q = *query;
    }

    l.portal = ascf->portal;
    l.now = ngx_time();

    /* count, then write at most that many rows */

    rc = a2f_store_user_list(amcf->store, ngx_http_a2f_list_row, &l);

    if (rc == A2F_OK) {
        l.pass = 1;
        l.matches = ngx_min(l.matches, NGX_HTTP_A2F_LIST_MAX);

        rows.data = ngx_pnalloc(r->pool,
                                l.matches * NGX_HTTP_A2F_ROW_MAX + 128);
        if (rows.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        l.p = rows.data;
        l.end = rows.data + l.matches * NGX_HTTP_A2F_ROW_MAX + 128;
        l.total = 0;

        rc = a2f_store_user_list(amcf->store, ngx_http_a2f_list_row, &l);
    }

    if (rc != A2F_OK && rc != 1) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "a2f: database \"%V\": cannot list the users: %s",
                      &amcf->db_path, a2f_strerror(rc));
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    if (l.written == 0) {
        l.p = ngx_slprintf(l.p, l.end, "<tr><td colspan=\"5\">%s</td></tr>",
                           l.q.len ? "No user name contains that."
                                   : "No users yet.");
    }

    rows.len = l.p - rows.data;

    count.data = ngx_pnalloc(r->pool, 128);
    if (count.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (l.written < l.matches || rc == 1) {
        count.len = ngx_sprintf(count.data, "The first %ui users; search to "
                                "see the others.", l.written)
                    - count.data;

    } else if (l.q.len) {
        count.len = ngx_sprintf(count.data, "%ui of %ui users match.",
                                l.written, l.total)
                    - count.data;

    } else {
        count.len = ngx_sprintf(count.data, "%ui user%s.", l.total,
                                l.total == 1 ? "" : "s")
                    - count.data;
    }

    vars[0].name = "rows";
    vars[0].value = rows;
    vars[0].raw = 1;
    vars[1].name = "count";
    vars[1].value = count;
    vars[1].raw = 0;
    vars[2].name = "q";
    vars[2].value = l.q;
    vars[2].raw = 0;

    return ngx_http_a2f_admin_send(r, ctx, &amcf->page_admin, status, vars, 3);
}


static int
ngx_http_a2f_list_row(const a2f_user_t *u, void *arg)
{
    ngx_http_a2f_list_t *l = arg;

    u_char  *p, *end;
    char     url[3 * A2F_USER_MAX + 1];

    if (l->q.len
        && ngx_strlcasestrn((u_char *) u->name, (u_char *) u->name
                            + u->name_len, l->q.data, l->q.len - 1)
           == NULL)
    {
        l->total++;
        return 0;
    }

    l->total++;

    if (l->pass == 0) {
        l->matches++;
        return 0;
    }

    if (l->written == l->matches) {
        return 1;               /* more than counted: a newer snapshot */
    }

    p = l->p;
    end = l->end;

    (void) a2f_url_escape(u->name, u->name_len, url, sizeof(url));

    p = ngx_slprintf(p, end, "<tr><td><a href=\"");
    p = ngx_http_a2f_esc(p, end, (char *) l->portal.data, l->portal.len);
    p = ngx_slprintf(p, end, "admin/user?name=%s\">", url);
    p = ngx_http_a2f_esc(p, end, u->name, u->name_len);
    p = ngx_slprintf(p, end, "</a></td><td>%s</td><td>%ud app%s, "
                     "%ud key%s</td><td>",
                     (u->flags & A2F_USER_ADMIN)
                     ? "<span class=\"tag\">admin</span>" : "user",
                     u->ndevices, u->ndevices == 1 ? "" : "s",
                     u->nkeys, u->nkeys == 1 ? "" : "s");

    if (u->flags & A2F_USER_DISABLED) {
        p = ngx_slprintf(p, end, "<span class=\"tag bad\">disabled</span> ");
    }

    if (u->locked_until > l->now) {
        p = ngx_slprintf(p, end, "<span class=\"tag bad\">locked</span>");

    } else if (!(u->flags & A2F_USER_DISABLED)) {
        p = ngx_slprintf(p, end, "active");
    }

    p = ngx_slprintf(p, end, "</td><td class=\"time\">");

    if (u->last_login) {
        p = ngx_http_a2f_time_text(p, u->last_login);
    } else {
        p = ngx_slprintf(p, end, "never");
    }

    l->p = ngx_slprintf(p, end, "</td></tr>\n");
    l->written++;

    return 0;
}


/* One user's page: facts, actions, group, apps, keys, codes, link. */

ngx_int_t
ngx_http_a2f_admin_user_page(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_uint_t status, ngx_str_t *name)
{
    int                        rc;
    u_char                    *p, *end;
    char                       group[A2F_GROUP_MAX + 1];
    size_t                     len, glen;
    int64_t                    expires, now;
    unsigned                   ndev, nkeys, remaining, i;
    ngx_str_t                  csrf, facts, devices, keys, left, link;
    ngx_uint_t                 n;
    a2f_user_t                 u;
    a2f_seckey_t              *ks;
    a2f_totp_dev_t            *devs;
    ngx_http_a2f_var_t         vars[11];
    ngx_http_a2f_srv_conf_t   *ascf;
    ngx_http_a2f_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_a2f_module);
    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);

    now = ngx_time();

    devs = ngx_palloc(r->pool, A2F_DEVICES_MAX * sizeof(a2f_totp_dev_t));
    ks = ngx_palloc(r->pool, A2F_SECKEYS_MAX * sizeof(a2f_seckey_t));

    if (devs == NULL || ks == NULL
        || ngx_http_a2f_admin_csrf(r, ctx, &csrf) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = a2f_store_user_get(amcf->store, (char *) name->data, name->len, &u);
    ngx_explicit_memzero(u.pwhash, sizeof(u.pwhash));

    ndev = 0;
    nkeys = 0;
    remaining = 0;

    if (rc == A2F_OK) {
        rc = a2f_store_totp_list(amcf->store, (char *) name->data, name->len,
                                 devs, A2F_DEVICES_MAX, &ndev);

        for (i = 0; i < ndev; i++) {
            ngx_explicit_memzero(devs[i].secret, sizeof(devs[i].secret));
        }
    }

    if (rc == A2F_OK) {
        rc = a2f_store_seckey_list(amcf->store, (char *) name->data,
                                   name->len, ks, A2F_SECKEYS_MAX, &nkeys);
    }

    if (rc == A2F_OK) {
        rc = a2f_store_recovery_count(amcf->store, (char *) name->data,
                                      name->len, &remaining);
    }

    expires = 0;
    glen = 0;

    if (rc == A2F_OK) {
        rc = a2f_store_user_group_get(amcf->store, (char *) name->data,
                                      name->len, group, &glen);
    }

    if (rc == A2F_OK) {
        rc = a2f_store_link_get(amcf->store, (char *) name->data, name->len,
                                &expires);
        if (rc == A2F_ERR_NOTFOUND) {
            expires = 0;
            rc = A2F_OK;
        }
    }

    if (rc == A2F_ERR_NOTFOUND) {
        if (ctx->notice.len == 0) {
            ngx_str_set(&ctx->notice, "There is no such user.");
        }

        return ngx_http_a2f_admin_list_page(r, ctx, NGX_HTTP_NOT_FOUND,
                                            NULL);
    }

    if (rc != A2F_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "a2f: database \"%V\": cannot read user \"%V\": %s",
                      &amcf->db_path, name, a2f_strerror(rc));
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    /* facts */

    len = 1024 + 6 * A2F_GROUP_MAX;
    facts.data = ngx_pnalloc(r->pool, len);
    if (facts.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = facts.data;
    end = p + len;

    p = ngx_slprintf(p, end, "<dl class=\"facts\"><dt>Role</dt><dd>%s</dd>"
                     "<dt>State</dt><dd>%s</dd><dt>Sign-in</dt><dd>",
                     (u.flags & A2F_USER_ADMIN) ? "administrator" : "user",
                     (u.flags & A2F_USER_DISABLED)
                     ? "<span class=\"tag bad\">disabled</span>" : "active");

    if (u.locked_until > now) {
        p = ngx_slprintf(p, end, "<span class=\"tag bad\">locked</span> "
                         "until ");
        p = ngx_http_a2f_time_text(p, u.locked_until);
    } else {
        p = ngx_slprintf(p, end, "not locked");
    }

    p = ngx_slprintf(p, end, "</dd><dt>Group</dt><dd>");

    if (glen) {
        p = ngx_http_a2f_esc(p, end, group, glen);
    } else {
        p = ngx_slprintf(p, end, "default (none set)");
    }

    p = ngx_slprintf(p, end, "</dd><dt>Last sign-in</dt><dd>");

    if (u.last_login) {
        p = ngx_http_a2f_time_text(p, u.last_login);
    } else {
        p = ngx_slprintf(p, end, "never");
    }

    p = ngx_slprintf(p, end, "</dd><dt>Created</dt><dd>");
    p = ngx_http_a2f_time_text(p, u.created);
    p = ngx_slprintf(p, end, "</dd></dl>");
    facts.len = p - facts.data;

    /* the apps and the keys, each with a remove button */

    len = 256 + (ndev + nkeys) * (2048 + csrf.len + 6 * ascf->portal.len);

    devices.data = ngx_pnalloc(r->pool, len);
    if (devices.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = devices.data;
    end = p + len;

    if (ndev == 0) {
        p = ngx_slprintf(p, end, "<p>None.</p>");

    } else {
        p = ngx_slprintf(p, end, "<div class=\"scroll\"><table "
                         "class=\"stack\"><thead><tr>"
                         "<th>Name</th><th>Added</th><th></th></tr></thead>"
                         "<tbody>");

        for (i = 0; i < ndev; i++) {
            p = ngx_slprintf(p, end, "<tr><td>");
            p = ngx_http_a2f_esc(p, end, devs[i].name,
                                 ngx_strlen(devs[i].name));
            p = ngx_slprintf(p, end, "</td><td class=\"time\">");
            p = ngx_http_a2f_time_text(p, devs[i].created);
            p = ngx_slprintf(p, end, "</td><td>");
            p = ngx_http_a2f_hidden(p, end, &ascf->portal, &csrf, name);
            p = ngx_slprintf(p, end, "<input type=\"hidden\" name=\"action\" "
                             "value=\"totp_del\"><input type=\"hidden\" "
                             "name=\"device\" value=\"");
            p = ngx_http_a2f_esc(p, end, devs[i].name,
                                 ngx_strlen(devs[i].name));
            p = ngx_slprintf(p, end, "\"><button type=\"submit\" "
                             "class=\"secondary\">Remove</button></form>"
                             "</td></tr>");
        }

        p = ngx_slprintf(p, end, "</tbody></table></div>");
    }

    devices.len = p - devices.data;

    keys.data = p;

    if (nkeys == 0) {
        p = ngx_slprintf(p, end, "<p>None.</p>");

    } else {
        p = ngx_slprintf(p, end, "<div class=\"scroll\"><table "
                         "class=\"stack\"><thead><tr>"
                         "<th>Name</th><th>Added</th><th>Last used</th>"
                         "<th></th></tr></thead><tbody>");

        for (i = 0; i < nkeys; i++) {
            p = ngx_slprintf(p, end, "<tr><td>");
            p = ngx_http_a2f_esc(p, end, ks[i].name, ngx_strlen(ks[i].name));
            p = ngx_slprintf(p, end, "%s</td><td class=\"time\">",
                             (ks[i].flags & A2F_SECKEY_CLONED)
                             ? " <span class=\"tag bad\">blocked: its "
                               "counter went back</span>" : "");
            p = ngx_http_a2f_time_text(p, ks[i].created);
            p = ngx_slprintf(p, end, "</td><td class=\"time\">");

            if (ks[i].last_used) {
                p = ngx_http_a2f_time_text(p, ks[i].last_used);
            } else {
                p = ngx_slprintf(p, end, "never");
            }

            p = ngx_slprintf(p, end, "</td><td>");
            p = ngx_http_a2f_hidden(p, end, &ascf->portal, &csrf, name);
            p = ngx_slprintf(p, end, "<input type=\"hidden\" name=\"action\" "
                             "value=\"key_del\"><input type=\"hidden\" "
                             "name=\"key\" value=\"");
            p = ngx_http_a2f_esc(p, end, ks[i].name, ngx_strlen(ks[i].name));
            p = ngx_slprintf(p, end, "\"><button type=\"submit\" "
                             "class=\"secondary\">Remove</button></form>"
                             "</td></tr>");
        }

        p = ngx_slprintf(p, end, "</tbody></table></div>");
    }

    keys.len = p - keys.data;

    /* recovery codes left, and the link */

    left.data = ngx_pnalloc(r->pool, NGX_INT_T_LEN + 128);
    if (left.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    left.len = ngx_sprintf(left.data, "%ud", remaining) - left.data;

    link.data = left.data + left.len;
    p = link.data;

    if (expires == 0) {
        p = ngx_sprintf(p, "<p>No open link.</p>");

    } else if (expires > now) {
        p = ngx_sprintf(p, "<p>An unused link is valid until ");
        p = ngx_http_a2f_time_text(p, expires);
        p = ngx_sprintf(p, ". A new one replaces it.</p>");

    } else {
        p = ngx_sprintf(p, "<p>The last link expired on ");
        p = ngx_http_a2f_time_text(p, expires);
        p = ngx_sprintf(p, ", unused.</p>");
    }

    link.len = p - link.data;

    n = 0;
    vars[n].name = "user";
    vars[n].value = *name;
    vars[n++].raw = 0;
    vars[n].name = "status";
    vars[n].value = facts;
    vars[n++].raw = 1;
    vars[n].name = "devices";
    vars[n].value = devices;
    vars[n++].raw = 1;
    vars[n].name = "keys";
    vars[n].value = keys;
    vars[n++].raw = 1;
    vars[n].name = "remaining";
    vars[n].value = left;
    vars[n++].raw = 0;
    vars[n].name = "link";
    vars[n].value = link;
    vars[n++].raw = 1;
    vars[n].name = "group";
    vars[n].value.data = (u_char *) group;
    vars[n].value.len = glen;
    vars[n++].raw = 0;
    vars[n].name = "toggle";
    vars[n].raw = 0;
    vars[n + 1].name = "toggle_label";
    vars[n + 1].raw = 0;

    if (u.flags & A2F_USER_DISABLED) {
        ngx_str_set(&vars[n].value, "enable");
        ngx_str_set(&vars[n + 1].value, "Enable the user");
    } else {
        ngx_str_set(&vars[n].value, "disable");
        ngx_str_set(&vars[n + 1].value, "Disable the user");
    }

    n += 2;
    vars[n].name = "role";
    vars[n].raw = 0;
    vars[n + 1].name = "role_label";
    vars[n + 1].raw = 0;

    if (u.flags & A2F_USER_ADMIN) {
        ngx_str_set(&vars[n].value, "unadmin");
        ngx_str_set(&vars[n + 1].value, "Remove the administrator role");
    } else {
        ngx_str_set(&vars[n].value, "admin");
        ngx_str_set(&vars[n + 1].value, "Make administrator");
    }

    n += 2;

    return ngx_http_a2f_admin_send(r, ctx, &amcf->page_admin_user, status,
                                   vars, n);
}


/* The audit trail, newest first, a page of events before ?before=. */

ngx_int_t
ngx_http_a2f_admin_audit_page(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx)
{
    int                        rc;
    u_char                    *p, *end, *t, *te, *sp;
    size_t                     len;
    int64_t                    before;
    ngx_str_t                  arg, rows, pager, field[4];
    ngx_uint_t                 i, k;
    ngx_http_a2f_var_t         vars[2];
    ngx_http_a2f_audit_t       a;
    ngx_http_a2f_srv_conf_t   *ascf;
    ngx_http_a2f_main_conf_t  *amcf;

    static const char  *keys[] = { "user=", "addr=" };

    amcf = ngx_http_get_module_main_conf(r, ngx_http_a2f_module);
    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);

    before = 0;

    if (ngx_http_arg(r, (u_char *) "before", 6, &arg) == NGX_OK) {
        before = ngx_atoof(arg.data, arg.len);

        if (before == NGX_ERROR) {
            before = 0;
        }
    }

    ngx_memzero(&a, sizeof(ngx_http_a2f_audit_t));
    a.pool = r->pool;

    rc = a2f_store_audit_page(amcf->store, before, NGX_HTTP_A2F_AUDIT_PAGE,
                              ngx_http_a2f_audit_row, &a);

    if (rc != A2F_OK || a.failed) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "a2f: database \"%V\": cannot read the audit trail: %s",
                      &amcf->db_path, a2f_strerror(rc));
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    len = 128;

    for (i = 0; i < a.n; i++) {
        len += 256 + 6 * a.text[i].len;
    }

    rows.data = ngx_pnalloc(r->pool, len);
    if (rows.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = rows.data;
    end = p + len;

    for (i = 0; i < a.n; i++) {

        /* "<event> user=<user> addr=<addr>[ <detail>]" */

        t = a.text[i].data;
        te = t + a.text[i].len;

        sp = ngx_strlchr(t, te, ' ');
        field[0].data = t;
        field[0].len = (sp ? sp : te) - t;
        t = sp ? sp + 1 : te;

        for (k = 0; k < 2; k++) {
            ngx_str_null(&field[1 + k]);

            if (te - t >= 5 && ngx_strncmp(t, keys[k], 5) == 0) {
                t += 5;
                sp = ngx_strlchr(t, te, ' ');
                field[1 + k].data = t;
                field[1 + k].len = (sp ? sp : te) - t;
                t = sp ? sp + 1 : te;
            }
        }

        field[3].data = t;
        field[3].len = te - t;

        p = ngx_slprintf(p, end, "<tr><td class=\"time\">");
        p = ngx_http_a2f_time_text(p, a.usec[i] / 1000000);
        p = ngx_slprintf(p, end, "</td>");

        for (k = 0; k < 4; k++) {
            p = ngx_slprintf(p, end, "<td>");
            p = ngx_http_a2f_esc(p, end, (char *) field[k].data,
                                 field[k].len);
            p = ngx_slprintf(p, end, "</td>");
        }

        p = ngx_slprintf(p, end, "</tr>\n");
    }

    if (a.n == 0) {
        p = ngx_slprintf(p, end, "<tr><td colspan=\"5\">No events%s.</td>"
                         "</tr>", before ? " before these" : "");
    }

    rows.len = p - rows.data;

    pager.data = ngx_pnalloc(r->pool, 256 + 2 * 6 * ascf->portal.len);
    if (pager.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = pager.data;
    end = p + 256 + 2 * 6 * ascf->portal.len;

    if (before) {
        p = ngx_slprintf(p, end, "<a href=\"");
        p = ngx_http_a2f_esc(p, end, (char *) ascf->portal.data,
                             ascf->portal.len);
        p = ngx_slprintf(p, end, "admin/audit\">Newest</a>");
    }

    if (a.n == NGX_HTTP_A2F_AUDIT_PAGE) {
        p = ngx_slprintf(p, end, "<a href=\"");
        p = ngx_http_a2f_esc(p, end, (char *) ascf->portal.data,
                             ascf->portal.len);
        p = ngx_slprintf(p, end, "admin/audit?before=%L\">Older</a>",
                         a.usec[a.n - 1]);
    }

    pager.len = p - pager.data;

    vars[0].name = "rows";
    vars[0].value = rows;
    vars[0].raw = 1;
    vars[1].name = "pager";
    vars[1].value = pager;
    vars[1].raw = 1;

    return ngx_http_a2f_admin_send(r, ctx, &amcf->page_admin_audit,
                                   NGX_HTTP_OK, vars, 2);
}


static int
ngx_http_a2f_audit_row(int64_t usec, const char *text, size_t len, void *arg)
{
    ngx_http_a2f_audit_t *a = arg;

    u_char  *copy;

    if (a->n == NGX_HTTP_A2F_AUDIT_PAGE) {
        return 1;
    }

    copy = ngx_pnalloc(a->pool, len);
    if (copy == NULL) {
        a->failed = 1;
        return 1;
    }

    ngx_memcpy(copy, text, len);

    a->usec[a->n] = usec;
    a->text[a->n].data = copy;
    a->text[a->n].len = len;
    a->n++;

    return 0;
}


/* "2026-11-23 10:45 UTC" (at most 24 bytes) */

u_char *
ngx_http_a2f_time_text(u_char *p, int64_t t)
{
    ngx_tm_t  tm;

    if (t <= 0 || t > (int64_t) 253402300799LL) {
        return ngx_sprintf(p, "-");
    }

    ngx_gmtime((time_t) t, &tm);

    return ngx_sprintf(p, "%4d-%02d-%02d %02d:%02d UTC",
                       tm.ngx_tm_year, tm.ngx_tm_mon, tm.ngx_tm_mday,
                       tm.ngx_tm_hour, tm.ngx_tm_min);
}


/* HTML-escape s into p (up to end); returns the new end of the text. */

static u_char *
ngx_http_a2f_esc(u_char *p, u_char *end, const char *s, size_t len)
{
    size_t  n;

    if (end - p < (ssize_t) (6 * len + 1)) {
        return p;               /* the buffers are sized: cannot happen */
    }

    n = a2f_html_escape(s, len, (char *) p, end - p);

    return p + n;
}


/* <form> and its csrf and user fields, for a button in a table row */

static u_char *
ngx_http_a2f_hidden(u_char *p, u_char *end, ngx_str_t *portal,
    ngx_str_t *csrf, ngx_str_t *user)
{
    p = ngx_slprintf(p, end, "<form method=\"post\" action=\"");
    p = ngx_http_a2f_esc(p, end, (char *) portal->data, portal->len);
    p = ngx_slprintf(p, end, "admin\"><input type=\"hidden\" name=\"csrf\" "
                     "value=\"%V\"><input type=\"hidden\" name=\"user\" "
                     "value=\"", csrf);
    p = ngx_http_a2f_esc(p, end, (char *) user->data, user->len);

    return ngx_slprintf(p, end, "\">");
}


static ngx_int_t
ngx_http_a2f_admin_csrf(ngx_http_request_t *r, ngx_http_a2f_portal_ctx_t *ctx,
    ngx_str_t *csrf)
{
    ngx_str_t  binding;

    binding.data = (u_char *) ctx->auth.session.sid;
    binding.len = ngx_strlen(ctx->auth.session.sid);

    return ngx_http_a2f_csrf_token(r, &binding, csrf);
}


/*
 * Render an admin page with {{portal}}, {{csrf}}, {{notice}} (what was
 * done, or why not), {{shown}} (shown-once secrets) and n more.
 */

static ngx_int_t
ngx_http_a2f_admin_send(ngx_http_request_t *r, ngx_http_a2f_portal_ctx_t *ctx,
    ngx_str_t *tpl, ngx_uint_t status, ngx_http_a2f_var_t *vars,
    ngx_uint_t n)
{
    u_char                   *p;
    ngx_str_t                 csrf, notice, out;
    ngx_uint_t                i;
    ngx_http_a2f_var_t        all[16];
    ngx_http_a2f_srv_conf_t  *ascf;

    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);

    if (ngx_http_a2f_admin_csrf(r, ctx, &csrf) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_str_null(&notice);

    if (ctx->notice.len) {
        notice.data = ngx_pnalloc(r->pool, 64 + 6 * ctx->notice.len);
        if (notice.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        p = ngx_sprintf(notice.data, "<p class=\"%s\" role=\"%s\">",
                        status < NGX_HTTP_BAD_REQUEST ? "notice" : "error",
                        status < NGX_HTTP_BAD_REQUEST ? "status" : "alert");
        p += a2f_html_escape((char *) ctx->notice.data, ctx->notice.len,
                             (char *) p, 6 * ctx->notice.len + 1);
        p = ngx_sprintf(p, "</p>");
        notice.len = p - notice.data;
    }

    all[0].name = "portal";
    all[0].value = ascf->portal;
    all[0].raw = 0;
    all[1].name = "csrf";
    all[1].value = csrf;
    all[1].raw = 0;
    all[2].name = "notice";
    all[2].value = notice;
    all[2].raw = 1;
    all[3].name = "shown";
    all[3].value = ctx->shown;
    all[3].raw = 1;

    for (i = 0; i < n && i < 12; i++) {
        all[4 + i] = vars[i];
    }

    if (ngx_http_a2f_render(r, tpl, all, 4 + i, &out) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ctx->shown.len) {
        ngx_explicit_memzero(ctx->shown.data, ctx->shown.len);
    }

    return ngx_http_a2f_send(r, status, &ngx_http_a2f_html_type, &out);
}
