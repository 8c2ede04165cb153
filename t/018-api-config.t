# a2f_api, a2f_api_client and a2f_api_appid: what nginx -t refuses (each
# message names the directive, the client and the file), what it only
# warns about, and a configuration with several clients that starts and
# answers.
use lib 't';
use Test::Nginx::Socket 'no_plan';
use A2F;

my $dir = A2F::setup();

# good secrets
A2F::write_file("$dir/app.secret", "  app-secret-0123456789-abcdefghijk\n\n");
A2F::write_file("$dir/two.secret", "two-secret-two-secret-two-secret\n");
A2F::write_file("$dir/three.secret", "three-secret-three-secret-three\n");
# readable by everyone (chmod 644 below): a warning, not an error
A2F::write_file("$dir/open.secret", "open-secret-open-secret-open-secret\n");
# 12 bytes: a warning
A2F::write_file("$dir/short.secret", "short-secret\n");
# nothing but white space
A2F::write_file("$dir/blank.secret", " \n\t\r\n  \n");
# over the 4096 bytes read
A2F::write_file("$dir/big.secret", ('s' x 4096) . "\n");
# within 4096 bytes but more than the 1024 a secret may have
A2F::write_file("$dir/long.secret", ('L' x 1025) . "\n");
chmod 0600, map { "$dir/$_.secret" } qw(app two three short blank big long);
chmod 0644, "$dir/open.secret";
mkdir "$dir/secret-dir";

repeat_each(1);
no_shuffle();
no_root_location();
A2F::defaults();

run_tests();

__DATA__

=== TEST 1: several clients start; the API answers in /api/ and in the portal
--- http_config eval
$A2F::HTTP_CONFIG . q{
    a2f_api_appid https://localhost;
    a2f_api_client app key=app-key-1
        secret_file=$TEST_NGINX_A2F_DIR/app.secret appid=https://app.example;
    a2f_api_client two key=two-key secret_file=$TEST_NGINX_A2F_DIR/two.secret
        allow=192.0.2.0/24 allow=127.0.0.1 allow=::1;
    a2f_api_client Three_3 key=3
        secret_file=$TEST_NGINX_A2F_DIR/three.secret allow=all;
    a2f_api_client abcdefghijklmnopqrstuvwxyz-_0123 key=!~x
        secret_file=$TEST_NGINX_A2F_DIR/three.secret allow=10.0.0.0/8 allow=all;
}
--- config
location /_a2f/ { a2f_portal; a2f_api; }
location /api/ {
    a2f_api;
    a2f_api_appid https://api.example:8443;
}
--- request eval
qq{POST /api/v2/users/authenticate\n{"email":"x","password":"y"}}
--- more_headers
Content-Type: application/json
--- error_code: 400
--- response_body
{"statusCode":400,"error":"Bad Request","message":"Invalid email or password."}
--- no_error_log
[emerg]
[alert]
[warn]



=== TEST 2: a2f_api before a2f_portal in the portal's location
--- config
location /_a2f/ { a2f_api; a2f_portal; }
--- request eval
qq{POST /_a2f/api/v2/users/authenticate\n{"email":"x","password":"y"}}
--- more_headers
Content-Type: application/json
--- error_code: 400
--- response_body
{"statusCode":400,"error":"Bad Request","message":"Invalid email or password."}
--- no_error_log
[emerg]
[warn]



=== TEST 3: a name with a bad character
--- http_config eval
$A2F::HTTP_CONFIG . q{
    a2f_api_client app.example key=k secret_file=$TEST_NGINX_A2F_DIR/app.secret;
}
--- config
location /api/ { a2f_api; }
--- must_die
--- error_log eval
qr/\[emerg\] .*a2f_api_client: the name "app\.example" must be 1 to 32 letters, digits, "-" or "_" in \S+nginx\.conf:\d+/



=== TEST 4: a name of 33 characters
--- http_config eval
$A2F::HTTP_CONFIG . q{
    a2f_api_client abcdefghijklmnopqrstuvwxyz0123456 key=k
        secret_file=$TEST_NGINX_A2F_DIR/app.secret;
}
--- config
location /api/ { a2f_api; }
--- must_die
--- error_log eval
qr/\[emerg\] .*a2f_api_client: the name "abcdefghijklmnopqrstuvwxyz0123456" must be 1 to 32 letters, digits, "-" or "_"/



