# Security keys over the portal's JSON endpoints, without a browser: the
# assertions and attestations are made here with openssl (an EC P-256 key
# of our own, signing authenticatorData || SHA-256(clientDataJSON)), so
# every check of the module is exercised: challenge (single use), origin,
# RP ID hash, signature, sign counter (a regression blocks the key),
# CSRF header, who may register a key for whom.  t/e2e/ does the same
# with Chromium's virtual authenticators.
use lib 't';
use Test::Nginx::Socket 'no_plan';
use IO::Socket::INET;
use Digest::SHA qw(sha256);
use MIME::Base64 qw(decode_base64url);
use A2F;

my $dir = A2F::setup();
A2F::add_user('kim', 'pw', totp => 0);           # keys only
our $BOTH = A2F::add_user('both', 'pw');          # an app and a key
A2F::add_user('root', 'pw', admin => 1);
A2F::add_user('bob', 'pw');

our $SID = 'K' x 16;

# --- the key pair: P-256, the COSE form of its public key
sub ec_key {
    my $name = shift;
    system("openssl ecparam -name prime256v1 -genkey -noout "
           . "-out $dir/$name.pem 2>/dev/null") == 0 or die "openssl ecparam";
    my $der = `openssl ec -in $dir/$name.pem -pubout -outform DER 2>/dev/null`;
    my $point = substr($der, -65);
    return "\xa5\x01\x02\x03\x26\x20\x01\x21\x58\x20" . substr($point, 1, 32)
           . "\x22\x58\x20" . substr($point, 33, 32);
}

our $CRED = "cred-kim-0001";
our $COSE = ec_key('kim');
A2F::ctl('key', 'add', 'kim', 'yubi', '--cred-id', A2F::b64url($CRED),
         '--public-key', A2F::b64url($COSE));
A2F::ctl('key', 'add', 'both', 'tiny', '--cred-id', A2F::b64url('cred-both'),
         '--public-key', A2F::b64url(ec_key('both')));

sub sign {
    my ($name, $data) = @_;
    A2F::write_file("$dir/data.bin", $data);
    my $sig = `openssl dgst -sha256 -sign $dir/$name.pem -binary $dir/data.bin`;
    die "openssl dgst failed\n" if $? != 0;
    return $sig;
}

sub cookie {
    my ($user, %o) = @_;
    return "a2f_session=" . A2F::cookie(user => $user, sid => $SID, %o);
}

sub origin { "http://localhost:" . server_port() }

# an HTTP request to the running nginx: (status, head, body)
sub req {
    my ($method, $path, $headers, $body) = @_;
    $body //= '';
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                     PeerPort => server_port(),
                                     Timeout => 10) or die "connect: $!";
    print $sock "$method $path HTTP/1.0\r\nHost: localhost\r\n$headers"
        . "Content-Length: " . length($body) . "\r\n\r\n$body";
    local $/;
    my $res = <$sock>;
    close $sock;
    my ($status) = $res =~ m{^HTTP/1\.\d (\d+)};
    my ($head, $b) = split /\r\n\r\n/, $res, 2;
    return ($status, $head, $b // '');
}

