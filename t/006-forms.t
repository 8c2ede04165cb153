# Bad form bodies: a clear 4xx and a log line, never a crash or a 500.
use lib 't';
use Test::Nginx::Socket 'no_plan';
use A2F;

A2F::setup();
A2F::add_user('alice', 'pw');
A2F::add_user('"><script>alert(1)<', 'pw');

our $BIND = 'AAAAAAAAAAAAAAAAAAAAAA';
our $CSRF = A2F::csrf($BIND);
our $H = "Content-Type: application/x-www-form-urlencoded\nCookie: a2f_csrf=$BIND";

repeat_each(1);
no_shuffle();
no_root_location();
A2F::defaults();

run_tests();

__DATA__

=== TEST 1: a body over 8k is refused with 413
--- request eval
"POST /_a2f/login\nusername=alice&password=" . ('x' x 9000) . "&csrf=$main::CSRF"
--- more_headers eval
$main::H
--- error_code: 413
--- error_log
form body of 9
--- no_error_log
[error]



=== TEST 2: 10 000 fields are refused with 400
--- request eval
"POST /_a2f/login\n" . CORE::join('&', map { "f$_=1" } 1 .. 10000)
--- more_headers eval
$main::H
--- error_code: 413
--- no_error_log
[error]



=== TEST 3: 200 small fields (under 8k) are refused with 400
--- request eval
"POST /_a2f/login\n" . CORE::join('&', map { "f$_=1" } 1 .. 200)
--- more_headers eval
$main::H
--- error_code: 400
--- error_log
malformed form body refused
--- no_error_log
[error]



=== TEST 4: a duplicated field is refused
--- request eval
"POST /_a2f/login\nusername=alice&username=bob&password=pw&csrf=$main::CSRF"
--- more_headers eval
$main::H
--- error_code: 400
--- error_log
malformed form body refused
--- no_error_log
[error]



=== TEST 5: bad %-encoding is refused
--- request eval
["POST /_a2f/login\nusername=al%ZZice&password=pw&csrf=$main::CSRF",
 "POST /_a2f/login\nusername=alice%&password=pw&csrf=$main::CSRF",
 "POST /_a2f/login\nusername=alice%4&password=pw&csrf=$main::CSRF"]
--- more_headers eval
[($main::H) x 3]
--- error_code eval
[400, 400, 400]
--- no_error_log
[error]



=== TEST 6: a NUL byte is refused
--- request eval
"POST /_a2f/login\nusername=al%00ice&password=pw&csrf=$main::CSRF"
--- more_headers eval
$main::H
--- error_code: 400
--- no_error_log
[error]



=== TEST 7: a user name that is not UTF-8 is refused
--- request eval
"POST /_a2f/login\nusername=al%FF%FEice&password=pw&csrf=$main::CSRF"
--- more_headers eval
$main::H
--- error_code: 400
--- response_body_like: Enter your user name and password
--- error_log
login form refused
--- no_error_log
[error]



=== TEST 8: an over-long user name or password is refused
--- request eval
["POST /_a2f/login\nusername=" . ('a' x 65) . "&password=pw&csrf=$main::CSRF",
 "POST /_a2f/login\nusername=alice&password=" . ('p' x 257) . "&csrf=$main::CSRF"]
--- more_headers eval
[($main::H) x 2]
--- error_code eval
[400, 400]
--- no_error_log
[error]



=== TEST 9: a form that is not urlencoded is refused with 415
--- request eval
"POST /_a2f/login\n{\"username\":\"alice\"}"
--- more_headers eval
"Content-Type: application/json\nCookie: a2f_csrf=$main::BIND"
--- error_code: 415
--- error_log
form without application/x-www-form-urlencoded refused
--- no_error_log
[error]



=== TEST 10: a missing password is a 400
--- request eval
"POST /_a2f/login\nusername=alice&csrf=$main::CSRF"
--- more_headers eval
$main::H
--- error_code: 400
--- no_error_log
[error]



=== TEST 11: other methods on the portal pages get 405
--- request eval
["PUT /_a2f/login\nx", "DELETE /_a2f/otc", "OPTIONS /_a2f/login", "POST /_a2f/a2f.css\nx=1"]
--- error_code eval
[405, 405, 405, 405]
--- no_error_log
[error]



=== TEST 12: a hostile user name is escaped in the page and harmless in the log
--- request eval
"POST /_a2f/otc\ncode=12&csrf=" . A2F::csrf('HHHHHHHHHHHHHHHH')
--- more_headers eval
"Content-Type: application/x-www-form-urlencoded\nCookie: a2f_session="
. A2F::cookie(user => '"><script>alert(1)<', level => 1, sid => 'HHHHHHHHHHHHHHHH')
--- error_code: 400
--- response_body_like: Signed in as <strong>&quot;&gt;&lt;script&gt;alert\(1\)&lt;</strong>
--- no_error_log
[error]



=== TEST 13: the hostile name never appears unescaped
--- request eval
"POST /_a2f/otc\ncode=12&csrf=" . A2F::csrf('HHHHHHHHHHHHHHHH')
--- more_headers eval
"Content-Type: application/x-www-form-urlencoded\nCookie: a2f_session="
. A2F::cookie(user => '"><script>alert(1)<', level => 1, sid => 'HHHHHHHHHHHHHHHH')
--- error_code: 400
--- response_body_unlike: <script>
--- no_error_log
[error]
