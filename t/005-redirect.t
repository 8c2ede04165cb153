# rd: only a same-origin path, never off the site, never a header.
use lib 't';
use Test::Nginx::Socket 'no_plan';
use URI::Escape qw(uri_escape);
use A2F;

A2F::setup();
A2F::add_user('alice', 'pw');

our @EVIL = (
    'https://evil.example/', '//evil.example', '/\\evil.example',
    '\\\\evil.example', '%2F%2Fevil.example', '/%2F/evil.example',
    '/%09/evil.example', "/\t/evil.example", 'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>', "/a\r\nSet-Cookie: x=1",
    "/a%0d%0aSet-Cookie:%20x=1", 'http:evil.example', '', ' /x',
);

# every evil rd, %-encoded once as a browser would send it
our @REQ = map { "GET /_a2f/otc?rd=" . uri_escape($_) } @EVIL;
our $TWO = "Cookie: a2f_session=" . A2F::cookie(user => 'alice', level => 2);

repeat_each(1);
no_shuffle();
no_root_location();
A2F::defaults();

run_tests();

__DATA__

=== TEST 1: after the code page, every evil rd becomes "/"
--- request eval
\@main::REQ
--- more_headers eval
[ ($main::TWO) x @main::REQ ]
--- error_code eval
[ (302) x @main::REQ ]
--- response_headers_like eval
[ ("Location: ^(http://localhost(:\\d+)?)?/\$") x @main::REQ ]
--- raw_response_headers_unlike eval
[ (qr/Set-Cookie: x=1/) x @main::REQ ]
--- no_error_log
[error]



=== TEST 2: the login page puts "/" in its form for every evil rd
--- request eval
[ map { "GET /_a2f/login?rd=" . URI::Escape::uri_escape($_) } @main::EVIL ]
--- error_code eval
[ (200) x @main::EVIL ]
--- response_body_like eval
[ (qr{<input type="hidden" name="rd" value="/">}) x @main::EVIL ]
--- no_error_log
[error]



=== TEST 3: a good rd with a query survives, escaped in HTML
--- request
GET /_a2f/login?rd=%2Fapp%3Fa%3D1%26b%3D%22x%22
--- response_body_like: <input type="hidden" name="rd" value="/app\?a=1&amp;b=&quot;x&quot;">
--- no_error_log
[error]



=== TEST 4: a good rd after the code page
--- request
GET /_a2f/otc?rd=%2Fapp%2Fpage%3Fa%3D1
--- more_headers eval
$main::TWO
--- error_code: 302
--- response_headers_like
Location: ^(http://localhost(:\d+)?)?/app/page\?a=1$
--- no_error_log
[error]



=== TEST 5: the redirect to the login page escapes the original URI
--- request
GET /a%22b?x=%3Cy%3E
--- more_headers
Accept: text/html
--- error_code: 302
--- response_headers_like
Location: (http://[^/]+)?/_a2f/login\?rd=%2Fa%2522b%3Fx%3D%253Cy%253E$
--- no_error_log
[error]