=== TEST 5: a key with ":"
--- http_config eval
$A2F::HTTP_CONFIG . q{
    a2f_api_client app key=app:key secret_file=$TEST_NGINX_A2F_DIR/app.secret;
}
--- config
location /api/ { a2f_api; }
--- must_die
--- error_log eval
qr/\[emerg\] .*a2f_api_client "app": the key must be 1 to 64 printable characters without ":" in \S+nginx\.conf:\d+/



=== TEST 6: no key=
--- http_config eval
$A2F::HTTP_CONFIG . q{
    a2f_api_client app secret_file=$TEST_NGINX_A2F_DIR/app.secret allow=all;
}
--- config
location /api/ { a2f_api; }
--- must_die
--- error_log eval
qr/\[emerg\] .*a2f_api_client "app" needs key= and secret_file= in \S+nginx\.conf:\d+/



=== TEST 7: no secret_file=
--- http_config eval
$A2F::HTTP_CONFIG . q{
    a2f_api_client app key=app-key-1 appid=https://app.example;
}
--- config
location /api/ { a2f_api; }
--- must_die
--- error_log eval
qr/\[emerg\] .*a2f_api_client "app" needs key= and secret_file= in \S+nginx\.conf:\d+/



=== TEST 8: an unknown parameter
--- http_config eval
$A2F::HTTP_CONFIG . q{
    a2f_api_client app key=app-key-1 secret_file=$TEST_NGINX_A2F_DIR/app.secret
        deny=10.0.0.0/8;
}
--- config
location /api/ { a2f_api; }
--- must_die
--- error_log eval
qr/\[emerg\] .*a2f_api_client "app": unknown parameter "deny=10\.0\.0\.0\/8" \(expected key=, secret_file=, allow= or appid=\)/



=== TEST 9: key= twice
--- http_config eval
$A2F::HTTP_CONFIG . q{
    a2f_api_client app key=app-key-1 key=app-key-2
        secret_file=$TEST_NGINX_A2F_DIR/app.secret;
}
--- config
location /api/ { a2f_api; }
--- must_die
--- error_log eval
qr/\[emerg\] .*a2f_api_client "app": duplicate "key=app-key-2" in \S+nginx\.conf:\d+/



=== TEST 10: a secret_file that does not exist
--- http_config eval
$A2F::HTTP_CONFIG . q{
    a2f_api_client app key=app-key-1
        secret_file=$TEST_NGINX_A2F_DIR/missing.secret;
}
--- config
location /api/ { a2f_api; }
--- must_die
--- error_log eval
qr/\[emerg\] .*a2f_api_client "app": cannot open the secret_file "\S+\/t\/tmp\/018-api-config\/missing\.secret" \(2: No such file or directory\)/



=== TEST 11: a secret_file that is a directory
--- http_config eval
$A2F::HTTP_CONFIG . q{
    a2f_api_client app key=app-key-1
        secret_file=$TEST_NGINX_A2F_DIR/secret-dir;
}
--- config
location /api/ { a2f_api; }
--- must_die
--- error_log eval
qr/\[emerg\] .*a2f_api_client "app": the secret_file "\S+\/secret-dir" is not a regular file/



=== TEST 12: a secret_file with nothing but white space
--- http_config eval
$A2F::HTTP_CONFIG . q{
    a2f_api_client app key=app-key-1
        secret_file=$TEST_NGINX_A2F_DIR/blank.secret;
}
--- config
location /api/ { a2f_api; }
--- must_die
--- error_log eval
qr/\[emerg\] .*a2f_api_client "app": the secret_file "\S+\/blank\.secret" must hold 1 to 1024 bytes besides white space/



=== TEST 13: a secret_file over 4096 bytes
--- http_config eval
$A2F::HTTP_CONFIG . q{
    a2f_api_client app key=app-key-1
        secret_file=$TEST_NGINX_A2F_DIR/big.secret;
}
--- config
location /api/ { a2f_api; }
--- must_die
--- error_log eval
qr/\[emerg\] .*a2f_api_client "app": the secret_file "\S+\/big\.secret" is longer than 4096 bytes/



=== TEST 14: a secret of 1025 bytes
--- http_config eval
$A2F::HTTP_CONFIG . q{
    a2f_api_client app key=app-key-1
        secret_file=$TEST_NGINX_A2F_DIR/long.secret;
}
--- config
location /api/ { a2f_api; }
--- must_die
--- error_log eval
qr/\[emerg\] .*a2f_api_client "app": the secret_file "\S+\/long\.secret" must hold 1 to 1024 bytes besides white space/



