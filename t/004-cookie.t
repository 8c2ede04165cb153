# The session cookie: every kind of bad cookie is refused (and logged at
# info), expiry, revocation, key rotation, the second-factor time.
use lib 't';
use Test::Nginx::Socket 'no_plan';
use A2F;

A2F::setup(rotate_old => 'ee' x 32);
A2F::add_user('alice', 'pw');
A2F::add_user('revoked', 'pw');
A2F::ctl('revoke', 'revoked');
A2F::add_user('gone', 'pw');
A2F::ctl('user', 'del', 'gone');

our $OLD = 'ee' x 32;           # second line of the key file: verifies only
our $UNKNOWN = '77' x 32;       # in no key file

sub c { return "Accept: application/json\nCookie: a2f_session=" . shift }

sub flip {                      # change one character of the MAC
    my $v = shift;
    substr($v, -5, 1) = substr($v, -5, 1) eq 'A' ? 'B' : 'A';
    return $v;
}

sub v1 {                        # format 1 (no factor), rightly signed
    my $key = pack('H*', $A2F::KEY_HEX);
    my $now = time;
    my $payload = join '.', 1, substr(Digest::SHA::sha256_hex($key), 0, 8),
        'V' x 16, 2, A2F::gen('alice'), $now, $now, A2F::b64url('alice');
    return "$payload." . A2F::b64url(Digest::SHA::hmac_sha256($payload, $key));
}

repeat_each(1);
no_shuffle();
no_root_location();
A2F::defaults();

run_tests();

__DATA__

=== TEST 1: a good cookie passes
--- request
GET /app
--- more_headers eval
main::c(A2F::cookie(user => 'alice', level => 2))
--- error_code: 200
--- no_error_log
[error]



=== TEST 2: random, truncated, over-long and empty cookies are refused at info
--- request eval
[ ("GET /app") x 5 ]
--- more_headers eval
my $good = A2F::cookie(user => 'alice', level => 2);
[ main::c('garbage'), main::c(substr($good, 0, -1)), main::c($good . 'A'),
  main::c(''), main::c('x' x 3000) ]
--- error_code eval
[401, 401, 401, 401, 401]
--- error_log
session cookie refused
--- no_error_log
[error]



=== TEST 3: a changed MAC, user or level is refused
--- request eval
[ ("GET /app") x 3 ]
--- more_headers eval
my $good = A2F::cookie(user => 'alice', level => 1);
(my $user = $good) =~ s/\.YWxpY2U\./.Ym9i./;
(my $level = $good) =~ s/^(2\.[^.]+\.[^.]+\.)1\./${1}2./;
[ main::c(main::flip($good)), main::c($user), main::c($level) ]
--- error_code eval
[401, 401, 401]
--- no_error_log
[error]



=== TEST 4: a cookie signed with a key in no key file is refused
--- request
GET /app
--- more_headers eval
main::c(A2F::cookie(user => 'alice', level => 2, key_hex => $main::UNKNOWN))
--- error_code: 401
--- error_log
session cookie refused
--- no_error_log
[error]



=== TEST 5: key rotation: a cookie signed by the old (second) key still passes
--- request
GET /app
--- more_headers eval
main::c(A2F::cookie(user => 'alice', level => 2, key_hex => $main::OLD))
--- error_code: 200
--- no_error_log
[error]



=== TEST 6: a key removed from the file kills its cookies
--- http_config eval
my $one = "$ENV{TEST_NGINX_A2F_DIR}/one.key";
A2F::write_file($one, "$A2F::KEY_HEX\n");
"a2f_db $ENV{TEST_NGINX_A2F_DB};\na2f_secret_file $one;\n" . $A2F::UPSTREAM
--- request
GET /app
--- more_headers eval
main::c(A2F::cookie(user => 'alice', level => 2, key_hex => $main::OLD))
--- error_code: 401
--- no_error_log
[error]



=== TEST 7: absolute expiry (a2f_session_timeout)
--- http_config eval
$A2F::HTTP_CONFIG . "a2f_session_timeout 1h;"
--- request
GET /app
--- more_headers eval
main::c(A2F::cookie(user => 'alice', level => 2, issued => time - 3601, seen => time))
--- error_code: 401
--- error_log
session cookie refused
--- no_error_log
[error]



=== TEST 8: idle expiry (a2f_idle_timeout)
--- http_config eval
$A2F::HTTP_CONFIG . "a2f_idle_timeout 10m;"
--- request eval
[ "GET /app", "GET /app" ]
--- more_headers eval
[ main::c(A2F::cookie(user => 'alice', level => 2, issued => time - 900, seen => time - 601)),
  main::c(A2F::cookie(user => 'alice', level => 2, issued => time - 900, seen => time - 500)) ]
