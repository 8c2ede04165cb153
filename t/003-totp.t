# One-time codes: accepted once, window edges, lockout and unlock.
use lib 't';
use Test::Nginx::Socket 'no_plan';
use A2F;

A2F::setup();

our %S;
for my $u (qw(replay older future past2 lock pwlock)) {
    $S{$u} = A2F::add_user($u, 'pw');
}
$S{sha256} = A2F::add_user('sha256u', 'pw',
                           totp => { algorithm => 'SHA256', digits => 6 });
$S{eight} = A2F::add_user('eightu', 'pw',
                          totp => { algorithm => 'SHA512', digits => 8,
                                    period => 60 });

our $FORM = "Content-Type: application/x-www-form-urlencoded\nCookie: a2f_session=";

# POST /_a2f/otc for user with code; the level-1 cookie's sid binds the CSRF
sub otc {
    my ($user, $code) = @_;
    my $sid = 'SID' . ('x' x 13);
    return ("POST /_a2f/otc\ncode=$code&csrf=" . A2F::csrf($sid),
            $FORM . A2F::cookie(user => $user, level => 1, sid => $sid));
}

sub login {
    my ($user, $pw) = @_;
    my $bind = 'AAAAAAAAAAAAAAAAAAAAAA';
    return "POST /_a2f/login\nusername=$user&password=$pw&csrf="
           . A2F::csrf($bind);
}

our $LOGIN_HEADERS = "Content-Type: application/x-www-form-urlencoded\n"
                     . "Cookie: a2f_csrf=AAAAAAAAAAAAAAAAAAAAAA";

repeat_each(1);
no_shuffle();
no_root_location();
A2F::defaults();

run_tests();

__DATA__

=== TEST 1: a code is accepted once: the same code again is a replay
--- request eval
my $c = A2F::totp_tag($main::S{replay});
[ (main::otc('replay', $c))[0], (main::otc('replay', $c))[0] ]
--- more_headers eval
[ (main::otc('replay', 0))[1], (main::otc('replay', 0))[1] ]
--- error_code eval
[303, 200]
--- response_body_like eval
[qr/See Other/, qr/That code did not work/]
--- no_error_log
[error]



=== TEST 2: an older step after a newer one is refused too
--- request eval
[ (main::otc('older', A2F::totp_tag($main::S{older}, offset => 30)))[0],
  (main::otc('older', A2F::totp_tag($main::S{older}, offset => 0)))[0] ]
--- more_headers eval
[ (main::otc('older', 0))[1], (main::otc('older', 0))[1] ]
--- error_code eval
[303, 200]
--- no_error_log
[error]



=== TEST 3: the next step is inside the default window (1)
--- request eval
(main::otc('future', A2F::totp_tag($main::S{future}, offset => 30)))[0]
--- more_headers eval
(main::otc('future', 0))[1]
--- error_code: 303
--- no_error_log
[error]



=== TEST 4: two steps back is outside the default window
--- request eval
(main::otc('past2', A2F::totp_tag($main::S{past2}, offset => -60)))[0]
--- more_headers eval
(main::otc('past2', 0))[1]
--- error_code: 200
--- response_body_like: That code did not work
--- no_error_log
[error]



=== TEST 5: a2f_totp_window 0 refuses a code from a later step
--- http_config eval
$A2F::HTTP_CONFIG . "a2f_totp_window 0;"
--- request eval
(main::otc('past2', A2F::totp_tag($main::S{past2}, offset => 60)))[0]
--- more_headers eval
(main::otc('past2', 0))[1]
--- error_code: 200
--- no_error_log
[error]



=== TEST 6: SHA256 devices
--- request eval
(main::otc('sha256u', A2F::totp_tag($main::S{sha256}, algorithm => 'SHA256')))[0]
--- more_headers eval
(main::otc('sha256u', 0))[1]
--- error_code: 303
--- no_error_log
[error]



=== TEST 7: SHA512 devices with 8 digits and a 60 s period
--- request eval
(main::otc('eightu', A2F::totp_tag($main::S{eight}, algorithm => 'SHA512',
                              digits => 8, period => 60)))[0]
--- more_headers eval
(main::otc('eightu', 0))[1]
--- error_code: 303
--- no_error_log
[error]



=== TEST 8: malformed codes are a clear 400 and do not count
--- request eval
[ map { (main::otc('lock', $_))[0] } ('12345', '1234567', '12a456', '+12345', '%D9%A1%D9%A2%D9%A3%D9%A4%D9%A5%D9%A6', '') ]
--- more_headers eval
[ map { (main::otc('lock', 0))[1] } 1 .. 6 ]
--- error_code eval
[400, 400, 400, 400, 400, 400]
--- response_body_like eval
[ map { qr/Type the 6 or 8 digits/ } 1 .. 6 ]
--- no_error_log
[error]



=== TEST 9: five wrong codes lock the user; then even the right code fails
--- request eval
[ (map { (main::otc('lock', A2F::wrong_code($main::S{lock})))[0] } 1 .. 5),
  (main::otc('lock', A2F::totp_tag($main::S{lock})))[0] ]
--- more_headers eval
[ map { (main::otc('lock', 0))[1] } 1 .. 6 ]
--- error_code eval
[200, 200, 200, 200, 200, 403]
--- response_body_like eval
[ (map { qr/That code did not work/ } 1 .. 5), qr/Too many wrong codes/ ]
--- no_error_log
[error]



=== TEST 10: a2fctl unlock lets the user in again
--- init
A2F::ctl('unlock', 'lock');
--- request eval
(main::otc('lock', A2F::totp_tag($main::S{lock})))[0]
--- more_headers eval
(main::otc('lock', 0))[1]
--- error_code: 303
--- no_error_log
[error]



=== TEST 11: five wrong passwords lock the password too, without saying so
--- request eval
[ (map { main::login('pwlock', 'wrong') } 1 .. 5), main::login('pwlock', 'pw') ]
--- more_headers eval
[ map { $main::LOGIN_HEADERS } 1 .. 6 ]
--- error_code eval
[200, 200, 200, 200, 200, 200]
--- response_body_like eval
[ map { qr/Sign-in failed/ } 1 .. 6 ]
--- no_error_log
[error]



=== TEST 12: after a2fctl unlock the password works
--- init
A2F::ctl('unlock', 'pwlock');
--- request eval
main::login('pwlock', 'pw')
--- more_headers eval
$main::LOGIN_HEADERS
--- error_code: 303
--- no_error_log
[error]



=== TEST 13: the audit trail has the events
--- init
my $audit = A2F::ctl('audit', '100');
die "audit trail lacks events:\n$audit"
    unless $audit =~ /otc_replay/ && $audit =~ /locked/
           && $audit =~ /otc_ok/ && $audit =~ /login_failed/;
--- request
GET /_a2f/login
--- error_code: 200
--- no_error_log
[error]