=== TEST 15: the same name twice
--- http_config eval
$A2F::HTTP_CONFIG . q{
    a2f_api_client app key=app-key-1 secret_file=$TEST_NGINX_A2F_DIR/app.secret;
    a2f_api_client app key=app-key-2 secret_file=$TEST_NGINX_A2F_DIR/two.secret;
}
--- config
location /api/ { a2f_api; }
--- must_die
--- error_log eval
qr/\[emerg\] .*a2f_api_client "app" is declared twice in \S+nginx\.conf:\d+/



=== TEST 16: two clients with the same key
--- http_config eval
$A2F::HTTP_CONFIG . q{
    a2f_api_client app key=shared-key secret_file=$TEST_NGINX_A2F_DIR/app.secret;
    a2f_api_client two key=two-key secret_file=$TEST_NGINX_A2F_DIR/two.secret;
    a2f_api_client three key=shared-key
        secret_file=$TEST_NGINX_A2F_DIR/three.secret;
}
--- config
location /api/ { a2f_api; }
--- must_die
--- error_log eval
qr/\[emerg\] .*a2f_api_client "three" has the same key as "app" in \S+nginx\.conf:\d+/



=== TEST 17: allow= with a bad CIDR block
--- http_config eval
$A2F::HTTP_CONFIG . q{
    a2f_api_client app key=app-key-1 secret_file=$TEST_NGINX_A2F_DIR/app.secret
        allow=127.0.0.1 allow=10.0.0.0/33;
}
--- config
location /api/ { a2f_api; }
--- must_die
--- error_log eval
qr/\[emerg\] .*a2f_api_client "app": "10\.0\.0\.0\/33" is not an address or a CIDR block like "192\.0\.2\.0\/24"/



=== TEST 18: allow= with a host name
--- http_config eval
$A2F::HTTP_CONFIG . q{
    a2f_api_client app key=app-key-1 secret_file=$TEST_NGINX_A2F_DIR/app.secret
        allow=localhost;
}
--- config
location /api/ { a2f_api; }
--- must_die
--- error_log eval
qr/\[emerg\] .*a2f_api_client "app": "localhost" is not an address or a CIDR block like "192\.0\.2\.0\/24"/



=== TEST 19: appid= with http://
--- http_config eval
$A2F::HTTP_CONFIG . q{
    a2f_api_client app key=app-key-1 secret_file=$TEST_NGINX_A2F_DIR/app.secret
        appid=http://app.example;
}
--- config
location /api/ { a2f_api; }
--- must_die
--- error_log eval
qr/\[emerg\] .*a2f_api_client "app" appid= "http:\/\/app\.example" is not an https URL like "https:\/\/app\.example\.com" \(the FIDO U2F appId: the origin of the pages that call u2f\.sign\) in \S+nginx\.conf:\d+/



=== TEST 20: appid= that is not a URL
--- http_config eval
$A2F::HTTP_CONFIG . q{
    a2f_api_client app key=app-key-1 secret_file=$TEST_NGINX_A2F_DIR/app.secret
        appid=app.example;
}
--- config
location /api/ { a2f_api; }
--- must_die
--- error_log eval
qr/\[emerg\] .*a2f_api_client "app" appid= "app\.example" is not an https URL like "https:\/\/app\.example\.com"/



=== TEST 21: a2f_api_appid with http://
--- config
location /api/ {
    a2f_api;
    a2f_api_appid http://api.example;
}
--- must_die
--- error_log eval
qr/\[emerg\] .*a2f_api_appid "http:\/\/api\.example" is not an https URL like "https:\/\/app\.example\.com" \(the FIDO U2F appId: the origin of the pages that call u2f\.sign\) in \S+nginx\.conf:\d+/



=== TEST 22: a2f_api_appid that is not a URL, in http{}
--- http_config eval
"a2f_api_appid api.example;\n" . $A2F::HTTP_CONFIG
--- config
location /api/ { a2f_api; }
--- must_die
--- error_log eval
qr/\[emerg\] .*a2f_api_appid "api\.example" is not an https URL like "https:\/\/app\.example\.com"/



=== TEST 23: a2f_api_appid twice
--- config
location /api/ {
    a2f_api;
    a2f_api_appid https://api.example;
    a2f_api_appid https://api2.example;
}
--- must_die
--- error_log eval
qr/\[emerg\] .*"a2f_api_appid" directive is duplicate in \S+nginx\.conf:\d+/



=== TEST 24: a2f_api in an exact-match location
--- config
location = /api/ { a2f_api; }
--- must_die
--- error_log eval
qr/\[emerg\] .*a2f_api must be in a prefix location that ends with "\/", like "location \/api\/" \(or in the a2f_portal location\) in \S+nginx\.conf:\d+/



