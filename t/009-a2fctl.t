# a2fctl: every bad input gets a clear message and a non-zero exit; the
# commands do what they say.  (Plain Test::More: no nginx needed.)
use strict;
use warnings;
use lib 't';
use Test::More;
use IPC::Open3 qw(open3);
use MIME::Base64 qw(encode_base64url);
use Symbol qw(gensym);
use A2F;

A2F::setup();
my $dir = $ENV{TEST_NGINX_A2F_DIR};
my $ctl = $ENV{A2F_CTL} // 'build/a2fctl';
my @dk = ('-d', $ENV{TEST_NGINX_A2F_DB}, '-k', $ENV{TEST_NGINX_A2F_KEY});

# run a2fctl; returns (exit code, stdout, stderr)
sub run {
    my ($stdin, @args) = @_;
    my $err = gensym;
    my $pid = open3(my $in, my $out, $err, $ctl, @args);
    print $in $stdin if defined $stdin;
    close $in;
    local $/;
    my $o = <$out> // '';
    my $e = <$err> // '';
    waitpid $pid, 0;
    return ($? >> 8, $o, $e);
}

sub fails {
    my ($want_rc, $re, $name, $stdin, @args) = @_;
    my ($rc, $o, $e) = run($stdin, @args);
    is $rc, $want_rc, "$name: exit $want_rc";
    like $e, $re, "$name: message";
}

$ENV{A2F_SCRYPT_LN} = 10;

my ($rc, $out, $err) = run("pw1\n", @dk, 'user', 'add', 'bob');
is $rc, 0, 'user add';

fails 1, qr/user "bob" exists already/, 'duplicate user', "pw\n",
      @dk, qw(user add bob);
fails 1, qr/user "nobody" not found/, 'del unknown user', undef,
      @dk, qw(user del nobody);
fails 1, qr/user "nobody" not found/, 'unlock unknown user', undef,
      @dk, qw(unlock nobody);
fails 1, qr/user "nobody" not found/, 'revoke unknown user', undef,
      @dk, qw(revoke nobody);
fails 2, qr/invalid user name "a\/b"/, 'bad user name', "pw\n",
      @dk, qw(user add a/b);
fails 1, qr/empty password/, 'empty password', "\n", @dk, qw(user add eve);
fails 2, qr/--digits must be 6 or 8/, 'bad digits', undef,
      @dk, qw(totp add bob --digits 7);
fails 2, qr/--algorithm must be SHA1, SHA256 or SHA512/, 'bad algorithm',
      undef, @dk, qw(totp add bob --algorithm MD5);
fails 2, qr/--period must be 15\.\.300/, 'bad period', undef,
      @dk, qw(totp add bob --period 5);
fails 2, qr/not base32/, 'bad secret', undef,
      @dk, 'totp', 'add', 'bob', '--secret', 'not base32!';
fails 2, qr/unknown command "frobnicate"/, 'unknown command', undef,
      @dk, 'frobnicate';
fails 1, qr{key file /nonexistent/k}, 'missing key file', undef,
      '-d', $ENV{TEST_NGINX_A2F_DB}, '-k', '/nonexistent/k', qw(user list);
fails 1, qr/exists/, 'keygen refuses to overwrite', undef,
      'keygen', $ENV{TEST_NGINX_A2F_KEY};

A2F::write_file("$dir/short.key", ('ab' x 31) . "\n");
fails 1, qr/short\.key.*line 1/, 'short key', undef,
      '-d', $ENV{TEST_NGINX_A2F_DB}, '-k', "$dir/short.key", qw(user list);

A2F::write_file("$dir/other.key", ('cd' x 32) . "\n");
fails 1, qr/does not match/, 'wrong key for the database', undef,
      '-d', $ENV{TEST_NGINX_A2F_DB}, '-k', "$dir/other.key", qw(user list);

# totp add prints the otpauth URI first, with the issuer
($rc, $out) = run(undef, @dk, qw(totp add bob --issuer), 'Example Co',
                  qw(--secret JBSWY3DPEHPK3PXP --digits 8 --period 60));
is $rc, 0, 'totp add';
is((split /\n/, $out)[0],
   'otpauth://totp/Example%20Co:bob?secret=JBSWY3DPEHPK3PXP'
   . '&issuer=Example%20Co&algorithm=SHA1&digits=8&period=60',
   'totp add prints the URI on its first line');
