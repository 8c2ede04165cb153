# The auth2factor-compatible API (../shared/design/AUTH2FACTOR-API.md),
# driven the way the SDKs drive it: JWTs made here with the client's
# secret, one-time codes computed here, and a software FIDO U2F token (a
# P-256 key pair and a self-signed attestation certificate made with
# openssl at test time) that writes real raw U2F registration and
# authentication messages.  Every call, its success and its failures.
use lib 't';
use Test::Nginx::Socket 'no_plan';
use IO::Socket::INET;
use Digest::SHA qw(sha256 hmac_sha256);
use MIME::Base64 qw(decode_base64url);
use POSIX qw(strftime);
use A2F;

my $dir = A2F::setup();

our $SECRET = 'app-secret-0123456789-abcdefghijk';
A2F::write_file("$dir/app.secret", "  $SECRET\n\n");     # trimmed
A2F::write_file("$dir/far.secret", "far-secret-far-secret-far-secret\n");
A2F::write_file("$dir/near.secret", "near-secret-near-secret-near\n");
chmod 0600, map { "$dir/$_.secret" } qw(app far near);

our $APPID = 'https://localhost';
our %TOTP = (
    'ann@example.com' => A2F::add_user('ann@example.com', 'ann-password'),
    'uma@example.com' => A2F::add_user('uma@example.com', 'uma-password'),
    'gil'             => A2F::add_user('gil', 'gil-password'),
    'rev'             => A2F::add_user('rev', 'rev-password'),
    'ivy'             => A2F::add_user('ivy', 'ivy-password'),
);
A2F::add_user('off', 'off-password');
A2F::add_user('rec', 'rec-password', totp => 0);
our @RECOVERY = grep { /^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/ }
                split /\n/, A2F::ctl('recovery', 'rec');
our $LOCK = A2F::add_user('lock', 'lock-password');
A2F::ctl('user', 'disable', 'off');

# --- HTTP, JWTs, tokens ------------------------------------------------------

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
    return ($status, "$head\r\n", $b // '');
}

# a header's value, looked up by its exact (lower-case) name as the PHP
# SDK does
sub header {
    my ($head, $name) = @_;
    return $head =~ /\r\n\Q$name\E: ([^\r\n]*)\r\n/ ? $1 : undef;
}