=== TEST 25: a2f_api in a location that does not end with "/"
--- config
location /api { a2f_api; }
--- must_die
--- error_log eval
qr/\[emerg\] .*a2f_api must be in a prefix location that ends with "\/", like "location \/api\/"/



=== TEST 26: a2f_api in a regex location
--- config
location ~ ^/api/ { a2f_api; }
--- must_die
--- error_log eval
qr/\[emerg\] .*a2f_api must be in a prefix location that ends with "\/", like "location \/api\/"/



=== TEST 27: a2f_api twice
--- config
location /api/ { a2f_api; a2f_api; }
--- must_die
--- error_log eval
qr/\[emerg\] .*"a2f_api" directive is duplicate in \S+nginx\.conf:\d+/



=== TEST 28: a2f_api in a server block
--- config
a2f_api;
--- must_die
--- error_log eval
qr/\[emerg\] .*"a2f_api" directive is not allowed here in \S+nginx\.conf:\d+/



=== TEST 29: a2f_api_client in a server block
--- config
a2f_api_client app key=app-key-1 secret_file=$TEST_NGINX_A2F_DIR/app.secret;
location /api/ { a2f_api; }
--- must_die
--- error_log eval
qr/\[emerg\] .*"a2f_api_client" directive is not allowed here in \S+nginx\.conf:\d+/



=== TEST 30: a2f_api_client with a name only
--- http_config eval
$A2F::HTTP_CONFIG . q{
    a2f_api_client app;
}
--- config
location /api/ { a2f_api; }
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid number of arguments in "a2f_api_client" directive/



=== TEST 31: a2f_api without a2f_db and a2f_secret_file
--- http_config
--- config
location /api/ { a2f_api; }
--- must_die
--- error_log eval
qr/\[emerg\] .*"a2f", "a2f_portal" and "a2f_api" need "a2f_db" and "a2f_secret_file" in the http block/



=== TEST 32: a secret_file that others can read: a warning, and it starts
--- http_config eval
$A2F::HTTP_CONFIG . q{
    a2f_api_client app key=app-key-1
        secret_file=$TEST_NGINX_A2F_DIR/open.secret;
}
--- config
location /api/ { a2f_api; }
--- request eval
qq{POST /api/v2/users/authenticate\n{"email":"x","password":"y"}}
--- more_headers
Content-Type: application/json
--- error_code: 400
--- response_body
{"statusCode":400,"error":"Bad Request","message":"Invalid email or password."}
--- error_log eval
qr/\[warn\] .*a2f_api_client "app": the secret_file "\S+\/open\.secret" can be read by other users \(chmod 600 it\) in \S+nginx\.conf:\d+/
--- no_error_log
[emerg]



=== TEST 33: a short secret: a warning, and it starts
--- http_config eval
$A2F::HTTP_CONFIG . q{
    a2f_api_client app key=app-key-1
        secret_file=$TEST_NGINX_A2F_DIR/short.secret;
}
--- config
location /api/ { a2f_api; }
--- request eval
qq{POST /api/v2/users/authenticate\n{"email":"x","password":"y"}}
--- more_headers
Content-Type: application/json
--- error_code: 400
--- response_body
{"statusCode":400,"error":"Bad Request","message":"Invalid email or password."}
--- error_log eval
qr/\[warn\] .*a2f_api_client "app": the secret in "\S+\/short\.secret" is short \(12 bytes\); 32 random bytes or more are safer/
--- no_error_log
[emerg]



=== TEST 34: allow= with host bits set: a warning, and it starts
--- http_config eval
$A2F::HTTP_CONFIG . q{
    a2f_api_client app key=app-key-1 secret_file=$TEST_NGINX_A2F_DIR/app.secret
        allow=127.0.0.1/8;
}
--- config
location /api/ { a2f_api; }
--- request eval
qq{POST /api/v2/users/authenticate\n{"email":"x","password":"y"}}
--- more_headers
Content-Type: application/json
--- error_code: 400
--- response_body
{"statusCode":400,"error":"Bad Request","message":"Invalid email or password."}
--- error_log eval
qr/\[warn\] .*a2f_api_client "app": low address bits of "127\.0\.0\.1\/8" are meaningless in \S+nginx\.conf:\d+/
--- no_error_log
[emerg]



=== TEST 35: a parameter without a value
--- http_config eval
$A2F::HTTP_CONFIG . q{
    a2f_api_client app key= secret_file=$TEST_NGINX_A2F_DIR/app.secret;
}
--- config
location /api/ { a2f_api; }
--- must_die
--- error_log eval
qr/\[emerg\] .*a2f_api_client "app": "key=" has no value/
