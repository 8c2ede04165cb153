# nginx's phases: what a protected location may hold.  Rewrite-phase
# directives (return, rewrite ... break, set) run BEFORE the access check;
# everything that makes a response in the content phase (proxy_pass,
# fastcgi_pass, root/alias files, empty_gif, ...) runs after it.
use lib 't';
use Test::Nginx::Socket 'no_plan';
use A2F;

A2F::setup();
A2F::add_user('alice', 'pw');

our $TWO = "Cookie: a2f_session=" . A2F::cookie(user => 'alice', level => 2);

repeat_each(1);
no_shuffle();
no_root_location();
A2F::defaults();

run_tests();

__DATA__

=== TEST 1: every method on a protected location is protected
--- request eval
[ "GET /app", "HEAD /app", "POST /app\nx=1", "PUT /app\nx=1", "DELETE /app",
  "OPTIONS /app", "PATCH /app\nx=1" ]
--- error_code eval
[ (401) x 7 ]
--- no_error_log
[error]



=== TEST 2: encoded and dotted paths reach the upstream only with a session
--- request eval
[ "GET /%61pp", "GET /_a2f/../app", "GET //app", "GET /app%2F..",
  "GET /./app", "GET /app/../_a2f/../app" ]
--- error_code eval
[ (401) x 6 ]
--- response_body_unlike eval
[ (qr/upstream/) x 6 ]
--- no_error_log
[error]



=== TEST 3: the same paths with a session reach the upstream
--- request eval
[ "GET /%61pp", "GET //app" ]
--- more_headers eval
[ ($main::TWO) x 2 ]
--- error_code eval
[ 200, 200 ]
--- response_body_like eval
[ qr/^upstream GET \/%61pp remote-user=\[alice\]/, qr/^upstream GET \/\/app remote-user=\[alice\]/ ]
--- no_error_log
[error]



=== TEST 4: "return" runs before the access check: such a location is NOT protected
--- config
location /_a2f/ { a2f_portal; }
location /ret {
    a2f two_factor;
    return 200 "answered by return\n";
}
--- request
GET /ret
--- error_code: 200
--- response_body
answered by return
--- no_error_log
[error]



=== TEST 5: a static file in a protected location is protected
--- config
location /_a2f/ { a2f_portal; }
location /files/ {
    a2f two_factor;
    alias html/;
}
--- user_files
>>> secret.txt
top secret
--- request eval
[ "GET /files/secret.txt", "GET /files/secret.txt" ]
--- more_headers eval
[ "", $main::TWO ]
--- error_code eval
[ 401, 200 ]
--- response_body_like eval
[ qr/unauthorized/, qr/^top secret$/ ]
--- no_error_log
[error]



=== TEST 6: "rewrite ... last" lands in the new location, which is checked
--- config
location /_a2f/ { a2f_portal; }
location /old/ {
    rewrite ^/old/(.*)$ /app/$1 last;
}
location /app/ {
    a2f two_factor;
    empty_gif;
}
--- request
GET /old/x
--- error_code: 401
--- no_error_log
[error]



=== TEST 7: an error_page to a protected location is checked too
--- config
location /_a2f/ { a2f_portal; }
location /open/ {
    error_page 404 = /app/;
    return 404;
}
location /app/ {
    a2f two_factor;
    empty_gif;
}
--- request
GET /open/x
--- error_code: 401
--- no_error_log
[error]



=== TEST 8: satisfy any with allow lets the address in without a session
--- config
location /_a2f/ { a2f_portal; }
location /lan/ {
    satisfy any;
    allow 127.0.0.1;
    deny all;
    a2f two_factor;
    empty_gif;
}
--- request
GET /lan/
--- error_code: 200
--- no_error_log
[error]



=== TEST 9: satisfy all (the default) with allow still needs the session
--- config
location /_a2f/ { a2f_portal; }
location /lan/ {
    allow 127.0.0.1;
    deny all;
    a2f two_factor;
    empty_gif;
}
--- request
GET /lan/
--- error_code: 401
--- no_error_log
[error]