unlike $out, qr/\x{2588}|\xe2\x96\x88/, 'no QR code when stdout is no terminal';

($rc, $out) = run(undef, @dk, qw(user list));
like $out, qr/^bob admin=no disabled=no devices=1 locked=no /m, 'user list';
like $out, qr/^bob admin=no disabled=no devices=1 locked=no keys=0 last_login=never gen=\d+$/m,
     'user list: keys= after locked=, gen= last';

# user group: printed, set, cleared; a bad group is refused
($rc, $out) = run(undef, @dk, qw(user group bob));
is $rc, 0, 'user group (none set)';
is $out, "(none)\n", 'user group prints (none)';
($rc) = run(undef, @dk, qw(user group bob staff));
is $rc, 0, 'user group set';
($rc, $out) = run(undef, @dk, qw(user group bob));
is $out, "staff\n", 'user group prints it';
fails 2, qr/invalid group "a b" for user "bob"/, 'user group with a space',
      undef, @dk, 'user', 'group', 'bob', 'a b';
fails 1, qr/user "nobody" not found/, 'user group of an unknown user',
      undef, @dk, qw(user group nobody staff);
($rc) = run(undef, @dk, 'user', 'group', 'bob', '');
is $rc, 0, 'user group cleared';
($rc, $out) = run(undef, @dk, qw(user group bob));
is $out, "(none)\n", '... none again';
($rc, $out) = run(undef, @dk, qw(audit 5));
like $out, qr/group_set user=bob addr=- group=staff by=a2fctl/,
     'audit has group_set';
like $out, qr/group_clear user=bob addr=- by=a2fctl/, 'audit has group_clear';

# recovery prints 10 new codes on stdout, the warning on stderr
($rc, $out, $err) = run(undef, @dk, qw(recovery bob));
is $rc, 0, 'recovery';
my @codes = split /\n/, $out;
is scalar(@codes), 10, 'recovery prints 10 codes';
my $g = qr/[0-9a-hjkmnp-tv-z]{4}/;     # Crockford base32, lower case
is scalar(grep { /^$g-$g-$g\z/ } @codes), 10, 'each code is xxxx-xxxx-xxxx';
my %seen = map { $_ => 1 } @codes;
is scalar(keys %seen), 10, 'the codes differ';
my $once = 'These codes are shown once. Each works one time in place of a '
           . 'one-time code.';
like $err, qr/^\Q$once\E$/m, 'recovery: the codes are shown once';
unlike A2F::read_file($ENV{TEST_NGINX_A2F_DB}), qr/\Q$codes[0]\E/,
       'the database does not hold a code';
my ($rc2, $out2) = run(undef, @dk, qw(recovery bob));
is $rc2, 0, 'recovery again';
isnt $out2, $out, 'a new set each time';
($rc, $out) = run(undef, @dk, qw(user list));
like $out, qr/^bob admin=no disabled=no devices=1 /m,
     'recovery codes are no device';
fails 1, qr/user "nobody" not found/, 'recovery unknown user', undef,
      @dk, qw(recovery nobody);
fails 2, qr/usage: recovery NAME/, 'recovery without a name', undef,
      @dk, 'recovery';

# revoke bumps the generation
my $gen = A2F::gen('bob');
($rc) = run(undef, @dk, qw(revoke bob));
is $rc, 0, 'revoke';
is A2F::gen('bob'), $gen + 1, 'revoke bumps the generation';

# passwd also ends the sessions
($rc) = run("pw2\n", @dk, qw(passwd bob));
is $rc, 0, 'passwd';
is A2F::gen('bob'), $gen + 2, 'passwd bumps the generation';

# a re-created user does not get its old generation back
($rc) = run(undef, @dk, qw(user del bob));
is $rc, 0, 'user del';
($rc) = run("pw\n", @dk, qw(user add bob));
isnt A2F::gen('bob'), $gen + 2, 're-created user: new generation';

# security keys: an import, one line per key, duplicates and bad input refused
($rc, $out, $err) = run(undef, @dk, qw(key add bob yubi --cred-id AAECAwQFBgcI
                                       --public-key pQECAyYgASFYIA --u2f));
