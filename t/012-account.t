# The user's own page: devices, adding one, new recovery codes.
use lib 't';
use Test::Nginx::Socket 'no_plan';
use A2F;

A2F::setup();
A2F::add_user('carol', 'pw');

our $SID = 'A' x 16;

sub ck {
    my $level = shift // 2;
    return "Cookie: a2f_session="
           . A2F::cookie(user => 'carol', level => $level, sid => $SID);
}

our $FORM = "Content-Type: application/x-www-form-urlencoded\n";

repeat_each(1);
no_shuffle();
no_root_location();
A2F::defaults();

run_tests();

__DATA__

=== TEST 1: the account page needs a session
--- request
GET /_a2f/account
--- error_code: 302
--- response_headers_like
Location: (http://[^/]+)?/_a2f/login\?rd=%2F
--- no_error_log
[error]



=== TEST 2: ... and the second factor
--- request
GET /_a2f/account
--- more_headers eval
main::ck(1)
--- error_code: 302
--- response_headers_like
Location: (http://[^/]+)?/_a2f/otc\?rd=%2F
--- no_error_log
[error]



=== TEST 3: devices, recovery codes left, the forms
--- request
GET /_a2f/account
--- more_headers eval
main::ck()
--- error_code: 200
--- response_headers_like
Cache-Control: no-store
--- response_body_like eval
qr{Signed in as <strong>carol</strong>.*<ul class="devices"><li>default</li></ul>.*href="/_a2f/enroll\?rd=/_a2f/account".*<p>0 unused\..*name="csrf" value="\Q${\ A2F::csrf('AAAAAAAAAAAAAAAA')}\E"}s
--- no_error_log
[error]



=== TEST 4: new recovery codes are shown once
--- request eval
"POST /_a2f/account\naction=recovery&csrf=" . A2F::csrf($main::SID)
--- more_headers eval
$main::FORM . main::ck()
--- error_code: 200
--- response_body_like eval
qr{Your new recovery codes\..*<ol>(<li>[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}</li>){10}</ol>.*<p>10 unused\.}s
--- error_log
made new recovery codes
--- no_error_log
[error]



=== TEST 5: the page afterwards does not show them again
--- request
GET /_a2f/account
--- more_headers eval
main::ck()
--- error_code: 200
--- response_body_unlike: Your new recovery codes
--- no_error_log
[error]



=== TEST 6: without the CSRF token nothing happens
--- request
POST /_a2f/account
action=recovery
--- more_headers eval
$main::FORM . main::ck()
--- error_code: 403
--- error_log
form without a valid CSRF token refused
--- no_error_log
[error]



=== TEST 7: an unknown action is a 400
--- request eval
"POST /_a2f/account\naction=drop&csrf=" . A2F::csrf($main::SID)
--- more_headers eval
$main::FORM . main::ck()
--- error_code: 400
--- error_log
without a known action
--- no_error_log
[error]
