# Recovery codes: accepted once each on the code page in place of a
# one-time code; the user is told how many are left.
use lib 't';
use Test::Nginx::Socket 'no_plan';
use A2F;

A2F::setup();
A2F::add_user('lost', 'pw');
our @CODES = grep { /^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/ }
             split /\n/, A2F::ctl('recovery', 'lost');
die "a2fctl recovery printed no codes" unless @CODES == 10;

our $SID = 'R' x 16;

sub otc {
    my $code = shift;
    return "POST /_a2f/otc\ncode=$code&csrf=" . A2F::csrf($SID) . "&rd=%2Fapp";
}

our $H = "Content-Type: application/x-www-form-urlencoded\nCookie: a2f_session="
         . A2F::cookie(user => 'lost', level => 1, sid => $SID);

repeat_each(1);
no_shuffle();
no_root_location();
A2F::defaults();

run_tests();

__DATA__

=== TEST 1: a recovery code gives a two-factor session and says how many are left
--- request eval
main::otc($main::CODES[0])
--- more_headers eval
$main::H
--- error_code: 200
--- response_headers_like
Set-Cookie: a2f_session=2\.[0-9a-f]{8}\.[^.]+\.2\.\d+\.\d+\.\d+\.[1-9]\d*\..*
--- response_body_like eval
qr{You signed in with a recovery code\. Each works once: 9 codes are left\..*href="/app"}s
--- error_log
used a recovery code, 9 left
--- no_error_log
[error]



=== TEST 2: the same recovery code again is refused
--- request eval
main::otc($main::CODES[0])
--- more_headers eval
$main::H
--- error_code: 200
--- response_body_like: That code did not work
--- response_headers
!Set-Cookie
--- no_error_log
[error]



=== TEST 3: another code, in capitals and without dashes, works
--- request eval
(my $c = uc $main::CODES[1]) =~ s/-//g;
main::otc($c)
--- more_headers eval
$main::H
--- error_code: 200
--- response_body_like: 8 codes are left
--- no_error_log
[error]



=== TEST 4: the code page tells about recovery codes
--- request
GET /_a2f/otc
--- more_headers eval
"Cookie: a2f_session=" . A2F::cookie(user => 'lost', level => 1, sid => $main::SID)
--- error_code: 200
--- response_body_like: Lost your phone\? Type one of your recovery codes
--- no_error_log
[error]



=== TEST 5: each use is in the audit trail
--- init
my $audit = A2F::ctl('audit', '20');
die "no recovery_ok in the audit trail:\n$audit" unless $audit =~ /recovery_ok/;
--- request
GET /_a2f/a2f.css
--- error_code: 200
--- no_error_log
[error]
