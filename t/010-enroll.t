# Self-service activation (a2f_enroll): a fresh secret shown as a QR code,
# stored only after the first valid code.  The QR code is decoded with
# real decoders (rsvg-convert, zbarimg) and the code computed with oathtool.
use lib 't';
use Test::Nginx::Socket 'no_plan';
use IO::Socket::INET;
use A2F;

A2F::setup();
A2F::add_user('newbie', 'pw', totp => 0);
A2F::add_user('wrongcode', 'pw', totp => 0);
A2F::add_user('foreign', 'pw', totp => 0);
A2F::add_user('hasone', 'pw');
A2F::add_user('second', 'pw');

our $SID = 'E' x 16;

sub c1 {
    my ($user, $level) = @_;
    return "Cookie: a2f_session="
           . A2F::cookie(user => $user, level => $level // 1, sid => $SID);
}

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

# POST a form to the running nginx; returns (status, headers)
sub post {
    my ($path, $cookie, $form) = @_;
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                     PeerPort => server_port(),
                                     Timeout => 10) or die "connect: $!";
    print $sock "POST $path HTTP/1.0\r\nHost: localhost\r\n$cookie\r\n"
        . "Content-Type: application/x-www-form-urlencoded\r\n"
        . "Content-Length: " . length($form) . "\r\n\r\n$form";
    local $/;
    my $res = <$sock>;
    close $sock;
    my ($status) = $res =~ m{^HTTP/1\.\d (\d+)};
    my ($head) = split /\r\n\r\n/, $res, 2;
    return ($status, $head);
}