sub post {
    my ($path, $auth, $body, $prefix) = @_;
    my $h = "Content-Type: application/json\r\n";
    $h .= "Authorization: $auth\r\n" if defined $auth;
    return req('POST', ($prefix // '/api') . "/v2/$path", $h, $body);
}

sub json_str { my $s = shift; $s =~ s/(["\\])/\\$1/g; return qq("$s") }

# a JWT as the SDKs make it; claims as key => value (numbers stay bare)
sub jwt {
    my (%o) = @_;
    my $secret = delete $o{secret} // $SECRET;
    my $head = delete $o{header} // '{"typ":"JWT","alg":"HS256"}';
    my $claims = delete $o{claims};
    my $payload = $claims // '{' . join(',', map {
        my $v = $o{$_};
        json_str($_) . ':' . ($v =~ /^-?\d+$/ ? $v : json_str($v))
    } sort keys %o) . '}';
    my $text = A2F::b64url($head) . '.' . A2F::b64url($payload);
    return "$text." . A2F::b64url(hmac_sha256($text, $secret));
}

# the PHP SDK before 1.3.0: created, a date, no exp
sub sdk_jwt {
    my ($account, %o) = @_;
    return jwt(accountRequester => $account, email => $account,
               apiUniqueId => 'app-key-1',
               created => strftime('%Y-%m-%dT%H:%M:%S+00:00', gmtime), %o);
}

sub client_auth {
    my ($account, %o) = @_;
    my $key = delete $o{key} // 'app-key-1';
    return "Bearer $key:" . sdk_jwt($account, %o);
}

# delegate: (status, temporary token, sign requests, head, body)
sub delegate {
    my ($account, %o) = @_;
    my ($st, $h, $b) = post('users/delegate', client_auth($account, %o),
                            qq({"account":) . json_str($account) . '}',
                            $o{prefix});
    return ($st, header($h, 'x-app-sign-request'),
            header($h, 'x-u2f-sign-request'), $h, $b);
}

# otc: (status, bearer, group, head, body)
sub otc {
    my ($token, $code) = @_;
    my ($st, $h, $b) = post('users/otc', "Bearer $token",
                            qq({"code":"$code"}));
    return ($st, header($h, 'x-app-bearer'),
            header($h, 'x-app-account-group'), $h, $b);
}

# a bearer for account, through delegate and a code
sub bearer_for {
    my $account = shift;
    my (undef, $t) = delegate($account);
    my (undef, $bearer) = otc($t, A2F::totp($TOTP{$account}));
    return $bearer;
}

# --- the software U2F token ---------------------------------------------------

sub openssl {
    my $cmd = shift;
    system("openssl $cmd 2>/dev/null") == 0 or die "openssl $cmd failed\n";
}

openssl("ecparam -name prime256v1 -genkey -noout -out $dir/att.pem");
openssl("req -x509 -new -key $dir/att.pem -subj /CN=a2f-soft-u2f -days 2"
        . " -outform DER -out $dir/att.der");
our $CERT = A2F::read_file("$dir/att.der");

# a user key: (pem name, 65-byte point)
sub user_key {
    my $name = shift;
    openssl("ecparam -name prime256v1 -genkey -noout -out $dir/$name.pem");
    my $der = `openssl ec -in $dir/$name.pem -pubout -outform DER 2>/dev/null`;
    return substr($der, -65);
}

sub sign {
    my ($pem, $data) = @_;
    A2F::write_file("$dir/data.bin", $data);
    my $sig = `openssl dgst -sha256 -sign $dir/$pem.pem -binary $dir/data.bin`;
    die "openssl dgst failed\n" if $? != 0;
    return $sig;
}

our %KEYS;      # name => { point, kh }
for my $k (qw(k1 k2)) {
    $KEYS{$k} = { point => user_key($k), kh => "soft-u2f-handle-$k" . ('.' x 20) };
}

# registrationData and clientData (websafe base64) for a challenge
sub u2f_register {
    my (%o) = @_;
    my $k = $KEYS{$o{key} // 'k1'};
    my $cd = sprintf('{"typ":"%s","challenge":"%s","origin":"%s"}',
                     $o{typ} // 'navigator.id.finishEnrollment',
                     $o{challenge}, $o{origin} // $APPID);
    my $sig = sign('att', "\x00" . sha256($o{appid} // $APPID) . sha256($cd)
                          . $k->{kh} . $k->{point});
    substr($sig, 12, 1) ^= "\x01" if $o{bad_sig};
    my $reg = "\x05" . $k->{point} . chr(length $k->{kh}) . $k->{kh} . $CERT
              . $sig;
    return (A2F::b64url($cd), A2F::b64url($reg));
}

# a sign response (clientData, signatureData) for a challenge
sub u2f_sign {
    my (%o) = @_;
    my $cd = sprintf('{"typ":"%s","challenge":"%s","origin":"%s"}',
                     $o{typ} // 'navigator.id.getAssertion', $o{challenge},
                     $o{origin} // $APPID);
    my $head = chr($o{presence} // 1) . pack('N', $o{count});
    my $sig = sign($o{key} // 'k1', sha256($o{appid} // $APPID) . $head
                                    . sha256($cd));
    substr($sig, 12, 1) ^= "\x01" if $o{bad_sig};
    return (A2F::b64url($cd), A2F::b64url($head . $sig));
}

sub u2f_body {
    my ($cd, $data, $field) = @_;
    return qq({"clientData":"$cd","$field":"$data"});
}

sub challenge_in {
    my $sr = shift // '';
    return $sr =~ /"challenge":"([A-Za-z0-9_-]+)"/ ? $1 : '';
}

# --- the checks, run after a block's request ----------------------------------

# delegate and otc, and the client authentication
add_response_body_check(sub {
    my ($block) = @_;
    $block->delegate_otc or return;
    my $n = $block->name;
    my $ann = 'ann@example.com';

    my ($st, $t, $sr, $h, $b) = delegate($ann);
    is($st, 201, "$n - delegate: 201");
    like($t, qr/^t1\.[0-9a-f]{8}\.[A-Za-z0-9_-]{22}\.\d+\.\d+\.app\./,
         "$n - x-app-sign-request, lower case, a temporary token");
    ok(!defined $sr, "$n - no x-u2f-sign-request without security keys");
    is($b, '', "$n - ... and no body");

    my ($st2, $bearer, $group) = otc($t, A2F::wrong_code($TOTP{$ann}));
    is($st2, 401, "$n - a wrong code: 401");
    ($st2) = otc($t, A2F::totp($TOTP{$ann}));
    is($st2, 401, "$n - the delegated token had 1 try: dead now");

    (undef, $t) = delegate($ann);
    my $code = A2F::totp($TOTP{$ann});
    ($st2, $bearer, $group, $h) = otc($t, $code);
    is($st2, 201, "$n - the right code: 201");
    like($bearer, qr/^b1\.[0-9a-f]{8}\.[A-Za-z0-9_-]{22}\.\d+\.\d+\.app\./,
         "$n - x-app-bearer");
    is($group, 'default', "$n - x-app-account-group: default");
    my ($exp) = $bearer =~ /^b1\.\w+\.[\w-]+\.\d+\.(\d+)\./;
    ok(abs($exp - time - 86400) < 30, "$n - the bearer lasts 24 hours");
    ($exp) = $t =~ /^t1\.\w+\.[\w-]+\.\d+\.(\d+)\./;
    ok(abs($exp - time - 300) < 30, "$n - the delegated token lasted 5 min");

    (undef, $t) = delegate($ann);
    ($st2) = otc($t, $code);
    is($st2, 401, "$n - the same code again (a new token): replayed, 401");

    ($st2) = otc($bearer, $code);
    is($st2, 401, "$n - a bearer is no temporary token");
    my ($st3) = req('GET', '/api/v2/security_keys', "Authorization: Bearer $t\r\n");
    is($st3, 401, "$n - a temporary token is no bearer");
    ($st3, $h, $b) = req('GET', '/api/v2/security_keys',
                         "Authorization: Bearer $bearer\r\n");
    is($st3, 200, "$n - the bearer lists the keys");
    is($b, qq({"securityKeys":[]}\n), "$n - ... none");

    # group
    A2F::ctl('user', 'group', $ann, 'staff');
    (undef, $t) = delegate($ann);
    ($st2, $bearer, $group) = otc($t, A2F::totp($TOTP{$ann}, offset => 30));
    is($group, 'staff', "$n - x-app-account-group: the user's group");

    # the portal's path serves the same API
    ($st, $t) = delegate('gil', prefix => '/_a2f/api');
    is($st, 201, "$n - /_a2f/api/v2/users/delegate works too");
});

# what the client authentication refuses
add_response_body_check(sub {
    my ($block) = @_;
    $block->client_auth or return;
    my $n = $block->name;
    my $gil = 'gil';
    my $now = time;
    my %bad = (
        'no Authorization' => undef,
        'not Bearer' => 'Basic ' . A2F::b64url('a:b'),
        'no JWT' => 'Bearer app-key-1:',
        'an unknown api key' => client_auth($gil, key => 'nobody'),
        'a bad signature' => client_auth($gil, secret => 'wrong-secret'),
        'alg none' => 'Bearer app-key-1:' . A2F::b64url('{"alg":"none"}')
                      . '.' . A2F::b64url(qq({"email":"gil","iat":$now})) . '.',
        'alg HS512' => 'Bearer app-key-1:' . jwt(header => '{"alg":"HS512"}',
                                                 email => $gil, iat => $now),
        'alg RS256' => 'Bearer app-key-1:' . jwt(header => '{"alg":"RS256"}',
                                                 email => $gil, iat => $now),
        'an expired exp' => 'Bearer app-key-1:' . jwt(email => $gil,
                                    iat => $now - 400, exp => $now - 100),
        'a stale created, no exp' => client_auth($gil,
            created => strftime('%Y-%m-%dT%H:%M:%S+00:00',
                                gmtime($now - 600))),
        'a stale iat, no exp' => 'Bearer app-key-1:' . jwt(email => $gil,
                                                           iat => $now - 600),
        'no time at all' => 'Bearer app-key-1:' . jwt(email => $gil),
        'a JWT of another client' => 'Bearer app-key-1:'
            . jwt(secret => 'near-secret-near-secret-near', email => $gil,
                  iat => $now),
        'a JWT for another account' => client_auth('ann@example.com'),
        'an address outside allow=' => 'Bearer far-key:'
            . jwt(secret => 'far-secret-far-secret-far-secret', iat => $now),
    );
    for my $what (sort keys %bad) {
        my ($st, $h, $b) = post('users/delegate', $bad{$what},
                                '{"account":"gil"}');
        is($st, 401, "$n - $what: 401");
        ok(!defined header($h, 'x-app-sign-request'), "$n - ... no token");
        is($b, qq({"statusCode":401,"error":"Unauthorized","message":)
               . qq("Unauthorized."}\n), "$n - ... the error body");
    }

    my ($st) = post('users/delegate', 'Bearer near-key:'
                    . jwt(secret => 'near-secret-near-secret-near',
                          iat => $now), '{"account":"gil"}');
    is($st, 201, "$n - a client inside its allow= passes");

    ($st) = post('users/delegate', 'Bearer app-key-1:'
                 . jwt(accountRequester => 'gil', email => 'gil',
                       apiUniqueId => 'app-key-1', created => 'DATE_W3C',
                       iat => $now, exp => $now + 300),
                 '{"account":"gil"}');
    is($st, 201, "$n - the PHP SDK 1.3.0 shape (iat, exp, odd created)");

    my ($b);
    ($st, undef, undef, undef, $b) = delegate('nobody@example.com');
    is($st, 404, "$n - an unknown user: 404");
    like($b, qr/^\{"statusCode":404,"error":"Not Found","message":"No such user\."\}/,
         "$n - ... the error body");
    ($st) = delegate('off');
    is($st, 404, "$n - a disabled user: 404");
    ($st) = delegate("bad name");
    is($st, 404, "$n - a name that cannot exist: 404");

    ($st, my $h, $b) = req('POST', '/api/v2/users/delegate',
                           "Authorization: " . client_auth('gil') . "\r\n"
                           . "Content-Type: text/plain\r\n",
                           '{"account":"gil"}');
    is($st, 415, "$n - not application/json: 415");
    like($b, qr/^\{"statusCode":415,"error":"Unsupported Media Type",/,
         "$n - ... the error body");
    ($st, $h, $b) = post('users/delegate', client_auth('gil'), '{"account":');
    is($st, 400, "$n - malformed JSON: 400");
    ($st) = post('users/delegate', client_auth('gil'), '{"account":1}');
    is($st, 400, "$n - account not a string: 400");
    ($st) = post('users/delegate', client_auth('gil'),
                 '{"account":"gil","account":"ann@example.com"}');
    is($st, 400, "$n - a duplicate member: 400");
});

# authenticate: the password, 3 tries, 13 minutes
add_response_body_check(sub {
    my ($block) = @_;
    $block->authenticate or return;
    my $n = $block->name;
    my $uma = 'uma@example.com';

    my ($st, $h, $b) = post('users/authenticate', undef,
                            qq({"email":"$uma","password":"uma-password",)
                            . qq("doRequestOtc":false}));
    is($st, 201, "$n - the right password: 201");
    my $t = header($h, 'x-app-sign-request');
    like($t, qr/^t1\.[0-9a-f]{8}\.[\w-]{22}\.\d+\.\d+\.\./,
         "$n - a temporary token (no client)");
    my ($exp) = $t =~ /^t1\.\w+\.[\w-]+\.\d+\.(\d+)\./;
    ok(abs($exp - time - 780) < 30, "$n - ... for 13 minutes");

    my ($st2) = otc($t, A2F::wrong_code($TOTP{$uma}));
    is($st2, 401, "$n - try 1: a wrong code");
    ($st2) = otc($t, A2F::wrong_code($TOTP{$uma}));
    is($st2, 401, "$n - try 2: a wrong code");
    ($st2, my $bearer) = otc($t, A2F::totp($TOTP{$uma}));
    is($st2, 201, "$n - try 3: the right code");
    like($bearer, qr/^b1\./, "$n - ... a bearer");

    ($st, $h, $b) = post('users/authenticate', undef,
                         qq({"email":"$uma","password":"wrong"}));
    is($st, 400, "$n - a wrong password: 400");
    is($b, qq({"statusCode":400,"error":"Bad Request","message":)
           . qq("Invalid email or password."}\n), "$n - ... the error body");
    my ($st3, $h3, $b3) = post('users/authenticate', undef,
                               qq({"email":"nobody","password":"wrong"}));
    is($st3, 400, "$n - an unknown user: 400");
    is($b3, $b, "$n - ... the same body: nothing tells who exists");
    ($st3) = post('users/authenticate', undef, qq({"email":"$uma"}));
    is($st3, 400, "$n - no password: 400");

    ($st3) = post('users/authenticate',
                  'Bearer app-key-1:' . jwt(email => $uma, iat => time,
                                            secret => 'bad'),
                  qq({"email":"$uma","password":"uma-password"}));
    is($st3, 401, "$n - a bad Authorization is refused even here");
});

# U2F: challenge, register, list, delegate with sign requests, u2f
add_response_body_check(sub {
    my ($block) = @_;
    $block->u2f or return;
    my $n = $block->name;
    my $gil = 'gil';
    my $bearer = bearer_for($gil);
    my $auth = "Bearer $bearer";

    my ($st, $h, $b) = post('security_keys', $auth,
                            u2f_body(u2f_register(challenge => 'AAAA'),
                                     'registrationData'));
    is($st, 400, "$n - register without a challenge: 400");

    ($st, $h) = post('security_keys/challenge', $auth, '');
    is($st, 201, "$n - a registration challenge: 201");
    is(header($h, 'x-app-u2f-version'), 'U2F_V2', "$n - x-app-u2f-version");
    is(header($h, 'x-app-u2f-appid'), $APPID, "$n - x-app-u2f-appid");
    my $c = header($h, 'x-app-u2f-challenge');
    like($c, qr/^[A-Za-z0-9_-]{43}$/, "$n - x-app-u2f-challenge");

    ($st, $h, $b) = post('security_keys', $auth,
                         u2f_body(u2f_register(challenge => $c, bad_sig => 1),
                                  'registrationData'));
    is($st, 400, "$n - a bad attestation signature: 400");
    ($st) = post('security_keys', $auth,
                 u2f_body(u2f_register(challenge => $c), 'registrationData'));
    is($st, 400, "$n - the challenge was used by the failed attempt");

    for my $bad ([typ => 'navigator.id.getAssertion'],
                 [origin => 'https://evil.example'],
                 [appid => 'https://evil.example']) {
        (undef, $h) = post('security_keys/challenge', $auth, '');
        $c = header($h, 'x-app-u2f-challenge');
        ($st) = post('security_keys', $auth,
                     u2f_body(u2f_register(challenge => $c, @$bad),
                              'registrationData'));
        is($st, 400, "$n - registration with a wrong $bad->[0]: 400");
    }

    (undef, $h) = post('security_keys/challenge', $auth, '');
    $c = header($h, 'x-app-u2f-challenge');
    ($st) = post('security_keys', $auth, '{"clientData":"%%%",'
                 . '"registrationData":"!!"}');
    is($st, 400, "$n - garbage base64: 400");

    (undef, $h) = post('security_keys/challenge', $auth, '');
    $c = header($h, 'x-app-u2f-challenge');
    my ($cd, $rd) = u2f_register(challenge => $c);
    ($st, $h, $b) = post('security_keys', $auth,
                         qq({"clientData":"$cd","registrationData":"$rd",)
                         . qq("description":"Blue key"}));
    is($st, 201, "$n - a good registration: 201");
    like(A2F::ctl('key', 'list', $gil), qr/^Blue key .*appid=\Q$APPID\E/m,
         "$n - ... stored with its appId");
    like(A2F::ctl('audit', '5'), qr/key_add user=gil .*key=Blue key fmt=u2f by=api client=app/,
         "$n - ... audited");

    ($st, $h, $b) = req('GET', '/api/v2/security_keys', "Authorization: $auth\r\n");
    is($st, 200, "$n - list: 200");
    my $pub = A2F::b64url($KEYS{k1}{point});
    like($b, qr/^\{"securityKeys":\[\{"id":"\Q$pub\E","appId":"\Q$APPID\E",/,
         "$n - ... the key, its appId");
    like($b, qr/"publicKey":"\Q$pub\E","keyHandle":"\Q@{[A2F::b64url($KEYS{k1}{kh})]}\E"/,
         "$n - ... its publicKey (the U2F point) and keyHandle");
    like($b, qr/"created":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z","updated":"[^"]+","description":"Blue key"/,
         "$n - ... dates and description");

    # sign in with it
    my ($st2, $t, $sr) = delegate($gil);
    is($st2, 201, "$n - delegate: 201");
    like($sr, qr/^\[\{"version":"U2F_V2","appId":"\Q$APPID\E","challenge":"[\w-]{43}","keyHandle":"\Q@{[A2F::b64url($KEYS{k1}{kh})]}\E"\}\]$/,
         "$n - x-u2f-sign-request: one sign request per key");
    $c = challenge_in($sr);

    ($st, $h, $b) = post('users/u2f', "Bearer $t",
                         u2f_body(u2f_sign(challenge => $c, count => 7,
                                           bad_sig => 1), 'signatureData'));
    is($st, 401, "$n - a tampered signature: 401");

    (undef, $t, $sr) = delegate($gil);
    $c = challenge_in($sr);
    ($st) = post('users/u2f', "Bearer $t",
                 u2f_body(u2f_sign(challenge => $c, count => 7,
                                   origin => 'https://evil.example'),
                          'signatureData'));
    is($st, 401, "$n - another origin than the appId: 401");

    (undef, $t, $sr) = delegate($gil);
    $c = challenge_in($sr);
    ($st) = post('users/u2f', "Bearer $t",
                 u2f_body(u2f_sign(challenge => $c, count => 7,
                                   appid => 'https://evil.example'),
                          'signatureData'));
    is($st, 401, "$n - signed for another appId: 401");

    (undef, $t, $sr) = delegate($gil);
    $c = challenge_in($sr);
    ($st) = post('users/u2f', "Bearer $t",
                 u2f_body(u2f_sign(challenge => 'A' x 43, count => 7),
                          'signatureData'));
    is($st, 401, "$n - another challenge: 401");

    (undef, $t, $sr) = delegate($gil);
    ($st) = post('users/u2f', "Bearer $t",
                 '{"clientData":"@@@","signatureData":"###"}');
    is($st, 401, "$n - garbage base64: 401");

    (undef, $t, $sr) = delegate($gil);
    $c = challenge_in($sr);
    ($st) = post('users/u2f', "Bearer $t",
                 u2f_body(u2f_sign(challenge => $c, count => 7,
                                   presence => 0), 'signatureData'));
    is($st, 401, "$n - without user presence: 401");

    (undef, $t, $sr) = delegate($gil);
    $c = challenge_in($sr);
    ($st, $h, $b) = post('users/u2f', "Bearer $t",
                         u2f_body(u2f_sign(challenge => $c, count => 7),
                                  'signatureData'));
    is($st, 201, "$n - a good signature: 201");
    like(header($h, 'x-app-bearer'), qr/^b1\./, "$n - ... x-app-bearer");
    is(header($h, 'x-app-account-group'), 'default',
       "$n - ... x-app-account-group");
    like(A2F::ctl('key', 'list', $gil), qr/^Blue key .*sign_count=7 /m,
         "$n - ... the counter is stored");
    ($st) = post('users/u2f', "Bearer $t",
                 u2f_body(u2f_sign(challenge => $c, count => 8),
                          'signatureData'));
    is($st, 401, "$n - the token is spent");

    # the same key registered again is refused
    (undef, $h) = post('security_keys/challenge', $auth, '');
    $c = header($h, 'x-app-u2f-challenge');
    ($st, $h, $b) = post('security_keys', $auth,
                         u2f_body(u2f_register(challenge => $c),
                                  'registrationData'));
    is($st, 400, "$n - the same key again: 400");
    like($b, qr/registered already/, "$n - ... says why");

    # a counter that does not grow: refused, the key blocked
    (undef, $t, $sr) = delegate($gil);
    $c = challenge_in($sr);
    ($st) = post('users/u2f', "Bearer $t",
                 u2f_body(u2f_sign(challenge => $c, count => 7),
                          'signatureData'));
    is($st, 401, "$n - a counter that did not grow: 401");
    like(A2F::ctl('audit', '10'), qr/key_cloned user=gil .*key=Blue key count=7 stored=7/,
         "$n - ... audited as a possible clone");
    (undef, $t, $sr) = delegate($gil);
    ok(!defined $sr, "$n - a blocked key gets no sign request");

    # delete it
    ($st) = req('DELETE', '/api/v2/security_keys/nonexistent',
                "Authorization: $auth\r\n");
    is($st, 404, "$n - delete an unknown id: 404");
    ($st, $h, $b) = req('DELETE', "/api/v2/security_keys/$pub",
                        "Authorization: $auth\r\n");
    is($st, 204, "$n - delete by publicKey: 204");
    is($b, '', "$n - ... no body");
    unlike(A2F::ctl('key', 'list', $gil), qr/Blue key/, "$n - ... gone");
    ($st) = req('DELETE', "/api/v2/security_keys/$pub",
                "Authorization: $auth\r\n");
    is($st, 404, "$n - delete it again: 404");
    ($st) = req('DELETE', "/api/v2/security_keys/$pub", '');
    is($st, 401, "$n - delete without a bearer: 401");
});

# interop with the portal: an API key signs in there (WebAuthn appid), a
# portal key shows in the API's list
add_response_body_check(sub {
    my ($block) = @_;
    $block->interop or return;
    my $n = $block->name;
    my $ann = 'ivy';        # a code per user and 30 s: a user of its own
    my $auth = 'Bearer ' . bearer_for($ann);

    my (undef, $h) = post('security_keys/challenge', $auth, '');
    my $c = header($h, 'x-app-u2f-challenge');
    my ($st) = post('security_keys', $auth,
                    u2f_body(u2f_register(challenge => $c, key => 'k2'),
                             'registrationData'));
    is($st, 201, "$n - a key registered through the API");

    # the portal's key page asks for it with the appid extension
    my $sid = 'I' x 16;
    my $ck = "a2f_session=" . A2F::cookie(user => $ann, sid => $sid,
                                          level => 1);
    my $csrf = A2F::csrf($sid);
    my $b;
    ($st, $h, $b) = req('POST', '/_a2f/key/options',
                        "Cookie: $ck\r\nContent-Type: application/json\r\n"
                        . "X-A2F-CSRF: $csrf\r\n", '{}');
    is($st, 200, "$n - portal: key options");
    (my $esc = $APPID) =~ s{/}{\\/}g;     # jansson writes "\/"
    like($b, qr/"extensions":\{"appid":"\Q$esc\E"\}/,
         "$n - ... with the appid extension");
    my ($wc) = $b =~ /"challenge":"([\w-]+)"/;

    # the key answers as a U2F key does to WebAuthn with appid
    my $cdj = sprintf('{"type":"webauthn.get","challenge":"%s","origin":'
                      . '"http://localhost:%d","crossOrigin":false}', $wc,
                      server_port());
    my $ad = sha256($APPID) . "\x01" . pack('N', 3);
    my $sig = sign('k2', $ad . sha256($cdj));
    my $id = A2F::b64url($KEYS{k2}{kh});
    ($st, $h, $b) = req('POST', '/_a2f/key/verify',
                        "Cookie: $ck\r\nContent-Type: application/json\r\n"
                        . "X-A2F-CSRF: $csrf\r\n",
                        qq({"id":"$id","rawId":"$id","type":"public-key",)
                        . qq("response":{"clientDataJSON":")
                        . A2F::b64url($cdj) . qq(","authenticatorData":")
                        . A2F::b64url($ad) . qq(","signature":")
                        . A2F::b64url($sig) . qq(","userHandle":null},)
                        . qq("clientExtensionResults":{"appid":true}}));
    is($st, 200, "$n - the API's key signs in on the portal");
    like($h, qr/\r\nSet-Cookie: a2f_session=2\.[0-9a-f]{8}\.[^.]+\.2\./,
         "$n - ... a two-factor session");

    # a key added as the portal adds them is in the API's list
    A2F::ctl('key', 'add', $ann, 'portal-key', '--cred-id',
             A2F::b64url('portal-cred'), '--public-key',
             A2F::b64url("\xa5\x01\x02\x03\x26\x20\x01\x21\x58\x20"
                         . substr($KEYS{k1}{point}, 1, 32) . "\x22\x58\x20"
                         . substr($KEYS{k1}{point}, 33, 32)));
    ($st, $h, $b) = req('GET', '/api/v2/security_keys', "Authorization: $auth\r\n");
    like($b, qr/"appId":"","publicKey":"[\w-]+","keyHandle":"\Q@{[A2F::b64url('portal-cred')]}\E".*"description":"portal-key"/,
         "$n - a portal key is in the API's list");

    # a revoked user's bearer stops working
    my $rb = bearer_for('rev');
    ($st) = req('GET', '/api/v2/security_keys', "Authorization: Bearer $rb\r\n");
    is($st, 200, "$n - a bearer of rev works");
    A2F::ctl('revoke', 'rev');
    ($st) = req('GET', '/api/v2/security_keys', "Authorization: Bearer $rb\r\n");
    is($st, 401, "$n - after a2fctl revoke: 401");
});

# the lockout is the portal's: wrong codes through the API lock the user
# out of both
add_response_body_check(sub {
    my ($block) = @_;
    $block->lockout or return;
    my $n = $block->name;
    for my $i (1 .. 3) {
        my (undef, $t) = delegate('lock');
        my ($st) = otc($t, A2F::wrong_code($main::LOCK));
        is($st, 401, "$n - wrong code $i: 401");
    }
    my (undef, $t) = delegate('lock');
    my ($st, undef, undef, undef, $b) = otc($t, A2F::totp($main::LOCK));
    is($st, 401, "$n - then the right code is refused too");
    like($b, qr/"message":"Too many failed attempts\./, "$n - ... and says why");
    like(A2F::ctl('audit', '10'), qr/ locked user=lock /,
         "$n - the lock is the store's, as for the portal: audited");
});

our $HTTP = $A2F::HTTP_CONFIG . <<'EOT';
    a2f_max_failures 50 15m;    # the lockout is tested elsewhere
    a2f_api_client app key=app-key-1
        secret_file=$TEST_NGINX_A2F_DIR/app.secret appid=https://localhost;
    a2f_api_client far key=far-key
        secret_file=$TEST_NGINX_A2F_DIR/far.secret allow=192.0.2.0/24;
    a2f_api_client near key=near-key
        secret_file=$TEST_NGINX_A2F_DIR/near.secret
        allow=10.0.0.0/8 allow=127.0.0.1;
EOT

our $CONF = <<'EOT';
    location /_a2f/ {
        a2f_portal;
        a2f_api;
        a2f_webauthn on;
    }
    location /api/ {
        a2f_api;
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

=== TEST 1: delegate, codes, bearers, groups
--- http_config eval
$main::HTTP
--- config eval
$main::CONF
--- request
GET /api/v2/users/nothing
--- error_code: 404
--- response_body
{"statusCode":404,"error":"Not Found","message":"Not found."}
--- delegate_otc: 1
--- no_error_log
[error]



=== TEST 2: what API client authentication refuses
--- http_config eval
$main::HTTP
--- config eval
$main::CONF
--- request
GET /api/v2/users/delegate
--- error_code: 405
--- response_headers
Allow: POST
--- client_auth: 1
--- error_log
a2f: api: JWT of client "app" refused
a2f: api: unknown api key refused
a2f: api client "far" refused from 127.0.0.1: not in its allow= list
--- no_error_log
[error]



=== TEST 3: authenticate with a password
--- http_config eval
$main::HTTP
--- config eval
$main::CONF
--- request
POST /api/v2/users/authenticate
{"email":"uma@example.com","password":"wrong"}
--- more_headers
Content-Type: application/json
--- error_code: 400
--- authenticate: 1
--- no_error_log
[error]



=== TEST 4: a software U2F token: register, list, sign, block, delete
--- http_config eval
$main::HTTP
--- config eval
$main::CONF
--- request
POST /api/v2/security_keys/challenge
--- error_code: 401
--- response_headers
WWW-Authenticate: Bearer realm="a2f"
--- u2f: 1
--- no_error_log
[error]



=== TEST 5: keys are shared with the portal, both ways
--- http_config eval
$main::HTTP
--- config eval
$main::CONF
--- request
GET /api/v2/security_keys
--- error_code: 401
--- interop: 1
--- no_error_log
[error]



=== TEST 6: an oversized body is refused before it is read
--- http_config eval
$main::HTTP
--- config eval
$main::CONF
--- request eval
"POST /api/v2/users/otc\n" . ('{"code":"' . ('1' x 30000) . '"}')
--- more_headers
Content-Type: application/json
Authorization: Bearer x
--- error_code: 413
--- response_body_like eval
qr/^\{"statusCode":413,"error":"Payload Too Large",/
--- error_log
a2f: api: body of 30011 bytes refused (at most 24576)



=== TEST 7: without a2f_api the portal has no API
--- http_config eval
$main::HTTP
--- config
location /_a2f/ { a2f_portal; }
--- request
POST /_a2f/api/v2/users/authenticate
{}
--- more_headers
Content-Type: application/json
--- error_code: 404
--- error_log
the portal location has no "a2f_api"



=== TEST 8: a protected server's /api/ location with a2f_api is not behind the login
--- http_config eval
$main::HTTP . "    a2f two_factor;\n"
--- config eval
$main::CONF
--- request
POST /api/v2/users/authenticate
{"email":"uma@example.com","password":"uma-password"}
--- more_headers
Content-Type: application/json
--- error_code: 201
--- response_headers_like
x-app-sign-request: t1\..*
--- no_error_log
[error]



=== TEST 9: wrong codes through the API lock the user out (shared lockout)
--- http_config eval
$A2F::HTTP_CONFIG . q{
    a2f_max_failures 3 15m;
    a2f_api_client app key=app-key-1
        secret_file=$TEST_NGINX_A2F_DIR/app.secret appid=https://localhost;
}
--- config eval
$main::CONF
--- request
GET /api/v2/security_keys
--- error_code: 401
--- lockout: 1
--- error_log
a2f: api: /api/v2/users/otc of user "lock" refused: locked out
--- no_error_log
[error]
