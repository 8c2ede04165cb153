package Test::Nginx::Socket;

# The project's own small stand-in for openresty's Test::Nginx::Socket.
#
# It is used only when the real Test::Nginx is not installed (Debian does not
# package it): `prove -I t/lib -r t/`.  It reads the same data-driven .t
# files (Test::Base blocks: `=== TEST n: name`, `--- section`) and follows
# the real module's semantics for the sections listed in t/README.md, so
# that a .t file that passes here passes under the real one too.  Where the
# real module silently ignores a section (response_headers_like next to
# response_headers, response_body_unlike next to response_body_like), this
# runner checks both: it is never more lenient.
#
# Per block: fresh server root, generated nginx.conf, nginx started (in the
# foreground, as our child; under valgrind if asked), --- init run, the
# requests sent (each on its own connection), the checks made (the error log
# after every request, as the real module does), nginx stopped.

use strict;
use warnings;

use Test::Base -base;      # blocks(), filters (eval, chomp, ...), Test::More

use Cwd qw(getcwd);
use Errno qw(EAGAIN EWOULDBLOCK EINTR);
use File::Path qw(make_path remove_tree);
use File::Spec;
use IO::Select;
use IO::Socket::INET;
use List::Util qw(shuffle);
use POSIX qw(WNOHANG);
use Time::HiRes qw(sleep time);

our @EXPORT = qw(
    run_tests repeat_each no_shuffle workers master_on master_off
    master_process_enabled log_level no_long_string no_root_location
    env_to_nginx add_block_preprocessor add_cleanup_handler bail_out
    worker_connections check_accum_error_log config_preamble timeout
    server_name server_port server_root html_dir is_str plan
    add_response_body_check
);

# add_response_body_check(sub { my ($block, $body, $req_idx,
# $repeated_req_idx, $dry_run) = @_; ... }): run after every response
our @ResponseBodyChecks;

sub add_response_body_check { push @ResponseBodyChecks, shift }

# -- settings: environment first, then the functions below -------------------

our $ServerPort = $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT} || 1984;
our $ServerName = 'localhost';
our $ServRoot   = File::Spec->rel2abs($ENV{TEST_NGINX_SERVROOT} || 't/servroot');
our $UseValgrind = $ENV{TEST_NGINX_USE_VALGRIND};
our $NginxBinary = $ENV{TEST_NGINX_BINARY} || find_nginx();

our $ConfDir = "$ServRoot/conf";
our $HtmlDir = "$ServRoot/html";
our $LogDir  = "$ServRoot/logs";
our $ConfFile  = "$ConfDir/nginx.conf";
our $ErrLog    = "$LogDir/error.log";
our $PidFile   = "$LogDir/nginx.pid";
our $StderrLog = "$LogDir/stderr.log";   # nginx's stderr (and valgrind's)

my $RepeatEach   = 1;
my $NoShuffle    = $ENV{TEST_NGINX_NO_SHUFFLE} || 0;
my $Workers      = 1;
my $MasterProcess = $ENV{TEST_NGINX_MASTER_PROCESS} || 'off';
my $LogLevel     = $ENV{TEST_NGINX_LOG_LEVEL} || 'debug';
my $RootLocation = 1;
my $WorkerConns  = 64;
my $Timeout      = $ENV{TEST_NGINX_TIMEOUT} || 3;
my $AccumLog     = $ENV{TEST_NGINX_CHECK_ACCUM_ERR_LOG} || 0;
my $Preamble     = '';
my @EnvToNginx;
my @Preprocessors;
my @CleanupHandlers;

# valgrind makes nginx 10-50 times slower: stretch every timeout
my $Slow = $UseValgrind ? 20 : 1;
# how long log-phase lines may lag behind the end of the answer
my $Settle = $UseValgrind ? 0.25 : 0.05;

my $ChildPid;           # nginx (master or single process): our child
my $Running;            # an nginx of ours may be running
my $MainPid = $$;       # END must not act in forked children

