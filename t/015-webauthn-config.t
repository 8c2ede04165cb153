# a2f_webauthn, a2f_webauthn_rp_id, a2f_webauthn_origin: what nginx -t
# refuses, and the defaults taken from server_name and listen (never from
# the request's Host header).
use lib 't';
use Test::Nginx::Socket 'no_plan';
use A2F;

my $dir = A2F::setup();

# a throwaway self-signed certificate for the "ssl" listen
system("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
       . " -nodes -days 2 -subj /CN=a2f.example -keyout $dir/tls.key"
       . " -out $dir/tls.crt 2>/dev/null") == 0
    or die "openssl req failed\n";

repeat_each(1);
no_shuffle();
no_root_location();
A2F::defaults();

run_tests();

__DATA__

=== TEST 1: on, with the defaults of a "localhost" server (http is fine there)
--- config
location /_a2f/ { a2f_portal; a2f_webauthn on; }
--- request
GET /_a2f/login
--- error_code: 200
--- no_error_log
[error]



=== TEST 2: a server without a usable server_name needs a2f_webauthn_rp_id
--- http_config eval
$A2F::HTTP_CONFIG . q{
    server {
        listen 127.0.0.3:$TEST_NGINX_SERVER_PORT;
        server_name _;
        location /_a2f/ { a2f_portal; a2f_webauthn on; }
    }
}
--- config
location /_a2f/ { a2f_portal; }
--- must_die
--- error_log eval
qr/"a2f_webauthn on" needs a relying party ID: the server "_" has no server_name that is a domain name; set "a2f_webauthn_rp_id"/



=== TEST 3: a plain-http server that is not localhost needs https or an origin
--- http_config eval
$A2F::HTTP_CONFIG . q{
    server {
        listen 127.0.0.3:$TEST_NGINX_SERVER_PORT;
        server_name a2f.example;
        location /_a2f/ { a2f_portal; a2f_webauthn on; }
    }
}
--- config
location /_a2f/ { a2f_portal; }
--- must_die
--- error_log eval
qr/"a2f_webauthn on" needs an origin: the server "a2f\.example" listens without "ssl"/



=== TEST 4: an "ssl" listen makes the origin
--- http_config eval
$A2F::HTTP_CONFIG . q{
    server {
        listen 127.0.0.3:$TEST_NGINX_SERVER_PORT ssl;
        server_name a2f.example;
        ssl_certificate $TEST_NGINX_A2F_DIR/tls.crt;
        ssl_certificate_key $TEST_NGINX_A2F_DIR/tls.key;
        a2f_webauthn on;
        location /_a2f/ { a2f_portal; }
    }
}
--- config
location /_a2f/ { a2f_portal; }
--- request
GET /_a2f/login
--- error_code: 200
--- no_error_log
[error]



=== TEST 5: a wildcard server_name is no relying party ID
--- http_config eval
$A2F::HTTP_CONFIG . q{
    server {
        listen 127.0.0.3:$TEST_NGINX_SERVER_PORT;
        server_name *.a2f.example;
        a2f_webauthn on;
        location /_a2f/ { a2f_portal; }
    }
}
--- config
location /_a2f/ { a2f_portal; }
--- must_die
--- error_log eval
qr/needs a relying party ID: the server "\*\.a2f\.example"/



=== TEST 5b: a2f_webauthn on in http{} applies to every server
--- http_config eval
"a2f_webauthn on;\n" . $A2F::HTTP_CONFIG
--- config
location /_a2f/ { a2f_portal; }
--- must_die
--- error_log eval
qr/"a2f_webauthn on" needs an origin: the server "a2f-upstream" listens without "ssl"/



=== TEST 6: set explicitly, nothing is derived
--- http_config eval
$A2F::HTTP_CONFIG . q{
    server {
        listen 127.0.0.3:$TEST_NGINX_SERVER_PORT;
        server_name _;
        a2f_webauthn on;
        a2f_webauthn_rp_id a2f.example;
        a2f_webauthn_origin https://a2f.example https://login.a2f.example:8443;
        location /_a2f/ { a2f_portal; }
    }
}
--- config
location /_a2f/ { a2f_portal; }
--- request
GET /_a2f/login
--- error_code: 200
--- no_error_log
[error]



=== TEST 7: bad relying party IDs
--- config
location /_a2f/ { a2f_portal; a2f_webauthn on; a2f_webauthn_rp_id 10.0.0.1; }
--- must_die
--- error_log
a2f_webauthn_rp_id: "10.0.0.1" is not a domain name



=== TEST 8: bad origins
--- config
location /_a2f/ {
    a2f_portal;
    a2f_webauthn on;
    a2f_webauthn_rp_id a2f.example;
    a2f_webauthn_origin http://a2f.example;
}
--- must_die
--- error_log
a2f_webauthn_origin: "http://a2f.example" is not an origin like "https://example.com"



=== TEST 9: an origin with a path
--- config
location /_a2f/ {
    a2f_portal;
    a2f_webauthn on;
    a2f_webauthn_rp_id a2f.example;
    a2f_webauthn_origin https://a2f.example/;
}
--- must_die
--- error_log
a2f_webauthn_origin: "https://a2f.example/" is not an origin



=== TEST 10: an origin outside the relying party ID
--- config
location /_a2f/ {
    a2f_portal;
    a2f_webauthn on;
    a2f_webauthn_rp_id a2f.example;
    a2f_webauthn_origin https://a2f.example.evil.test;
}
--- must_die
--- error_log
a2f_webauthn_origin "https://a2f.example.evil.test" is not on the relying party ID "a2f.example"



=== TEST 11: upper case, a scheme or a port are not an RP ID
--- config
location /_a2f/ { a2f_portal; a2f_webauthn on; a2f_webauthn_rp_id https://a2f.example; }
--- must_die
--- error_log
a2f_webauthn_rp_id: "https://a2f.example" is not a domain name
