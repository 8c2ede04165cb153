# a2fctl: every bad input gets a clear message and a non-zero exit; the
# commands do what they say.  (Plain Test::More: no nginx needed.)
use strict;
use warnings;
use lib 't';
use Test::More;
use IPC::Open3 qw(open3);
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
