# Enrollment links (/_a2f/enroll/<token>): a single-use, expiring URL
# with which a user sets a password and activates an authenticator app.
# The QR code is decoded with real decoders (rsvg-convert, zbarimg) and
# the code computed with oathtool.
use lib 't';
use Test::Nginx::Socket 'no_plan';
use IO::Socket::INET;
use A2F;

A2F::setup();
A2F::add_user('newbie', 'old-password', totp => 0);
A2F::add_user('replaced', 'pw', totp => 0);
A2F::add_user('late', 'pw', totp => 0);
A2F::add_user('off', 'pw', totp => 0);

sub link_token {
    my ($user, @opt) = @_;
    my ($token) = split /\n/, A2F::ctl('link', $user, @opt);
    return $token;
}

our $TOKEN = link_token('newbie');
our $OLD = link_token('replaced');
our $NEW = link_token('replaced');               # $OLD stops working
our $OFF = link_token('off');
A2F::ctl('user', 'disable', 'off');
our $LATE = link_token('late', '--ttl', '1s');
sleep 2;                                         # the clock, not a race

sub devices { scalar grep { /\S/ } split /\n/, A2F::ctl('totp', 'list', shift) }

sub field {
    my ($body, $name) = @_;
    return $body =~ /name="$name" value="([^"]*)"/ ? $1 : undef;
}

sub unhtml {
    my $s = shift;
    $s =~ s/&amp;/&/g; $s =~ s/&lt;/</g; $s =~ s/&gt;/>/g;
    $s =~ s/&quot;/"/g; $s =~ s/&#39;/'/g;
    return $s;
}

# POST a form to the running nginx; returns (status, headers, body)
sub post {
    my ($path, $form) = @_;
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                     PeerPort => server_port(),
                                     Timeout => 10) or die "connect: $!";
    print $sock "POST $path HTTP/1.0\r\nHost: localhost\r\n"
        . "Content-Type: application/x-www-form-urlencoded\r\n"
        . "Content-Length: " . length($form) . "\r\n\r\n$form";
    local $/;
    my $res = <$sock>;
    close $sock;
    my ($status) = $res =~ m{^HTTP/1\.\d (\d+)};
    my ($head, $body) = split /\r\n\r\n/, $res, 2;
    return ($status, $head, $body);
}