sub api {
    my ($path, $cookie, $body, %o) = @_;
    my $h = "Cookie: $cookie\r\nContent-Type: application/json\r\n";
    $h .= "X-A2F-CSRF: " . ($o{csrf} // A2F::csrf($SID)) . "\r\n"
        unless exists $o{csrf} && !defined $o{csrf};
    return req('POST', "/_a2f/$path", $h, $body);
}

sub challenge_of {
    my $json = shift;
    return $json =~ /"challenge":"([A-Za-z0-9_-]+)"/ ? $1 : '';
}

# an assertion for challenge (b64url) signed by key $name
sub assertion {
    my (%o) = @_;
    my $cdj = sprintf('{"type":"%s","challenge":"%s","origin":"%s",'
                      . '"crossOrigin":false}', $o{type} // 'webauthn.get',
                      $o{challenge}, $o{origin} // origin());
    my $ad = sha256($o{rp_id} // 'localhost') . chr($o{flags} // 1)
             . pack('N', $o{count});
    my $sig = sign($o{key} // 'kim', $ad . sha256($cdj));
    substr($sig, 10, 1) ^= "\x01" if $o{bad_sig};
    my $id = A2F::b64url($o{cred} // $CRED);
    return qq({"id":"$id","rawId":"$id","type":"public-key","response":)
           . qq({"clientDataJSON":") . A2F::b64url($cdj)
           . qq(","authenticatorData":") . A2F::b64url($ad)
           . qq(","signature":") . A2F::b64url($sig)
           . qq(","userHandle":null},"clientExtensionResults":{}});
}

sub fresh_challenge {
    my $ck = shift;
    my ($st, $h, $b) = api('key/options', $ck, '{}');
    return challenge_of($b);
}

# --- signin: the whole sign-in story, from a level-1 session
add_response_body_check(sub {
    my ($block, $body) = @_;
    $block->signin or return;
    my $name = $block->name;
    my $ck = cookie('kim', level => 1);

    my ($st, $h, $b) = api('key/verify?rd=%2Fapp', $ck,
                           assertion(challenge => 'AAAA', count => 1));
    is($st, 403, "$name - no challenge issued: refused");
    like($b, qr/"reason":"The request expired\. Press the button again\."/,
         "$name - ... says why");

    my $c = fresh_challenge($ck);
    like($c, qr/^[A-Za-z0-9_-]{43}$/, "$name - a 32-byte challenge");

    ($st, $h, $b) = api('key/verify?rd=%2Fapp', $ck,
                        assertion(challenge => $c, count => 5, bad_sig => 1));
    is($st, 403, "$name - a bad signature is refused");
    like($b, qr/"reason":"The key's answer could not be verified/,
         "$name - ... in plain words");

    $c = fresh_challenge($ck);
    ($st, $h, $b) = api('key/verify?rd=%2Fapp', $ck,
                        assertion(challenge => $c, count => 5,
                                  origin => 'http://evil.example'));
    is($st, 403, "$name - another origin is refused");

    $c = fresh_challenge($ck);
    ($st, $h, $b) = api('key/verify?rd=%2Fapp', $ck,
                        assertion(challenge => $c, count => 5,
                                  rp_id => 'evil.example'));
    is($st, 403, "$name - another RP ID is refused");

    $c = fresh_challenge($ck);
    ($st, $h, $b) = api('key/verify?rd=%2Fapp', $ck,
                        assertion(challenge => $c, count => 5, flags => 0));
    is($st, 403, "$name - without user presence: refused");

    $c = fresh_challenge($ck);
    my $good = assertion(challenge => $c, count => 5);
    ($st, $h, $b) = api('key/verify?rd=%2Fapp', $ck, $good);
    is($st, 200, "$name - a good assertion passes");
    is($b, '{"ok":true,"next":"/app"}', "$name - ... and says where to go");
    like($h, qr{\nSet-Cookie: a2f_session=2\.[0-9a-f]{8}\.[^.]+\.2\.\d+\.\d+\.\d+\.[1-9]\d*\.},
         "$name - ... with a two-factor session");
    like(A2F::ctl('key', 'list', 'kim'), qr/^yubi .*sign_count=5 /m,
         "$name - the counter is stored");

    ($st) = api('key/verify?rd=%2Fapp', $ck, $good);
    is($st, 403, "$name - the same assertion again: the challenge is used");

    $c = fresh_challenge($ck);
    ($st, $h, $b) = api('key/verify', $ck,
                        assertion(challenge => $c, count => 5));
    is($st, 403, "$name - a counter that does not grow is refused");
    like($b, qr/This key is blocked: .*may have been copied/,
         "$name - ... as a possible clone");
    like(A2F::ctl('audit', '10'), qr/key_cloned user=kim .*key=yubi count=5 stored=5/,
         "$name - ... audited");

    $c = fresh_challenge($ck);
    ($st) = api('key/verify', $ck, assertion(challenge => $c, count => 9));
    is($st, 403, "$name - the key stays blocked");
});

# --- register: a "none" attestation made here
sub cbor_bytes {
    my $b = shift;
    my $n = length $b;
    return ($n < 24 ? chr(0x40 + $n) : $n < 256 ? "\x58" . chr($n)
                                                : "\x59" . pack('n', $n)) . $b;
}

sub attestation {
    my (%o) = @_;
    my $cdj = sprintf('{"type":"webauthn.create","challenge":"%s",'
                      . '"origin":"%s","crossOrigin":false}',
                      $o{challenge}, origin());
    my $ad = sha256('localhost') . "\x41" . pack('N', 0) . ("\0" x 16)
             . pack('n', length $o{cred}) . $o{cred} . $o{cose};
    my $att = "\xa3\x63fmt\x64none\x67attStmt\xa0\x68authData"
              . cbor_bytes($ad);
    my $id = A2F::b64url($o{cred});
    return qq({"id":"$id","rawId":"$id","type":"public-key","response":)
           . qq({"clientDataJSON":") . A2F::b64url($cdj)
           . qq(","attestationObject":") . A2F::b64url($att)
           . qq(","transports":["usb"]}});
}

add_response_body_check(sub {
    my ($block, $body) = @_;
    $block->register or return;
    my $name = $block->name;
    my $ck = cookie('kim');

    my ($st, $h, $b) = api('key/register/options', cookie('kim', level => 1),
                           '{}');
    is($st, 403, "$name - a one-factor session cannot add a key");

    ($st, $h, $b) = api('key/register/options', $ck, '{}');
    is($st, 200, "$name - creation options");
    like($b, qr{"rp":\{"id":"localhost","name":"localhost"\}}, "$name - ... the RP");
    like($b, qr{"excludeCredentials":\[\{"type":"public-key","id":"\Q${\ A2F::b64url($CRED)}\E"},
         "$name - ... the user's keys excluded");
    my $c = challenge_of($b);

    my $cose = main::ec_key('second');
    my $cred = attestation(challenge => $c, cred => 'cred-kim-0002',
                           cose => $cose);
    ($st, $h, $b) = api('key/register', $ck,
                        qq({"name":"backup key","credential":$cred}));
    is($st, 200, "$name - the new key is stored");
    is($b, '{"ok":true,"name":"backup key"}', "$name - ... under its name");
    like(A2F::ctl('key', 'list', 'kim'), qr/^backup key .*fmt=none .*transports=usb/m,
         "$name - ... with its format and transports");

    ($st) = api('key/register', $ck,
                qq({"name":"again","credential":$cred}));
    is($st, 403, "$name - the challenge was used");

    ($st, $h, $b) = api('key/register/options', $ck, '{}');
    $c = challenge_of($b);
    $cred = attestation(challenge => $c, cred => 'cred-kim-0002',
                        cose => $cose);
    ($st, $h, $b) = api('key/register', $ck,
                        qq({"name":"twin","credential":$cred}));
    is($st, 409, "$name - the same credential twice: 409");

    # the new key signs in
    $c = fresh_challenge(cookie('kim', level => 1));
    ($st) = api('key/verify', cookie('kim', level => 1),
                assertion(challenge => $c, count => 1, key => 'second',
                          cred => 'cred-kim-0002'));
    is($st, 200, "$name - the new key signs in");

    # administrators, for another user; others may not
    ($st) = api('key/register/options', cookie('bob'), '{"user":"kim"}');
    is($st, 403, "$name - a user cannot add a key to another");
    ($st, $h, $b) = api('key/register/options', cookie('root'), '{"user":"kim"}');
    is($st, 200, "$name - an administrator can");
    like($b, qr{"name":"kim"}, "$name - ... for that user");
    ($st) = api('key/register/options', cookie('root', factor => time - 3600),
                '{"user":"kim"}');
    is($st, 403, "$name - ... with a recent second factor only");
});

our $CONF = <<'EOT';
    location /_a2f/ {
        a2f_portal;
        a2f_webauthn on;
    }
    location / {
        a2f two_factor;
        proxy_set_header Remote-User $a2f_user;
        proxy_pass http://127.0.0.2:$TEST_NGINX_SERVER_PORT;
    }
EOT

repeat_each(1);
no_shuffle();
no_root_location();
A2F::defaults();

run_tests();

__DATA__

=== TEST 1: without a2f_webauthn there is no key page
--- request
GET /_a2f/key
--- more_headers eval
"Cookie: " . main::cookie('kim', level => 1)
--- error_code: 404
--- error_log
a2f_webauthn is off
--- no_error_log
[error]



=== TEST 2: a user with only keys is sent from the code page to the key page
--- config eval
$main::CONF
--- request
GET /_a2f/otc?rd=%2Fapp
--- more_headers eval
"Cookie: " . main::cookie('kim', level => 1)
--- error_code: 302
--- response_headers_like
Location: (http://[^/]+)?/_a2f/key\?rd=%2Fapp$
--- no_error_log
[error]



=== TEST 3: the key page: the button, the script, no inline script
--- config eval
$main::CONF
--- request
GET /_a2f/key?rd=%2Fapp
--- more_headers eval
"Cookie: " . main::cookie('kim', level => 1)
--- error_code: 200
--- response_headers_like
Content-Security-Policy: default-src 'none'; script-src 'self'; .*
--- response_body_like eval
qr{<script src="/_a2f/a2f\.js" defer></script>.*data-a2f="signin"}s
--- response_body_unlike: Use a code
--- no_error_log
[error]



=== TEST 4: a user with an app and a key chooses
--- config eval
$main::CONF
--- request eval
["GET /_a2f/otc?rd=%2Fapp", "GET /_a2f/key?rd=%2Fapp"]
--- more_headers eval
"Cookie: " . main::cookie('both', level => 1)
--- error_code eval
[200, 200]
--- response_body_like eval
[qr{<a href="/_a2f/key\?rd=%2Fapp">Use a security key instead</a>},
 qr{<a href="/_a2f/otc\?rd=%2Fapp">Use a code from your authenticator app instead</a>}]
--- no_error_log
[error]



=== TEST 5: a2f.js is served, as a script
--- config eval
$main::CONF
--- request
GET /_a2f/a2f.js
--- error_code: 200
--- response_headers_like
Content-Type: application/javascript; charset=utf-8
--- response_body_like: navigator\.credentials
--- no_error_log
[error]



=== TEST 6: options need a session and the CSRF header
--- config eval
$main::CONF
--- request eval
["POST /_a2f/key/options\n{}", "POST /_a2f/key/options\n{}"]
--- more_headers eval
["Content-Type: application/json",
 "Content-Type: application/json\nCookie: " . main::cookie('kim', level => 1)]
--- error_code eval
[401, 403]
--- response_body_like eval
[qr/"error":"unauthorized"/, qr/"error":"csrf"/]
--- no_error_log
[error]



=== TEST 7: the request options: RP ID from server_name, the user's keys
--- config eval
$main::CONF
--- request
POST /_a2f/key/options
{}
--- more_headers eval
"Content-Type: application/json\nX-A2F-CSRF: " . A2F::csrf($main::SID)
. "\nCookie: " . main::cookie('kim', level => 1)
--- error_code: 200
--- response_headers_like
Content-Type: application/json
--- response_body_like eval
qr{^\{"publicKey":\{"challenge":"[A-Za-z0-9_-]{43}",.*"rpId":"localhost","allowCredentials":\[\{"type":"public-key","id":"\Q${\ A2F::b64url($main::CRED)}\E"\}\]}
--- no_error_log
[error]



=== TEST 8: a body that is not JSON (it uses up TEST 7's challenge), or too big, or not JSON's type
--- config eval
$main::CONF
--- request eval
["POST /_a2f/key/verify\n{", "POST /_a2f/key/verify\n" . ('x' x 40000),
 "POST /_a2f/key/verify\n{}"]
--- more_headers eval
["Content-Type: application/json\nX-A2F-CSRF: " . A2F::csrf($main::SID)
 . "\nCookie: " . main::cookie('kim', level => 1),
 "Content-Type: application/json\nX-A2F-CSRF: " . A2F::csrf($main::SID)
 . "\nCookie: " . main::cookie('kim', level => 1),
 "Content-Type: text/plain\nX-A2F-CSRF: " . A2F::csrf($main::SID)
 . "\nCookie: " . main::cookie('kim', level => 1)]
--- error_code eval
[400, 413, 415]
--- no_error_log
[error]



=== TEST 9: sign-in: challenge, signature, origin, RP ID, presence, counter
--- config eval
$main::CONF
--- request
GET /_a2f/key
--- more_headers eval
"Cookie: " . main::cookie('kim', level => 1)
--- error_code: 200
--- signin: 1
--- no_error_log
[error]



=== TEST 10: malformed assertions are a 400 with a reason
--- config eval
$main::CONF
--- request eval
my $ck = "Content-Type: application/json\nX-A2F-CSRF: " . A2F::csrf($main::SID)
         . "\nCookie: " . main::cookie('both', level => 1);
["POST /_a2f/key/options\n{}", "POST /_a2f/key/verify\n{\"id\":1}"]
--- more_headers eval
"Content-Type: application/json\nX-A2F-CSRF: " . A2F::csrf($main::SID)
. "\nCookie: " . main::cookie('both', level => 1)
--- error_code eval
[200, 400]
--- response_body_like eval
[qr/publicKey/, qr/"error":"malformed","reason":"[^"]+"/]
--- no_error_log
[error]



=== TEST 11: registration, and who may register for whom
--- config eval
$main::CONF
--- request
GET /_a2f/account
--- more_headers eval
"Cookie: " . main::cookie('kim')
--- error_code: 200
--- register: 1
--- no_error_log
[error]



=== TEST 12: the account page lists the keys with a remove button
--- config eval
$main::CONF
--- request
GET /_a2f/account
--- more_headers eval
"Cookie: " . main::cookie('kim')
--- error_code: 200
--- response_body_like eval
qr{<ul class="devices keys"><li><span>backup key</span> <form method="post" action="/_a2f/account">.*name="key" value="backup key">.*<li><span>yubi <span class="tag bad">blocked</span></span>}s
--- no_error_log
[error]



=== TEST 13: remove a key
--- config eval
$main::CONF
--- request eval
"POST /_a2f/account\naction=key_del&key=backup+key&csrf=" . A2F::csrf($main::SID)
--- more_headers eval
"Content-Type: application/x-www-form-urlencoded\nCookie: " . main::cookie('kim')
--- error_code: 200
--- response_body_unlike: backup key
--- error_log
a2f: audit: key_del user=kim addr=127.0.0.1 key=backup key
--- no_error_log
[error]
