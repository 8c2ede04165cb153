# The test runner itself, against plain nginx (no a2f module needed).
# Passes under the real Test::Nginx and under t/lib (prove -I t/lib).
use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_shuffle();

run_tests();

__DATA__

=== TEST 1: a body from return
--- config
location = /t {
    return 200 "hello\n";
}
--- request
GET /t
--- response_body
hello
--- no_error_log
[error]



=== TEST 2: a missing file is a 404 and an error log line
--- config
location = /t { return 200; }
--- request
GET /nothing-here.txt
--- error_code: 404
--- error_log
No such file or directory



=== TEST 3: response headers, present and absent
--- config
location = /t {
    add_header X-Foo "bar baz";
    return 200 "x\n";
}
--- request
GET /t
--- response_headers
X-Foo: bar baz
Content-Type: text/plain
!X-Missing



=== TEST 4: response headers by (anchored) pattern
--- config
location = /t {
    add_header X-Foo "bar baz";
    return 200 "x\n";
}
--- request
GET /t
--- response_headers_like
X-Foo: ^bar b.z$
Content-Length: \d+
--- raw_response_headers_like: ^HTTP/1\.1 200 OK\r\n



=== TEST 5: a bogus directive: nginx must die and say why
--- config
location = /t {
    bogus_directive_xyz on;
}
--- request
GET /t
--- must_die
--- error_log
unknown directive "bogus_directive_xyz"



=== TEST 6: several requests, each with its own expectations
--- config
location = /a { return 200 "a\n"; }
location = /b { return 201 "b\n"; }
--- request eval
["GET /a", "GET /b"]
--- error_code eval
[200, 201]
--- response_body eval
["a\n", "b\n"]
--- no_error_log
[error]



=== TEST 7: more_headers, one set for all requests
--- config
location = /t { return 200 "[$http_x_foo] [$http_x_bar]\n"; }
--- request
GET /t
--- more_headers
X-Foo: one
X-Bar: two
--- response_body
[one] [two]



=== TEST 8: more_headers eval, one set per request
--- config
location = /t { return 200 "[$http_x_foo]\n"; }
--- request eval
["GET /t", "GET /t"]
--- more_headers eval
["X-Foo: first", ""]
--- response_body eval
["[first]\n", "[]\n"]



=== TEST 9: a request body gets a Content-Length (and is trimmed)
--- config
location = /t { return 200 "$request_method $content_length\n"; }
--- request
POST /t
a=b
--- response_body
POST 3



=== TEST 10: raw_request is sent as it is
--- config
location = /t { return 200 "$server_protocol\n"; }
--- raw_request eval
"GET /t HTTP/1.0\r\n\r\n"
--- response_body
HTTP/1.0
--- raw_response_headers_unlike: Transfer-Encoding



=== TEST 11: $TEST_NGINX_ variables are expanded in the configuration
--- config
location = /t { return 200 "port $TEST_NGINX_SERVER_PORT\n"; }
--- request
GET /t
--- response_body
port $ServerPort



=== TEST 12: error_log eval with a string and a regex; log_level
--- config
location = /t { return 200; }
--- request
GET /missing.txt
--- error_code: 404
--- log_level: info
--- error_log eval
[qr{open\(\) "[^"]*/missing\.txt" failed}, "No such file"]
--- no_error_log eval
[qr/\[debug\]/, "[alert]"]



=== TEST 13: response_body_like (the colon form has no trailing newline)
--- config
location = /t { return 200 "hello, world\n"; }
--- request
GET /t
--- response_body_like: ^hel+o, w



=== TEST 14: user_files land in the html directory
--- user_files
>>> dir/file.txt
from user_files
--- config
--- request
GET /dir/file.txt
--- response_body
from user_files



=== TEST 15: init runs once nginx is up, before the requests
--- config
--- init
my $f = Test::Nginx::Socket::html_dir() . "/init.txt";
open my $fh, '>', $f or die "$f: $!";
print $fh "from init\n";
close $fh;
--- request
GET /init.txt
--- response_body
from init



=== TEST 16: HEAD has no body; error_code_like
--- config
location = /t { return 200 "not sent\n"; }
--- request
HEAD /t
--- error_code_like: ^2\d\d$
--- response_body eval
""



=== TEST 17: response_body_unlike
--- config
location = /t { return 200 "hello, world\n"; }
--- request
GET /t
--- response_body_unlike eval
qr/goodbye/