is $rc, 0, 'key add';
is $err, '', 'key add: no message';
($rc) = run(undef, @dk, qw(key add bob backup --cred-id CQoLDA
                          --public-key pQE --alg -257));
is $rc, 0, 'key add --alg';
($rc, $out) = run(undef, @dk, qw(key list bob));
is $rc, 0, 'key list';
my @keys = split /\n/, $out;
is scalar(@keys), 2, 'key list: one line per key';
my $when = qr/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/;
like $keys[0], qr/^backup alg=-257 cred_id=CQoLDA sign_count=0 created=$when last_used=never u2f=no fmt=none aaguid=- transports=-\z/,
     'key list: name order, --alg';
like $keys[1], qr/^yubi alg=-7 cred_id=AAECAwQFBgcI sign_count=0 created=$when last_used=never u2f=yes fmt=none aaguid=- transports=-\z/,
     'key list: alg -7 by default, --u2f, fmt none, no AAGUID or transports';
($rc, $out) = run(undef, @dk, qw(user list));
like $out, qr/^bob admin=no disabled=no devices=0 locked=no keys=2 /m,
     'user list counts the keys';
fails 1, qr/user "bob" has a key named "yubi" or with that credential id/,
      'key add: name taken', undef,
      @dk, qw(key add bob yubi --cred-id AQ --public-key pQE);
fails 1, qr/user "bob" has a key named "other" or with that credential id/,
      'key add: credential id taken', undef,
      @dk, qw(key add bob other --cred-id AAECAwQFBgcI --public-key pQE);
fails 2, qr/--cred-id is not base64url/, 'key add: padded cred id', undef,
      @dk, qw(key add bob x --cred-id AA== --public-key pQE);
fails 2, qr/--cred-id is longer than 255 bytes/, 'key add: long cred id',
      undef, @dk, qw(key add bob x --public-key pQE --cred-id), 'A' x 344;
fails 2, qr/--public-key is not base64url/, 'key add: bad public key', undef,
      @dk, qw(key add bob x --cred-id AQ --public-key +/+/);
fails 2, qr/--alg must be a COSE algorithm number/, 'key add: bad --alg',
      undef, @dk, qw(key add bob x --cred-id AQ --public-key pQE --alg ES256);
fails 2, qr/usage: key add NAME KEYNAME --cred-id/, 'key add: no --cred-id',
      undef, @dk, qw(key add bob x --public-key pQE);
fails 2, qr/KEYNAME must be 1\.\.32 bytes/, 'key add: long key name', undef,
      @dk, qw(key add bob), 'k' x 33, qw(--cred-id AQ --public-key pQE);
fails 1, qr/user "nobody" not found/, 'key add: unknown user', undef,
      @dk, qw(key add nobody x --cred-id AQ --public-key pQE);
fails 1, qr/user "nobody" not found/, 'key list: unknown user', undef,
      @dk, qw(key list nobody);
fails 1, qr/user "bob" has no key "nokey"/, 'key del: unknown key', undef,
      @dk, qw(key del bob nokey);
fails 2, qr/usage: key del NAME KEYNAME/, 'key del: no key name', undef,
      @dk, qw(key del bob);
fails 2, qr/key: unknown command "frob"/, 'key: unknown command', undef,
      @dk, qw(key frob);
fails 2, qr/key: add, import, list or del\?/, 'key: no command', undef,
      @dk, 'key';
fails 2, qr/totp: add, list or del\?/, 'totp: no command', undef,
      @dk, 'totp';

# key add: attestation format, AAGUID and transports, shown by key list
($rc, $out, $err) = run(undef, @dk, qw(key add bob passkey --cred-id CQoLDQ
                                       --public-key pQE --fmt packed
                                       --aaguid CB69481E8FF7403993EC0A2729A154A8
                                       --transports), 'hybrid,usb,internal');
is $rc, 0, 'key add --fmt --aaguid --transports';
is $err, '', 'key add --fmt ...: no message';
fails 2, qr/--transports must be a comma-separated list of usb, nfc, ble, internal and hybrid/,
      'key add: unknown transport', undef,
      @dk, qw(key add bob x --cred-id AQ --public-key pQE --transports),
      'usb,wifi';