# --- redeem: the whole flow from the page the block fetched
add_response_body_check(sub {
    my ($block, $body) = @_;
    my $user = $block->redeem or return;
    chomp $user;
    my $name = $block->name;
    my $dir = $ENV{TEST_NGINX_A2F_DIR};
    my $path = "/_a2f/enroll/$main::TOKEN";

    my ($svg) = $body =~ m{(<svg\b.*?</svg>)}s;
    ok(defined $svg, "$name - the page has an inline SVG");
    A2F::write_file("$dir/qr.svg", $svg // '');
    system("rsvg-convert -w 400 -b white -o $dir/qr.png $dir/qr.svg") == 0
        or die "rsvg-convert failed";
    chomp(my $decoded = `zbarimg --raw -q $dir/qr.png 2>/dev/null`);
    my ($href) = $body =~ m{<a href="(otpauth://[^"]+)"};
    is($decoded, unhtml($href // ''), "$name - the QR code holds the URI");
    like($decoded, qr{^otpauth://totp/localhost:\Q$user\E\?secret=[A-Z2-7]{32}&issuer=localhost&algorithm=SHA1&digits=6&period=30$},
         "$name - Key URI format");
    my ($secret) = $decoded =~ /secret=([A-Z2-7]+)/;
    chomp(my $code = `oathtool --totp -b $secret`);

    my $csrf = field($body, 'csrf');
    my $ticket = field($body, 'ticket');
    is($csrf, A2F::csrf($main::TOKEN), "$name - the CSRF token is bound to the link");
    my $good = "csrf=$csrf&ticket=$ticket&password=s3cret-pass&password2=s3cret-pass";

    # a wrong code: nothing stored, the same secret again
    my ($st, $h, $b) = post($path, "$good&code=" . A2F::wrong_code($secret));
    is($st, 400, "$name - a wrong code: 400");
    like($b // '', qr/That code did not work/, "$name - ... says so");
    my ($again) = ($b // '') =~ m{<p class="secret">([^<]+)</p>};
    is(($again // '') =~ s/ //gr, $secret, "$name - ... and shows the same secret");
    is(devices($user), 0, "$name - ... and stores nothing");

    # passwords that differ, a short one
    ($st, $h, $b) = post($path, "csrf=$csrf&ticket=$ticket&password=s3cret-pass"
                                . "&password2=other-pass&code=$code");
    is($st, 400, "$name - two different passwords: 400");
    like($b // '', qr/The two passwords are not the same/, "$name - ... says so");
    ($st) = post($path, "csrf=$csrf&ticket=$ticket&password=short"
                        . "&password2=short&code=$code");
    is($st, 400, "$name - a short password: 400");
    is(devices($user), 0, "$name - ... nothing stored");

    # without the CSRF token
    ($st) = post($path, "ticket=$ticket&password=s3cret-pass"
                        . "&password2=s3cret-pass&code=$code");
    is($st, 403, "$name - without the CSRF token: 403");

    # the right code: password, device, a two-factor session
    ($st, $h, $b) = post($path, "$good&code=$code");
    is($st, 200, "$name - the oathtool code is accepted");
    like($b // '', qr/Your account is ready/, "$name - ... the account is ready");
    like($h, qr{\nSet-Cookie: a2f_session=2\.[0-9a-f]{8}\.[^.]+\.2\.\d+\.\d+\.\d+\.[1-9]\d*\.},
         "$name - ... with a two-factor session");
    is(devices($user), 1, "$name - ... the device is stored");
    like(A2F::ctl('audit', '5'), qr/link_used user=\Q$user\E/, "$name - ... and audited");

    # single use
    ($st) = post($path, "$good&code=$code");
    is($st, 410, "$name - the link works once");
});

repeat_each(1);
no_shuffle();
no_root_location();
A2F::defaults();

run_tests();

__DATA__

=== TEST 1: the link's page: user, password fields, QR code, and the whole flow
--- request eval
"GET /_a2f/enroll/$main::TOKEN"
--- error_code: 200
--- response_headers_like
Cache-Control: no-store
--- response_body_like eval
qr{Welcome, <strong>newbie</strong>.*name="password".*name="password2".*<svg .*name="code"}s
--- redeem
newbie
--- no_error_log
[error]



=== TEST 2: the new password signs in
--- request eval
"POST /_a2f/login\nusername=newbie&password=s3cret-pass&csrf=" . A2F::csrf('L' x 22)
--- more_headers eval
"Content-Type: application/x-www-form-urlencoded\nCookie: a2f_csrf=" . ('L' x 22)
--- error_code: 303
--- response_headers_like
Location: (http://[^/]+)?/_a2f/otc\?rd=%2F
--- no_error_log
[error]



=== TEST 3: a used link is gone (410)
--- request eval
"GET /_a2f/enroll/$main::TOKEN"
--- error_code: 410
--- response_body_like: This enrollment link has expired, was used already, or was replaced
--- error_log
enrollment link refused: not found
--- no_error_log
[error]



=== TEST 4: a link replaced by a newer one is gone; the newer one works
--- request eval
["GET /_a2f/enroll/$main::OLD", "GET /_a2f/enroll/$main::NEW"]
--- error_code eval
[410, 200]
--- no_error_log
[error]



=== TEST 5: an expired link is gone
--- request eval
"GET /_a2f/enroll/$main::LATE"
--- error_code: 410
--- error_log
enrollment link refused: expired
--- no_error_log
[error]



=== TEST 6: a disabled user's link: 403
--- request eval
"GET /_a2f/enroll/$main::OFF"
--- error_code: 403
--- response_body_like: This account is disabled
--- no_error_log
[error]



=== TEST 7: unknown and malformed tokens
--- request eval
["GET /_a2f/enroll/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
 "GET /_a2f/enroll/short",
 "GET /_a2f/enroll/" . ('!' x 32)]
--- error_code eval
[410, 410, 410]
--- no_error_log
[error]



=== TEST 8: a POST to an expired link stores nothing
--- request eval
"POST /_a2f/enroll/$main::LATE\npassword=s3cret-pass&password2=s3cret-pass&code=123456&csrf="
    . A2F::csrf($main::LATE)
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code: 410
--- no_error_log
[error]