--- error_code eval
[401, 200]
--- no_error_log
[error]



=== TEST 9: an active session is re-signed now and then (the idle clock slides)
--- http_config eval
$A2F::HTTP_CONFIG . "a2f_idle_timeout 10m;"
--- request
GET /app
--- more_headers eval
main::c(A2F::cookie(user => 'alice', level => 2, issued => time - 300, seen => time - 200))
--- error_code: 200
--- response_headers_like
Set-Cookie: ^a2f_session=2\.[0-9a-f]{8}\.[^.]+\.2\.\d+\.\d+\.\d+\.[1-9]\d*\.YWxpY2U\..*
--- no_error_log
[error]



=== TEST 10: a fresh session is not re-signed on every request
--- request
GET /app
--- more_headers eval
main::c(A2F::cookie(user => 'alice', level => 2))
--- error_code: 200
--- response_headers
!Set-Cookie
--- no_error_log
[error]



=== TEST 11: a cookie issued in the future is refused
--- request
GET /app
--- more_headers eval
main::c(A2F::cookie(user => 'alice', level => 2, issued => time + 3600, seen => time + 3600))
--- error_code: 401
--- no_error_log
[error]



=== TEST 12: a revoked generation is refused
--- request
GET /app
--- more_headers eval
main::c(A2F::cookie(user => 'revoked', level => 2, gen => A2F::gen('revoked') - 1))
--- error_code: 401
--- error_log
revoked session of user "revoked" refused
--- no_error_log
[error]



=== TEST 13: the new generation passes
--- request
GET /app
--- more_headers eval
main::c(A2F::cookie(user => 'revoked', level => 2))
--- error_code: 200
--- no_error_log
[error]



=== TEST 14: a deleted user's cookie is refused
--- request
GET /app
--- more_headers eval
main::c(A2F::cookie(user => 'gone', level => 2))
--- error_code: 401
--- error_log
session of unknown user "gone" refused
--- no_error_log
[error]



=== TEST 15: several cookies of that name are not combined into a pass
--- request
GET /app
--- more_headers eval
my $one = A2F::cookie(user => 'alice', level => 1);
my $bad = main::flip(A2F::cookie(user => 'alice', level => 2));
"Accept: application/json\nCookie: a2f_session=$bad; a2f_session=$one"
--- error_code: 401
--- no_error_log
[error]



=== TEST 16: of several cookies, one valid two-factor cookie is enough
--- request
GET /app
--- more_headers eval
my $good = A2F::cookie(user => 'alice', level => 2);
"Cookie: a2f_session=garbage\nCookie: other=1; a2f_session=$good"
--- error_code: 200
--- no_error_log
[error]



=== TEST 17: an oversized Cookie header gets a clean 4xx, no crash
--- request
GET /app
--- more_headers eval
"Cookie: a2f_session=" . ('A' x 20000)
--- error_code: 400
--- no_error_log
[error]



=== TEST 18: a cookie of format 1 (no second-factor time) is refused
--- request
GET /app
--- more_headers eval
main::c(main::v1())
--- error_code: 401
--- error_log
session cookie refused: malformed input
--- no_error_log
[error]



=== TEST 19: level 2 without a second-factor time is refused
--- request
GET /app
--- more_headers eval
main::c(A2F::cookie(user => 'alice', level => 2, factor => 0))
--- error_code: 401
--- error_log
session cookie refused: malformed input
--- no_error_log
[error]



=== TEST 20: level 1 with a second-factor time is refused
--- request
GET /one/x
--- more_headers eval
main::c(A2F::cookie(user => 'alice', level => 1, factor => time))
--- error_code: 401
--- error_log
session cookie refused: malformed input
--- no_error_log
[error]



=== TEST 21: level 1 without one passes where one factor is enough
--- request
GET /one/x
--- more_headers eval
main::c(A2F::cookie(user => 'alice', level => 1))
--- error_code: 200
--- no_error_log
session cookie refused
[error]



=== TEST 22: a second factor from the future is refused
--- request
GET /app
--- more_headers eval
main::c(A2F::cookie(user => 'alice', level => 2, factor => time + 3600))
--- error_code: 401
--- error_log
session cookie refused: expired
--- no_error_log
[error]



=== TEST 23: an older second factor passes (its age is for step-up pages)
--- request
GET /app
--- more_headers eval
main::c(A2F::cookie(user => 'alice', level => 2, issued => time - 3000,
                    factor => time - 2900))
--- error_code: 200
--- no_error_log
session cookie refused
[error]