fails 2, qr/--transports must be a comma-separated list/,
      'key add: empty transport', undef,
      @dk, qw(key add bob x --cred-id AQ --public-key pQE --transports),
      'usb,,nfc';
fails 2, qr/--aaguid must be 32 hex digits/, 'key add: short AAGUID', undef,
      @dk, qw(key add bob x --cred-id AQ --public-key pQE --aaguid 00ff);
fails 2, qr/--aaguid must be 32 hex digits/, 'key add: AAGUID not hex', undef,
      @dk, qw(key add bob x --cred-id AQ --public-key pQE --aaguid), 'g' x 32;
fails 2, qr/--fmt must be 1\.\.15 printable ASCII characters without spaces/,
      'key add: fmt with a space', undef,
      @dk, qw(key add bob x --cred-id AQ --public-key pQE --fmt), 'no ne';
fails 2, qr/--fmt must be 1\.\.15 /, 'key add: long fmt', undef,
      @dk, qw(key add bob x --cred-id AQ --public-key pQE --fmt), 'f' x 16;
fails 2, qr/--fmt must be 1\.\.15 /, 'key add: empty fmt', undef,
      @dk, qw(key add bob x --cred-id AQ --public-key pQE --fmt=);

# key import: a key registered through the old U2F API; its raw P-256
# point (here the curve's generator) becomes a COSE key
my $gx = pack 'H*', '6b17d1f2e12c4247f8bce6e563a440f2'
                    . '77037d812deb33a0f4a13945d898c296';
my $gy = pack 'H*', '4fe342e2fe1a7f9b8ee7eb4a7c0f9e16'
                    . '2bce33576b315ececbb6406837bf51f5';
my $point = encode_base64url("\x04$gx$gy");
my $kh = encode_base64url(pack 'C*', 0 .. 63);
my $appid = 'https://example.com/u2f/app-id.json';
my @imp = ('--key-handle', $kh, '--public-key', $point);
($rc, $out, $err) = run(undef, @dk, qw(key import bob legacy --appid), $appid,
                        @imp);
is $rc, 0, 'key import';
is $err, '', 'key import: no message';
($rc, $out) = run(undef, @dk, qw(key list bob));
@keys = split /\n/, $out;
is scalar(@keys), 4, 'key list: one line per key, imported and added';
like $keys[1], qr/^legacy alg=-7 cred_id=\Q$kh\E sign_count=0 created=$when last_used=never u2f=yes fmt=u2f aaguid=- transports=- appid=\Q$appid\E\z/,
     'key list: the imported key: U2F, fmt u2f, its appid';
like $keys[2], qr/^passkey alg=-7 cred_id=CQoLDQ sign_count=0 created=$when last_used=never u2f=no fmt=packed aaguid=cb69481e8ff7403993ec0a2729a154a8 transports=usb,internal,hybrid\z/,
     'key list: fmt, the AAGUID in hex, transports as words';

my $appid256 = 'https://example.com/' . ('a' x 236);
($rc) = run(undef, @dk, qw(key import bob long-appid --appid), $appid256,
            '--key-handle', 'AQID', '--public-key', $point);
is $rc, 0, 'key import: an appid of 256 bytes';
($rc, $out) = run(undef, @dk, qw(key list bob));
like $out, qr/^long-appid .* appid=\Q$appid256\E$/m,
     'key list: the whole appid';

sub imports {
    my ($re, $name, %o) = @_;
    my %a = ('--appid' => $appid, '--key-handle' => 'BAUG',
             '--public-key' => $point, %o);
    fails 2, $re, "key import: $name", undef, @dk, qw(key import bob bad),
          map { defined $a{$_} ? ($_, $a{$_}) : () } sort keys %a;
}

my $len = qr/--public-key must be 65 bytes \(an uncompressed P-256 point\)/;
imports qr/$len, not 64/, 'point of 64 bytes',
        '--public-key' => encode_base64url("\x04$gx" . substr($gy, 1));
imports qr/$len, not 66/, 'point of 66 bytes',
        '--public-key' => encode_base64url("\x04$gx$gy\x00");
imports qr/$len, not 33/, 'compressed point',
        '--public-key' => encode_base64url("\x03$gx");
imports qr/--public-key must start with 0x04 \(an uncompressed point\), not 0x06/,
        'hybrid point form',
        '--public-key' => encode_base64url("\x06$gx$gy");