sub find_nginx {
    for my $dir (split /:/, $ENV{PATH} || '') {
        return "$dir/nginx" if $dir ne '' && -x "$dir/nginx" && !-d "$dir/nginx";
    }
    return '/usr/sbin/nginx';
}

# -- the exported configuration functions (same names as the real ones) -----

sub repeat_each { $RepeatEach = shift if @_; return $RepeatEach }
sub no_shuffle { $NoShuffle = 1 }
sub workers { $Workers = shift if @_; return $Workers }
sub master_on { $MasterProcess = 'on' }
sub master_off { $MasterProcess = 'off' }
sub master_process_enabled {
    $MasterProcess = $_[0] ? 'on' : 'off' if @_;
    return $MasterProcess;
}
sub log_level { $LogLevel = shift if @_; return $LogLevel }
sub no_long_string { }              # we always compare with Test::Base::is
sub no_root_location { $RootLocation = 0 }
sub worker_connections { $WorkerConns = shift if @_; return $WorkerConns }
sub check_accum_error_log { $AccumLog = 1 }
sub config_preamble { $Preamble = shift }
sub timeout { $Timeout = shift if @_; return $Timeout }
sub server_name { $ServerName = shift if @_; return $ServerName }
sub server_port { $ServerPort = shift if @_; return $ServerPort }
sub server_root { return $ServRoot }
sub html_dir { return $HtmlDir }
sub is_str { Test::Base::is($_[0], $_[1], $_[2]) }
sub add_cleanup_handler { push @CleanupHandlers, shift }

sub env_to_nginx {
    for my $v (@_) {
        die "env_to_nginx: bad argument value: $v\n"
            if $v !~ /^[A-Za-z_]/ || $v =~ /\n/;
        push @EnvToNginx, $v;
    }
}

# like the real one, the last preprocessor added runs first
sub add_block_preprocessor(&) { unshift @Preprocessors, shift }

sub bail_out {
    stop_nginx();
    Test::More::BAIL_OUT(join '', @_);
}

END {
    if ($$ == $MainPid) {
        my $rc = $?;
        stop_nginx();
        $_->() for @CleanupHandlers;
        $? = $rc;
    }
}

# -- main loop ----------------------------------------------------------------

sub run_tests {
    $ENV{TEST_NGINX_SERVER_PORT} //= $ServerPort;
    die "t/lib Test::Nginx::Socket: cannot run nginx binary $NginxBinary\n"
        unless -x $NginxBinary;

    my @blocks = Test::Base::blocks();     # also runs the section filters
    @blocks = shuffle @blocks unless $NoShuffle;

    for my $block (@blocks) {
        $_->($block) for @Preprocessors;
        run_block($block);
    }
    stop_nginx();
}

sub run_block {
    my $block = shift;
    my $name = $block->name;

    setup_server_root();
    write_user_files($block);
    write_config($block);

    if (defined $block->must_die) {
        run_must_die($block);
        return;
    }

    my ($ok, $why) = start_nginx($block, $UseValgrind);
    if (!$ok) {
        Test::More::fail("$name - nginx started");
        Test::More::diag($why);
        stop_nginx();
        return;
    }

    # like the real one: --- init runs once, with nginx already up
    if (defined $block->init) {
        my $err = Test::Nginx::Socket::Init::run($block->init);
        if ($err) {
            Test::More::fail("$name - --- init");
            Test::More::diag("init failed: $err");
            stop_nginx();
            return;
        }
    }

    my $log_pos = 0;
    for my $rep (0 .. $RepeatEach - 1) {
        run_requests($block, $rep, \$log_pos);
    }

    stop_nginx();
    check_valgrind($block) if $UseValgrind;
}

# -- server root and nginx.conf ---------------------------------------------

# The same layout as the real module (conf/ html/ logs/ *_temp/), so that
# either runner can take over a server root the other one left behind.
sub setup_server_root {
    if (-f $PidFile) {                     # a stale nginx of an earlier run
        my $pid = read_pid();
        kill_nginx($pid) if $pid;
    }
    if (-d $ServRoot) {
        remove_tree($ConfDir, $HtmlDir, $LogDir,
                    glob("$ServRoot/*_temp"), glob("$ServRoot/*_cache"));
    }
    make_path($ConfDir, $HtmlDir, $LogDir);
    write_text("$HtmlDir/index.html",
               '<html><head><title>It works!</title></head>'
               . '<body>It works!</body></html>');
}

