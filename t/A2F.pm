package A2F;

# Helpers for the t/*.t files of ngx_http_a2f_module: a fresh database and
# key file per test file, users with TOTP devices, RFC 6238 codes, session
# cookies and CSRF tokens made exactly as the module makes them.
#
# Runner-neutral: it works under the real Test::Nginx and under t/lib alike
# (defaults() only uses add_block_preprocessor, which both provide).
#
#   use lib 't';
#   use Test::Nginx::Socket 'no_plan';
#   use A2F;
#   A2F::setup();
#   my $secret = A2F::add_user('alice', 'pw');
#   A2F::defaults();     # http_config and config for blocks without them
#   run_tests();

use strict;
use warnings;

use Cwd qw(getcwd);
use Digest::SHA qw(sha256_hex hmac_sha1 hmac_sha256 hmac_sha512);
use File::Basename qw(basename);
use File::Path qw(make_path remove_tree);
use File::Spec;
use MIME::Base64 qw(encode_base64url);
use POSIX ();

# the test key (32 bytes); a second line can be added with setup(rotate_old)
our $KEY_HEX = '4a1f9c3e7b2d85604e91a7c3d2f0b6e8'
             . '195c7ad3e46f20b89c1d5e7f3a6b4c02';

our ($DIR, $DB, $KEY_FILE);

# The upstream behind the protected locations: a second server of the same
# nginx, on 127.0.0.2 and the test port, that echoes what it got.  It has
# a2f off, so an http-level "a2f" does not reach it.
our $UPSTREAM = <<'EOT';
    server {
        listen 127.0.0.2:$TEST_NGINX_SERVER_PORT;
        server_name a2f-upstream;
        a2f off;
        location / {
            return 200 "upstream $request_method $request_uri remote-user=[$http_remote_user]\n";
        }
    }
EOT

# http{} for a working setup (the runners expand $TEST_NGINX_*)
our $HTTP_CONFIG = <<'EOT' . $UPSTREAM;
    a2f_db $TEST_NGINX_A2F_DB;
    a2f_secret_file $TEST_NGINX_A2F_KEY;
EOT

# server{}: the portal, a two_factor site at / and a one_factor one at /one/
our $CONFIG = <<'EOT';
    location /_a2f/ {
        a2f_portal;
    }
    location / {
        a2f two_factor;
        proxy_set_header Remote-User $a2f_user;
        proxy_pass http://127.0.0.2:$TEST_NGINX_SERVER_PORT;
    }
    location /one/ {
        a2f one_factor;
        proxy_set_header Remote-User $a2f_user;
        proxy_pass http://127.0.0.2:$TEST_NGINX_SERVER_PORT;
    }
EOT

# -- setup ---------------------------------------------------------------------

# A fresh t/tmp/<test name>/ with the key file (no database yet); exports
# TEST_NGINX_A2F_DIR, TEST_NGINX_A2F_DB and TEST_NGINX_A2F_KEY (absolute).
#   rotate_old => hex: a second (older) key line below $KEY_HEX
sub setup {
    my %o = @_;
    (my $name = basename($0)) =~ s/\.t$//;
    $DIR = File::Spec->rel2abs("t/tmp/$name");
    remove_tree($DIR);
    make_path($DIR);

    $KEY_FILE = "$DIR/a2f.key";
    $DB = "$DIR/a2f.mdb";
    write_file($KEY_FILE, "$KEY_HEX\n"
                          . (defined $o{rotate_old} ? "$o{rotate_old}\n" : ''));
    chmod 0600, $KEY_FILE;

    $ENV{TEST_NGINX_A2F_DIR} = $DIR;
    $ENV{TEST_NGINX_A2F_DB} = $DB;
    $ENV{TEST_NGINX_A2F_KEY} = $KEY_FILE;

    # The database file itself is created by the first add_user ("a2fctl
    # user add" opens it with create; "user list" would not), or else by
    # nginx at startup, which creates a missing a2f_db file too.
    return $DIR;
}

