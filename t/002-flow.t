# The whole way through: redirect, login page, password, code, upstream.
use lib 't';
use Test::Nginx::Socket 'no_plan';
use A2F;

A2F::setup();
our $SECRET = A2F::add_user('alice', 'correct horse');
A2F::add_user('bob', 'battery staple');
A2F::add_user('nodevice', 'no device', totp => 0);

our $BIND = 'AAAAAAAAAAAAAAAAAAAAAA';
our $FORM = "Content-Type: application/x-www-form-urlencoded\n"
            . "Cookie: a2f_csrf=$BIND";

sub login_body {
    my ($user, $pass, %o) = @_;
    my $b = "username=$user&password=$pass&csrf=" . A2F::csrf($BIND);
    $b .= "&rd=$o{rd}" if defined $o{rd};
    $b .= "&lvl=$o{lvl}" if defined $o{lvl};
    return $b;
}

sub otc_body {
    my ($cookie_sid, $code, $rd) = @_;
    return "code=$code&csrf=" . A2F::csrf($cookie_sid)
           . (defined $rd ? "&rd=$rd" : '');
}

repeat_each(1);
no_shuffle();
no_root_location();
A2F::defaults();

run_tests();

__DATA__

=== TEST 1: a browser without a session is sent to the login page
--- request
GET /app?x=1
--- more_headers
Accept: text/html,application/xhtml+xml
--- error_code: 302
--- response_headers_like
Location: (http://[^/]+)?/_a2f/login\?rd=%2Fapp%3Fx%3D1$
--- no_error_log
[error]



=== TEST 2: an API client without a session gets 401 and JSON
--- request
GET /app
--- more_headers
Accept: application/json
--- error_code: 401
--- response_headers_like
Content-Type: application/json
WWW-Authenticate: A2F realm="a2f", login="/_a2f/login"
--- response_body
{"error":"unauthorized","login":"/_a2f/login"}
--- no_error_log
[error]



=== TEST 3: a browser POST without a session gets 401, not a redirect
--- request
POST /app
a=b
--- more_headers
Accept: text/html
--- error_code: 401
--- no_error_log
[error]



=== TEST 4: the login page: form fields, CSRF cookie, security headers
--- request
GET /_a2f/login?rd=%2Fapp
--- error_code: 200
--- response_headers_like
Cache-Control: no-store
X-Frame-Options: DENY
Content-Type: text/html; charset=utf-8
Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; .*
Set-Cookie: ^a2f_csrf=[A-Za-z0-9_-]{22}; Path=/_a2f/; HttpOnly; SameSite=Lax$
--- response_body_like eval
qr/name="username".*name="password"/s
--- no_error_log
[error]



=== TEST 5: the login page keeps rd in its form
--- request
GET /_a2f/login?rd=%2Fapp%3Fx%3D1
--- response_body_like: <input type="hidden" name="rd" value="/app\?x=1">
--- no_error_log
[error]



=== TEST 6: the right password gives a one-factor session and the code page
--- request eval
"POST /_a2f/login\n" . main::login_body('alice', 'correct+horse', rd => '%2Fapp')
--- more_headers eval
$main::FORM
--- error_code: 303
--- response_headers_like
Location: (http://[^/]+)?/_a2f/otc\?rd=%2Fapp$
Set-Cookie: ^a2f_session=2\.[0-9a-f]{8}\.[A-Za-z0-9_-]{16}\.1\.\d+\.\d+\.\d+\.0\.YWxpY2U\.[A-Za-z0-9_-]{43}; Path=/; Max-Age=\d+; HttpOnly; SameSite=Lax$
--- error_log
user "alice" passed the password
--- no_error_log
[error]



=== TEST 7: a wrong password: the form again, with a generic message
--- request eval
"POST /_a2f/login\n" . main::login_body('alice', 'wrong')
--- more_headers eval
$main::FORM
--- error_code: 200
--- response_body_like: Sign-in failed\. Check your user name and password\.
--- response_headers
!Set-Cookie
--- error_log
login of user "alice" failed
--- no_error_log
[error]



=== TEST 8: an unknown user gets exactly the same answer
--- request eval
"POST /_a2f/login\n" . main::login_body('mallory', 'wrong')
--- more_headers eval
$main::FORM
--- error_code: 200
--- response_body_like: Sign-in failed\. Check your user name and password\.
--- no_error_log
[error]



=== TEST 9: a login without the CSRF token is refused
--- request
POST /_a2f/login
username=alice&password=correct+horse
--- more_headers eval
$main::FORM
--- error_code: 403
--- response_body_like: The form had expired
--- error_log
form without a valid CSRF token refused
--- no_error_log
[error]



=== TEST 10: a login with a token for another binding is refused
--- request eval
"POST /_a2f/login\nusername=alice&password=correct+horse&csrf="
. A2F::csrf('BBBBBBBBBBBBBBBBBBBBBB')
--- more_headers eval
$main::FORM
--- error_code: 403
--- no_error_log
[error]



=== TEST 11: lvl=1 (a one_factor location) goes straight back to rd
--- request eval
"POST /_a2f/login\n" . main::login_body('bob', 'battery+staple', rd => '%2Fone%2Fx', lvl => 1)
--- more_headers eval
$main::FORM
--- error_code: 303
--- response_headers_like
Location: ^(http://[^/]+)?/one/x$
--- no_error_log
[error]



=== TEST 12: a one_factor location asks for the password with lvl=1
--- request
GET /one/x
--- more_headers
Accept: text/html
--- error_code: 302
--- response_headers_like
Location: (http://[^/]+)?/_a2f/login\?rd=%2Fone%2Fx&lvl=1$
--- no_error_log
[error]



=== TEST 13: a one-factor session passes a one_factor location
--- request
GET /one/x
--- more_headers eval
"Cookie: a2f_session=" . A2F::cookie(user => 'bob', level => 1)
--- error_code: 200
--- response_body
upstream GET /one/x remote-user=[bob]
--- no_error_log
[error]



=== TEST 14: a one-factor session on a two_factor location goes to the code page
--- request
GET /app
--- more_headers eval
"Accept: text/html\nCookie: a2f_session=" . A2F::cookie(user => 'alice', level => 1)
--- error_code: 302
--- response_headers_like
Location: (http://[^/]+)?/_a2f/otc\?rd=%2Fapp$
--- no_error_log
[error]



=== TEST 15: the code page needs a session
--- request
GET /_a2f/otc?rd=%2Fapp
--- error_code: 302
--- response_headers_like
Location: (http://[^/]+)?/_a2f/login\?rd=%2Fapp$
--- no_error_log
[error]



=== TEST 16: the code page shows the form to a one-factor session
--- request
GET /_a2f/otc?rd=%2Fapp
--- more_headers eval
"Cookie: a2f_session=" . A2F::cookie(user => 'alice', level => 1, sid => 'SSSSSSSSSSSSSSSS')
--- error_code: 200
--- response_body_like eval
qr/name="code".*name="csrf" value="\Q${\ A2F::csrf('SSSSSSSSSSSSSSSS')}\E"|name="csrf" value="\Q${\ A2F::csrf('SSSSSSSSSSSSSSSS')}\E".*name="code"/s
--- no_error_log
[error]



=== TEST 17: a wrong code: the form again
--- request eval
"POST /_a2f/otc\n" . main::otc_body('SSSSSSSSSSSSSSSS', A2F::wrong_code($main::SECRET))
--- more_headers eval
"Content-Type: application/x-www-form-urlencoded\nCookie: a2f_session="
. A2F::cookie(user => 'alice', level => 1, sid => 'SSSSSSSSSSSSSSSS')
--- error_code: 200
--- response_body_like: That code did not work
--- response_headers
!Set-Cookie
--- error_log
wrong code from user "alice"
--- no_error_log
[error]



=== TEST 18: the right code upgrades the session (new value) and goes to rd
--- request eval
"POST /_a2f/otc\n" . main::otc_body('SSSSSSSSSSSSSSSS', A2F::totp_tag($main::SECRET), '%2Fapp%3Fx%3D1')
--- more_headers eval
"Content-Type: application/x-www-form-urlencoded\nCookie: a2f_session="
. A2F::cookie(user => 'alice', level => 1, sid => 'SSSSSSSSSSSSSSSS')
--- error_code: 303
--- response_headers_like
Location: ^(http://[^/]+)?/app\?x=1$
Set-Cookie: ^a2f_session=2\.[0-9a-f]{8}\.(?!SSSSSSSSSSSSSSSS)[A-Za-z0-9_-]{16}\.2\.\d+\.\d+\.\d+\.[1-9]\d*\.YWxpY2U\..*
--- error_log
user "alice" passed the one-time code
--- no_error_log
[error]



=== TEST 19: a two-factor session reaches the upstream with $a2f_user
--- request
GET /app?x=1
--- more_headers eval
"Cookie: a2f_session=" . A2F::cookie(user => 'alice', level => 2)
--- error_code: 200
--- response_body
upstream GET /app?x=1 remote-user=[alice]
--- no_error_log
[error]



=== TEST 20: a client-sent Remote-User never reaches the upstream
--- request
GET /app
--- more_headers eval
"Remote-User: admin\nCookie: a2f_session=" . A2F::cookie(user => 'alice', level => 2)
--- error_code: 200
--- response_body
upstream GET /app remote-user=[alice]
--- no_error_log
[error]



=== TEST 21: without a session, a client-sent Remote-User gets nowhere
--- request
GET /app
--- more_headers
Remote-User: admin
--- error_code: 401
--- no_error_log
[error]



=== TEST 22: $a2f_level and $a2f_user
--- config
location /_a2f/ { a2f_portal; }
location / {
    a2f one_factor;
    add_header X-Level $a2f_level;
    add_header X-User $a2f_user;
    empty_gif;
}
--- request
GET /
--- more_headers eval
"Cookie: a2f_session=" . A2F::cookie(user => 'bob', level => 2)
--- error_code: 200
--- response_headers
X-Level: two_factor
X-User: bob
--- no_error_log
[error]



=== TEST 23: with a2f_enroll off, a user without a device is told to ask the administrator
--- http_config eval
$A2F::HTTP_CONFIG . "a2f_enroll off;"
--- request eval
"POST /_a2f/otc\n" . main::otc_body('NNNNNNNNNNNNNNNN', '123456')
--- more_headers eval
"Content-Type: application/x-www-form-urlencoded\nCookie: a2f_session="
. A2F::cookie(user => 'nodevice', level => 1, sid => 'NNNNNNNNNNNNNNNN')
--- error_code: 403
--- response_body_like: Ask your administrator
--- no_error_log
[error]



=== TEST 24: the style sheet is served by the portal
--- request
GET /_a2f/a2f.css
--- error_code: 200
--- response_headers
Content-Type: text/css
--- response_body_like: \.card
--- no_error_log
[error]



=== TEST 25: nothing else lives under the portal, and it never proxies
--- request
GET /_a2f/app
--- more_headers eval
"Cookie: a2f_session=" . A2F::cookie(user => 'alice', level => 2)
--- error_code: 404
--- response_body_unlike: upstream
--- no_error_log
[error]



=== TEST 26: logout ends the session and clears the cookie
--- request
GET /_a2f/logout
--- more_headers eval
"Cookie: a2f_session=" . A2F::cookie(user => 'bob', level => 2)
--- error_code: 200
--- response_body_like: You are signed out
--- response_headers_like
Set-Cookie: a2f_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax
--- error_log
user "bob" signed out
--- no_error_log
[error]



=== TEST 27: after logout the same cookie value is refused (and every other)
--- request
GET /app
--- more_headers eval
"Cookie: a2f_session=" . A2F::cookie(user => 'bob', level => 2)
--- error_code: 401
--- error_log
revoked session of user "bob" refused
--- no_error_log
[error]