# $TEST_NGINX_XXX and ${TEST_NGINX_XXX}: an unknown one aborts the run, as in
# the real module
sub expand_env {
    my ($text, $name) = @_;
    return $text if !defined $text || ref $text;
    $text =~ s{\$(?:\{(TEST_NGINX_[_A-Z0-9]+)\}|(TEST_NGINX_[_A-Z0-9]+))}{
        my $var = $1 // $2;
        defined $ENV{$var} ? $ENV{$var}
                           : bail_out("$name - No environment $var defined.\n");
    }ge;
    return $text;
}

my %Without;    # modules compiled out of this nginx: no *_temp_path for them
my $HasDashE;   # nginx -e (1.19.5+)

sub probe_nginx {
    return if defined $HasDashE;
    my $v = `$NginxBinary -V 2>&1`;
    $Without{$1} = 1 while $v =~ /--without-http_(\w+?)_module/g;
    my ($maj, $min, $pat) = $v =~ m{nginx/(\d+)\.(\d+)\.(\d+)};
    $HasDashE = defined $maj
                && ($maj * 1e6 + $min * 1e3 + $pat) >= 1_019_005 ? 1 : 0;
}

sub write_config {
    my $block = shift;
    my $name = $block->name;
    probe_nginx();

    my $config = expand_env($block->config // '', $name);
    my $http_config = expand_env($block->http_config // '', $name);
    my $main_config = expand_env($block->main_config // '', $name);
    my ($level, $server_name) = map { my $v = $_; $v =~ s/^\s+|\s+$//g; $v }
        $block->log_level || $LogLevel, $block->server_name // $ServerName;

    my $modules = join '', map { "load_module $_;\n" }
                           grep { length } split /\s+/,
                           $ENV{TEST_NGINX_LOAD_MODULES} // '';
    my $env = join '', map { "env $_;\n" } @EnvToNginx;
    my $user = $> == 0 ? "user root;\n" : '';

    my $temp = '';
    for my $t (qw(client_body proxy fastcgi scgi uwsgi)) {
        next if $Without{$t} || $http_config =~ /\b${t}_temp_path\b/;
        $temp .= "    ${t}_temp_path $ServRoot/${t}_temp;\n";
    }

    my $root = $RootLocation ? <<"EOR" : '';
        location / {
            root $HtmlDir;
            index index.html index.htm;
        }
EOR

    write_text($ConfFile, <<"EOC");
# generated by t/lib/Test/Nginx/Socket.pm for: $name
${modules}worker_processes $Workers;
daemon off;
master_process $MasterProcess;
error_log $ErrLog $level;
pid $PidFile;
$user$env
$main_config

events {
    accept_mutex off;
    worker_connections $WorkerConns;
}

http {
    access_log $LogDir/access.log;
$temp
    default_type text/plain;
    keepalive_timeout 68;

$http_config

    server {
        listen $ServerPort;
        server_name '$server_name';
        client_max_body_size 30M;

$Preamble
$config

$root    }
}
EOC
}

sub write_user_files {
    my $block = shift;
    my $files = $block->user_files;
    return unless defined $files && $files ne '';
    if (!ref $files) {                     # ">>> name" lines, then the body
        my @list;
        for my $line (split /^/, $files) {
            if ($line =~ /^>>> (\S+)/) {
                push @list, [$1, ''];
            } elsif (@list) {
                $list[-1][1] .= $line;
            }
        }
        $files = \@list;
    }
    for my $f (@$files) {
        my ($fname, $body) = @$f;
        my $path = $fname =~ m{^/} ? $fname : "$HtmlDir/$fname";
        (my $dir = $path) =~ s{/[^/]*$}{};
        make_path($dir);
        write_text($path, expand_env($body // '', $block->name));
    }
}

# -- starting and stopping nginx --------------------------------------------

# Returns (1) once nginx runs, or (0, why, exit status).  nginx always runs
# in the foreground ("daemon off") as our child, in its own process group:
# waitpid tells us at once when it dies, and no zombie is left behind.  It
# writes its pid file once the configuration is loaded and the sockets are
# bound: that is what we poll for.
sub start_nginx {
    my ($block, $valgrind) = @_;
    my @cmd = ($NginxBinary, '-p', "$ServRoot/", '-c', $ConfFile);
    push @cmd, '-e', $ErrLog if $HasDashE;
    unshift @cmd, valgrind_cmd() if $valgrind;

    my $pid = fork // bail_out("fork: $!");
    if ($pid == 0) {
        setpgrp(0, 0);
        open STDIN, '<', '/dev/null';
        open STDOUT, '>', '/dev/null';
        open STDERR, '>>', $StderrLog;
        exec(@cmd) or POSIX::_exit(127);
    }
    $ChildPid = $pid;
    $Running = 1;

    my $secs = 10 * $Slow;
    my $deadline = time + $secs;
    while (time < $deadline) {
        if (waitpid($pid, WNOHANG) == $pid) {
            my $st = $?;
            undef $ChildPid;
            return (0, "nginx exited with status " . ($st >> 8)
                       . ($st & 127 ? " (signal " . ($st & 127) . ")" : '')
                       . "\n" . startup_log(), $st);
        }
        return (1) if read_pid();
        sleep 0.005;
    }
    kill_nginx($pid);                       # hung: not "died" either
    undef $ChildPid;
    return (0, "nginx wrote no pid file within ${secs}s\n" . startup_log());
}

sub valgrind_cmd {
    my @v = qw(valgrind -q --leak-check=full --errors-for-leak-kinds=definite
               --show-leak-kinds=definite --error-exitcode=99 --num-callers=50);
    # valgrind.suppress in the current directory (as the real Test::Nginx
    # reads it), else the project's .ci/valgrind.suppress
    for my $supp (getcwd() . '/valgrind.suppress',
                  getcwd() . '/.ci/valgrind.suppress')
    {
        if (-f $supp) {
            push @v, "--suppressions=$supp";
            last;
        }
    }
    return @v;
}

sub startup_log {
    my $out = '';
    for my $f ($StderrLog, $ErrLog) {
        my $text = read_text($f) // next;
        $out .= "--- $f:\n$text" if $text ne '';
    }
    return $out;
}

sub read_pid {
    my $text = read_text($PidFile) // return undef;
    return $text =~ /^(\d+)/ ? $1 : undef;
}

sub alive {
    my $pid = shift;
    if ($ChildPid && $pid == $ChildPid && waitpid($pid, WNOHANG) == $pid) {
        undef $ChildPid;
        return 0;
    }
    return 0 unless kill 0, $pid;
    # the zombie of a daemon (say, left by another runner) may never be
    # reaped in a container: it is gone
    my $stat = read_text("/proc/$pid/stat");
    return 0 if defined $stat && $stat =~ /^\d+ \(.*\) Z/s;
    return 1;
}

# QUIT (graceful), then TERM, then KILL of the whole process group
sub kill_nginx {
    my $pid = shift;
    for my $step (['QUIT', 10 * $Slow], ['TERM', 5 * $Slow], ['KILL', 5]) {
        my ($sig, $secs) = @$step;
        return 1 unless alive($pid);
        kill $sig, ($sig eq 'KILL' ? (-$pid, $pid) : $pid);
        my $deadline = time + $secs;
        while (time < $deadline) {
            return 1 unless alive($pid);
            sleep 0.01;
        }
        warn "nginx $pid did not stop on SIG$sig\n";
    }
    return 0;
}

sub stop_nginx {
    return unless $Running;
    my $pid = $ChildPid || read_pid();
    kill_nginx($pid) if $pid;
    undef $ChildPid;
    undef $Running;
}

sub check_valgrind {
    my $block = shift;
    my $report = read_text($StderrLog) // '';
    my $bad = join '|', 'definitely lost', 'Invalid (?:read|write|free)',
                        'uninitialised', 'Mismatched free', 'Syscall param',
                        'Source and destination overlap';
    Test::More::ok($report !~ /$bad/, $block->name . " - valgrind: no memory errors")
        or Test::More::diag($report);
}

# -- must_die -----------------------------------------------------------------

sub run_must_die {
    my $block = shift;
    my $name = $block->name;
    my $expect = $block->must_die;
    for my $rep (0 .. $RepeatEach - 1) {
        my ($ok, $why, $status) = start_nginx($block, 0);
        if ($ok || !defined $status) {
            Test::More::fail("$name - die as expected");
            Test::More::diag($ok ? "nginx started although it must die" : $why);
            stop_nginx();
        } elsif ($expect =~ /^\s*(\d+)\s*$/) {
            Test::More::is(($status // 0) >> 8, $1,
                           "$name - die with the expected exit code");
        } else {
            Test::More::ok(1, "$name - die as expected");
        }
        undef $Running;
        # the startup messages: the error log (-e) and, to be safe, stderr
        my @lines = map { split /^/, (read_text($_) // '') }
                        $ErrLog, $StderrLog;
        check_error_log($block, \@lines, $rep);
        unlink $ErrLog, $StderrLog;
    }
}

# -- requests ------------------------------------------------------------------

sub run_requests {
    my ($block, $rep, $log_pos) = @_;
    my $name = $block->name;
    my $timeout = parse_time($block->timeout) // $Timeout;
    $timeout *= $Slow;

    my $reqs = build_requests($block) or return;
    my $need_array = @$reqs > 1;

    for my $i (0 .. $#$reqs) {
        my ($packets, $method) = @{ $reqs->[$i] };
        my ($raw, $err) = http_exchange($packets, $timeout);
        if ($err) {
            Test::More::fail("$name - ERROR: $err (req $i)");
        }
        my $res = parse_response($raw // '', $method eq 'HEAD');
        check_response($block, $res, $i, $need_array) or return;

        if ($i < $#$reqs) {                # like the real one: the error
            sleep $block->wait if $block->wait;   # log after every request
            check_error_log($block, read_log($log_pos), $rep);
        }
    }
    sleep $block->wait if $block->wait;
    check_error_log($block, read_log($log_pos), $rep);
}

# Returns [[packets], method] per request, each sent on its own connection.
sub build_requests {
    my $block = shift;
    my $name = $block->name;
    my @out;

    if (defined $block->raw_request) {
        my $raw = $block->raw_request;
        my @packets = ref $raw eq 'ARRAY' ? @$raw : ($raw);
        my ($method) = join('', @packets) =~ /^\s*(\S+)/;
        return [[\@packets, $method // '']];
    }

    my $request = $block->request;
    if (!defined $request) {
        Test::More::fail("$name - no --- request or --- raw_request");
        return undef;
    }
    if (!ref $request) {              # leading "# comments" are allowed
        1 while $request =~ s/^\s*\#[^\n]+\s+|^\s+//s;
    }
    my @reqs = ref $request eq 'ARRAY' ? @$request : ($request);
    my $more = $block->more_headers;
    for my $i (0 .. $#reqs) {
        if (ref $reqs[$i]) {
            Test::More::fail("$name - requests split in packets are not "
                             . "supported by this runner");
            return undef;
        }
        my $h = ref $more eq 'ARRAY' ? $more->[$i] : $more;
        if (ref $more eq 'ARRAY' && !defined $h) {
            Test::More::fail("$name - --- more_headers lacks data for "
                             . "request $i");
            return undef;
        }
        my ($text, $method) = build_request($reqs[$i], $h // '', $name)
            or return undef;
        push @out, [[$text], $method];
    }
    return \@out;
}

# "METHOD [URI [VERSION]]\nbody": HTTP/1.1, Host and Connection: close added,
# and Content-Length for a body (which is trimmed), as the real module does.
sub build_request {
    my ($req, $more, $name) = @_;
    my ($line, $body) = $req =~ /\A([^\n]*)\n?(.*)\z/s;
    my ($method, $uri, $ver) =
        $line =~ /^\s*(\S+)(?: +(\S+))?(?: +(\S+))?\s*$/;
    if (!defined $method) {
        Test::More::fail("$name - bad request line \"$line\"");
        return;
    }
    $uri //= '/';
    $ver //= 'HTTP/1.1';

    my ($headers, $chunked) = ('', 0);
    for my $h (split /\n+/, $more) {
        next if $h =~ /^\s*#/;
        my ($k, $v) = split /:\s*/, $h, 2;
        $v //= '';
        $chunked = 1 if lc $k eq 'transfer-encoding' && $v eq 'chunked';
        $headers .= "$k: $v\r\n";
    }

    my $cl = '';
    if (!$chunked && $body ne '' && $headers !~ /^Content-Length:/mi) {
        $body =~ s/^\s+|\s+$//g;
        $cl = "Content-Length: " . length($body) . "\r\n";
    }
    my $auto = '';
    $auto .= "Host: $ServerName\r\n" unless $headers =~ /^Host:/mi;
    $auto .= "Connection: close\r\n" unless $headers =~ /^Connection/mi;
    return ("$method $uri $ver\r\n$auto$headers$cl\r\n$body", $method);
}

# One connection: write the packets (each its own write), read until the
# server closes.  Reading goes on while writing, so that an early answer
# (413 to a large body) is not lost.  Returns (response, error).
sub http_exchange {
    my ($packets, $timeout) = @_;
    local $SIG{PIPE} = 'IGNORE';
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                     PeerPort => $ServerPort,
                                     Proto => 'tcp', Timeout => $timeout)
        or return (undef, "cannot connect to 127.0.0.1:$ServerPort: $@");
    $sock->blocking(0);

    my @queue = @$packets;
    my $buf = shift(@queue) // '';
    my ($resp, $err) = ('', undef);
    my $sel = IO::Select->new($sock);

    while (1) {
        my $writing = length($buf) || @queue;
        $! = 0;
        my ($r, $w) = IO::Select->select($sel, $writing ? $sel : undef,
                                         undef, $timeout);
        if (!defined $r) {
            next if $!{EINTR};
            $err = "client socket timed out";
            last;
        }
        if ($w && @$w) {
            $buf = shift @queue if !length $buf;
            my $n = syswrite $sock, $buf;
            if (defined $n) {
                substr($buf, 0, $n) = '';
            } elsif (!$!{EAGAIN} && !$!{EWOULDBLOCK}) {
                ($buf, @queue) = ('');     # the server closed: just read
            }
        }
        if ($r && @$r) {
            my $n = sysread $sock, my $chunk, 65536;
            if (!defined $n) {
                next if $!{EAGAIN} || $!{EWOULDBLOCK};
                last;                      # reset: keep what we have
            }
            last if $n == 0;
            $resp .= $chunk;
        }
    }
    close $sock;
    return ($resp, $err);
}

sub parse_response {
    my ($raw, $head) = @_;
    my %res = (code => '', headers => {}, raw_headers => '', body => '');
    my ($top, $body) = split /\r\n\r\n/, $raw, 2;
    return \%res unless defined $top && $top ne '';
    $res{raw_headers} = "$top\r\n" if defined $body;
    my ($status, @lines) = split /\r\n/, $top;
    $res{code} = $1 if $status =~ m{^HTTP/\d+(?:\.\d+)?\s+(\d{3})};
    for (@lines) {
        push @{ $res{headers}{lc $1} }, $2 if /^([^:\s]+)\s*:\s*(.*?)\s*$/;
    }
    $body //= '';
    my $te = header(\%res, 'Transfer-Encoding') // '';
    if (!$head && $te =~ /chunked/i) {
        my $out = '';
        while ($body =~ s/\A([0-9a-fA-F]+)[^\r\n]*\r\n//) {
            my $len = hex $1;
            last if $len == 0;
            $out .= substr($body, 0, $len, '');
            $body =~ s/\A\r\n//;
        }
        $body = $out;
    }
    $res{body} = $head ? '' : $body;
    return \%res;
}

# several headers of one name: joined with ", " (as HTTP::Headers does)
sub header {
    my ($res, $name) = @_;
    my $v = $res->{headers}{lc $name} or return undef;
    return join ', ', @$v;
}

# -- checks -------------------------------------------------------------------

# the expected value for request $i (check_response has made sure that with
# several requests it is an array: the real module aborts the run otherwise)
sub indexed {
    my ($block, $section, $i) = @_;
    my $v = $block->$section;
    return ref $v eq 'ARRAY' ? $v->[$i] : $v;
}

# "Name: value" lines; "!Name" = must be absent (undef)
sub parse_header_lines {
    my $text = shift;
    my @out;
    for my $line (split /\n/, $text) {
        $line =~ s/^\s+|\s+$//g;
        next if $line eq '';
        if ($line =~ s/^!\s*//) {
            push @out, [$line, undef];
        } else {
            my ($k, $v) = split /\s*:\s*/, $line, 2;
            push @out, [$k, $v // ''];
        }
    }
    return @out;
}

sub check_response {
    my ($block, $res, $i, $need_array) = @_;
    my $name = $block->name;
    my $ok = 1;
    for my $s (qw(error_code error_code_like response_headers
                  response_headers_like raw_response_headers_like
                  raw_response_headers_unlike response_body response_body_like
                  response_body_unlike)) {
        my $v = $block->$s;
        if ($need_array && defined $v && ref $v ne 'ARRAY') {
            Test::More::fail("$name - --- $s must be an array (eval [...]) "
                             . "since there are several requests");
            $ok = 0;
        }
    }
    return 0 unless $ok;

    my $code = $res->{code};
    if (defined(my $like = indexed($block, 'error_code_like', $i))) {
        Test::More::like($code, qr/$like/m, "$name - status code ok");
    } else {
        my $want = indexed($block, 'error_code', $i) // 200;
        $want =~ s/^\s+|\s+$//g;
        Test::More::is($code, $want, "$name - status code ok");
    }

    my $raw = $res->{raw_headers};
    if (defined(my $p = indexed($block, 'raw_response_headers_like', $i))) {
        Test::More::like($raw, qr/$p/s, "$name - raw resp headers like");
    }
    if (defined(my $p = indexed($block, 'raw_response_headers_unlike', $i))) {
        Test::More::unlike($raw, qr/$p/s, "$name - raw resp headers unlike");
    }

    if (defined(my $h = indexed($block, 'response_headers', $i))) {
        for (parse_header_lines($h)) {
            my ($k, $want) = @$_;
            if (!defined $want) {
                Test::More::unlike($raw, qr/^\s*\Q$k\E\s*:/mi,
                    "$name - header $k not present in the raw headers");
                next;
            }
            $want =~ s/\$ServerPort\b/$ServerPort/g;
            Test::More::is(header($res, $k) // '', $want, "$name - header $k ok");
        }
    }
    if (defined(my $h = indexed($block, 'response_headers_like', $i))) {
        for (parse_header_lines($h)) {
            my ($k, $pat) = @$_;
            # anchored, exactly as the real module does it
            Test::More::like(header($res, $k) // '', qr/^$pat$/,
                             "$name - header $k like ok");
        }
    }

    my $body = $res->{body};
    if (defined(my $want = indexed($block, 'response_body', $i))) {
        my $label = "$name - response_body - response is expected (req $i)";
        if (ref $want) {
            Test::More::like($body, $want, $label);
        } else {
            $want =~ s/\$ServerPort\b/$ServerPort/g;
            Test::Base::is($body, expand_env($want, $name), $label);
        }
    }
    # a pattern from a plain section keeps its trailing newline, as in the
    # real module: write "--- response_body_like: pattern" or use chomp
    if (defined(my $p = indexed($block, 'response_body_like', $i))) {
        Test::More::like($body, qr/$p/s,
                         "$name - response_body_like - response is expected (req $i)");
    }
    if (defined(my $p = indexed($block, 'response_body_unlike', $i))) {
        Test::More::unlike($body, qr/$p/s,
                           "$name - response_body_unlike - response is expected (req $i)");
    }
    $_->($block, $body, $i, $i, 0) for @ResponseBodyChecks;
    return 1;
}

# the error log lines written since the last read
sub read_log {
    my $pos = shift;
    sleep $Settle;            # lines of the log phase come after the answer
    open my $fh, '<', $ErrLog or return [];
    seek $fh, $$pos, 0 if !$AccumLog && $$pos;
    my @lines = <$fh>;
    $$pos = tell $fh unless $AccumLog;
    close $fh;
    return \@lines;
}

# a section's patterns: lines of text (substrings), or eval'ed strings and
# qr// regexes (alone or in an array)
sub patterns {
    my $v = shift;
    return () unless defined $v;
    return ($v) if ref $v eq 'Regexp';
    return grep { defined } @$v if ref $v eq 'ARRAY';
    chomp(my $s = $v);
    return grep { length } split /\n+/, $s;
}

sub line_matches {
    my ($line, $pat) = @_;
    return ref $pat eq 'Regexp' ? $line =~ $pat : index($line, $pat) >= 0;
}

sub check_error_log {
    my ($block, $lines, $rep) = @_;
    my $name = $block->name;

    my @want = patterns($block->error_log);
    for my $pat (@want) {
        my $hit = grep { line_matches($_, $pat) } @$lines;
        Test::More::ok($hit, $hit
            ? "$name - pattern \"$pat\" matches a line in error.log (req $rep)"
            : "$name - pattern \"$pat\" should match a line in error.log (req $rep)")
            or Test::More::diag(log_excerpt($lines));
    }

    my @not = patterns($block->no_error_log);
    for my $pat (@not) {
        my @hits = grep { line_matches($_, $pat) } @$lines;
        if (@hits) {
            chomp(my $first = $hits[0]);
            Test::More::fail("$name - pattern \"$pat\" should not match any "
                             . "line in error.log but matches line "
                             . "\"$first\" (req $rep)");
            Test::More::diag(scalar(@hits) . " matching line(s):\n",
                             join '', @hits[0 .. ($#hits < 9 ? $#hits : 9)]);
        } else {
            Test::More::pass("$name - pattern \"$pat\" does not match a line "
                             . "in error.log (req $rep)");
        }
    }

    # like the real module: say so when nginx complains loudly and no
    # pattern was about it; fail on assertion failures
    my $all = join "\n", map { ref $_ ? "$_" : $_ } @want, @not;
    for my $lvl (qw(alert crit emerg)) {
        next if $all =~ /\[$lvl/ || defined $block->must_die;
        warn "WARNING: $name - $_" for grep { /\[$lvl\]/ } @$lines;
    }
    for (grep { /\bAssertion .*?failed\b/ } @$lines) {
        Test::More::fail("$name - $_");
    }
}

# -- small helpers --------------------------------------------------------------

# what a failed error_log check shows: the lines above debug level, at most 40
sub log_excerpt {
    my $lines = shift;
    my @l = grep { m{^\d{4}/} && !/\[debug\]/ } @$lines;
    splice @l, 0, @l - 40 if @l > 40;
    return "error.log lines checked (" . scalar(@$lines) . ", without "
           . "[debug], last 40; see $ErrLog):\n" . join '', @l;
}

# "3", "1.5s", "50ms" -> seconds
sub parse_time {
    my $t = shift;
    return undef unless defined $t && $t =~ /^\s*([\d.]+)\s*(ms|s)?\s*$/;
    return ($2 // 's') eq 'ms' ? $1 / 1000 : $1;
}

sub write_text {
    my ($path, $text) = @_;
    open my $fh, '>', $path or bail_out("cannot write $path: $!");
    binmode $fh;
    print $fh $text;
    close $fh;
}

sub read_text {
    my $path = shift;
    open my $fh, '<', $path or return undef;
    binmode $fh;
    local $/;
    my $text = <$fh>;
    close $fh;
    return $text // '';
}

# --- init code runs outside main, as in the real module (which evaluates it
# in its own package): call main's subs as main::name()
package Test::Nginx::Socket::Init;

sub run {
    eval $_[0];
    return $@;
}

1;