# Blocks without --- http_config / --- config get $HTTP_CONFIG / $CONFIG.
# An empty section ("--- http_config" and nothing) is kept as it is.
sub defaults {
    my $add = Test::Nginx::Socket->can('add_block_preprocessor')
        or die "A2F::defaults: use Test::Nginx::Socket first\n";
    $add->(sub {
        my $block = shift;
        $block->set_value(http_config => $HTTP_CONFIG)
            unless defined $block->http_config;
        $block->set_value(config => $CONFIG)
            unless defined $block->config;

        # one-time codes are computed now, right before the block runs:
        # a runner may evaluate every block's "eval" sections at the start
        my $req = $block->request;
        if (defined $req && (ref $req ? "@$req" : $req) =~ /\{\{TOTP:/) {
            $block->set_value(request => fresh_codes($req));
        }
    });
}

# totp_tag(...) takes the arguments of totp() and returns a placeholder
# that defaults()' preprocessor replaces with the code of that moment
sub totp_tag {
    my ($secret_b32, %o) = @_;
    return join ':', '{{TOTP', $secret_b32, uc($o{algorithm} // 'SHA1'),
                     $o{digits} // 6, $o{period} // 30,
                     ($o{offset} // 0) . '}}';
}

sub fresh_codes {
    my $v = shift;
    return [ map { fresh_codes($_) } @$v ] if ref $v eq 'ARRAY';
    $v =~ s/\{\{TOTP:([A-Z2-7]+):(\w+):(\d+):(\d+):(-?\d+)\}\}/
             totp($1, algorithm => $2, digits => $3, period => $4,
                  offset => $5)/ge;
    return $v;
}

# -- a2fctl ----------------------------------------------------------------------

# Run a2fctl -d DB -k KEY @args; returns its stdout, dies with its stderr.
sub ctl { return ctl_in(undef, @_) }

sub ctl_in {
    my ($stdin, @args) = @_;
    die "A2F: call A2F::setup() first\n" unless defined $DIR;
    my $ctl = File::Spec->rel2abs($ENV{A2F_CTL} // 'build/a2fctl');
    die "A2F: $ctl is not executable (make build?)\n" unless -x $ctl;

    my ($in, $out, $err) = map { "$DIR/.ctl.$_" } qw(in out err);
    write_file($in, $stdin // '');
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        open STDIN, '<', $in or POSIX::_exit(126);
        open STDOUT, '>', $out or POSIX::_exit(126);
        open STDERR, '>', $err or POSIX::_exit(126);
        $ENV{A2F_SCRYPT_LN} = 10;          # fast password hashing in tests
        exec($ctl, '-d', $DB, '-k', $KEY_FILE, @args) or POSIX::_exit(127);
    }
    waitpid $pid, 0;
    my $status = $?;
    my ($o, $e) = (read_file($out), read_file($err));
    unlink $in, $out, $err;
    die "a2fctl @args: exit " . ($status >> 8) . ($status & 127 ? " (signal "
        . ($status & 127) . ")" : '') . "\n$e" if $status != 0;
    return $o;
}

# A user with a password and (unless totp => 0) a TOTP device; returns the
# device's base32 secret.
#   admin => 1
#   totp  => { secret_b32, algorithm (SHA1), digits (6), period (30) }
sub add_user {
    my ($name, $password, %o) = @_;
    ctl_in("$password\n", 'user', 'add', $name, $o{admin} ? '--admin' : ());
    return undef if exists $o{totp} && !$o{totp};

    my $t = ref $o{totp} eq 'HASH' ? $o{totp} : {};
    my $alg = uc($t->{algorithm} // 'SHA1');
    my $secret = $t->{secret_b32}
        // base32_encode(random_bytes({SHA1 => 20, SHA256 => 32,
                                       SHA512 => 64}->{$alg} // 20));
    ctl('totp', 'add', $name, '--secret', $secret, '--algorithm', $alg,
        '--digits', $t->{digits} // 6, '--period', $t->{period} // 30);
    return $secret;
}

# -- one-time codes (RFC 6238) ------------------------------------------------------

# totp($secret_b32, time => T, offset => seconds, algorithm => 'SHA1',
#      digits => 6, period => 30)
sub totp {
    my ($secret_b32, %o) = @_;
    my $alg = uc($o{algorithm} // 'SHA1');
    my $digits = $o{digits} // 6;
    my $period = $o{period} // 30;
    my $t = ($o{time} // time) + ($o{offset} // 0);

    my $counter = int($t / $period);
    my $msg = pack('NN', int($counter / 2**32), $counter % 2**32);
    my $mac = { SHA1 => \&hmac_sha1, SHA256 => \&hmac_sha256,
                SHA512 => \&hmac_sha512 }->{$alg}
        or die "A2F::totp: unknown algorithm $alg\n";
    my $h = $mac->($msg, base32_decode($secret_b32));
    my $off = ord(substr($h, -1)) & 0x0f;
    my $bin = unpack('N', substr($h, $off, 4)) & 0x7fffffff;
    return sprintf('%0*d', $digits, $bin % 10**$digits);
}

# A well-formed code that is wrong at every step within +-5 of now.
sub wrong_code {
    my ($secret_b32, %o) = @_;
    my $period = $o{period} // 30;
    my %near = map { totp($secret_b32, %o, offset => $_ * $period) => 1 }
               -5 .. 5;
    my $digits = $o{digits} // 6;
    while (1) {
        my $c = sprintf('%0*d', $digits, int(rand(10**$digits)));
        return $c unless $near{$c};
    }
}

# -- cookies and CSRF tokens ---------------------------------------------------------

# The session cookie's value (a2f_session.h):
#   2.<kid>.<sid>.<level>.<gen>.<issued>.<seen>.<factor>.<user b64url>.<mac b64url>
# factor: the time of the last second factor; the default is now at
# level 2 and 0 at level 1 (what the module itself makes)
# The user's current session generation (new users start at a random one),
# read with "a2fctl user list"; 0 when there is no database or no such user.
sub gen {
    my $user = shift;
    return 0 unless defined $DB && -e $DB;
    (my $shown = $user) =~ s/[\x00-\x1f\x7f"]/?/g;   # as a2fctl prints it
    for my $line (split /\n/, ctl('user', 'list')) {
        return $1 if $line =~ /^\Q$shown\E .* gen=(\d+)$/;
    }
    return 0;
}

sub cookie {
    my %o = @_;
    my $key = pack('H*', $o{key_hex} // $KEY_HEX);
    my $now = time;
    my $level = $o{level} // 2;
    my $payload = join '.', 2,
        substr(sha256_hex($key), 0, 8),
        $o{sid} // b64url(random_bytes(12)),
        map({ sprintf('%d', $_) } $level,
                                  $o{gen} // gen($o{user} // 'alice'),
                                  $o{issued} // $now, $o{seen} // $now,
                                  $o{factor} // ($level == 2 ? $now : 0)),
        b64url($o{user} // 'alice');
    return "$payload." . b64url(hmac_sha256($payload, $key));
}

# The forms' hidden csrf field: binding = the session's sid (logged-in
# forms) or the a2f_csrf cookie's value (the login form).
sub csrf {
    my ($binding, %o) = @_;
    return b64url(hmac_sha256("csrf:$binding",
                              pack('H*', $o{key_hex} // $KEY_HEX)));
}

# -- encodings and files -----------------------------------------------------------

sub b64url { return encode_base64url(shift) }     # no padding

my $B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

sub base32_encode {
    my $bits = unpack('B*', shift);
    $bits .= '0' x ((5 - length($bits) % 5) % 5);
    return join '', map { substr($B32, oct("0b$_"), 1) } $bits =~ /(.{5})/g;
}

sub base32_decode {
    (my $s = uc shift) =~ s/[\s=-]//g;
    die "A2F::base32_decode: bad character in \"$s\"\n" if $s =~ /[^A-Z2-7]/;
    my $bits = join '', map { sprintf('%05b', index($B32, $_)) } split //, $s;
    $bits = substr($bits, 0, length($bits) - length($bits) % 8);
    return pack('B*', $bits);
}

sub random_bytes {
    my $n = shift;
    open my $fh, '<:raw', '/dev/urandom' or die "/dev/urandom: $!";
    read($fh, my $buf, $n) == $n or die "/dev/urandom: short read";
    return $buf;
}

sub write_file {
    my ($path, $content) = @_;
    (my $dir = $path) =~ s{/[^/]*$}{};
    make_path($dir) if length $dir && !-d $dir;
    open my $fh, '>:raw', $path or die "$path: $!";
    print $fh $content;
    close $fh or die "$path: $!";
}

sub read_file {
    my $path = shift;
    open my $fh, '<:raw', $path or return '';
    local $/;
    return scalar(<$fh>) // '';
}

1;
