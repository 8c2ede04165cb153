# Two worker processes share one database: logins, codes, replay and
# revocation are seen by both.
use lib 't';
use Test::Nginx::Socket 'no_plan';
use A2F;

A2F::setup();
our %S = map { $_ => A2F::add_user($_, 'pw') } qw(w1 w2 w3 w4 w5 w6);

sub otc {
    my ($user, $code) = @_;
    return "POST /_a2f/otc\ncode=$code&csrf=" . A2F::csrf('W' x 16);
}

sub hdr {
    my $user = shift;
    return "Content-Type: application/x-www-form-urlencoded\nCookie: a2f_session="
           . A2F::cookie(user => $user, level => 1, sid => 'W' x 16);
}

master_on();
workers(2);
repeat_each(1);
no_shuffle();
no_root_location();
A2F::defaults();

run_tests();

__DATA__

=== TEST 1: each user's code is accepted once, whichever worker answers
--- request eval
[ map { my $c = A2F::totp_tag($main::S{$_}); (main::otc($_, $c), main::otc($_, $c)) }
  qw(w1 w2 w3 w4 w5 w6) ]
--- more_headers eval
[ map { (main::hdr($_), main::hdr($_)) } qw(w1 w2 w3 w4 w5 w6) ]
--- error_code eval
[ (303, 200) x 6 ]
--- no_error_log
[error]



=== TEST 2: a revocation made by one worker is seen by every worker
--- request eval
[ "GET /_a2f/logout", ("GET /app") x 6 ]
--- more_headers eval
[ ("Accept: application/json\nCookie: a2f_session=" . A2F::cookie(user => 'w1', level => 2)) x 7 ]
--- error_code eval
[ 200, (401) x 6 ]
--- no_error_log
[error]



=== TEST 3: a2fctl changes made while nginx runs are seen at once
--- request eval
[ ("GET /app") x 4 ]
--- more_headers eval
[ ("Accept: application/json\nCookie: a2f_session=" . A2F::cookie(user => 'w2', level => 2)) x 4 ]
--- init
A2F::ctl('revoke', 'w2');
--- error_code eval
[ (401) x 4 ]
--- no_error_log
[error]
