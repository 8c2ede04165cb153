
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * ngx_http_a2f_html.c: the page templates (built in from html/, or read
 * from the a2f_pages directory), {{name}} substitution with HTML
 * escaping, and sending a page with the portal's security headers.
 */


#include "ngx_http_a2f_module.h"
#include "a2f_text.h"

#include "ngx_http_a2f_pages.h"


#define NGX_HTTP_A2F_PAGE_MAX  (256 * 1024)


typedef struct {
    const char       *file;
    const u_char     *builtin;
    size_t            len;
    size_t            offset;     /* in ngx_http_a2f_main_conf_t */
} ngx_http_a2f_page_t;


#define ngx_http_a2f_page(file, var, field)                                   \
    { file, var, sizeof(var) - 1,                                            \
      offsetof(ngx_http_a2f_main_conf_t, field) }

static ngx_http_a2f_page_t  ngx_http_a2f_pages[] = {
    ngx_http_a2f_page("login.html", ngx_http_a2f_page_login_html,
                      page_login),
    ngx_http_a2f_page("otc.html", ngx_http_a2f_page_otc_html, page_otc),
    ngx_http_a2f_page("message.html", ngx_http_a2f_page_message_html,
                      page_message),
    ngx_http_a2f_page("enroll.html", ngx_http_a2f_page_enroll_html,
                      page_enroll),
    ngx_http_a2f_page("account.html", ngx_http_a2f_page_account_html,
                      page_account),
    ngx_http_a2f_page("admin.html", ngx_http_a2f_page_admin_html,
                      page_admin),
    ngx_http_a2f_page("admin_user.html", ngx_http_a2f_page_admin_user_html,
                      page_admin_user),
    ngx_http_a2f_page("admin_audit.html",
                      ngx_http_a2f_page_admin_audit_html, page_admin_audit),
    ngx_http_a2f_page("link.html", ngx_http_a2f_page_link_html, page_link),
    ngx_http_a2f_page("key.html", ngx_http_a2f_page_key_html, page_key),
    ngx_http_a2f_page("a2f.js", ngx_http_a2f_page_a2f_js, page_js),
    ngx_http_a2f_page("a2f.css", ngx_http_a2f_page_a2f_css, page_css),
    { NULL, NULL, 0, 0 }
};


static ngx_http_a2f_var_t *ngx_http_a2f_find_var(u_char *name, size_t len,
    ngx_http_a2f_var_t *vars, ngx_uint_t n);


char *
ngx_http_a2f_load_pages(ngx_conf_t *cf, ngx_http_a2f_main_conf_t *amcf)
{
    u_char               *p;
    ssize_t               n;
    ngx_fd_t              fd;
    ngx_str_t            *page, path;
    ngx_file_info_t       fi;
    ngx_http_a2f_page_t  *pg;

    for (pg = ngx_http_a2f_pages; pg->file; pg++) {

        page = (ngx_str_t *) ((u_char *) amcf + pg->offset);
        page->data = (u_char *) pg->builtin;
        page->len = pg->len;

        if (amcf->pages_dir.len == 0) {
            continue;
        }

        path.len = amcf->pages_dir.len + 1 + ngx_strlen(pg->file);
        path.data = ngx_pnalloc(cf->pool, path.len + 1);
        if (path.data == NULL) {
            return NGX_CONF_ERROR;
        }

        ngx_sprintf(path.data, "%V/%s%Z", &amcf->pages_dir, pg->file);

        fd = ngx_open_file(path.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

        if (fd == NGX_INVALID_FILE) {
            if (ngx_errno == NGX_ENOENT) {
                continue;           /* not overridden: the built-in one */
            }

            ngx_log_error(NGX_LOG_EMERG, cf->log, ngx_errno,
                          "a2f_pages: cannot open \"%V\"", &path);
            return NGX_CONF_ERROR;
        }

        if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR
            || ngx_file_size(&fi) > NGX_HTTP_A2F_PAGE_MAX)
        {
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "a2f_pages: \"%V\" is unreadable or larger "
                          "than 256k", &path);
            ngx_close_file(fd);
            return NGX_CONF_ERROR;
        }

        p = ngx_pnalloc(cf->pool, ngx_file_size(&fi) + 1);
        if (p == NULL) {
            ngx_close_file(fd);
            return NGX_CONF_ERROR;
        }

        n = ngx_read_fd(fd, p, ngx_file_size(&fi));
        ngx_close_file(fd);

        if (n != ngx_file_size(&fi)) {
            ngx_log_error(NGX_LOG_EMERG, cf->log, ngx_errno,
                          "a2f_pages: short read of \"%V\"", &path);
            return NGX_CONF_ERROR;
        }

        page->data = p;
        page->len = n;
    }

    return NGX_CONF_OK;
}