imports qr/--public-key must start with 0x04 .*, not 0x00/, 'first byte 0',
        '--public-key' => encode_base64url("\x00$gx$gy");
imports qr/--public-key is not a point on the P-256 curve/, 'off the curve',
        '--public-key' => encode_base64url("\x04$gx" . substr($gy, 0, 31)
                                           . "\xf6");
imports qr/--public-key is not a point on the P-256 curve/, 'x past p',
        '--public-key' => encode_base64url("\x04" . ("\xff" x 32) . $gy);
imports qr/--public-key is not base64url \(without padding\)/,
        'padded public key', '--public-key' => "$point=";
imports qr/--public-key is not base64url/, 'standard base64 public key',
        '--public-key' => 'BGsX0fLhLEJH+Lzm5WOkQPJ3A32BLes zoPShOUXYmMKW';
imports qr/--key-handle is not base64url \(without padding\)/,
        'padded key handle', '--key-handle' => 'AQI=';
imports qr/--key-handle is not base64url/, 'key handle with "/"',
        '--key-handle' => 'AQ/C';
imports qr/--key-handle is longer than 255 bytes/, 'long key handle',
        '--key-handle' => 'A' x 344;
my $bad_appid = qr/--appid must be an https:\/\/ URL of at most 256 bytes/;
imports $bad_appid, 'http appid', '--appid' => 'http://example.com';
imports $bad_appid, 'appid without a scheme', '--appid' => 'example.com';
imports $bad_appid, 'appid without a host', '--appid' => 'https://';
imports $bad_appid, 'appid with an empty host', '--appid' => 'https:///x';
imports $bad_appid, 'appid with a space',
        '--appid' => 'https://example.com/a b';
imports $bad_appid, 'appid of 257 bytes', '--appid' => "${appid256}a";
imports $bad_appid, 'appid in upper case', '--appid' => 'HTTPS://EXAMPLE.COM';
imports qr/usage: key import NAME KEYNAME --appid URL --key-handle B64URL --public-key B64URL/,
        'no --appid', '--appid' => undef;
imports qr/usage: key import NAME KEYNAME/, 'no --key-handle',
        '--key-handle' => undef;
imports qr/usage: key import NAME KEYNAME/, 'no --public-key',
        '--public-key' => undef;
fails 2, qr/key import: --appid needs a value/, 'key import: --appid last',
      undef, @dk, qw(key import bob bad), @imp, '--appid';
fails 2, qr/key import: unknown option "--cred-id"/,
      'key import: an option of key add', undef,
      @dk, qw(key import bob bad --appid), $appid, @imp, '--cred-id', 'AQ';
fails 2, qr/key import: one user and one key name only/,
      'key import: three names', undef,
      @dk, qw(key import bob bad extra --appid), $appid, @imp;
fails 2, qr/usage: key import NAME KEYNAME/, 'key import: no key name',
      undef, @dk, qw(key import bob --appid), $appid, @imp;
fails 2, qr/KEYNAME must be 1\.\.32 bytes/, 'key import: long key name',
      undef, @dk, qw(key import bob), 'k' x 33, '--appid', $appid, @imp;
fails 1, qr/user "bob" has a key named "other" or with that credential id/,
      'key import: key handle taken', undef,
      @dk, qw(key import bob other --appid), $appid, @imp;
fails 1, qr/user "bob" has a key named "legacy" or with that credential id/,
      'key import: name taken', undef,
      @dk, qw(key import bob legacy --appid), $appid,
      '--key-handle', 'BAUG', '--public-key', $point;
fails 1, qr/user "nobody" not found/, 'key import: unknown user', undef,
      @dk, qw(key import nobody legacy --appid), $appid, @imp;
($rc, $out) = run(undef, @dk, qw(key list bob));
is scalar(split /\n/, $out), 5, 'key import: nothing stored by the refusals';
for my $k (qw(legacy passkey long-appid)) {
    ($rc) = run(undef, @dk, 'key', 'del', 'bob', $k);
    is $rc, 0, "key del $k";
}

($rc) = run(undef, @dk, qw(key del bob backup));
is $rc, 0, 'key del';
($rc, $out) = run(undef, @dk, qw(key list bob));
like $out, qr/\Ayubi alg=-7 [^\n]*\n\z/, 'key del: one key left';