# --- qr_check: decode the page's QR code, check it, finish the enrollment
add_response_body_check(sub {
    my ($block, $body) = @_;
    my $user = $block->qr_check or return;
    chomp $user;
    my $name = $block->name;
    my $dir = $ENV{TEST_NGINX_A2F_DIR};

    my ($svg) = $body =~ m{(<svg\b.*?</svg>)}s;
    ok(defined $svg, "$name - the page has an inline SVG");
    A2F::write_file("$dir/qr.svg", $svg // '');
    system("rsvg-convert -w 400 -b white -o $dir/qr.png $dir/qr.svg") == 0
        or die "rsvg-convert failed";
    chomp(my $decoded = `zbarimg --raw -q $dir/qr.png 2>/dev/null`);
    my ($href) = $body =~ m{<a href="(otpauth://[^"]+)"};
    is($decoded, unhtml($href // ''), "$name - the QR code holds the URI");
    like($decoded, qr{^otpauth://totp/localhost:\Q$user\E\?secret=[A-Z2-7]+&issuer=localhost&algorithm=SHA1&digits=6&period=30$},
         "$name - Key URI format");

    my ($secret) = $decoded =~ /secret=([A-Z2-7]+)/;
    my ($grouped) = $body =~ m{<p class="secret">([^<]+)</p>};
    (my $plain = $grouped // '') =~ s/ //g;
    is($plain, $secret, "$name - the secret in groups of four is the same");

    is(devices($user), 0, "$name - nothing stored before a valid code");

    chomp(my $code = `oathtool --totp -b $secret`);
    my $form = "code=$code&csrf=" . A2F::csrf($SID)
               . "&ticket=" . field($body, 'ticket') . "&rd=%2Fapp";
    my ($status, $head) = post('/_a2f/enroll', c1($user), $form);
    is($status, 303, "$name - the oathtool code is accepted");
    like($head, qr{\nSet-Cookie: a2f_session=2\.[0-9a-f]{8}\.[^.]+\.2\.\d+\.\d+\.\d+\.[1-9]\d*\.},
         "$name - the session is now two-factor");
    is(devices($user), 1, "$name - the device is stored");

    # the code used for the setup cannot sign in again
    ($status) = post('/_a2f/otc', c1($user),
                     "code=$code&csrf=" . A2F::csrf($SID));
    is($status, 200, "$name - the setup code is not accepted twice");
});

# --- wrong_code: a wrong code stores nothing; the same secret comes back
add_response_body_check(sub {
    my ($block, $body) = @_;
    my $user = $block->wrong_code or return;
    chomp $user;
    my $name = $block->name;
    my $ticket = field($body, 'ticket');
    my ($grouped) = $body =~ m{<p class="secret">([^<]+)</p>};
    (my $secret = $grouped // '') =~ s/ //g;
    my $form = "code=" . A2F::wrong_code($secret) . "&csrf="
               . A2F::csrf($SID) . "&ticket=$ticket";
    my ($status) = post('/_a2f/enroll', c1($user), $form);
    is($status, 200, "$name - a wrong code: the form again");
    is(devices($user), 0, "$name - a wrong code stores nothing");
});

repeat_each(1);
no_shuffle();
no_root_location();
A2F::defaults();

run_tests();

__DATA__

=== TEST 1: a user without a device is sent from the code page to enroll
--- request
GET /_a2f/otc?rd=%2Fapp
--- more_headers eval
main::c1('newbie')
--- error_code: 302
--- response_headers_like
Location: (http://[^/]+)?/_a2f/enroll\?rd=%2Fapp
--- no_error_log
[error]



=== TEST 2: the activation page: QR code, secret, form; the QR decodes and an oathtool code finishes it
--- request
GET /_a2f/enroll?rd=%2Fapp
--- more_headers eval
main::c1('newbie')
--- error_code: 200
--- response_headers_like
Cache-Control: no-store
Content-Security-Policy: default-src 'none'; .*
--- response_body_like eval
qr{<svg .*</svg>.*<p class="secret">([A-Z2-7]{4} ){7}[A-Z2-7]{4}</p>.*name="ticket" value="[A-Za-z0-9_-]{75}".*name="code"}s
--- qr_check
newbie
--- no_error_log
[error]



=== TEST 3: a wrong code stores nothing, and the same secret is offered again
--- request eval
"POST /_a2f/enroll\ncode=" . A2F::wrong_code('JBSWY3DPEHPK3PXP') . "&csrf=" . A2F::csrf($main::SID)
. "&ticket=" . ('A' x 75)
--- more_headers eval
"Content-Type: application/x-www-form-urlencoded\n" . main::c1('wrongcode')
--- error_code: 400
--- response_body_like: This setup page had expired
--- no_error_log
[error]



=== TEST 4: the page again, then a wrong code: nothing stored
--- request
GET /_a2f/enroll
--- more_headers eval
main::c1('wrongcode')
--- error_code: 200
--- wrong_code
wrongcode
--- no_error_log
[error]



=== TEST 5: a ticket made for another session does not open
--- request eval
"POST /_a2f/enroll\ncode=123456&csrf=" . A2F::csrf('F' x 16)
. "&ticket=" . ('B' x 75)
--- more_headers eval
"Content-Type: application/x-www-form-urlencoded\nCookie: a2f_session="
. A2F::cookie(user => 'foreign', level => 1, sid => 'F' x 16)
--- error_code: 400
--- response_body_like: This setup page had expired
--- no_error_log
[error]



=== TEST 6: the password alone never adds a device to an account that has one
--- request
GET /_a2f/enroll?rd=%2Fapp
--- more_headers eval
main::c1('hasone')
--- error_code: 303
--- response_headers_like
Location: (http://[^/]+)?/_a2f/otc\?rd=%2Fapp
--- no_error_log
[error]



=== TEST 7: a two-factor session may add another device
--- request
GET /_a2f/enroll
--- more_headers eval
main::c1('second', 2)
--- error_code: 200
--- response_body_like: Set up your authenticator app
--- no_error_log
[error]



=== TEST 8: with a2f_enroll off there is no self-service
--- http_config eval
$A2F::HTTP_CONFIG . "a2f_enroll off;"
--- request
GET /_a2f/enroll
--- more_headers eval
main::c1('foreign')
--- error_code: 403
--- response_body_like: Ask your administrator
--- error_log
a2f_enroll is off
--- no_error_log
[error]
[alert]



=== TEST 9: a2f_issuer names the account in the app
--- http_config eval
$A2F::HTTP_CONFIG . 'a2f_issuer "Example Co";'
--- request
GET /_a2f/enroll
--- more_headers eval
main::c1('foreign')
--- error_code: 200
--- response_body_like: href="otpauth://totp/Example%20Co:foreign\?secret=[A-Z2-7]+&amp;issuer=Example%20Co&amp;
--- no_error_log
[error]
