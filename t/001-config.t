# nginx -t must catch every configuration mistake it can, naming the
# directive, the file or the server.
use lib 't';
use Test::Nginx::Socket 'no_plan';
use A2F;

A2F::setup();
A2F::add_user('alice', 'pw');

my $dir = $ENV{TEST_NGINX_A2F_DIR};

# a key file with a key that is too short (31 bytes)
A2F::write_file("$dir/short.key", ('ab' x 31) . "\n");
# a key file with no key at all
A2F::write_file("$dir/empty.key", "# nothing here\n\n");
# a database file that is not an LMDB file
A2F::write_file("$dir/garbage.mdb", "this is not a database\n" x 100);
# a different key: it cannot open the database's data key
A2F::write_file("$dir/other.key", ('cd' x 32) . "\n");
mkdir "$dir/a-directory";

repeat_each(1);
no_shuffle();
no_root_location();
A2F::defaults();

run_tests();

__DATA__

=== TEST 1: a complete configuration starts
--- request
GET /
--- more_headers
Accept: text/html
--- error_code: 302
--- no_error_log
[error]
[emerg]



=== TEST 2: a2f on in a server without a portal
--- config
location / {
    a2f two_factor;
    empty_gif;
}
--- must_die
--- error_log eval
qr/"a2f" is on in the server "localhost" in \S+:\d+ but that server has no "a2f_portal" location/



=== TEST 3: a2f inherited from the http block needs a portal too
--- http_config
a2f_db $TEST_NGINX_A2F_DB;
a2f_secret_file $TEST_NGINX_A2F_KEY;
a2f two_factor;
--- config
location / { empty_gif; }
--- must_die
--- error_log
but that server has no "a2f_portal" location



=== TEST 4: a2f without a2f_db
--- http_config
--- config
location /_a2f/ { a2f_portal; }
location / { a2f one_factor; empty_gif; }
--- must_die
--- error_log
"a2f", "a2f_portal" and "a2f_api" need "a2f_db" and "a2f_secret_file"



=== TEST 5: a2f_db in a directory that does not exist
--- http_config
a2f_db /nonexistent/dir/a2f.mdb;
a2f_secret_file $TEST_NGINX_A2F_KEY;
--- config
location /_a2f/ { a2f_portal; }
--- must_die
--- error_log eval
qr/a2f_db: .*\/nonexistent\/dir\/a2f\.mdb/



=== TEST 6: a2f_db that is a directory
--- http_config
a2f_db $TEST_NGINX_A2F_DIR/a-directory;
a2f_secret_file $TEST_NGINX_A2F_KEY;
--- config
location /_a2f/ { a2f_portal; }
--- must_die
--- error_log eval
qr/a2f_db: .*a-directory/



=== TEST 7: a2f_db that is not an LMDB file
--- http_config
a2f_db $TEST_NGINX_A2F_DIR/garbage.mdb;
a2f_secret_file $TEST_NGINX_A2F_KEY;
--- config
location /_a2f/ { a2f_portal; }
--- must_die
--- error_log eval
qr/a2f_db: .*garbage\.mdb/



=== TEST 8: a2f_db without a2f_secret_file
--- http_config
a2f_db $TEST_NGINX_A2F_DB;
--- config
location /_a2f/ { a2f_portal; }
--- must_die
--- error_log eval
qr/a2f_db "\S+" needs a2f_secret_file/



=== TEST 9: a2f_secret_file that does not exist
--- http_config
a2f_db $TEST_NGINX_A2F_DB;
a2f_secret_file /nonexistent/a2f.key;
--- config
location /_a2f/ { a2f_portal; }
--- must_die
--- error_log eval
qr{a2f_secret_file: .*/nonexistent/a2f\.key}



=== TEST 10: a key shorter than 32 bytes
--- http_config
a2f_db $TEST_NGINX_A2F_DB;
a2f_secret_file $TEST_NGINX_A2F_DIR/short.key;
--- config
location /_a2f/ { a2f_portal; }
--- must_die
--- error_log eval
qr/a2f_secret_file: .*short\.key.*line 1/



=== TEST 11: a key file without a key
--- http_config
a2f_db $TEST_NGINX_A2F_DB;
a2f_secret_file $TEST_NGINX_A2F_DIR/empty.key;
--- config
location /_a2f/ { a2f_portal; }
--- must_die
--- error_log eval
qr/a2f_secret_file: .*empty\.key/



=== TEST 12: a key file that does not open the database
--- http_config
a2f_db $TEST_NGINX_A2F_DB;
a2f_secret_file $TEST_NGINX_A2F_DIR/other.key;
--- config
location /_a2f/ { a2f_portal; }
--- must_die
--- error_log eval
qr/a2f_db: .*a2f\.mdb/



=== TEST 13: an unknown a2f policy
--- config
location /_a2f/ { a2f_portal; }
location / { a2f three_factor; empty_gif; }
--- must_die
--- error_log
invalid value "three_factor"



=== TEST 14: a2f_portal outside a prefix location ending in /
--- config
location = /login { a2f_portal; }
--- must_die
--- error_log
a2f_portal must be in a prefix location that ends with "/"



=== TEST 15: two portals in one server
--- config
location /_a2f/ { a2f_portal; }
location /auth/ { a2f_portal; }
--- must_die
--- error_log
this server has a portal at "/_a2f/" already



=== TEST 16: a2f_max_failures beyond NIST's 100
--- http_config eval
$A2F::HTTP_CONFIG . "a2f_max_failures 101 15m;"
--- config
location /_a2f/ { a2f_portal; }
--- must_die
--- error_log
a2f_max_failures: count "101" must be a number from 1 to 100



=== TEST 17: a2f_max_failures with a bad period
--- http_config eval
$A2F::HTTP_CONFIG . "a2f_max_failures 5 soon;"
--- config
location /_a2f/ { a2f_portal; }
--- must_die
--- error_log
a2f_max_failures: invalid period "soon"



=== TEST 18: a2f_totp_window too wide
--- http_config eval
$A2F::HTTP_CONFIG . "a2f_totp_window 11;"
--- config
location /_a2f/ { a2f_portal; }
--- must_die
--- error_log
a2f_totp_window: must be from 0 to 10 steps



=== TEST 19: a2f_cookie with a bad name
--- http_config eval
$A2F::HTTP_CONFIG . "a2f_cookie 'bad=name';"
--- config
location /_a2f/ { a2f_portal; }
--- must_die
--- error_log
a2f_cookie: invalid cookie name "bad=name"



=== TEST 20: a2f_db with a bad size
--- http_config
a2f_db $TEST_NGINX_A2F_DB size=12;
a2f_secret_file $TEST_NGINX_A2F_KEY;
--- config
location /_a2f/ { a2f_portal; }
--- must_die
--- error_log
a2f_db: invalid size "size=12"



=== TEST 21: the session timeouts and the cookie name are honoured
--- http_config eval
$A2F::HTTP_CONFIG . "a2f_cookie sso; a2f_session_timeout 2h; a2f_idle_timeout 10m;"
--- request eval
"POST /_a2f/login\nusername=alice&password=pw&csrf=" . A2F::csrf('AAAAAAAAAAAAAAAAAAAAAA')
--- more_headers
Content-Type: application/x-www-form-urlencoded
Cookie: a2f_csrf=AAAAAAAAAAAAAAAAAAAAAA
--- error_code: 303
--- response_headers_like
Set-Cookie: ^sso=2\..*; Max-Age=7200; HttpOnly.*
--- no_error_log
[error]