# enrollment links: the token, then its expiry; how to use it on stderr
my $t0 = time;
($rc, $out, $err) = run(undef, @dk, qw(link bob));
is $rc, 0, 'link';
my ($tok, $expl, @more) = split /\n/, $out;
like $tok, qr/^[A-Za-z0-9_-]{32}\z/, 'link: a 32-character base64url token first';
like $expl, qr/^expires=\d+\z/, 'link: then expires=<unix seconds>';
is scalar(@more), 0, 'link: two lines on stdout';
my ($exp) = $expl =~ /(\d+)/;
ok $exp >= $t0 + 86400 && $exp <= time + 86400, 'link: 24 hours by default';
like $err, qr{"enroll/"}, 'link: stderr says the URL ends in enroll/ and the token';
like $err, qr{/enroll/\Q$tok\E\b}, 'link: stderr shows an example URL';
unlike A2F::read_file($ENV{TEST_NGINX_A2F_DB}), qr/\Q$tok\E/,
       'the database does not hold the token';
for my $c (['30m', 1800], ['7d', 7 * 86400], ['90s', 90], ['3600', 3600],
           ['30d', 30 * 86400]) {
    $t0 = time;
    ($rc, $out) = run(undef, @dk, 'link', 'bob', '--ttl', $c->[0]);
    my ($t, $x) = split /\n/, $out;
    ($exp) = ($x // '') =~ /^expires=(\d+)\z/;
    ok $rc == 0 && defined $exp && $exp >= $t0 + $c->[1]
       && $exp <= time + $c->[1], "link --ttl $c->[0]";
    isnt $t, $tok, "link --ttl $c->[0]: a new token";
}
($rc, $out) = run(undef, @dk, 'link', 'bob', '--ttl=2h');
like $out, qr/\A[A-Za-z0-9_-]{32}\nexpires=\d+\n\z/, 'link --ttl=2h';
for my $bad (qw(31d 0 0s 5w -1h 1hh h 2592001)) {
    fails 2, qr/--ttl must be 1s\.\.30d/, "link --ttl $bad", undef,
          @dk, 'link', 'bob', '--ttl', $bad;
}
fails 2, qr/--ttl needs a value/, 'link --ttl without a value', undef,
      @dk, qw(link bob --ttl);
fails 2, qr/usage: link NAME/, 'link without a name', undef, @dk, 'link';
fails 2, qr/link: unknown option "--name"/, 'link: unknown option', undef,
      @dk, qw(link bob --name x);
fails 1, qr/user "nobody" not found/, 'link: unknown user', undef,
      @dk, qw(link nobody);

# user admin, disable, enable: the flags, and only them
$gen = A2F::gen('bob');
($rc) = run(undef, @dk, qw(user admin bob on));
is $rc, 0, 'user admin on';
($rc, $out) = run(undef, @dk, qw(user list));
like $out, qr/^bob admin=yes disabled=no /m, 'user admin on: admin=yes';
($rc) = run(undef, @dk, qw(user disable bob));
is $rc, 0, 'user disable';
($rc, $out) = run(undef, @dk, qw(user list));
like $out, qr/^bob admin=yes disabled=yes devices=0 locked=no keys=1 /m,
     'user disable: disabled=yes, admin kept';
($rc) = run(undef, @dk, qw(user enable bob));
is $rc, 0, 'user enable';
($rc) = run(undef, @dk, qw(user admin bob off));
is $rc, 0, 'user admin off';
($rc, $out) = run(undef, @dk, qw(user list));
like $out, qr/^bob admin=no disabled=no /m, 'user enable, admin off';
is A2F::gen('bob'), $gen, 'flags leave the generation alone';
fails 2, qr/usage: user admin NAME on\|off/, 'user admin: neither on nor off',
      undef, @dk, qw(user admin bob yes);
fails 2, qr/usage: user admin NAME on\|off/, 'user admin: no on or off', undef,
      @dk, qw(user admin bob);
fails 2, qr/usage: user disable NAME/, 'user disable: no name', undef,
      @dk, qw(user disable);
fails 1, qr/user "nobody" not found/, 'user disable: unknown user', undef,
      @dk, qw(user disable nobody);
fails 1, qr/user "nobody" not found/, 'user admin: unknown user', undef,
      @dk, qw(user admin nobody on);

($rc, $out) = run(undef, @dk, qw(audit 100));
like $out, qr/key_add user=bob addr=- by=a2fctl/, 'audit has key_add';
like $out, qr/key_import user=bob addr=- by=a2fctl/, 'audit has key_import';
like $out, qr/key_del user=bob addr=- by=a2fctl/, 'audit has key_del';
like $out, qr/link_new user=bob addr=- by=a2fctl/, 'audit has link_new';
like $out, qr/user_admin user=bob addr=- admin=on by=a2fctl/,
     'audit has user_admin on';
like $out, qr/user_admin user=bob addr=- admin=off by=a2fctl/,
     'audit has user_admin off';
like $out, qr/user_disable user=bob addr=- by=a2fctl/, 'audit has user_disable';
like $out, qr/user_enable user=bob addr=- by=a2fctl/, 'audit has user_enable';

# a user deleted and made again has no keys
($rc) = run(undef, @dk, qw(user del bob));
is $rc, 0, 'user del with keys and a link';
($rc) = run("pw\n", @dk, qw(user add bob));
($rc, $out) = run(undef, @dk, qw(key list bob));
is $out, '', 'a re-created user has no keys';
($rc, $out) = run(undef, @dk, qw(user list));
like $out, qr/^bob admin=no disabled=no devices=0 locked=no keys=0 /m,
     'user list: keys=0 after re-creation';

($rc, $out) = run(undef, '-h');
like $out, qr/^  key add NAME KEYNAME --cred-id B64URL --public-key B64URL/m,
     'help: key add';
like $out, qr/^  key import NAME KEYNAME --appid URL --key-handle B64URL\n +--public-key B64URL$/m,
     'help: key import';
like $out, qr/^  link NAME \[--ttl DURATION\]/m, 'help: link';
like $out, qr/^  user admin NAME on\|off/m, 'help: user admin';

# backup is a working copy
($rc) = run(undef, @dk, 'backup', "$dir/copy.mdb");
is $rc, 0, 'backup';
($rc, $out) = run(undef, '-d', "$dir/copy.mdb", '-k', $ENV{TEST_NGINX_A2F_KEY},
                  qw(user list));
like $out, qr/^bob /m, 'the backup holds the users';
fails 1, qr/exists/, 'backup refuses to overwrite', undef,
      @dk, 'backup', "$dir/copy.mdb";

# the audit trail records a2fctl's changes
($rc, $out) = run(undef, @dk, qw(audit 50));
like $out, qr/revoke/, 'audit has revoke';
like $out, qr/user_del/, 'audit has user_del';
like $out, qr/recovery_new user=bob addr=- count=10/, 'audit has recovery_new';
like $out, qr/recovery user=bob addr=- by=a2fctl/,
     'audit has recovery by a2fctl';

# rotation: a new first key, then rekey after the old line is gone
my $old = A2F::read_file($ENV{TEST_NGINX_A2F_KEY});
($rc) = run(undef, 'keygen', '--append', $ENV{TEST_NGINX_A2F_KEY});
is $rc, 0, 'keygen --append';
($rc) = run(undef, @dk, qw(user list));
is $rc, 0, 'the database opens with the rotated key file';
my @lines = grep { /^[0-9a-f]/ } split /\n/, A2F::read_file($ENV{TEST_NGINX_A2F_KEY});
is scalar(@lines), 2, 'two keys after --append';
A2F::write_file("$dir/new.key", "$lines[0]\n");
($rc, $out) = run(undef, '-d', $ENV{TEST_NGINX_A2F_DB}, '-k', "$dir/new.key",
                  'rekey');
is $rc, 0, 'rekey';
like $out, qr/removed 1 old key wrap/, 'rekey removed the old wrap';
A2F::write_file("$dir/old.key", $old);
fails 1, qr/does not match/, 'the old key alone no longer opens the database',
      undef, '-d', $ENV{TEST_NGINX_A2F_DB}, '-k', "$dir/old.key", qw(user list);

# qr draws any text, terminal or not
($rc, $out) = run(undef, 'qr', 'hello');
is $rc, 0, 'qr';
like $out, qr/\xe2\x96\x88/, 'qr draws blocks';

done_testing();