/*
 * Replace every {{name}} in tpl with its value, HTML-escaped unless the
 * variable is raw; an unknown {{name}} is left out.  Two passes: length,
 * then copy.
 */

ngx_int_t
ngx_http_a2f_render(ngx_http_request_t *r, ngx_str_t *tpl,
    ngx_http_a2f_var_t *vars, ngx_uint_t n, ngx_str_t *out)
{
    u_char              *p, *end, *close, *o;
    size_t               len;
    ngx_uint_t           pass;
    ngx_http_a2f_var_t  *v;

    len = 0;
    o = NULL;

    for (pass = 0; pass < 2; pass++) {

        if (pass == 1) {
            out->data = ngx_pnalloc(r->pool, len + 1);   /* + NUL */
            if (out->data == NULL) {
                return NGX_ERROR;
            }

            out->len = len;
            o = out->data;
        }

        p = tpl->data;
        end = tpl->data + tpl->len;

        while (p < end) {

            if (end - p < 4 || p[0] != '{' || p[1] != '{') {
                if (pass) {
                    *o++ = *p;
                } else {
                    len++;
                }

                p++;
                continue;
            }

            close = ngx_strlcasestrn(p + 2, end, (u_char *) "}}", 2 - 1);
            if (close == NULL || close - p > 34) {
                if (pass) {
                    *o++ = *p;
                } else {
                    len++;
                }

                p++;
                continue;
            }

            v = ngx_http_a2f_find_var(p + 2, close - (p + 2), vars, n);
            p = close + 2;

            if (v == NULL) {
                continue;
            }

            if (v->raw) {
                if (pass) {
                    o = ngx_cpymem(o, v->value.data, v->value.len);
                } else {
                    len += v->value.len;
                }

                continue;
            }

            if (pass) {
                o += a2f_html_escape((char *) v->value.data, v->value.len,
                                     (char *) o, out->data + len - o + 1);
            } else {
                len += a2f_html_escape_len((char *) v->value.data,
                                           v->value.len);
            }
        }
    }

    return NGX_OK;
}


static ngx_http_a2f_var_t *
ngx_http_a2f_find_var(u_char *name, size_t len, ngx_http_a2f_var_t *vars,
    ngx_uint_t n)
{
    ngx_uint_t  i;

    for (i = 0; i < n; i++) {
        if (ngx_strlen(vars[i].name) == len
            && ngx_strncmp(vars[i].name, name, len) == 0)
        {
            return &vars[i];
        }
    }

    return NULL;
}


/*
 * Send body with status and the portal's headers: nothing is cached,
 * framed or sniffed, and the page may load only its own style sheet.
 */

ngx_int_t
ngx_http_a2f_send(ngx_http_request_t *r, ngx_uint_t status, ngx_str_t *type,
    ngx_str_t *body)
{
    ngx_int_t         rc;
    ngx_buf_t        *b;
    ngx_uint_t        i;
    ngx_chain_t       out;
    ngx_table_elt_t  *h;

    static ngx_str_t  headers[][2] = {
        { ngx_string("Cache-Control"), ngx_string("no-store") },
        { ngx_string("Content-Security-Policy"),
          ngx_string("default-src 'none'; script-src 'self'; "
                     "style-src 'self'; img-src 'self' data:; "
                     "connect-src 'self'; form-action 'self'; "
                     "frame-ancestors 'none'; base-uri 'none'") },
        { ngx_string("X-Frame-Options"), ngx_string("DENY") },
        { ngx_string("X-Content-Type-Options"), ngx_string("nosniff") },
        { ngx_string("Referrer-Policy"), ngx_string("no-referrer") },
    };

    if (ngx_http_discard_request_body(r) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        h->hash = 1;
        h->key = headers[i][0];
        h->value = headers[i][1];
#if (nginx_version >= 1023000)
        h->next = NULL;
#endif
    }

    r->headers_out.status = status;
    r->headers_out.content_type = *type;
    r->headers_out.content_type_len = type->len;
    r->headers_out.content_length_n = body->len;

    if (r->method == NGX_HTTP_HEAD || body->len == 0) {
        r->header_only = 1;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->pos = body->data;
    b->last = body->data + body->len;
    b->memory = 1;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}
